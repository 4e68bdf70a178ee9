"""Removing services and what they leave on the nodes: one attempt's at its end, orphans by label."""

from __future__ import annotations

import contextlib
import time

import docker
import docker.errors

from .base import EngineError
from .swarm_api import API_ERRORS, TRANSPORT, SwarmApi, engine_error, task_container_id

AGENT_REMOVAL_S = 3.0  # how long the node's agent gets to remove a finished task's container


class Reaper:
    """Removes services through the manager and checks each node's engine for leftovers."""

    def __init__(self, swarm: SwarmApi) -> None:
        self.swarm = swarm

    def remove_service(self, service_id: str, task: dict | None) -> None:
        """Remove the service; check its task container is gone on its node (removed if not)."""
        for _ in range(3):
            try:
                self.swarm.api.remove_service(service_id)
                break
            except docker.errors.NotFound:
                break
            except API_ERRORS:
                time.sleep(0.5)
        container_id = task_container_id(task)
        hostname = self.swarm.hostname(task)
        client = self.swarm.node_client(hostname) if hostname else None
        if not container_id or client is None:
            return
        try:
            if _gone(client, container_id, AGENT_REMOVAL_S):
                return
            with contextlib.suppress(docker.errors.NotFound):  # the agent is slow: do it ourselves
                client.api.remove_container(container_id, force=True)
            if _gone(client, container_id, 15):
                return
            raise EngineError(f"the task container {container_id[:12]} is still on node {hostname}", node=hostname)
        except (docker.errors.DockerException, *TRANSPORT):
            pass  # unreachable: its agent removes it once the node is back (the service is gone)

    def remove_labelled(self, labels: dict[str, str], grace_s: float = 5.0) -> list[str]:
        """Remove every service with these labels, then make sure no task container, helper or
        volume with them is left on any node whose engine is known."""
        filters = {"label": [f"{k}={v}" for k, v in labels.items()]}
        try:
            services = self.swarm.api.services(filters=filters)
        except API_ERRORS as exc:
            raise engine_error(exc) from exc
        removed = []
        for service in services:
            with contextlib.suppress(docker.errors.NotFound):
                try:
                    self.swarm.api.remove_service(service["ID"])
                except API_ERRORS as exc:
                    raise engine_error(exc) from exc
            removed.append(str(service["ID"]))
        deadline = time.monotonic() + grace_s + 10
        for hostname in self.swarm.node_hosts:
            removed += self._reap_node(hostname, filters, deadline)
        return removed

    def _reap_node(self, hostname: str, filters: dict, deadline: float) -> list[str]:
        client = self.swarm.node_client(hostname)
        removed: list[str] = []
        if client is None:
            return removed  # unreachable: its agent removes the tasks of removed services when it is back
        try:
            while time.monotonic() < deadline:  # the node's agent stops the task containers itself
                tasks = [
                    c
                    for c in client.containers.list(ignore_removed=True, all=True, filters=filters)
                    if "com.docker.swarm.task.id" in c.labels and c.status == "running"
                ]
                if not tasks:
                    break
                time.sleep(0.3)
            for container in client.containers.list(ignore_removed=True, all=True, filters=filters):
                with contextlib.suppress(docker.errors.NotFound):
                    container.remove(force=True)
                removed.append(str(container.id))
            for volume in client.volumes.list(filters=filters):
                with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                    volume.remove(force=True)
        except (docker.errors.DockerException, *TRANSPORT):
            pass  # an unreachable node: its agent removes the tasks of removed services when it is back
        return removed


def _gone(client: docker.DockerClient, container_id: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            client.containers.get(container_id)
        except docker.errors.NotFound:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
