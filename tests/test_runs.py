"""runner.runs: run discovery, live-lock probing, tail and follow of logs (no Docker)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock
from workdir_fixture import INPUT_NAME, build_workdir

from runner.run.lock import WorkdirLock
from runner.watch.runs import find_workdirs, follow, list_runs, lock_holder, tail_lines


@pytest.fixture()
def alarm():
    """Fail instead of hanging when a blocking generator never yields."""

    def timeout(*_: object) -> None:
        raise TimeoutError("follow() did not yield in time")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_lock_holder_without_lock_file_creates_nothing(tmp_path: Path) -> None:
    assert lock_holder(tmp_path) is None
    assert not (tmp_path / ".lock").exists()


def test_lock_holder_sees_the_runner_lock_and_never_truncates(tmp_path: Path) -> None:
    (tmp_path / ".lock").write_text("keep me")
    assert lock_holder(tmp_path) is None
    with WorkdirLock(tmp_path):
        holder = lock_holder(tmp_path)
        assert holder is not None and holder["pid"] == os.getpid() and "since" in holder
    assert lock_holder(tmp_path) is None
    assert (tmp_path / ".lock").read_text() == "keep me"


def test_lock_holder_without_holder_file_is_still_live(tmp_path: Path) -> None:
    lock = FileLock(str(tmp_path / ".lock"), timeout=0, thread_local=False)
    with lock:
        assert lock_holder(tmp_path) == {}
    assert lock_holder(tmp_path) is None


def test_probe_releases_the_lock_at_once(tmp_path: Path) -> None:
    (tmp_path / ".lock").touch()
    assert lock_holder(tmp_path) is None
    lock = FileLock(str(tmp_path / ".lock"), timeout=0, thread_local=False)
    lock.acquire()
    lock.release()


def test_list_runs_summarises_every_work_folder(tmp_path: Path) -> None:
    build_workdir(tmp_path, "interrupted")
    build_workdir(tmp_path, "running", name="live")
    build_workdir(tmp_path, "completed", name="done")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{not json")
    (tmp_path / "not-a-run").mkdir()
    (tmp_path / "stray.txt").write_text("x")
    assert [p.name for p in find_workdirs(tmp_path)] == sorted(["broken", "done", "live", Path(INPUT_NAME).stem])
    with WorkdirLock(tmp_path / "live"):
        runs = {run["run"]: run for run in list_runs(tmp_path)}
    assert set(runs) == {"broken", "done", "live", Path(INPUT_NAME).stem}
    live = runs["live"]
    assert (live["status"], live["current_stage"], live["completed"], live["total"]) == ("running", "asr", 6, 10)
    assert live["live"] and live["holder"]["pid"] == os.getpid()
    assert live["input_name"] == INPUT_NAME and live["workdir"] == str((tmp_path / "live").resolve())
    done = runs["done"]
    assert (done["status"], done["completed"], done["live"], done["holder"]) == ("completed", 10, False, None)
    stopped = runs[Path(INPUT_NAME).stem]
    assert stopped["status"] == "interrupted" and stopped["error"] == "interrupted by SIGINT"
    assert runs["broken"]["status"] == "corrupt" and "--reset" in runs["broken"]["error"]
    ordered = [run["run"] for run in list_runs(tmp_path)]
    assert ordered[:3] == ["done", Path(INPUT_NAME).stem, "live"] and ordered[-1] == "broken"


def test_list_runs_of_a_missing_root_is_empty(tmp_path: Path) -> None:
    assert list_runs(tmp_path / "nowhere") == []


def test_tail_lines_reads_the_end_of_a_big_log(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    lines = [f"line {i} " + "x" * (i % 300) for i in range(60_000)]
    log.write_text("\n".join(lines) + "\n")
    assert tail_lines(log, 5) == lines[-5:]
    assert tail_lines(log, 2_000) == lines[-2_000:]
    assert tail_lines(log, 0) == []
    short = tmp_path / "short.log"
    short.write_text("a\nb\nno newline at end")
    assert tail_lines(short, 10) == ["a", "b", "no newline at end"]
    assert tail_lines(short, 1) == ["no newline at end"]
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    assert tail_lines(empty, 3) == []
    bad = tmp_path / "bad.log"
    bad.write_bytes(b"ok\n\xff\xfe broken\n")
    assert tail_lines(bad, 1) == ["\ufffd\ufffd broken"]


def _later(delay_s: float, action: Callable[[], object]) -> None:
    threading.Timer(delay_s, action).start()


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


def test_follow_yields_new_complete_lines(tmp_path: Path, alarm: None) -> None:
    log = tmp_path / "stage.log"
    log.write_text("old line\n")
    lines = follow(log, poll_s=0.02)
    _later(0.2, lambda: _append(log, "new 1\npart"))
    assert next(lines) == "new 1"
    _later(0.2, lambda: _append(log, "ial\n"))
    started = time.monotonic()
    assert next(lines) == "partial"
    assert time.monotonic() - started >= 0.15
    replacement = tmp_path / "new.log"
    replacement.write_text("fresh start\n")
    os.replace(replacement, log)
    assert next(lines) == "fresh start"
    log.write_text("")
    _later(0.2, lambda: _append(log, "after truncation\n"))
    assert next(lines) == "after truncation"
    lines.close()


def test_follow_waits_for_the_file_and_can_start_at_the_top(tmp_path: Path, alarm: None) -> None:
    log = tmp_path / "later.log"
    lines = follow(log, poll_s=0.02)
    _later(0.2, lambda: log.write_text("first\nsecond\n"))
    assert [next(lines), next(lines)] == ["first", "second"]
    lines.close()
    assert list(zip(range(2), follow(log, poll_s=0.02, from_start=True), strict=False)) == [(0, "first"), (1, "second")]


def test_run_state_names_a_dead_run() -> None:
    from runner.watch.runs import run_state

    assert run_state("running", alive=True) == "running"
    assert run_state("running", alive=False) == "dead"
    assert run_state("completed", alive=False) == "completed"
    assert run_state(None, alive=False) == "unknown"
