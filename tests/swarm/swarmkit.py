"""Helpers of the swarm tests: the cluster harness (scripts/local_swarm), and views of every node's engine."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import docker

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

from local_swarm import Cluster  # noqa: E402


def node_containers(cluster: Cluster, label: str, value: str) -> dict[str, list]:
    """Containers carrying label=value, per node, as the API lists them (State, Labels, Id)."""
    found = {}
    for node in cluster.nodes[: cluster.count]:
        client = docker.DockerClient(base_url=node.host, timeout=10)
        found[node.name] = client.api.containers(all=True, filters={"label": f"{label}={value}"})
        client.close()
    return found


def wait_until(predicate, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
