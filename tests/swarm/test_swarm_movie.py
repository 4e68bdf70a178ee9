"""The movie pipeline on a real three-node swarm, in both storage modes, spread over several nodes;
in the staged mode a node is killed mid-stage and the stage completes on another node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from moviegen import make_movie
from swarmkit import REPO, node_containers
from workdir_fixture import STAGES  # the movie pipeline's stages, in order

from runner.pipeline.compose import resolve_compose

pytestmark = [pytest.mark.swarm, pytest.mark.images, pytest.mark.slow]


@pytest.fixture(scope="module")
def stage_images(cluster) -> None:
    """The stage images of this checkout's tag, on every node (loaded once; nodes keep them)."""
    tag = os.environ.get("REELSTAGE_TAG", "latest")
    cluster.load([f"reelstage/{s}:{tag}" for s in STAGES])


def movie_project(root: Path, placement: dict[str, list[str]]) -> Path:
    """This checkout's pipeline with compose's deploy.placement set per service; returns the pipeline file."""
    resolved = resolve_compose(REPO / "compose.yaml")
    for name, service in resolved["services"].items():
        service.setdefault("deploy", {})["placement"] = {"constraints": placement.get(name, placement.get("*", []))}
    (root / "compose.yaml").write_text(json.dumps(resolved))
    pipeline = yaml.safe_load((REPO / "config" / "pipeline.yaml").read_text())
    pipeline["compose"] = str(root / "compose.yaml")
    pipeline["build_command"] = [str(REPO / "scripts" / "build-images.sh")]
    (root / "pipeline.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    return root / "pipeline.yaml"


def start(root: Path, config: Path, swarm_env: dict, storage: str) -> tuple[subprocess.Popen, Path]:
    movie = root / "Storm.mp4"
    truth = make_movie(movie)
    (root / "names.txt").write_text("\n".join(truth.glossary) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "TMDB_API_KEY")}
    env.update(
        swarm_env,
        PYTHONPATH=str(REPO),
        REELSTAGE_SWARM_STORAGE=storage,
        REELSTAGE_SWARM_GPU_KIND="no-gpu-here",  # rsw-n3's fake GPU is not one: stages run on CPU
        REELSTAGE_HISTORY=str(REPO / ".pytest_cache" / "history.json"),
    )
    workdir = root / "work"
    args = [
        sys.executable,
        "-m",
        "runner",
        "run",
        str(movie),
        "--engine",
        "swarm",
        "--config",
        str(config),
        "--workdir",
        str(workdir),
        "--file",
        f"glossary={root / 'names.txt'}",
        "--progress-interval",
        "10",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=root, env=env)
    return proc, workdir


def finished(workdir: Path) -> dict:
    m = json.loads((workdir / "manifest.json").read_text())
    assert m["pipeline"]["status"] == "completed"
    assert m["pipeline"]["completed_stages"] == STAGES
    srt_files = list(workdir.glob("*.en.srt"))
    assert srt_files and "-->" in srt_files[0].read_text()
    return m


def test_shared_storage_spread_by_compose_placement(cluster, swarm_env, stage_images, tmp_path):
    half = {s: ["node.hostname==rsw-n2"] for s in STAGES[:5]} | {s: ["node.hostname==rsw-n3"] for s in STAGES[5:]}
    config = movie_project(tmp_path, half)
    proc, workdir = start(tmp_path, config, swarm_env, "shared")
    out, _ = proc.communicate(timeout=1800)
    assert proc.returncode == 0, out[-4000:]
    m = finished(workdir)
    nodes = {s: m["stages"][s]["attempts"][-1]["node"] for s in STAGES}
    assert nodes == {s: ("rsw-n2" if s in STAGES[:5] else "rsw-n3") for s in STAGES}, nodes


def test_staged_storage_survives_a_node_killed_mid_stage(cluster, healthy, swarm_env, stage_images, tmp_path):
    config = movie_project(tmp_path, {"*": ["node.role==worker"]})  # the manager stays up
    proc, workdir = start(tmp_path, config, swarm_env, "staged")
    victim = None
    deadline = time.monotonic() + 600
    while victim is None and time.monotonic() < deadline and proc.poll() is None:
        try:
            m = json.loads((workdir / "manifest.json").read_text())
        except (OSError, ValueError):
            m = {}
        if (m.get("stages", {}).get("asr") or {}).get("status") == "running":
            per_node = node_containers(cluster, "io.reelstage.stage", "asr")
            running = [n for n, cs in per_node.items() if any(c["State"] == "running" for c in cs)]
            victim = running[0] if running else None
        time.sleep(0.3)
    assert victim, "asr never ran"
    lost_at = time.monotonic()
    cluster.node(victim).kill()
    out, _ = proc.communicate(timeout=1800)
    assert proc.returncode == 0, out[-4000:]
    m = finished(workdir)
    attempts = m["stages"]["asr"]["attempts"]
    assert attempts[0]["reason"] == "engine_error" and attempts[0]["node"] == victim
    assert attempts[-1]["reason"] == "ok" and attempts[-1]["node"] not in (victim, "rsw-n1")
    nodes = {a["node"] for s in STAGES for a in m["stages"][s]["attempts"] if a.get("node")}
    assert len(nodes) >= 2, nodes
    asr_done = m["stages"]["asr"]["ended_at"]
    print(
        f"asr: node {victim} killed; completed on {attempts[-1]['node']} at {asr_done}"
        f" ({time.monotonic() - lost_at:.0f} s after the kill, whole run included)"
    )
