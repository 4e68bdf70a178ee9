"""Helpers of the swarm tests: the cluster script as a module, and views of every node's engine."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import docker

REPO = Path(__file__).resolve().parents[2]


def _cluster_module():
    spec = importlib.util.spec_from_file_location("swarm_cluster", REPO / "scripts" / "swarm_cluster.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["swarm_cluster"] = module
    spec.loader.exec_module(module)
    return module


swarm_cluster = _cluster_module()


def node_containers(cluster, label: str, value: str) -> dict[str, list]:
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
