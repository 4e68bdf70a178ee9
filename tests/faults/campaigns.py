"""SIGKILL and SIGINT/SIGTERM/SIGHUP at random instants, each followed by a resuming run."""

from __future__ import annotations

import random
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from .inspect_work import differing, half_outputs, has_traceback, load_manifest, orphans, snapshot
from .tally import Row, Tally
from .target import Target, sleep_until, wait_or_kill


@dataclass
class Baseline:
    duration_s: float
    outputs: dict[str, str]


def baseline(target: Target, workdir: Path) -> Baseline:
    """One uninterrupted run: how long it takes and what it produces."""
    started = time.monotonic()
    res = target.run(workdir)
    if res.returncode != 0:
        raise SystemExit(f"faults: the uninterrupted baseline run failed ({res.returncode}): {res.stderr[-2000:]}")
    return Baseline(time.monotonic() - started, snapshot(workdir))


def _after_resume(target: Target, workdir: Path, base: Baseline, row: Row) -> None:
    """Resume to the end; count failed resumes, orphans left after it, and outputs that differ."""
    res = target.run(workdir)
    if res.returncode != 0:
        row.problems.append(f"resumes that failed: exit {res.returncode}: {_last_line(res.stderr)}")
    if has_traceback(res.stdout, res.stderr):
        row.problems.append("tracebacks: in the resuming run")
    if left := orphans(workdir):
        row.problems.append(f"orphans after the next run: {left}")
    manifest, problem = load_manifest(workdir)
    if problem:
        row.problems.append(f"corrupt manifests: after the resume: {problem}")
    if bad := half_outputs(workdir, manifest, base.outputs):
        row.problems.append(f"half outputs accepted: {bad}")
    if res.returncode == 0 and (diff := differing(workdir, base.outputs)):
        row.problems.append(f"outputs that differ: {diff}")


def _kill_at(target: Target, workdir: Path, at_s: float) -> tuple[bool, str]:
    proc = target.start(workdir)
    alive = sleep_until(proc, at_s)
    if alive:
        proc.kill()
    _out, err = proc.communicate()
    return alive, err


def kill_campaign(target: Target, base: Baseline, scratch: Path, n: int, rng: random.Random, tally: Tally) -> None:
    """n SIGKILLs at uniform random instants over a whole run; a third of them also kill the resume."""
    for i in range(n):
        workdir = scratch / f"kill-{i}"
        at = rng.uniform(0.0, base.duration_s)
        killed, err = _kill_at(target, workdir, at)
        row = Row("sigkill", f"kill #{i}", f"at {at:.2f} s" + ("" if killed else " (run had ended)"))
        manifest, problem = load_manifest(workdir)
        if problem:
            row.problems.append(f"corrupt manifests: {problem}")
        if bad := half_outputs(workdir, manifest, base.outputs):
            row.problems.append(f"half outputs accepted: {bad}")
        if has_traceback(err):
            row.problems.append("tracebacks: in the killed run")
        if rng.random() < 1 / 3:
            again = rng.uniform(0.0, base.duration_s)
            killed_again, _ = _kill_at(target, workdir, again)
            row.detail += f", resume killed at {again:.2f} s" if killed_again else ""
            manifest, problem = load_manifest(workdir)
            if problem:
                row.problems.append(f"corrupt manifests: after the second kill: {problem}")
        _after_resume(target, workdir, base, row)
        tally.add(row)
        shutil.rmtree(workdir, ignore_errors=True)


def _attempt_count(workdir: Path) -> int:
    manifest, _ = load_manifest(workdir)
    stages = (manifest or {}).get("stages") or {}
    return sum(len(s.get("attempts") or []) for s in stages.values() if isinstance(s, dict))


def _signal_in_window(target: Target, proc, workdir: Path, rng: random.Random, sig: int) -> str:
    """Wait until the k-th stage attempt is recorded (the runner is about to create its container),
    then signal within the create/start window."""
    k = rng.randint(1, len(target.stage_names))
    deadline = time.monotonic() + 300
    while proc.poll() is None and _attempt_count(workdir) < k and time.monotonic() < deadline:
        time.sleep(0.002)
    delay = rng.uniform(0.0, 0.4)
    if sleep_until(proc, delay):
        proc.send_signal(sig)
    return f"attempt {k} + {delay * 1000:.0f} ms"


def signal_campaign(
    target: Target, base: Baseline, scratch: Path, n: int, rng: random.Random, tally: Tally, window_only: bool = False
) -> None:
    """n trials per signal (SIGINT, SIGTERM, SIGHUP): half in the create/start window, half anywhere."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        for i in range(n):
            workdir = scratch / f"{sig.name}-{i}"
            proc = target.start(workdir)
            if i % 2 == 0 or window_only:
                where = _signal_in_window(target, proc, workdir, rng, sig)
            else:
                at = rng.uniform(0.0, base.duration_s)
                if sleep_until(proc, at):
                    proc.send_signal(sig)
                where = f"at {at:.2f} s"
            out, err, hung = wait_or_kill(proc, 120)
            row = Row("signal", f"{sig.name} #{i}", where)
            _check_interrupted(workdir, proc.returncode, sig, out, err, hung, row)
            _after_resume(target, workdir, base, row)
            tally.add(row)
            shutil.rmtree(workdir, ignore_errors=True)


def _check_interrupted(workdir: Path, code: int, sig: int, out: str, err: str, hung: bool, row: Row) -> None:
    if hung:
        row.problems.append("hangs: no exit 120 s after the signal")
    left = orphans(workdir)  # right after exit, before anything reaps
    if left:
        row.problems.append(f"orphans after exit: {left}")
    if has_traceback(out, err):
        row.problems.append(f"tracebacks: {_last_line(err)}")
    manifest, problem = load_manifest(workdir)
    if problem:
        row.problems.append(f"corrupt manifests: {problem}")
        return
    status = ((manifest or {}).get("pipeline") or {}).get("status")
    if code == 0 and status == "completed":
        row.detail += " (the run had ended)"
        return
    if code == -sig and status != "running":  # came before the handlers were installed: the default action
        row.detail += f" -> killed by {signal.Signals(sig).name} before its handlers were in place"
        return
    if status == "completed":
        row.problems.append(f"wrong states recorded: exit {code} but the manifest says completed")
        return
    if code != 128 + sig:
        row.problems.append(f"wrong exit codes: {code}, expected {128 + sig}")
    if manifest is None:
        return
    if status != "interrupted":
        row.problems.append(f"wrong states recorded: pipeline {status}, expected interrupted")
    for name, stage in manifest["stages"].items():
        if stage.get("status") == "running":
            row.problems.append(f"wrong states recorded: stage {name} left running")
        attempts = stage.get("attempts") or []
        last = attempts[-1] if attempts else {}
        if last.get("run_id") == manifest.get("run_id") and last.get("reason") in (None, "exit_code"):
            row.problems.append(f"wrong states recorded: stage {name} attempt reason {last.get('reason')}")
        if last.get("reason") == "interrupted" and stage.get("status") != "interrupted":
            row.problems.append(f"wrong states recorded: interrupted stage {name} recorded {stage.get('status')}")
    row.detail += f" -> {code}"


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""
