"""Run the table of hostile cases and count what went wrong in each."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

from .cases import CASES, Case, Ctx
from .inspect_work import has_traceback, load_manifest, orphans, remove_orphans
from .tally import Row, Tally
from .target import REPO, Target, wait_or_kill


def _argv(target: Target, case_inv) -> list[str]:
    if case_inv.command == "status":
        return [sys.executable, "-m", "runner", "status", str(case_inv.workdir)]
    return target.argv(case_inv.workdir, *case_inv.extra, input=case_inv.input, config=case_inv.config)


def run_case(target: Target, case: Case, scratch: Path, baseline_workdir: Path, tally: Tally) -> Row:
    folder = scratch / "case"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ctx = Ctx(target, folder, baseline_workdir)
    row = Row("table", case.name, "")
    try:
        inv = case.prepare(ctx)
        proc = subprocess.Popen(_argv(target, inv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=target.root, env=target.full_env(), start_new_session=True)  # fmt: skip
        helper = threading.Thread(target=inv.during, args=(proc,), daemon=True) if inv.during else None
        if helper:
            helper.start()
        out, err, hung = wait_or_kill(proc, target.run_timeout_s)
        if helper:
            helper.join(timeout=10)
        if inv.cleanup:
            inv.cleanup()
        row.detail = f"exit {proc.returncode}: {_message(err)}"
        _judge(case, inv, ctx, proc.returncode, out, err, hung, row)
    except Exception as exc:  # a case that cannot be set up is reported, never stops the table
        row.problems.append(f"setup failed: {type(exc).__name__}: {exc}")
    finally:
        ctx.unmount_all()
        if (folder / "work").exists():
            remove_orphans(folder / "work")
        shutil.rmtree(folder, ignore_errors=True)
    return tally.add(row)


def _judge(case: Case, inv, ctx: Ctx, code: int, out: str, err: str, hung: bool, row: Row) -> None:
    if hung:
        row.problems.append("hangs: killed after the run timeout")
    if code not in case.expect:
        row.problems.append(f"wrong exit codes: {code}, expected {'/'.join(map(str, sorted(case.expect)))}")
    if has_traceback(out, err):
        row.problems.append(f"tracebacks: {_message(err)}")
    elif code != 0:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        if len(lines) != 1 or not lines[0].startswith("reelstage: "):
            first = lines[0][:80] if lines else ""
            row.problems.append(f"unclear messages: {len(lines)} stderr lines, first {first!r}")
        elif case.says and case.says.lower() not in lines[0].lower():
            row.problems.append(f"unclear messages: does not mention {case.says!r}")
    wd = inv.workdir
    if wd.is_dir() and (left := orphans(wd)):
        row.problems.append(f"orphans after exit: {left}")
    if wd.is_dir() and not inv.manifest_is_the_fault:
        manifest, problem = load_manifest(wd)
        if problem:
            row.problems.append(f"corrupt manifests: {problem}")
        elif manifest and manifest["pipeline"].get("status") == "running":
            row.problems.append("wrong states recorded: manifest left 'running'")
    if case.check:
        row.problems.extend(case.check(ctx, inv))


def _message(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    return lines[-1][:150] if lines else ""


def run_table(target: Target, scratch: Path, baseline_workdir: Path, tally: Tally, only: list[str]) -> None:
    for case in CASES:
        if only and not any(o.lower() in case.name.lower() for o in only):
            continue
        if target.kind not in case.applies:
            continue
        run_case(target, case, scratch, baseline_workdir, tally)


__all__ = ["REPO", "run_table"]
