"""The runner's own logic around engine failures, with a scripted engine behind the engine interface.

What is under test here is ours (retry policy, attempt records, pre-flight messages), not Docker's:
the Docker behaviour itself is covered against a real engine in test_runner_docker.py.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import yaml

from runner.engine import ContainerSpec, EngineError, GpuRequest, RunResult
from runner.errors import UsageError
from runner.pipeline.compose import load_services
from runner.run.library import run_one
from runner.run.manifest import read_manifest
from runner.run.options import RunOptions
from runner.run.resources import Capacity
from runner.watch.display import PlainDisplay


class ScriptedEngine:
    """Fails `failures` times with a transient engine error, then 'runs' by writing the output file."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def ping(self) -> None:
        pass

    def wait_until_available(self, timeout_s: float) -> bool:
        return True

    def image_id(self, image: str) -> str:
        return "sha256:" + "0" * 64

    def gpu_available(self) -> bool:
        return False

    def remove_labelled(self, labels: dict[str, str], grace_s: float = 5.0) -> list[str]:
        return []

    def run(self, spec: ContainerSpec, on_line) -> RunResult:
        self.calls += 1
        if self.calls <= self.failures:
            raise EngineError("Docker engine error: 500 Server Error (transient)")
        out = next(m.source for m in spec.mounts if m.target == "/out")
        (Path(out) / "out.txt").write_text("ok\n")
        on_line('{"progress": 1.0}')
        return RunResult(exit_code=0, reason="ok", container_id=f"c{self.calls}", duration_s=0.01)


def make_project(tmp_path: Path, attempts: int) -> RunOptions:
    (tmp_path / "compose.yaml").write_text(yaml.safe_dump({"services": {"bb": {"image": "x/bb"}}}))
    (tmp_path / "pipeline.yaml").write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "compose": "compose.yaml",
                "defaults": {"retries": {"attempts": attempts, "wait_s": 0.01}},
                "stages": [{"name": "one", "service": "bb", "command": ["x"], "outputs": {"o": {"path": "out.txt"}}}],
            }
        )
    )
    movie = tmp_path / "movie.mp4"
    movie.write_bytes(b"data")
    return RunOptions(input=movie, workdir=tmp_path / "work", config=tmp_path / "pipeline.yaml", min_free_ratio=0)


CAPACITY = Capacity(cpus=2, memory_bytes=2**30)


def run(options: RunOptions, engine: ScriptedEngine) -> tuple[int, dict]:
    code, _error = run_one(options, engine, PlainDisplay(io.StringIO()), CAPACITY)
    return code, read_manifest(options.workdir)


def test_transient_engine_errors_are_retried_and_recorded(tmp_path):
    engine = ScriptedEngine(failures=2)
    code, manifest = run(make_project(tmp_path, attempts=3), engine)
    assert code == 0 and engine.calls == 3
    attempts = manifest["stages"]["one"]["attempts"]
    assert [a["reason"] for a in attempts] == ["engine_error", "engine_error", "ok"]
    assert "500 Server Error" in attempts[0]["error"]
    assert manifest["stages"]["one"]["status"] == "success"


def test_engine_errors_beyond_the_policy_fail_the_stage(tmp_path):
    engine = ScriptedEngine(failures=5)
    code, manifest = run(make_project(tmp_path, attempts=2), engine)
    assert code == 1 and engine.calls == 2
    stage = manifest["stages"]["one"]
    assert stage["status"] == "failed" and [a["reason"] for a in stage["attempts"]] == ["engine_error"] * 2
    assert manifest["pipeline"]["status"] == "failed" and manifest["pipeline"]["next_stage"] == "one"


def test_not_enough_free_space_is_a_usage_error(tmp_path):
    options = make_project(tmp_path, attempts=1)
    options.min_free_ratio = 1e15
    code, error = run_one(options, ScriptedEngine(0), PlainDisplay(io.StringIO()), CAPACITY)
    assert code == UsageError.exit_code
    assert re.search(r"GB free in .* need .*free some space or give --workdir", error)
    assert read_manifest(options.workdir) is None  # a usage error never touches the work folder's state


def test_compose_services_are_read_with_compose_semantics(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_TOKEN", "s3cret")
    (tmp_path / "compose.yaml").write_text(
        """
services:
  gpu:
    image: x/gpu:${TAG:-1.0}
    build: {context: .}
    volumes: ["./models:/models:ro"]
    environment: {HF_TOKEN: "${MY_TOKEN}", PLAIN: "yes"}
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: all, capabilities: [gpu]}]
  net:
    image: x/net
    network_mode: bridge
"""
    )
    services = load_services(tmp_path / "compose.yaml")
    gpu = services["gpu"]
    assert gpu.image == "x/gpu:1.0" and gpu.buildable and gpu.network_mode is None
    assert gpu.gpus == (GpuRequest(driver="nvidia", count=-1, device_ids=(), capabilities=("gpu",)),)
    assert gpu.mounts[0].source == str(tmp_path / "models") and gpu.mounts[0].read_only
    assert gpu.secret_env == {"HF_TOKEN": "s3cret"} and gpu.env["PLAIN"] == "yes"
    assert services["net"].network_mode == "bridge" and not services["net"].buildable
