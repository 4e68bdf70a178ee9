"""One node of the cluster: its files, its engine's API, and what can be done to it."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .daemons import NodeDaemons
from .link import NodeLink
from .shell import run

if TYPE_CHECKING:
    from .cluster import Cluster

START_TIMEOUT_S = 180.0  # a node's containerd + dockerd, on a machine loaded by other work


@dataclass(frozen=True)
class Node:
    """One dockerd of the cluster."""

    cluster: Cluster
    index: int  # 1 is the manager

    @property
    def name(self) -> str:
        return f"{self.cluster.name}-n{self.index}"

    @property
    def netns(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return f"10.{self.cluster.net}.0.{10 + self.index}"

    @property
    def host(self) -> str:
        """The Docker host URL of this node's engine."""
        return f"unix://{self.socket}"

    # -- its files ----------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self.cluster.state / f"n{self.index}"

    @property
    def socket(self) -> Path:
        return self.root / "docker.sock"

    @property
    def pidfile(self) -> Path:
        return self.root / "dockerd.pid"

    @property
    def containerd_socket(self) -> Path:
        return self.root / "exec" / "containerd" / "containerd.sock"

    @property
    def containerd_pidfile(self) -> Path:
        return self.root / "containerd.pid"

    @property
    def log(self) -> Path:
        return self.root / "dockerd.log"

    # -- its engine ---------------------------------------------------------------------

    def docker(self, *args: str, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess:
        return run("docker", "-H", self.host, *args, check=check, quiet=quiet)

    def answers(self) -> bool:
        return (
            self.socket.exists()
            and self.docker("version", "--format", "{{.Server.Version}}", check=False, quiet=True).returncode == 0
        )

    # -- life cycle ---------------------------------------------------------------------

    @property
    def daemons(self) -> NodeDaemons:
        return NodeDaemons(self)

    @property
    def link(self) -> NodeLink:
        return NodeLink(self)

    def start(self, timeout: float = START_TIMEOUT_S) -> None:
        """Start this node (its swarm state, if any, comes back with it): first its own containerd,
        waited on until its socket answers, then a dockerd attached to it in the same namespaces.

        dockerd would start a containerd itself but gives it 15 s (hard-coded) to answer; on a loaded
        machine a containerd recovering after a power cut can take longer, and dockerd then exits
        ("timeout waiting for containerd to start"). Starting it ourselves lets the wait be longer."""
        if self.daemons.dockerd_pid() is not None:
            return
        self.link.create()
        self.daemons.start(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM the dockerd (it stops its containers), then containerd; SIGKILL after `timeout`."""
        self.daemons.stop(timeout)

    def kill(self) -> None:
        """Power cut: SIGKILL every process of this node at once (dockerd, containerd, shims, tasks)."""
        self.daemons.kill()

    def restart(self, timeout: float = START_TIMEOUT_S) -> None:
        """Bring a killed or stopped node back: leftovers killed, stale files gone, containerd then dockerd."""
        self.kill()
        self.start(timeout)

    def partition(self) -> None:
        """Cut this node off: its link goes down, and its API socket disappears from the runner's view."""
        self.link.cut()

    def heal(self) -> None:
        self.link.heal()

    def delete_netns(self) -> None:
        self.link.delete()
