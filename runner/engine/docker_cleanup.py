"""Stopping and removing containers on the Docker engine (an attempt's own, or found by label or name)."""

from __future__ import annotations

import contextlib
import time

import docker
import docker.errors

from .docker_errors import ENGINE_ERRORS


def halt(container, grace_s: float) -> None:
    """SIGTERM, then SIGKILL after the grace period (docker stop), then kill if still alive."""
    with contextlib.suppress(*ENGINE_ERRORS):
        container.stop(timeout=int(max(1, round(grace_s))))
    with contextlib.suppress(*ENGINE_ERRORS):
        container.reload()
        if container.status == "running":
            container.kill()


def remove_attempt_container(client: docker.DockerClient, container, name: str) -> str | None:
    """Remove a container by its handle, or by its name when `create` never returned one.
    Returns its name when the engine did not answer (a leftover to remove once it answers again)."""
    leftover = None
    for pause in (0.0, 0.5, 1.0):
        time.sleep(pause)
        try:
            if container is not None:
                container.remove(force=True)
            else:
                client.api.remove_container(name, force=True)
            return None
        except docker.errors.NotFound:
            return None
        except ENGINE_ERRORS:
            leftover = name
    return leftover


def stop_and_remove(container, grace_s: float) -> None:
    """Stop within the grace, then force-remove (once more after a pause if the engine refused)."""
    with contextlib.suppress(*ENGINE_ERRORS):
        container.stop(timeout=int(max(1, round(grace_s))))
    with contextlib.suppress(docker.errors.NotFound):
        try:
            container.remove(force=True)
        except ENGINE_ERRORS:
            time.sleep(0.5)
            with contextlib.suppress(*ENGINE_ERRORS):
                container.remove(force=True)


def remove_by_name(client: docker.DockerClient, name: str) -> bool:
    """Force-remove one container; True if it is gone."""
    try:
        client.api.remove_container(name, force=True)
    except docker.errors.NotFound:
        return True
    except ENGINE_ERRORS:
        return False
    return True
