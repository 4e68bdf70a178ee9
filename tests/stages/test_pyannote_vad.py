"""pyannote_vad stage: the three ways it skips, never leaking the token, and bad audio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGE = ROOT / "stages" / "pyannote_vad" / "stage.py"
TOKEN = "hf_do_not_print_me"


def run(tmp: Path, token: str | None, extra_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (ROOT / "stages" / "common", extra_path) if p)
    if token:
        env["HF_TOKEN"] = token
    return subprocess.run(
        [
            sys.executable,
            str(STAGE),
            "--audio",
            str(tmp / "audio.wav"),
            "--out",
            str(tmp / "out"),
            "--model-dir",
            str(tmp / "models"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def skipped(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr
    skips = [json.loads(line)["skip"] for line in proc.stdout.splitlines() if '"skip"' in line]
    assert len(skips) == 1, proc.stdout
    return skips[0]


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    with wave.open(str(tmp_path / "audio.wav"), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(16000)
        fh.writeframes(b"\0\0" * 16000)
    return tmp_path


@pytest.fixture
def fake_install(tmp_path: Path) -> Path:
    """A `pyannote.audio` the import system can find (the stage only looks it up before the
    model check; nothing of it runs)."""
    pkg = tmp_path / "site" / "pyannote" / "audio"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise ImportError('not a real pyannote')\n")
    return tmp_path / "site"


def test_no_token_skips(tmp: Path) -> None:
    assert skipped(run(tmp, None)) == "HF token not found"
    assert not (tmp / "out" / "segments.json").exists()


def test_token_without_pyannote_says_how_to_build(tmp: Path) -> None:
    reason = skipped(run(tmp, TOKEN))
    assert "pyannote.audio is not installed" in reason and "WITH_PYANNOTE=1" in reason


def test_token_and_pyannote_without_pipeline_names_the_folder(tmp: Path, fake_install: Path) -> None:
    reason = skipped(run(tmp, TOKEN, fake_install))
    assert str(tmp / "models" / "voice-activity-detection") in reason
    assert not (tmp / "out" / "segments.json").exists()


def test_dockerfile_has_the_pyannote_build_arg() -> None:
    dockerfile = (ROOT / "stages" / "pyannote_vad" / "Dockerfile").read_text()
    assert "ARG WITH_PYANNOTE=0" in dockerfile
