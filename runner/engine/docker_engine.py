"""The Docker engine interface (with docker_attempt and its helpers, the only importers of `docker`).

The SDK is imported on first use: the read-only calls of a resume (ping, image ids, containers by
label, info) go through `docker_api` on a local engine, so a run that has nothing to do never loads it.
"""

from __future__ import annotations

import shutil
import time
from typing import TYPE_CHECKING

from .base import ContainerSpec, EngineError, ImageMissing, LineSink, NodeCapacity, RunResult
from .docker_api import LocalDockerAPI
from .docker_removals import ContainerRemovals
from .shield import critical

if TYPE_CHECKING:
    import docker


class DockerEngine:
    """Runs stage containers through the Docker SDK."""

    def __init__(self, client: docker.DockerClient | None = None, defer_removal: bool = False) -> None:
        """`defer_removal`: remove containers that ended by themselves in the background (the runner
        calls `settle()` before it exits); otherwise `run` returns once its container is removed."""
        self._client = client
        self._api = LocalDockerAPI.from_env() if client is None else None
        self._defer_removal = defer_removal
        self._removals = ContainerRemovals()

    @property
    def client(self) -> docker.DockerClient:
        import docker

        if self._client is None:
            try:
                self._client = docker.from_env(timeout=120)
            except docker.errors.DockerException as exc:
                raise EngineError(f"cannot reach the Docker engine ({exc}); is dockerd running?") from exc
        return self._client

    def ping(self) -> None:
        if self._api is not None:
            try:
                return self._api.ping()
            except EngineError as exc:
                raise EngineError(f"the Docker engine does not answer ({exc}); start it (make setup)") from exc
        import docker.errors

        from .docker_errors import ENGINE_ERRORS

        try:
            self.client.ping()
        except (docker.errors.DockerException, *ENGINE_ERRORS) as exc:
            raise EngineError(f"the Docker engine does not answer ({exc}); start it (make setup)") from exc

    def wait_until_available(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        pause = 0.2
        while True:
            try:
                self.ping()
                break
            except EngineError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
                pause = min(pause * 2, 2.0)
        self._removals.remove_leftovers(self.client)
        return True

    def image_id(self, image: str) -> str:
        if self._api is not None:
            found = self._api.image_id(image)
            if found is None:
                raise ImageMissing(f"image {image} is not built")
            return found
        from .docker_errors import ENGINE_ERRORS, engine_error
        from .image_lookup import image_id_via

        return image_id_via(self.client, image, f"image {image} is not built", ENGINE_ERRORS, engine_error)

    def gpu_available(self) -> bool:
        try:
            info = self._api.info() if self._api is not None else self.client.info()
            runtimes = info.get("Runtimes", {}) or {}
        except Exception:  # no answer: no GPU
            return False
        return "nvidia" in runtimes or shutil.which("nvidia-container-cli") is not None

    def capacity(self) -> list[NodeCapacity]:
        """This one host as one node (nothing is reserved on a local engine; the runner's scheduler
        detects the host's cores and GPUs itself, which also sees cgroup quotas)."""
        try:
            info = self._api.info() if self._api is not None else self.client.info()
        except Exception as exc:  # an engine that does not answer
            raise EngineError(f"cannot read the Docker engine's capacity: {exc}") from exc
        gpus = 1 if self.gpu_available() else 0
        return [
            NodeCapacity(
                name=str(info.get("Name") or "local"),
                schedulable=True,
                cpus=float(info.get("NCPU") or 1),
                memory_bytes=int(info.get("MemTotal") or 0),
                generic={"gpu": gpus} if gpus else {},
                role="local",
            )
        ]

    def remove_labelled(self, labels: dict[str, str], grace_s: float = 5.0) -> list[str]:
        if self._api is not None and not self._api.container_ids(labels):
            return []  # the usual case, answered without the SDK
        from .docker_cleanup import stop_and_remove
        from .docker_errors import ENGINE_ERRORS, engine_error

        filters = {"label": [f"{k}={v}" for k, v in labels.items()]}
        try:
            found = self.client.containers.list(ignore_removed=True, all=True, filters=filters)
        except ENGINE_ERRORS as exc:
            raise engine_error(exc) from exc
        removed = []
        for container in found:
            with critical():
                stop_and_remove(container, grace_s)
                removed.append(str(container.id))
        return removed

    def run(self, spec: ContainerSpec, on_line: LineSink) -> RunResult:
        from .docker_attempt import DockerAttempt

        attempt = DockerAttempt(self.client, spec, on_line)
        try:
            return attempt.run(self._removals.remover_for(attempt) if self._defer_removal else None)
        finally:
            self._removals.keep_leftover(attempt)

    def settle(self, timeout_s: float = 60.0) -> None:
        """Wait for the containers being removed in the background (before the runner exits)."""
        self._removals.settle(timeout_s)
