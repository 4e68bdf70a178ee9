"""Resumable ASR through the runner: SIGKILL `reelstage run` during asr, rerun → the chunks finished
before the kill are not transcribed again, and the subtitles equal an uninterrupted run's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from moviegen import DEFAULT_SCRIPT, glossary_text, make_movie

pytestmark = [pytest.mark.docker, pytest.mark.images, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[1]


def reelstage(*args: str) -> list[str]:
    return [sys.executable, "-m", "runner", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "REELSTAGE_HISTORY": str(REPO / ".pytest_cache" / "history.json")}


def chunk_files(workdir: Path) -> list[Path]:
    return sorted((workdir / ".checkpoints" / "07_asr").glob("chunk-*.json"))


def test_sigkill_during_asr_then_rerun_reuses_finished_chunks_and_matches_a_clean_run(tmp_path):
    truth = make_movie(tmp_path / "Long Night.mp4", list(DEFAULT_SCRIPT) * 4)  # ~3 minutes: 6+ asr chunks
    glossary = tmp_path / "names.txt"
    glossary.write_text(glossary_text(truth))
    common = ["--file", f"glossary={glossary}", "--progress-interval", "5"]
    killed = tmp_path / "killed"
    proc = subprocess.Popen(reelstage("run", truth.path, "--workdir", str(killed), *common), cwd=REPO, env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline and len(chunk_files(killed)) < 2 and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, f"the run ended before asr had two chunks: {proc.stderr.read()}"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    done_before = len(chunk_files(killed))
    assert done_before >= 2

    res = subprocess.run(reelstage("run", truth.path, "--workdir", str(killed), *common), cwd=REPO, env=env(),
                         capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, res.stderr
    manifest = json.loads((killed / "manifest.json").read_text())
    asr = manifest["stages"]["asr"]
    note = next(n for n in asr["notes"] if n.startswith("asr: "))
    reused = int(note.split()[1])
    assert reused >= done_before, note  # what was finished before the kill is not transcribed again
    assert not (killed / ".checkpoints" / "07_asr").exists()  # removed after success

    clean = tmp_path / "clean"
    res = subprocess.run(reelstage("run", truth.path, "--workdir", str(clean), *common), cwd=REPO, env=env(),
                         capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, res.stderr
    name = "Long Night.en.srt"
    assert (killed / name).read_text() == (clean / name).read_text()
