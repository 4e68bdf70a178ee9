"""Where a staged attempt runs: the engine picks the node itself, so it can fill that node's volumes first."""

from __future__ import annotations

import time

from .base import ContainerSpec, EngineError
from .swarm_api import SwarmApi
from .swarm_nodes import NodeView
from .swarm_service import gpu_count


class NodeChooser:
    """Picks a node for each staged attempt, spreading attempts over the nodes that fit."""

    def __init__(self, swarm: SwarmApi, gpu_kind: str) -> None:
        self.swarm = swarm
        self.gpu_kind = gpu_kind
        self._last_used: dict[str, float] = {}

    def choose(self, spec: ContainerSpec, image: str) -> NodeView:
        """A schedulable node that meets the constraints, has the resources free and the image,
        preferring the one used least recently (spreads the stages)."""
        gpus = gpu_count(spec)
        caps = {c.name: c for c in self.swarm.capacity()}
        fitting = []
        for node in self.swarm.nodes():
            cap = caps.get(node.hostname)
            if not (node.schedulable and node.hostname in self.swarm.node_hosts and node.satisfies(spec.placement)):
                continue
            if gpus and node.generic.get(self.gpu_kind, 0) - cap.reserved_generic.get(self.gpu_kind, 0) < gpus:
                continue
            if spec.cpu_reservation and node.cpus - cap.reserved_cpus < spec.cpu_reservation:
                continue
            if spec.memory_reservation_bytes and (
                node.memory_bytes - cap.reserved_memory_bytes < spec.memory_reservation_bytes
            ):
                continue
            if not self.swarm.node_has(node.hostname, image):
                continue
            fitting.append(node)
        if not fitting:
            raise EngineError(
                f"no schedulable node fits this stage (constraints {list(spec.placement)}, "
                f"{gpus} GPU, image {image[:19]})"
            )
        chosen = min(
            fitting, key=lambda n: (caps[n.hostname].running_tasks, self._last_used.get(n.hostname, 0.0), n.hostname)
        )
        self._last_used[chosen.hostname] = time.monotonic()
        return chosen
