"""A real multi-node Swarm for the swarm tests (selected with `-m swarm`, `make test-swarm`).

The session starts the cluster of scripts/local_swarm (extra dockerd instances in their own
network namespaces; the host engine's swarm state is never touched) unless `make swarm-up` already
did, and stops it again at the end when it started it. Images are loaded into the nodes once
(a node keeps them across sessions in its data root).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runner"))  # the runner tests' harness
from harness import TEST_IMAGE, busybox_image, docker_client, project  # noqa: F401
from swarmkit import Cluster


@pytest.fixture(scope="session")
def cluster(docker_client: docker.DockerClient) -> Iterator:  # noqa: F811
    if os.geteuid() != 0:
        pytest.skip("the swarm tests need root (network namespaces, extra dockerd instances)")  # CI: a failure
    host_swarm = docker_client.info()["Swarm"]["LocalNodeState"]
    c = Cluster()
    was_up = c.manager.answers() and (c.state / "nodes.json").exists()
    c.up()
    yield c
    if not was_up:
        c.down()
    assert docker_client.info()["Swarm"]["LocalNodeState"] == host_swarm, "the host engine's swarm state changed"


@pytest.fixture(scope="session")
def swarm_env(cluster, busybox_image: str) -> dict[str, str]:  # noqa: F811
    """The cluster, with the busybox test image on every node; the environment the CLI reads."""
    cluster.load([TEST_IMAGE])
    info = cluster.info()
    return {"REELSTAGE_SWARM_HOST": info["manager"], "REELSTAGE_SWARM_NODES": json.dumps(info["nodes"])}


@pytest.fixture(autouse=True)
def healthy(request) -> Iterator:
    """Every test starts on a healthy cluster (all nodes up, Ready and Active), whatever the test
    before it did; a test that breaks a node also leaves the cluster healthy behind it."""
    if "cluster" not in request.fixturenames:
        yield None
        return
    cluster = request.getfixturevalue("cluster")
    cluster.restore()
    yield cluster
    cluster.restore()
