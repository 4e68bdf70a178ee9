"""silero_vad stage on synthetic speech (flite) with silences of known lengths."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from voices import SR, flite, spoken, write_wav

ROOT = Path(__file__).resolve().parents[2]
STAGE = ROOT / "stages" / "silero_vad" / "stage.py"

pytestmark = pytest.mark.skipif(not (shutil.which("flite") and shutil.which("sox")), reason="needs flite and sox")

SENTENCES = [
    ("slt", "The harbour lights came on one by one."),
    ("kal", "Nobody expected the storm to arrive so early."),
    ("awb", "We should leave before the bridge closes tonight."),
]


def run(audio: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common"), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, str(STAGE), "--audio", str(audio), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def messages(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[float, float]]]:
    """Silences of 1.0, 1.5, 2.0 and 1.0 s around three utterances; returns (wav, truth)."""
    tmp = tmp_path_factory.mktemp("vad")
    script = [(voice, text, gap) for (voice, text), gap in zip(SENTENCES, (1.0, 1.5, 2.0), strict=True)]
    samples, truth = spoken(script, tmp)
    path = tmp / "speech.wav"
    write_wav(path, samples)
    return path, [(start, end) for start, end, _ in truth]


def test_segments_match_truth(speech: tuple[Path, list], tmp_path: Path) -> None:
    audio, truth = speech
    proc = run(
        audio,
        tmp_path,
        "--threshold",
        "0.5",
        "--min-speech-ms",
        "250",
        "--min-silence-ms",
        "300",
        "--speech-pad-ms",
        "0",
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    result = json.loads((tmp_path / "segments.json").read_text())
    assert result["model"].startswith("silero-vad ") and result["model"].endswith("(onnx)")
    got = [(s["start"], s["end"]) for s in result["segments"]]
    assert len(got) == len(truth), got
    for (gs, ge), (ts, te) in zip(got, truth, strict=True):
        assert abs(gs - ts) <= 0.15 and abs(ge - te) <= 0.15, (got, truth)
    assert result["duration_s"] == pytest.approx(truth[-1][1] + 1.0, abs=0.01)
    assert result["speech_s"] == pytest.approx(sum(e - s for s, e in got), abs=0.01)
    assert any("progress" in m for m in messages(proc.stdout))


def test_padding_widens_segments(speech: tuple[Path, list], tmp_path: Path) -> None:
    audio, truth = speech
    proc = run(audio, tmp_path, "--speech-pad-ms", "100")
    assert proc.returncode == 0, proc.stderr
    got = json.loads((tmp_path / "segments.json").read_text())["segments"]
    assert len(got) == len(truth)
    for seg, (ts, te) in zip(got, truth, strict=True):
        assert seg["start"] <= ts + 0.05 and seg["end"] >= te - 0.05


def test_silence_gives_no_segments(tmp_path: Path) -> None:
    audio = tmp_path / "silence.wav"
    rng = np.random.default_rng(0)
    write_wav(audio, rng.normal(0, 30, 10 * SR))  # 10 s of faint noise
    proc = run(audio, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "out" / "segments.json").read_text())
    assert result["segments"] == [] and result["speech_s"] == 0


@pytest.mark.parametrize("content", [b"this is not audio at all", b""])
def test_not_a_wav_is_bad_input(tmp_path: Path, content: bytes) -> None:
    audio = tmp_path / "audio.wav"
    audio.write_bytes(content)
    proc = run(audio, tmp_path / "out")
    assert proc.returncode == 2
    errors = [m["error"] for m in messages(proc.stdout) if "error" in m]
    assert len(errors) == 1 and "WAV" in errors[0]
    assert not (tmp_path / "out" / "segments.json").exists()


def test_stereo_is_bad_input(tmp_path: Path) -> None:
    audio = tmp_path / "stereo.wav"
    with wave.open(str(audio), "wb") as fh:
        fh.setnchannels(2)
        fh.setsampwidth(2)
        fh.setframerate(44100)
        fh.writeframes(b"\0" * 44100 * 4)
    proc = run(audio, tmp_path / "out")
    assert proc.returncode == 2 and "16 kHz mono" in proc.stdout


def test_a_short_pause_inside_a_segment_is_listed(tmp_path: Path) -> None:
    """A question and a reply 0.3 s later make one segment (300 ms min silence); the pause between them is
    listed in `pauses`, where the diarization cuts."""
    question, reply = flite("kal", "Are you ready to go?", tmp_path), flite("slt", "Yes.", tmp_path)
    silence = np.zeros(SR, dtype=np.int16)
    start = (silence.size + question.size) / SR
    write_wav(tmp_path / "exchange.wav", np.concatenate([silence, question, np.zeros(int(0.3 * SR), np.int16),
                                                          reply, silence]))
    proc = run(tmp_path / "exchange.wav", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "out" / "segments.json").read_text())
    assert len(data["segments"]) == 1, data
    assert len(data["pauses"]) == 1 and data["params"]["min_pause_ms"] == 100, data
    pause = data["pauses"][0]
    assert start - 0.05 <= pause["start"] < pause["end"] <= start + 0.35, (start, pause)
    assert data["segments"][0]["start"] < pause["start"] and pause["end"] < data["segments"][0]["end"]
