"""The engine's view of a swarm: the manager's API, each node's own engine, and what they report."""

from __future__ import annotations

import docker
import docker.errors
import requests.exceptions

from .base import EngineError, NodeCapacity
from .image_lookup import image_id_via
from .swarm_nodes import NodeView, capacity

TRANSPORT = (requests.exceptions.ConnectionError, requests.exceptions.Timeout, OSError)
API_ERRORS = (docker.errors.APIError, *TRANSPORT)


def engine_error(exc: Exception, what: str = "the swarm manager") -> EngineError:
    if isinstance(exc, docker.errors.APIError):
        return EngineError(f"swarm error from {what}: {exc.explanation or exc}")
    return EngineError(f"cannot talk to {what}: {exc}")


def task_state(task: dict) -> str:
    return str((task.get("Status") or {}).get("State", ""))


def task_container_id(task: dict | None) -> str | None:
    return (((task or {}).get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID")


class SwarmApi:
    """Clients of the manager (lazy) and of the nodes whose Docker hosts are known."""

    def __init__(self, host: str, node_hosts: dict[str, str], timeout_s: float = 30.0) -> None:
        self.host = host
        self.node_hosts = node_hosts
        self.timeout_s = timeout_s
        self._client: docker.DockerClient | None = None
        self._node_clients: dict[str, docker.DockerClient] = {}

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            try:
                self._client = docker.DockerClient(base_url=self.host, timeout=self.timeout_s)
            except docker.errors.DockerException as exc:
                raise EngineError(f"cannot reach the swarm manager at {self.host} ({exc})") from exc
        return self._client

    @property
    def api(self) -> docker.APIClient:
        return self.client.api

    def node_client(self, hostname: str) -> docker.DockerClient | None:
        """The Docker engine of one node; None when its host is not configured or it cannot be
        reached now (a lost or cut-off node: asked again next time)."""
        if hostname not in self.node_hosts:
            return None
        if hostname not in self._node_clients:
            try:  # the manager's API version: no version round trip to a node that may be gone
                version = self.api.api_version
            except EngineError:
                version = None
            try:
                client = docker.DockerClient(base_url=self.node_hosts[hostname], timeout=10, version=version)
            except (docker.errors.DockerException, *TRANSPORT):
                return None
            self._node_clients[hostname] = client
        return self._node_clients[hostname]

    def image(self, image: str) -> str:
        """The image's id on the manager: every node runs exactly that image (no registry lookup)."""
        missing = f"image {image} is not on the swarm manager ({self.host})"
        return image_id_via(self.client, image, missing, API_ERRORS, engine_error)

    def node_has(self, hostname: str, image_id: str) -> bool:
        client = self.node_client(hostname)
        if client is None:
            return True  # cannot look: the task will say so if it is missing
        try:
            return str(client.images.get(image_id).id) == image_id
        except docker.errors.ImageNotFound:
            return False
        except (docker.errors.DockerException, *TRANSPORT):
            return True

    def nodes(self) -> list[NodeView]:
        try:
            return [NodeView.of(raw) for raw in self.api.nodes()]
        except API_ERRORS as exc:
            raise engine_error(exc) from exc

    def capacity(self) -> list[NodeCapacity]:
        try:
            tasks = self.api.tasks(filters={"desired-state": "running"})
        except API_ERRORS as exc:
            raise engine_error(exc) from exc
        return capacity(self.nodes(), tasks)

    def hostname(self, task: dict | None) -> str | None:
        """The hostname of the node a task was assigned to (None when unassigned or unknown)."""
        node_id = (task or {}).get("NodeID")
        if not node_id:
            return None
        try:
            return NodeView.of(self.api.inspect_node(node_id)).hostname
        except (*API_ERRORS, KeyError):
            return None
