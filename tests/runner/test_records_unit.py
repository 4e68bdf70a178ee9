"""The manifest entries of runs, stage starts and attempts (runner/run/records.py)."""

from __future__ import annotations

from runner.engine import RunResult
from runner.run.records import attempt_entry, close_attempt, run_entry, stage_start


def test_an_attempt_closed_without_a_result_keeps_its_container_and_names_the_node() -> None:
    attempt = attempt_entry(2, "run-1", {"cpus": 1.5})
    attempt["container_id"] = "abc"
    close_attempt(attempt, None, "engine_error", "node gone", node="worker-2")
    assert attempt["n"] == 2 and attempt["cpus"] == 1.5 and attempt["run_id"] == "run-1"
    assert attempt["container_id"] == "abc" and attempt["node"] == "worker-2"
    assert attempt["reason"] == "engine_error" and attempt["error"] == "node gone"
    assert attempt["exit_code"] is None and attempt["duration_s"] is None and attempt["ended_at"]
    assert "cpu_s" not in attempt


def test_an_attempt_closed_with_a_result_takes_its_numbers_and_its_node_first() -> None:
    attempt = attempt_entry(1, "run-1")
    result = RunResult(exit_code=0, reason="ok", container_id="c1", duration_s=1.23456, node="worker-1",
                       peak_memory_bytes=1000, cpu_s=0.5)
    close_attempt(attempt, result, "ok", None, node="other")
    assert attempt["node"] == "worker-1" and attempt["container_id"] == "c1"
    assert attempt["duration_s"] == 1.235 and attempt["exit_code"] == 0
    assert attempt["peak_memory_bytes"] == 1000 and attempt["cpu_s"] == 0.5


def test_a_local_attempt_has_no_node() -> None:
    attempt = attempt_entry(1, "run-1")
    close_attempt(attempt, RunResult(exit_code=1, reason="exit_code", container_id="c", duration_s=0.1),
                  "exit_code", "exit 1")
    assert attempt["node"] is None


def test_a_started_stage_forgets_its_previous_outputs_and_resume_key() -> None:
    changes = stage_start("reelstage/asr:x", "sha256:1", ["ran on CPU"])
    assert changes["status"] == "running" and changes["outputs"] == {} and changes["resume_key"] is None
    assert changes["notes"] == ["ran on CPU"] and changes["image_id"] == "sha256:1"
    assert run_entry("run-9")["status"] == "running" and run_entry("run-9")["ended_at"] is None
