"""Commands and spawned daemons of the harness, and the wait on a daemon to answer."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REAPED: list[subprocess.Popen] = []  # spawned daemons, reaped when they end (no zombie keeps its pid alive)


def run(*cmd: str, check: bool = True, quiet: bool = False, **kw) -> subprocess.CompletedProcess:
    """Run a command; raise on failure when `check`, else print its last error line unless `quiet`."""
    proc = subprocess.run(list(cmd), capture_output=True, text=True, check=False, **kw)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {(proc.stderr or proc.stdout).strip()}")
    if not quiet and proc.returncode != 0 and proc.stderr.strip():
        print(f"swarm: {' '.join(cmd[:4])}…: {proc.stderr.strip().splitlines()[-1]}", file=sys.stderr)
    return proc


def spawn(cmd: list[str], log: Path) -> int:
    """Start a daemon in a session of its own, its output appended to `log`; its pid."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
    REAPED.append(proc)
    return proc.pid


def wait_for(ready: Callable[[], bool], deadline: float, what: str, log: Path) -> None:
    """Poll `ready` until it holds (reaping ended daemons meanwhile); raise at the deadline."""
    while not ready():
        for proc in REAPED[:]:
            if proc.poll() is not None:
                REAPED.remove(proc)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer in time (see {log})")
        time.sleep(0.3)
