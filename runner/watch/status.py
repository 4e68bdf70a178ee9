"""`reelstage status`: what a work folder is doing, read from another process without disturbing it."""

from __future__ import annotations

import time
from pathlib import Path

from runner.run.lock import is_locked, read_holder
from runner.run.manifest import read_manifest
from runner.watch.progress import format_duration
from runner.watch.runs import run_state, stage_progress, tail_lines


def collect_status(workdir: Path, lines: int = 5) -> dict:
    """A JSON-ready summary: liveness, lock holder, current stage with progress and ETA, stage table."""
    manifest = read_manifest(workdir)
    if manifest is None:
        return {"workdir": str(workdir), "state": "empty"}
    alive = is_locked(workdir)
    pipeline = manifest["pipeline"]
    state = run_state(pipeline["status"], alive)
    advice = None
    if state == "dead":
        advice = "the runner stopped without finishing (crash, kill or reboot): rerun the same command to resume"
    elif state in ("failed", "interrupted"):
        advice = "fix the cause if needed, then rerun the same command to resume"
    current = pipeline.get("current_stage") if alive else None
    current_info = None
    if current:
        current_info = {
            "stage": current,
            **stage_progress(manifest["stages"].get(current, {})),
            "log_tail": tail_lines(workdir / "logs" / f"{current}.log", lines),
        }
    stages = [
        {
            "stage": name,
            "status": manifest["stages"].get(name, {}).get("status"),
            "duration_s": manifest["stages"].get(name, {}).get("duration_s"),
            "attempts": len(manifest["stages"].get(name, {}).get("attempts", [])),
            "error": manifest["stages"].get(name, {}).get("error"),
            "notes": manifest["stages"].get(name, {}).get("notes", []),
        }
        for name in pipeline.get("stages", [])
    ]
    return {
        "workdir": str(workdir),
        "run_id": manifest.get("run_id"),
        "input": manifest.get("input", {}).get("path"),
        "state": state,
        "alive": alive,
        "holder": read_holder(workdir) if alive else None,
        "completed_stages": pipeline.get("completed_stages", []),
        "next_stage": pipeline.get("next_stage"),
        "current": current_info,
        "error": pipeline.get("error"),
        "advice": advice,
        "stages": stages,
        "updated_at": manifest.get("updated_at"),
    }


def render_status(info: dict) -> str:
    """The human view of collect_status()."""
    if info.get("state") == "empty":
        return f"{info['workdir']}: no run yet"
    out = [f"{info['workdir']}  [{info['state']}]  run {info['run_id']}", f"input: {info['input']}"]
    if info.get("holder"):
        h = info["holder"]
        out.append(f"held by pid {h.get('pid')} on {h.get('host')} since {h.get('since')}")
    for st in info["stages"]:
        dur = format_duration(st["duration_s"]) if st["duration_s"] is not None else ""
        extra = f"  {st['error']}" if st.get("error") else (f"  ({st['notes'][-1]})" if st.get("notes") else "")
        out.append(f"  {st['stage']:<16} {st['status'] or '':<9} {dur:>7}{extra}")
    cur = info.get("current")
    if cur:
        pct = f"{cur['fraction'] * 100:.1f}%" if cur.get("fraction") is not None else "running"
        out.append(
            f"now: {cur['stage']} {pct} elapsed {format_duration(cur['elapsed_s'])} ETA {format_duration(cur['eta_s'])}"
            + (f"  {cur['message']}" if cur.get("message") else "")
        )
        out.extend(f"  | {line}" for line in cur["log_tail"])
    if info.get("error"):
        out.append(f"error: {info['error']}")
    if info.get("advice"):
        out.append(info["advice"])
    return "\n".join(out)


def watch_status(workdir: Path, lines: int = 5, interval_s: float = 2.0) -> None:
    """Redraw the status until the run is no longer alive."""
    import click

    while True:
        info = collect_status(workdir, lines)
        click.clear()
        click.echo(render_status(info))
        if not info.get("alive"):
            return
        time.sleep(interval_s)
