"""The cluster: its settings and nodes, brought up and down; the swarm and the images are delegated."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .images import load_images
from .link import create_bridge, delete_bridge
from .membership import Membership
from .node import Node
from .shell import run


class Cluster:
    """The swarm: node 1 manages, the others work."""

    def __init__(
        self,
        name: str | None = None,
        nodes: int = 3,
        state: Path | None = None,
        net: int | None = None,
        generic_resources: dict[int, tuple[str, ...]] | None = None,
    ) -> None:
        self.name = name or os.environ.get("REELSTAGE_SWARM_NAME", "rsw")
        self.state = Path(state or os.environ.get("REELSTAGE_SWARM_STATE") or f"/var/tmp/reelstage-swarm-{self.name}")
        self.net = int(net or os.environ.get("REELSTAGE_SWARM_NET", "213"))
        self.count = nodes
        # node 3 advertises a GPU-like generic resource (so placement by generic resource is testable)
        self.generic_resources = generic_resources if generic_resources is not None else {3: ("NVIDIA-GPU=fake-gpu-0",)}
        self.membership = Membership(self)

    @property
    def bridge_ns(self) -> str:
        return f"{self.name}-br"

    @property
    def nodes(self) -> list[Node]:
        known = self._saved_count()
        return [Node(self, i) for i in range(1, max(self.count, known) + 1)]

    @property
    def manager(self) -> Node:
        return Node(self, 1)

    def node(self, hostname: str) -> Node:
        return next(n for n in self.nodes if n.name == hostname)

    def _saved_count(self) -> int:
        try:
            return len(json.loads((self.state / "nodes.json").read_text())["nodes"])
        except (OSError, ValueError, KeyError):
            return 0

    def info(self) -> dict:
        return {"manager": self.manager.host, "nodes": {n.name: n.host for n in self.nodes[: self.count]}}

    def up(self) -> dict:
        """Start the nodes and form the swarm (idempotent); the info is saved in nodes.json."""
        if os.geteuid() != 0:
            raise RuntimeError("the test swarm needs root (network namespaces, extra dockerd instances)")
        self.state.mkdir(parents=True, exist_ok=True)
        create_bridge(self.bridge_ns)
        nodes = [Node(self, i) for i in range(1, self.count + 1)]
        for node in nodes:
            node.start()
        self.membership.form(nodes)
        info = self.info()
        (self.state / "nodes.json").write_text(json.dumps(info, indent=2))
        return info

    def down(self, purge: bool = False) -> None:
        """Leave the swarm, stop every process by pid, delete the namespaces (`purge`: the data roots too)."""
        nodes = self.nodes
        for node in reversed(nodes):  # workers leave first, the manager last
            node.heal()
            if node.answers():
                node.docker("swarm", "leave", "--force", check=False, quiet=True)
        for node in nodes:
            node.stop()
        for node in nodes:
            node.delete_netns()
        delete_bridge(self.bridge_ns)
        (self.state / "nodes.json").unlink(missing_ok=True)
        if purge and self.state.is_dir():
            run("rm", "-rf", "--one-file-system", str(self.state), check=False)

    def wait_ready(self, hostnames: list[str], timeout: float = 60.0) -> None:
        """Wait until the manager lists every one of these nodes as Ready and Active."""
        self.membership.wait_ready(hostnames, timeout)

    def restore(self) -> None:
        """Every node back to healthy (up, reachable, Ready, Active), whatever was done to it."""
        self.membership.restore()

    def load(self, images: list[str], nodes: list[Node] | None = None) -> None:
        """Copy images from the host engine into every node that lacks that exact image id."""
        load_images(images, nodes or self.nodes[: self.count])
