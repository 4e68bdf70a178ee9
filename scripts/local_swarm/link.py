"""The cluster's network: a bridge in a namespace of its own, and each node's link to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .shell import run

if TYPE_CHECKING:
    from pathlib import Path

    from .node import Node


def netns_list() -> set[str]:
    out = run("ip", "netns", "list", check=False, quiet=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def create_bridge(netns: str) -> None:
    """The bridge every node's veth meets on, in its own namespace (never the root one)."""
    if netns not in netns_list():
        run("ip", "netns", "add", netns)
        run("ip", "-n", netns, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", netns, "link", "set", "br0", "up")


def delete_bridge(netns: str) -> None:
    if netns in netns_list():
        run("ip", "netns", "delete", netns, check=False)


@dataclass(frozen=True)
class NodeLink:
    """A node's network namespace and its veth to the bridge: created, cut, healed, deleted."""

    node: Node

    def create(self) -> None:
        node = self.node
        if node.netns in netns_list():
            return
        bridge_ns = node.cluster.bridge_ns
        run("ip", "netns", "add", node.netns)
        run(
            "ip",
            "-n",
            bridge_ns,
            "link",
            "add",
            f"v{node.index}",
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            node.netns,
        )
        run("ip", "-n", bridge_ns, "link", "set", f"v{node.index}", "master", "br0", "up")
        run("ip", "-n", node.netns, "addr", "add", f"{node.address}/24", "dev", "eth0")
        run("ip", "-n", node.netns, "link", "set", "eth0", "up")
        run("ip", "-n", node.netns, "link", "set", "lo", "up")

    def cut(self) -> None:
        """The link goes down, and the node's API socket disappears from the runner's view."""
        run("ip", "-n", self.node.netns, "link", "set", "eth0", "down")
        if self.node.socket.exists():
            self.node.socket.rename(self._hidden_socket)

    def heal(self) -> None:
        if self._hidden_socket.exists():
            self._hidden_socket.rename(self.node.socket)
        if self.node.netns in netns_list():  # a node that is down has none
            run("ip", "-n", self.node.netns, "link", "set", "eth0", "up")

    def delete(self) -> None:
        if self.node.netns in netns_list():
            run("ip", "netns", "delete", self.node.netns, check=False)

    @property
    def _hidden_socket(self) -> Path:
        return self.node.socket.with_suffix(".partitioned")
