"""Processes by pid: alive, in which network namespace, signalled, waited gone; a node's pids."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path

from .shell import run


def read_pid(pidfile: Path, netns: str) -> int | None:
    """The live pid a pid file names, if that process is in this network namespace (not a recycled pid)."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) and in_netns(pid, netns) else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")


def in_netns(pid: int, netns: str) -> bool:
    """The pid file names a process of this node (not a recycled pid)."""
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino == os.stat(f"/run/netns/{netns}").st_ino
    except OSError:
        return False


def send_signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def socket_answers(path: Path) -> bool:
    """Something accepts connections on this unix socket."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(2)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def node_pids(netns: str, cgroup_parent: str, exec_root: Path) -> list[int]:
    """Pids of a node: in its network namespace, in its containers' cgroups, or its containerd's shims."""
    pids = set()
    proc = run("ip", "netns", "pids", netns, check=False, quiet=True)
    pids.update(int(p) for p in proc.stdout.split() if p.isdigit())
    base = Path("/sys/fs/cgroup/pids") / cgroup_parent
    if base.is_dir():
        for procs in base.rglob("cgroup.procs"):
            pids.update(int(p) for p in procs.read_text().split() if p.isdigit())
    pids.update(_shims(exec_root))
    return sorted(pids)


def _shims(exec_root: Path) -> list[int]:
    """containerd-shim processes serving the containerd under this exec root (they live outside its namespace)."""
    marker = str(exec_root).encode()
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
