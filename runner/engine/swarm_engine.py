"""The Docker Swarm implementation of the engine interface: each stage attempt is one swarm service.

A one-replica replicated service with restart condition `none` runs the attempt's container to
completion on whichever node the swarm picks (on engine 20.10, removing a `replicated-job`
service can leave its running container behind, moby/moby#44312). The deadline is the runner's:
the engine scales the service to 0 (the node sends SIGTERM, waits the grace period, then SIGKILL),
reads the exit code from the task, removes the service and checks the container is gone.

Storage: `shared` (the work root is mounted at the same path on every node: bind mounts as on one
host) or `staged` (no shared storage: see swarm_storage; the engine picks the node itself, so it
can fill that node's volumes before the task starts).

The parts: swarm_api (clients of the manager and nodes), swarm_service (the service spec),
swarm_attempt (one attempt's lifecycle), swarm_tasks (its task: state, node, stop, result),
swarm_placement (the node of a staged attempt), swarm_reaper (removal, orphans by label),
swarm_logs, swarm_storage, swarm_nodes (node views and capacity).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import docker.errors

from .base import ContainerSpec, EngineError, ImageMissing, LineSink, NodeCapacity, RunResult
from .swarm_api import TRANSPORT, SwarmApi
from .swarm_attempt import SwarmAttempt
from .swarm_nodes import GPU_KIND, NodeView
from .swarm_placement import NodeChooser
from .swarm_reaper import Reaper
from .swarm_service import ServiceFactory
from .swarm_storage import ATTEMPT_LABEL
from .swarm_tasks import NetworkRace, NodeLost

STORAGE_MODES = ("shared", "staged")


def _nodes_option(value: object) -> dict[str, str]:
    """Node hostname → Docker host: a dict, a JSON object, or a file holding one (or {"nodes": {...}})."""
    if not value:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    text = str(value).strip()
    if not text.startswith("{"):
        text = Path(text).read_text()
    data = json.loads(text)
    return {str(k): str(v) for k, v in (data.get("nodes", data)).items()}


class SwarmEngine:
    """Runs stage attempts as services of a Docker Swarm (talking to one manager)."""

    is_cluster = True  # the runner's scheduler places stages on `capacity()`'s nodes

    def __init__(
        self,
        host: str,
        storage: str = "shared",
        nodes: dict[str, str] | None = None,
        gpu_kind: str = GPU_KIND,
        timeout_s: float = 30.0,
    ) -> None:
        if storage not in STORAGE_MODES:
            raise EngineError(f"swarm storage {storage!r}: use one of {', '.join(STORAGE_MODES)}")
        if storage == "staged" and not nodes:
            raise EngineError("swarm storage `staged` needs the nodes' Docker hosts (REELSTAGE_SWARM_NODES)")
        self.host = host
        self.storage = storage
        self.gpu_kind = gpu_kind
        self.swarm = SwarmApi(host, dict(nodes or {}), timeout_s)
        self.services = ServiceFactory(self.swarm, gpu_kind)
        self.reaper = Reaper(self.swarm)
        self.chooser = NodeChooser(self.swarm, gpu_kind) if storage == "staged" else None

    @classmethod
    def from_options(
        cls, host: str | None = None, storage: str | None = None, nodes: object = None, **rest: object
    ) -> SwarmEngine:
        host = host or os.environ.get("REELSTAGE_SWARM_HOST")
        if not host:
            raise EngineError("--engine swarm needs the manager's Docker host: --swarm-host or REELSTAGE_SWARM_HOST")
        try:
            node_hosts = _nodes_option(nodes or os.environ.get("REELSTAGE_SWARM_NODES"))
        except (OSError, ValueError, AttributeError) as exc:
            raise EngineError(f"REELSTAGE_SWARM_NODES: expected a JSON object or a file with one ({exc})") from exc
        if "gpu_kind" not in rest and os.environ.get("REELSTAGE_SWARM_GPU_KIND"):
            rest["gpu_kind"] = os.environ["REELSTAGE_SWARM_GPU_KIND"]  # the generic resource GPUs are advertised as
        storage = storage or os.environ.get("REELSTAGE_SWARM_STORAGE") or "shared"
        return cls(str(host), str(storage), node_hosts, **rest)

    @property
    def node_hosts(self) -> dict[str, str]:
        return self.swarm.node_hosts

    # -- the interface -------------------------------------------------------------------

    def wait_until_available(self, timeout_s: float) -> bool:
        """Poll the manager until it answers (a restarting manager); False after `timeout_s`. A lost
        node needs no wait: the retry goes to another node."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.ping()
                return True
            except EngineError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))

    def ping(self) -> None:
        try:
            info = self.swarm.client.info()
        except (docker.errors.DockerException, *TRANSPORT) as exc:
            raise EngineError(f"the swarm manager at {self.host} does not answer ({exc})") from exc
        swarm = info.get("Swarm") or {}
        if swarm.get("LocalNodeState") != "active" or not swarm.get("ControlAvailable"):
            raise EngineError(f"{self.host} is not a swarm manager (docker swarm init, or give a manager's host)")

    def image_id(self, image: str) -> str:
        """The image's id on the manager; ImageMissing when a schedulable node lacks that id."""
        found = self.swarm.image(image)
        lacking = [n.hostname for n in self.nodes() if n.schedulable and not self.swarm.node_has(n.hostname, found)]
        if lacking:
            raise ImageMissing(
                f"image {image} ({found[:19]}) is missing on node(s) {', '.join(lacking)}: "
                f"load it there (docker save {image} | docker -H <node> load) or push it to a registry"
            )
        return found

    def gpu_available(self) -> bool:
        """Whether a schedulable node advertises GPUs as a generic resource (daemon.json)."""
        try:
            return any(n.schedulable and n.generic.get(self.gpu_kind, 0) > 0 for n in self.nodes())
        except EngineError:
            return False

    def nodes(self) -> list[NodeView]:
        return self.swarm.nodes()

    def capacity(self) -> list[NodeCapacity]:
        return self.swarm.capacity()

    def remove_labelled(self, labels: dict[str, str], grace_s: float = 5.0) -> list[str]:
        """Remove every service with these labels, then make sure no task container, helper or
        volume with them is left on any node whose engine is known."""
        return self.reaper.remove_labelled(labels, grace_s)

    def run(self, spec: ContainerSpec, on_line: LineSink) -> RunResult:
        started = time.monotonic()
        for pause in (0.5, 1.0, 2.0, 4.0):
            try:
                return self._attempt(spec, on_line, started).run()
            except NetworkRace:  # the node was tearing down the network its last task used: try again
                time.sleep(pause)
        return self._attempt(spec, on_line, started).run()

    def _attempt(self, spec: ContainerSpec, on_line: LineSink, started: float) -> SwarmAttempt:
        return SwarmAttempt(self.swarm, self.services, self.reaper, self.chooser, spec, on_line, started)


__all__ = ["ATTEMPT_LABEL", "NodeLost", "SwarmEngine"]
