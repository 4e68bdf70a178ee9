"""The swarm over the nodes: formed (init, join, no-network overlay), waited ready, restored."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .node import START_TIMEOUT_S

if TYPE_CHECKING:
    from .cluster import Cluster
    from .node import Node


@dataclass(frozen=True)
class Membership:
    """Which nodes are in the swarm, and bringing every one back in."""

    cluster: Cluster

    def form(self, nodes: list[Node]) -> None:
        """Node 1 manages (a swarm initialised unless it already manages one), the others join as workers
        unless the manager lists them Ready; stale entries of earlier joins are removed."""
        manager = nodes[0]
        state = manager.docker("info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}").stdout
        if state.split() != ["active", "true"]:
            manager.docker("swarm", "leave", "--force", check=False, quiet=True)
            manager.docker(
                "swarm",
                "init",
                f"--advertise-addr={manager.address}",
                f"--listen-addr={manager.address}:2377",
                f"--default-addr-pool=10.{self.cluster.net + 3}.0.0/16",
                "--dispatcher-heartbeat=1s",
                "--task-history-limit=1",
            )
        token = manager.docker("swarm", "join-token", "-q", "worker").stdout.strip()
        members = set(manager.docker("node", "ls", "--format", "{{.Hostname}} {{.Status}}").stdout.split("\n"))
        for node in nodes[1:]:
            local = node.docker("info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip()
            if local == "active" and f"{node.name} Ready" in members:
                continue
            node.docker("swarm", "leave", "--force", check=False, quiet=True)
            node.docker(
                "swarm",
                "join",
                f"--token={token}",
                f"--advertise-addr={node.address}",
                f"--listen-addr={node.address}:2377",
                f"{manager.address}:2377",
            )
        self.wait_ready([n.name for n in nodes])
        self._no_network(nodes)
        stale = manager.docker("node", "ls", "--format", "{{.ID}} {{.Hostname}} {{.Status}}").stdout.splitlines()
        names = {n.name for n in nodes}
        for line in stale:  # entries left by earlier joins of the same hostnames
            node_id, hostname, status = line.split()
            if status == "Down" and hostname in names:
                manager.docker("node", "rm", "--force", node_id, check=False, quiet=True)

    def _no_network(self, nodes: list[Node]) -> None:
        """`reelstage-none`, the runner's "no network" for services: an internal overlay (no way out,
        not even to the node). A swarm-scoped internal bridge (per-node config-only networks) would
        attach faster, but after a node crash engine 20.10 refused every task on it there
        ("network ... exists"), so the overlay it is."""
        manager = nodes[0]
        if manager.docker("network", "inspect", "reelstage-none", check=False, quiet=True).returncode:
            manager.docker("network", "create", "--driver=overlay", "--internal", "reelstage-none")

    def wait_ready(self, hostnames: list[str], timeout: float = 60.0) -> None:
        """Wait until the manager lists every one of these nodes as Ready and Active."""
        deadline = time.monotonic() + timeout
        while True:
            out = self.cluster.manager.docker(
                "node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.Availability}}", check=False, quiet=True
            ).stdout
            ready = {line.split()[0] for line in out.splitlines() if line.endswith(" Ready Active")}
            if set(hostnames) <= ready:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"swarm nodes not ready and active in {timeout:g} s: {sorted(set(hostnames) - ready)}"
                )
            time.sleep(0.5)

    def restore(self) -> None:
        """Every node back to healthy (up, reachable, Ready, Active), whatever was done to it: a cut
        link is healed, a node whose engine does not answer is restarted, a drained node is made
        active, and a node the manager still does not see as Ready is restarted and re-joined."""
        cluster = self.cluster
        nodes = cluster.nodes[: cluster.count]
        for node in nodes:
            node.heal()
            if not node.answers():
                node.restart()
        names = [n.name for n in nodes]
        for attempt in range(2):
            for node in nodes:
                cluster.manager.docker("node", "update", "--availability", "active", node.name, check=False, quiet=True)
            try:
                self.wait_ready(names, timeout=60 if attempt == 0 else START_TIMEOUT_S)
                return
            except RuntimeError:
                if attempt:
                    raise
            status = cluster.manager.docker("node", "ls", "--format", "{{.Hostname}} {{.Status}}", check=False).stdout
            ready = {line.split()[0] for line in status.splitlines() if line.endswith(" Ready")}
            for node in nodes:
                if node.name not in ready:
                    node.restart()
            self.form(nodes)  # re-joins a node that lost its membership
