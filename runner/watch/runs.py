"""Read-only view of work folders: discover runs, who holds them, and their logs (docs/contract.md §4–6)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from runner.errors import ManifestCorrupt
from runner.run.lock import lock_holder
from runner.run.manifest import MANIFEST_NAME, read_manifest

_TAIL_BLOCK = 64 * 1024


def run_state(status: str | None, alive: bool) -> str:
    """The pipeline status, or "dead" for a run marked running that no live process holds."""
    return "dead" if status == "running" and not alive else (status or "unknown")


def seconds_since(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        started = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0.0, (datetime.now(UTC) - started).total_seconds())


def stage_progress(entry: dict) -> dict:
    """Elapsed seconds, fraction and ETA of a running stage (ETA from its own progress rate)."""
    elapsed = seconds_since(entry.get("started_at"))
    progress = entry.get("progress") or {}
    fraction = progress.get("fraction")
    eta = elapsed * (1 - fraction) / fraction if fraction and elapsed and fraction > 0 else None
    return {
        "elapsed_s": round(elapsed, 1) if elapsed is not None else None,
        "fraction": fraction,
        "message": progress.get("message"),
        "eta_s": round(eta, 1) if eta is not None else None,
    }


def movie_eta(manifest: dict, running: list[str]) -> float | None:
    """Seconds until the movie is done: the longest running stage's ETA plus what the stages still to
    come took on earlier movies (per media second, from the history), when known."""
    from runner.watch.progress import History

    stages = manifest.get("stages") or {}
    media_s = (manifest.get("input") or {}).get("duration_s")
    etas = [stage_progress(stages.get(n, {})).get("eta_s") for n in running]
    total = max((e for e in etas if e is not None), default=0.0)
    history = History()
    for name in (manifest.get("pipeline") or {}).get("stages") or []:
        entry = stages.get(name) or {}
        if entry.get("status") in ("success", "skipped") or name in running:
            continue
        expected = history.expected_s(name, media_s)
        if expected is None:
            return None if not etas or None in etas else round(total, 1)
        total += expected
    return round(total, 1)


def find_workdirs(root: Path) -> list[Path]:
    """Work folders directly under `root` (folders holding a manifest.json), sorted by name."""
    try:
        children = sorted(root.iterdir())
    except OSError:
        return []
    return [child for child in children if child.is_dir() and (child / MANIFEST_NAME).is_file()]


def summarize(workdir: Path) -> dict:
    """One run's summary; a corrupt manifest gives status "corrupt" and the error instead of raising."""
    holder = lock_holder(workdir)
    summary: dict = {
        "run": workdir.name,
        "workdir": str(workdir.resolve()),
        "input_name": None,
        "run_id": None,
        "status": "corrupt",
        "state": "corrupt",
        "current_stage": None,
        "completed": 0,
        "total": 0,
        "updated_at": None,
        "live": holder is not None,
        "holder": holder,
        "error": None,
    }
    try:
        manifest = read_manifest(workdir)
    except ManifestCorrupt as exc:
        return {**summary, "error": str(exc)}
    if manifest is None:
        return {**summary, "error": f"{workdir / MANIFEST_NAME} is missing"}
    pipeline = manifest.get("pipeline") or {}
    live = holder is not None and pipeline.get("status") == "running"
    running = (pipeline.get("current_stages") or ([pipeline["current_stage"]] if pipeline.get("current_stage") else [])
               if live else [])
    stages = manifest.get("stages") or {}
    return {
        **summary,
        "current_stages": [{"stage": n, **stage_progress(stages.get(n) or {})} for n in running],
        "eta_s": movie_eta(manifest, running) if live else None,
        "input_name": (manifest.get("input") or {}).get("name"),
        "run_id": manifest.get("run_id"),
        "status": pipeline.get("status"),
        "current_stage": pipeline.get("current_stage"),
        "completed": len(pipeline.get("completed_stages") or []),
        "total": len(pipeline.get("stages") or manifest.get("stages") or []),
        "updated_at": manifest.get("updated_at"),
        "error": pipeline.get("error"),
        "state": run_state(pipeline.get("status"), holder is not None),
    }


def list_runs(root: Path) -> list[dict]:
    """Summaries of every work folder under `root`, most recently updated first."""
    runs = [summarize(workdir) for workdir in find_workdirs(root)]
    return sorted(runs, key=lambda run: run["updated_at"] or "", reverse=True)


def tail_lines(path: Path, n: int) -> list[str]:
    """The last `n` lines of a text file, reading backwards in blocks (cheap on huge logs)."""
    if n <= 0:
        return []
    with open(path, "rb") as fh:
        end = fh.seek(0, os.SEEK_END)
        data = b""
        pos = end
        while pos > 0 and data.count(b"\n") <= n:
            step = min(_TAIL_BLOCK, pos)
            pos -= step
            fh.seek(pos)
            data = fh.read(step) + data
    lines = data.decode("utf-8", errors="replace").splitlines()
    return lines[-n:]


def follow(path: Path, poll_s: float = 0.5, from_start: bool = False) -> Iterator[str]:
    """Yield lines appended to `path` as they come (like `tail -f`), forever; the caller stops it.

    Starts at the end unless `from_start`; waits for the file to appear (then reads it all);
    reopens it from its start when it is replaced or truncated. A partial last line is held back
    until its newline arrives.
    """
    fh = None
    pending = b""
    try:
        while True:
            if fh is None:
                try:
                    fh = open(path, "rb")  # noqa: SIM115 (kept open across iterations)
                except FileNotFoundError:
                    from_start = True  # whatever the file holds when it appears is new
                    time.sleep(poll_s)
                    continue
                if not from_start:
                    fh.seek(0, os.SEEK_END)
                from_start = True  # a replacement file is read from its start
            chunk = fh.read(_TAIL_BLOCK)
            if chunk:
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    yield line.decode("utf-8", errors="replace")
                continue
            if _replaced_or_truncated(path, fh):
                fh.close()
                fh, pending = None, b""
                continue
            time.sleep(poll_s)
    finally:
        if fh is not None:
            fh.close()


def _replaced_or_truncated(path: Path, fh) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    own = os.fstat(fh.fileno())
    return (st.st_ino, st.st_dev) != (own.st_ino, own.st_dev) or st.st_size < fh.tell()
