"""What a run writes into manifest.json for a run, a stage as it starts, and an attempt (docs/contract.md §5).

Pure: the Recorder decides when they are written, with their events, log and display lines.
"""

from __future__ import annotations

import os
import socket
import sys

from runner.engine import RunResult
from runner.run.manifest import utc_now


def run_entry(run_id: str) -> dict:
    """One entry of `pipeline.runs`: this runner process, as it starts."""
    return {
        "run_id": run_id,
        "started_at": utc_now(),
        "ended_at": None,
        "status": "running",
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "argv": sys.argv,
    }


def stage_start(image: str, image_id: str | None, notes: list[str]) -> dict:
    """A stage entry's changes as it starts: fresh outputs, progress, notes and error."""
    return {
        "status": "running",
        "started_at": utc_now(),
        "ended_at": None,
        "duration_s": None,
        "image": image,
        "image_id": image_id,
        "outputs": {},
        "progress": None,
        "notes": notes,
        "info": {},
        "error": None,
        "resume_key": None,
        "resume_parts": None,
    }


def attempt_entry(n: int, run_id: str, extra: dict | None = None) -> dict:
    """Attempt `n` of a stage as it opens (`extra`: what the scheduler held for it)."""
    return {
        "n": n,
        "run_id": run_id,
        "started_at": utc_now(),
        "ended_at": None,
        "duration_s": None,
        "exit_code": None,
        "reason": None,
        "container_id": None,
        "node": None,
        "error": None,
        **(extra or {}),
    }


def close_attempt(attempt: dict, result: RunResult | None, reason: str, error: str | None,
                  node: str | None = None) -> None:
    """Fill in how the attempt ended. `node`: the cluster node involved when there is no result."""
    attempt.update(
        ended_at=utc_now(),
        duration_s=round(result.duration_s, 3) if result else None,
        exit_code=result.exit_code if result else None,
        container_id=result.container_id if result else attempt.get("container_id"),
        reason=reason,
        error=error,
    )
    if result is not None:
        attempt.update(peak_memory_bytes=result.peak_memory_bytes, cpu_s=result.cpu_s)
        node = result.node or node
    if node:
        attempt["node"] = node
