"""A node's daemons: its own containerd, then a dockerd attached to it; started, stopped, killed by pid."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .pids import node_pids, read_pid, send_signal, socket_answers, wait_gone
from .shell import spawn, wait_for

if TYPE_CHECKING:
    from .node import Node

CGROUP_CONTROLLERS = ("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids")


@dataclass(frozen=True)
class NodeDaemons:
    """containerd + dockerd of one node, inside its network, UTS and mount namespaces."""

    node: Node

    def dockerd_pid(self) -> int | None:
        return read_pid(self.node.pidfile, self.node.netns)

    def containerd_pid(self) -> int | None:
        return read_pid(self.node.containerd_pidfile, self.node.netns)

    def start(self, timeout: float) -> None:
        """Leftovers of an earlier life killed, stale files gone; containerd waited on until its socket
        answers, then dockerd until its API answers, both within `timeout`."""
        node = self.node
        self.kill_leftovers()  # a containerd or shims of an earlier life of this node
        self._clear_stale_files()
        deadline = time.monotonic() + timeout
        containerd = self._start_containerd()
        wait_for(lambda: socket_answers(node.containerd_socket), deadline, f"{node.name}: containerd", node.log)
        self._start_dockerd(containerd)
        wait_for(node.answers, deadline, f"{node.name}: dockerd", node.log)

    def stop(self, timeout: float) -> None:
        """SIGTERM the dockerd (it stops its containers), then containerd; SIGKILL after `timeout`."""
        for pid in (self.dockerd_pid(), self.containerd_pid()):
            if pid is not None:
                os.kill(pid, signal.SIGTERM)
                if not wait_gone(pid, timeout):
                    os.kill(pid, signal.SIGKILL)
                    wait_gone(pid, 5)
        self.kill_leftovers()

    def kill(self) -> None:
        """Power cut: SIGKILL every process of this node at once (dockerd, containerd, shims, tasks)."""
        for pid in self.processes():
            send_signal(pid, signal.SIGKILL)
        for pid in self.processes():
            wait_gone(pid, 10)

    def kill_leftovers(self) -> None:
        for pid in self.processes():
            send_signal(pid, signal.SIGKILL)

    def processes(self) -> list[int]:
        """Pids of this node: in its network namespace, in its containers' cgroups, its shims."""
        return node_pids(self.node.netns, self.node.name, self.node.root / "exec")

    def _clear_stale_files(self) -> None:
        """Pid files and sockets a killed node left behind (a recycled pid in a pid file would make a
        daemon believe it already runs)."""
        root = self.node.root
        for sub in ("data", "exec", "exec/containerd"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        stale = [
            self.node.pidfile,
            self.node.socket,
            self.node.containerd_pidfile,
            root / "exec" / "containerd" / "containerd.pid",
        ]
        stale += list((root / "exec" / "containerd").glob("*.sock*"))
        for path in stale:
            path.unlink(missing_ok=True)

    def _start_containerd(self) -> int:
        """containerd inside the node's network, UTS and mount namespaces (cgroups mounted again)."""
        node = self.node
        config = node.root / "containerd.toml"
        config.write_text(
            "version = 2\n"
            f'root = "{node.root / "data" / "containerd" / "daemon"}"\n'
            f'state = "{node.root / "exec" / "containerd" / "daemon"}"\n'
            'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
            f'[grpc]\n  address = "{node.containerd_socket}"\n'
            '[debug]\n  level = "warn"\n'
        )
        # `ip netns exec` remounts /sys, hiding the cgroup v1 hierarchies: mount them again.
        mounts = ["mount -t tmpfs cgroup /sys/fs/cgroup"]
        for ctl in CGROUP_CONTROLLERS:
            mounts.append(f"mkdir -p /sys/fs/cgroup/{ctl} && mount -t cgroup -o {ctl} cgroup /sys/fs/cgroup/{ctl}")
        mounts.append(
            "mkdir -p /sys/fs/cgroup/systemd && mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd"
        )
        script = f"hostname {node.name} && {' && '.join(mounts)} && exec containerd --config {config}"
        # no `setsid` command: Popen's new session already makes it a group leader, and setsid would
        # fork; this way the pid is containerd's (ip netns exec, unshare and sh all exec).
        pid = spawn(["ip", "netns", "exec", node.netns, "unshare", "--uts", "sh", "-c", script], node.log)
        node.containerd_pidfile.write_text(f"{pid}\n")
        return pid

    def _start_dockerd(self, containerd: int) -> None:
        node = self.node
        net = node.cluster.net
        dockerd = [
            "dockerd",
            f"--containerd={node.containerd_socket}",
            f"--data-root={node.root / 'data'}",
            f"--exec-root={node.root / 'exec'}",
            f"--pidfile={node.pidfile}",
            f"--config-file={node.root / 'daemon.json'}",  # not the host engine's /etc/docker/daemon.json
            f"--host={node.host}",
            f"--cgroup-parent=/{node.name}",
            f"--bip=10.{net + 1}.{node.index}.1/24",
            f"--default-address-pool=base=10.{net + 2}.{node.index * 16}.0/20,size=24",
            "--log-level=warn",
        ]
        dockerd += [f"--node-generic-resource={r}" for r in node.cluster.generic_resources.get(node.index, ())]
        if not (node.root / "daemon.json").exists():
            (node.root / "daemon.json").write_text("{}\n")
        # the same mount namespace as containerd: runc must see the layers dockerd mounts
        spawn(["nsenter", f"--target={containerd}", "--mount", "--net", "--uts", *dockerd], node.log)
