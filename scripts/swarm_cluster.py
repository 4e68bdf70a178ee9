#!/usr/bin/env python3
"""A real multi-node Docker Swarm on this one machine, beside the host's own engine (never touched).

Each node is an extra `dockerd` with its own data-root, exec-root, socket, pid file, cgroup parent
and address ranges, attached to a `containerd` of its own (started and waited on first), both
inside the node's own network namespace (and UTS namespace: its own hostname). The
nodes' veths meet on a bridge that lives in yet another namespace, so no cluster packet ever
crosses the root namespace (where the host engine's iptables FORWARD policy is DROP).

    python scripts/swarm_cluster.py up [--nodes 3]     start the nodes, form the swarm (idempotent)
    python scripts/swarm_cluster.py down [--purge]     leave, stop every process by pid, delete the namespaces
    python scripts/swarm_cluster.py status             nodes, their sockets and swarm state
    python scripts/swarm_cluster.py load IMAGE...      copy images from the host engine into every node

Needs root, iproute2, unshare, dockerd. Data roots stay under the state folder across `down`/`up`
(loaded images are kept); `down --purge` deletes them. Environment: REELSTAGE_SWARM_NAME (prefix of
namespaces and hostnames, default rsw), REELSTAGE_SWARM_STATE (state folder), REELSTAGE_SWARM_NET
(second octet of the 10.x ranges, default 213; the cluster uses x to x+3).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_CONTROLLERS = ("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids")
START_TIMEOUT_S = 180.0  # a node's containerd + dockerd, on a machine loaded by other work
_REAPED: list[subprocess.Popen] = []


def _run(*cmd: str, check: bool = True, quiet: bool = False, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(cmd), capture_output=True, text=True, check=False, **kw)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {(proc.stderr or proc.stdout).strip()}")
    if not quiet and proc.returncode != 0 and proc.stderr.strip():
        print(f"swarm: {' '.join(cmd[:4])}…: {proc.stderr.strip().splitlines()[-1]}", file=sys.stderr)
    return proc


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
    def root(self) -> Path:
        return self.cluster.state / f"n{self.index}"

    @property
    def socket(self) -> Path:
        return self.root / "docker.sock"

    @property
    def host(self) -> str:
        """The Docker host URL of this node's engine."""
        return f"unix://{self.socket}"

    @property
    def pidfile(self) -> Path:
        return self.root / "dockerd.pid"

    @property
    def address(self) -> str:
        return f"10.{self.cluster.net}.0.{10 + self.index}"

    def docker(self, *args: str, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess:
        return _run("docker", "-H", self.host, *args, check=check, quiet=quiet)

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) and _in_netns(pid, self.netns) else None

    def answers(self) -> bool:
        return (
            self.socket.exists()
            and self.docker("version", "--format", "{{.Server.Version}}", check=False, quiet=True).returncode == 0
        )

    # -- life cycle ---------------------------------------------------------------------

    def create_netns(self) -> None:
        if self.netns in _netns_list():
            return
        c = self.cluster
        _run("ip", "netns", "add", self.netns)
        _run(
            "ip",
            "-n",
            c.bridge_ns,
            "link",
            "add",
            f"v{self.index}",
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            self.netns,
        )
        _run("ip", "-n", c.bridge_ns, "link", "set", f"v{self.index}", "master", "br0", "up")
        _run("ip", "-n", self.netns, "addr", "add", f"{self.address}/24", "dev", "eth0")
        _run("ip", "-n", self.netns, "link", "set", "eth0", "up")
        _run("ip", "-n", self.netns, "link", "set", "lo", "up")

    @property
    def containerd_socket(self) -> Path:
        return self.root / "exec" / "containerd" / "containerd.sock"

    @property
    def containerd_pidfile(self) -> Path:
        return self.root / "containerd.pid"

    def containerd_pid(self) -> int | None:
        try:
            pid = int(self.containerd_pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) and _in_netns(pid, self.netns) else None

    def start(self, timeout: float = START_TIMEOUT_S) -> None:
        """Start this node (its swarm state, if any, comes back with it): first its own containerd,
        waited on until its socket answers, then a dockerd attached to it in the same namespaces.

        dockerd would start a containerd itself but gives it 15 s (hard-coded) to answer; on a loaded
        machine a containerd recovering after a power cut can take longer, and dockerd then exits
        ("timeout waiting for containerd to start"). Starting it ourselves lets the wait be longer."""
        if self.pid() is not None:
            return
        self.create_netns()
        self.kill_leftovers()  # a containerd or shims of an earlier life of this node
        self._clear_stale_files()
        deadline = time.monotonic() + timeout
        containerd = self._start_containerd()
        _wait_for(lambda: _socket_answers(self.containerd_socket), deadline, f"{self.name}: containerd", self._log)
        self._start_dockerd(containerd)
        _wait_for(self.answers, deadline, f"{self.name}: dockerd", self._log)

    @property
    def _log(self) -> Path:
        return self.root / "dockerd.log"

    def _clear_stale_files(self) -> None:
        """Pid files and sockets a killed node left behind (a recycled pid in a pid file would make a
        daemon believe it already runs)."""
        for sub in ("data", "exec", "exec/containerd"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        stale = [
            self.pidfile,
            self.socket,
            self.containerd_pidfile,
            self.root / "exec" / "containerd" / "containerd.pid",
        ]
        stale += list((self.root / "exec" / "containerd").glob("*.sock*"))
        for path in stale:
            path.unlink(missing_ok=True)

    def _start_containerd(self) -> int:
        """containerd inside the node's network, UTS and mount namespaces (cgroups mounted again)."""
        config = self.root / "containerd.toml"
        config.write_text(
            "version = 2\n"
            f'root = "{self.root / "data" / "containerd" / "daemon"}"\n'
            f'state = "{self.root / "exec" / "containerd" / "daemon"}"\n'
            'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
            f'[grpc]\n  address = "{self.containerd_socket}"\n'
            '[debug]\n  level = "warn"\n'
        )
        # `ip netns exec` remounts /sys, hiding the cgroup v1 hierarchies: mount them again.
        mounts = ["mount -t tmpfs cgroup /sys/fs/cgroup"]
        for ctl in CGROUP_CONTROLLERS:
            mounts.append(f"mkdir -p /sys/fs/cgroup/{ctl} && mount -t cgroup -o {ctl} cgroup /sys/fs/cgroup/{ctl}")
        mounts.append(
            "mkdir -p /sys/fs/cgroup/systemd && mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd"
        )
        script = f"hostname {self.name} && {' && '.join(mounts)} && exec containerd --config {config}"
        # no `setsid` command: Popen's new session already makes it a group leader, and setsid would
        # fork; this way the pid is containerd's (ip netns exec, unshare and sh all exec).
        pid = self._spawn(["ip", "netns", "exec", self.netns, "unshare", "--uts", "sh", "-c", script])
        self.containerd_pidfile.write_text(f"{pid}\n")
        return pid

    def _start_dockerd(self, containerd: int) -> None:
        net = self.cluster.net
        dockerd = [
            "dockerd",
            f"--containerd={self.containerd_socket}",
            f"--data-root={self.root / 'data'}",
            f"--exec-root={self.root / 'exec'}",
            f"--pidfile={self.pidfile}",
            f"--config-file={self.root / 'daemon.json'}",  # not the host engine's /etc/docker/daemon.json
            f"--host={self.host}",
            f"--cgroup-parent=/{self.name}",
            f"--bip=10.{net + 1}.{self.index}.1/24",
            f"--default-address-pool=base=10.{net + 2}.{self.index * 16}.0/20,size=24",
            "--log-level=warn",
        ]
        dockerd += [f"--node-generic-resource={r}" for r in self.cluster.generic_resources.get(self.index, ())]
        if not (self.root / "daemon.json").exists():
            (self.root / "daemon.json").write_text("{}\n")
        # the same mount namespace as containerd: runc must see the layers dockerd mounts
        self._spawn(["nsenter", f"--target={containerd}", "--mount", "--net", "--uts", *dockerd])

    def _spawn(self, cmd: list[str]) -> int:
        with open(self._log, "ab") as log:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        _REAPED.append(proc)  # reaped when it ends (no zombie keeps its pid alive)
        return proc.pid

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM the dockerd (it stops its containers), then containerd; SIGKILL after `timeout`."""
        for pid in (self.pid(), self.containerd_pid()):
            if pid is not None:
                os.kill(pid, signal.SIGTERM)
                if not _wait_gone(pid, timeout):
                    os.kill(pid, signal.SIGKILL)
                    _wait_gone(pid, 5)
        self.kill_leftovers()

    def kill(self) -> None:
        """Power cut: SIGKILL every process of this node at once (dockerd, containerd, shims, tasks)."""
        for pid in self.processes():
            _signal(pid, signal.SIGKILL)
        for pid in self.processes():
            _wait_gone(pid, 10)

    def restart(self, timeout: float = START_TIMEOUT_S) -> None:
        """Bring a killed or stopped node back: leftovers killed, stale files gone, containerd then dockerd."""
        self.kill()
        self.start(timeout)

    def processes(self) -> list[int]:
        """Pids of this node: in its network namespace, or in its containers' cgroups."""
        pids = set()
        proc = _run("ip", "netns", "pids", self.netns, check=False, quiet=True)
        pids.update(int(p) for p in proc.stdout.split() if p.isdigit())
        base = Path("/sys/fs/cgroup/pids") / self.name
        if base.is_dir():
            for procs in base.rglob("cgroup.procs"):
                pids.update(int(p) for p in procs.read_text().split() if p.isdigit())
        pids.update(self._shims())
        return sorted(pids)

    def _shims(self) -> list[int]:
        """containerd-shim processes serving this node's containerd (they live outside its namespace)."""
        marker = str(self.root / "exec").encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"containerd-shim" in cmdline and marker in cmdline:
                found.append(int(entry.name))
        return found

    def kill_leftovers(self) -> None:
        for pid in self.processes():
            _signal(pid, signal.SIGKILL)

    def partition(self) -> None:
        """Cut this node off: its link goes down, and its API socket disappears from the runner's view."""
        _run("ip", "-n", self.netns, "link", "set", "eth0", "down")
        if self.socket.exists():
            self.socket.rename(self.socket.with_suffix(".partitioned"))

    def heal(self) -> None:
        hidden = self.socket.with_suffix(".partitioned")
        if hidden.exists():
            hidden.rename(self.socket)
        if self.netns in _netns_list():  # a node that is down has none
            _run("ip", "-n", self.netns, "link", "set", "eth0", "up")

    def delete_netns(self) -> None:
        if self.netns in _netns_list():
            _run("ip", "netns", "delete", self.netns, check=False)


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

    # -- up / down ----------------------------------------------------------------------

    def up(self) -> dict:
        if os.geteuid() != 0:
            raise RuntimeError("the test swarm needs root (network namespaces, extra dockerd instances)")
        self.state.mkdir(parents=True, exist_ok=True)
        if self.bridge_ns not in _netns_list():
            _run("ip", "netns", "add", self.bridge_ns)
            _run("ip", "-n", self.bridge_ns, "link", "add", "br0", "type", "bridge")
            _run("ip", "-n", self.bridge_ns, "link", "set", "br0", "up")
        nodes = [Node(self, i) for i in range(1, self.count + 1)]
        for node in nodes:
            node.start()
        self._form_swarm(nodes)
        info = self.info()
        (self.state / "nodes.json").write_text(json.dumps(info, indent=2))
        return info

    def _form_swarm(self, nodes: list[Node]) -> None:
        manager = nodes[0]
        state = manager.docker("info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}").stdout
        if state.split() != ["active", "true"]:
            manager.docker("swarm", "leave", "--force", check=False, quiet=True)
            manager.docker(
                "swarm",
                "init",
                f"--advertise-addr={manager.address}",
                f"--listen-addr={manager.address}:2377",
                f"--default-addr-pool=10.{self.net + 3}.0.0/16",
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
            out = self.manager.docker(
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
        nodes = self.nodes[: self.count]
        for node in nodes:
            node.heal()
            if not node.answers():
                node.restart()
        names = [n.name for n in nodes]
        for attempt in range(2):
            for node in nodes:
                self.manager.docker("node", "update", "--availability", "active", node.name, check=False, quiet=True)
            try:
                self.wait_ready(names, timeout=60 if attempt == 0 else START_TIMEOUT_S)
                return
            except RuntimeError:
                if attempt:
                    raise
            status = self.manager.docker("node", "ls", "--format", "{{.Hostname}} {{.Status}}", check=False).stdout
            ready = {line.split()[0] for line in status.splitlines() if line.endswith(" Ready")}
            for node in nodes:
                if node.name not in ready:
                    node.restart()
            self._form_swarm(nodes)  # re-joins a node that lost its membership

    def down(self, purge: bool = False) -> None:
        nodes = self.nodes
        for node in reversed(nodes):  # workers leave first, the manager last
            node.heal()
            if node.answers():
                node.docker("swarm", "leave", "--force", check=False, quiet=True)
        for node in nodes:
            node.stop()
        for node in nodes:
            node.delete_netns()
        if self.bridge_ns in _netns_list():
            _run("ip", "netns", "delete", self.bridge_ns, check=False)
        (self.state / "nodes.json").unlink(missing_ok=True)
        if purge and self.state.is_dir():
            _run("rm", "-rf", "--one-file-system", str(self.state), check=False)

    # -- images -------------------------------------------------------------------------

    def load(self, images: list[str], nodes: list[Node] | None = None) -> None:
        """Copy images from the host engine into every node that lacks that exact image id."""
        for node in nodes or self.nodes[: self.count]:
            missing = [i for i in images if _image_id(None, i) != _image_id(node.host, i)]
            if not missing:
                continue
            save = subprocess.Popen(["docker", "save", *missing], stdout=subprocess.PIPE)
            loaded = subprocess.run(
                ["docker", "-H", node.host, "load", "-q"],
                stdin=save.stdout,
                capture_output=True,
                text=True,
                check=False,
            )
            save.stdout.close()
            if save.wait() != 0 or loaded.returncode != 0:
                raise RuntimeError(f"loading {missing} into {node.name} failed: {loaded.stderr.strip()}")


def _image_id(host: str | None, image: str) -> str | None:
    cmd = ["docker", *(["-H", host] if host else []), "image", "inspect", "--format", "{{.Id}}", image]
    proc = _run(*cmd, check=False, quiet=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def _netns_list() -> set[str]:
    out = _run("ip", "netns", "list", check=False, quiet=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")


def _in_netns(pid: int, netns: str) -> bool:
    """The pid file names a process of this node (not a recycled pid)."""
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino == os.stat(f"/run/netns/{netns}").st_ino
    except OSError:
        return False


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _socket_answers(path: Path) -> bool:
    """Something accepts connections on this unix socket."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(2)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def _wait_for(ready, deadline: float, what: str, log: Path) -> None:
    while not ready():
        for proc in _REAPED[:]:
            if proc.poll() is not None:
                _REAPED.remove(proc)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer in time (see {log})")
        time.sleep(0.3)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up")
    up.add_argument("--nodes", type=int, default=3)
    down = sub.add_parser("down")
    down.add_argument("--purge", action="store_true", help="also delete the data roots (loaded images)")
    sub.add_parser("status")
    load = sub.add_parser("load")
    load.add_argument("images", nargs="+")
    args = parser.parse_args()
    cluster = Cluster(nodes=getattr(args, "nodes", 3))
    try:
        if args.cmd == "up":
            print(json.dumps(cluster.up(), indent=2))
        elif args.cmd == "down":
            cluster.down(purge=args.purge)
        elif args.cmd == "load":
            cluster.load(args.images)
        else:
            print(json.dumps(cluster.info(), indent=2))
            if cluster.manager.answers():
                print(cluster.manager.docker("node", "ls").stdout)
    except RuntimeError as exc:
        print(f"swarm: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
