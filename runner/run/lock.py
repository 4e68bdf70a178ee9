"""One run per work folder: an OS lock (released by the kernel when the process dies) + who holds it."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
from pathlib import Path

from filelock import FileLock, Timeout

from runner.errors import LockedError
from runner.run.manifest import remove_stale_temp_files, utc_now, write_json_atomic

LOCK_NAME = ".lock"
HOLDER_NAME = ".lock.json"


def read_holder(workdir: Path) -> dict | None:
    """The last recorded holder (may be stale: `lock_holder` says whether it is alive)."""
    try:
        holder = json.loads((workdir / HOLDER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def lock_holder(workdir: Path) -> dict | None:
    """Who holds the work folder's lock right now ({} if unknown), or None when no live process does.

    Probes with a non-blocking flock on the lock file opened read-only (never created nor truncated);
    a lock taken by the probe is released at once.
    """
    try:
        fd = os.open(workdir / LOCK_NAME, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return read_holder(workdir) or {}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def is_locked(workdir: Path) -> bool:
    """True when a live process holds the work folder's lock."""
    return lock_holder(workdir) is not None


class WorkdirLock:
    """Context manager: take the lock or raise LockedError naming the holder."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._lock = FileLock(
            str(workdir / LOCK_NAME),
            timeout=0,
            thread_local=False,
            fallback_to_soft=False,
            preserve_lock_file=True,
        )

    def __enter__(self) -> WorkdirLock:
        try:
            self._lock.acquire()
        except Timeout as exc:
            holder = read_holder(self.workdir) or {}
            who = (
                f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('since')} "
                f"({' '.join(holder.get('argv', []))})"
                if holder
                else "another process"
            )
            raise LockedError(
                f"{self.workdir} is in use by {who}; wait for it, or stop it (`reelstage status {self.workdir}`)"
            ) from exc
        remove_stale_temp_files(self.workdir)  # a killed runner's half-written temp files: ours to remove now
        write_json_atomic(
            self.workdir / HOLDER_NAME,
            {"pid": os.getpid(), "host": socket.gethostname(), "argv": sys.argv, "since": utc_now()},
        )
        return self

    def __exit__(self, *exc: object) -> None:
        (self.workdir / HOLDER_NAME).unlink(missing_ok=True)
        self._lock.release()
