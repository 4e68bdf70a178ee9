"""Swarm nodes as plain data: capacity, placement constraints, and the node client of each node."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import NodeCapacity

GPU_KIND = "NVIDIA-GPU"  # the generic-resource kind GPUs are advertised under (daemon.json)
_CONSTRAINT = re.compile(r"^\s*([\w.\-]+)\s*(==|!=)\s*(.*?)\s*$")


@dataclass(frozen=True)
class NodeView:
    """One node as the manager describes it."""

    id: str
    hostname: str
    role: str
    state: str  # ready, down, unknown, disconnected
    availability: str  # active, pause, drain
    cpus: float
    memory_bytes: int
    generic: dict[str, int]
    labels: dict[str, str]
    engine_labels: dict[str, str]
    os: str

    @property
    def schedulable(self) -> bool:
        return self.state == "ready" and self.availability == "active"

    @classmethod
    def of(cls, raw: dict) -> NodeView:
        desc = raw.get("Description") or {}
        res = desc.get("Resources") or {}
        spec = raw.get("Spec") or {}
        return cls(
            id=raw["ID"],
            hostname=desc.get("Hostname", raw["ID"]),
            role=spec.get("Role", "worker"),
            state=(raw.get("Status") or {}).get("State", "unknown"),
            availability=spec.get("Availability", "active"),
            cpus=(res.get("NanoCPUs") or 0) / 1e9,
            memory_bytes=int(res.get("MemoryBytes") or 0),
            generic=generic_counts(res.get("GenericResources")),
            labels=dict(spec.get("Labels") or {}),
            engine_labels=dict((desc.get("Engine") or {}).get("Labels") or {}),
            os=(desc.get("Platform") or {}).get("OS", "linux"),
        )

    def attribute(self, key: str) -> str | None:
        """The value a placement constraint's left side names (None: unknown attribute)."""
        plain = {
            "node.id": self.id,
            "node.hostname": self.hostname,
            "node.role": self.role,
            "node.platform.os": self.os,
        }
        if key in plain:
            return plain[key]
        for prefix, labels in (("node.labels.", self.labels), ("engine.labels.", self.engine_labels)):
            if key.startswith(prefix):
                return labels.get(key[len(prefix) :], "")
        return None

    def satisfies(self, constraints: tuple[str, ...]) -> bool:
        for text in constraints:
            match = _CONSTRAINT.match(text)
            if not match:
                return False
            key, op, want = match.groups()
            have = self.attribute(key)
            if have is None or (have == want) != (op == "=="):
                return False
        return True


def generic_counts(resources: list | None) -> dict[str, int]:
    """Swarm's generic resources as {kind: count} (named resources count one each)."""
    counts: dict[str, int] = {}
    for item in resources or []:
        if "DiscreteResourceSpec" in item:
            spec = item["DiscreteResourceSpec"]
            counts[spec["Kind"]] = counts.get(spec["Kind"], 0) + int(spec.get("Value", 0))
        elif "NamedResourceSpec" in item:
            kind = item["NamedResourceSpec"]["Kind"]
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def check_constraints(constraints: tuple[str, ...]) -> None:
    """Raise ValueError for a constraint Swarm would refuse (so the message names it)."""
    for text in constraints:
        if not _CONSTRAINT.match(text):
            raise ValueError(f"placement constraint {text!r}: expected `attribute==value` or `attribute!=value`")


def capacity(nodes: list[NodeView], tasks: list[dict]) -> list[NodeCapacity]:
    """Per node: what it offers and what the tasks running on it have reserved."""
    reserved: dict[str, dict] = {n.id: {"cpus": 0.0, "mem": 0, "generic": {}, "n": 0} for n in nodes}
    for task in tasks:
        node_id = task.get("NodeID")
        state = (task.get("Status") or {}).get("State")
        if node_id not in reserved or task.get("DesiredState") != "running" or state in TERMINAL_STATES:
            continue
        res = ((task.get("Spec") or {}).get("Resources") or {}).get("Reservations") or {}
        slot = reserved[node_id]
        slot["cpus"] += (res.get("NanoCPUs") or 0) / 1e9
        slot["mem"] += int(res.get("MemoryBytes") or 0)
        for kind, count in generic_counts(res.get("GenericResources")).items():
            slot["generic"][kind] = slot["generic"].get(kind, 0) + count
        slot["n"] += 1
    return [
        NodeCapacity(
            name=n.hostname,
            schedulable=n.schedulable,
            cpus=n.cpus,
            memory_bytes=n.memory_bytes,
            generic=dict(n.generic),
            labels=dict(n.labels),
            role=n.role,
            reserved_cpus=reserved[n.id]["cpus"],
            reserved_memory_bytes=reserved[n.id]["mem"],
            reserved_generic=reserved[n.id]["generic"],
            running_tasks=reserved[n.id]["n"],
        )
        for n in nodes
    ]


TERMINAL_STATES = frozenset({"complete", "failed", "shutdown", "rejected", "orphaned", "remove"})
