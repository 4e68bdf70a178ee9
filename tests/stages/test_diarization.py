"""diarization stage on flite voices (distinct speakers) with known timings.

The chain is real: silero_vad's stage writes the segments the diarization stage reads.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from voices import spoken, write_wav

ROOT = Path(__file__).resolve().parents[2]
STAGES = ROOT / "stages"

pytestmark = pytest.mark.skipif(not (shutil.which("flite") and shutil.which("sox")), reason="needs flite and sox")

LINES = [
    "The harbour lights came on one by one along the quay.",
    "Nobody expected the storm to arrive so early this year.",
    "We should leave before the bridge closes for the night.",
    "I told you the captain would never agree to that plan.",
    "Bring the maps and the lantern down to the boat.",
    "There is still time if we take the northern road.",
]


def dialogue(tmp: Path, voices: list[str], gaps: list[float]) -> tuple[Path, list[tuple]]:
    """Voices in turn, LINES in order, a gap before each; returns (wav, [(start, end, voice)])."""
    samples, truth = spoken([(voices[i % len(voices)], LINES[i % len(LINES)], gap) for i, gap in enumerate(gaps)], tmp)
    path = tmp / "audio.wav"
    write_wav(path, samples)
    return path, truth


def run(stage: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(STAGES / "common"),
        "HF_HUB_OFFLINE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, str(STAGES / stage / "stage.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def run_diarization(tmp: Path, audio: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """silero_vad then diarization on `audio`, as the pipeline chains them (no pyannote segments)."""
    vad = run("silero_vad", "--audio", str(audio), "--out", str(tmp / "vad"))
    assert vad.returncode == 0, vad.stderr
    return run(
        "diarization",
        "--audio",
        str(audio),
        "--vad",
        str(tmp / "vad" / "segments.json"),
        "--pyannote-vad",
        str(tmp / "absent" / "segments.json"),
        "--out",
        str(tmp / "diar"),
        "--max-speakers",
        "8",
        "--threshold",
        "0.2",
        "--model-dir",
        str(tmp / "models"),
        *extra,
        env=env,
    )


def diarize(tmp: Path, audio: Path, *extra: str, env: dict | None = None) -> dict:
    proc = run_diarization(tmp, audio, *extra, env=env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    infos = [json.loads(line)["info"] for line in proc.stdout.splitlines() if '"info"' in line]
    assert infos and infos[0]["engine"] == "resemblyzer-numpy"
    return json.loads((tmp / "diar" / "turns.json").read_text())


def accuracy(result: dict, truth: list[tuple]) -> float:
    """Share of true speech time given to the right speaker, under the best label mapping."""
    voices = sorted({v for _, _, v in truth})
    speakers = result["speakers"]
    overlap = np.zeros((len(speakers), len(voices)))
    for turn in result["turns"]:
        for start, end, voice in truth:
            both = min(turn["end"], end) - max(turn["start"], start)
            if both > 0:
                overlap[speakers.index(turn["speaker"]), voices.index(voice)] += both
    rows, cols = linear_sum_assignment(-overlap)
    return overlap[rows, cols].sum() / sum(end - start for start, end, _ in truth)


def check(result: dict, truth: list[tuple], n: int) -> None:
    assert result["num_speakers"] == n == len(result["speakers"]), result
    assert result["speakers"] == [f"S{i + 1}" for i in range(n)]
    assert result["turns"][0]["speaker"] == "S1"
    assert accuracy(result, truth) >= 0.9, (result["turns"], truth)


def test_two_voices(tmp_path: Path) -> None:
    audio, truth = dialogue(tmp_path, ["slt", "kal"], [1.0, 0.8, 1.2, 0.6, 1.0, 0.9])
    check(diarize(tmp_path, audio), truth, 2)


def test_three_voices(tmp_path: Path) -> None:
    audio, truth = dialogue(tmp_path, ["kal", "slt", "awb"], [0.7, 1.0, 0.8, 1.1, 0.9, 0.6])
    check(diarize(tmp_path, audio), truth, 3)


def test_quick_exchanges(tmp_path: Path) -> None:
    """Pauses shorter than the VAD's min silence: the speaker changes hide inside segments."""
    audio, truth = dialogue(tmp_path, ["kal", "slt", "awb"], [0.5, 0.15, 0.1, 0.25, 0.2, 0.1])
    check(diarize(tmp_path, audio), truth, 3)


def test_one_voice(tmp_path: Path) -> None:
    audio, truth = dialogue(tmp_path, ["rms"], [0.8, 1.0, 0.7, 1.2])
    result = diarize(tmp_path, audio)
    check(result, truth, 1)
    assert len(result["turns"]) == 1


def test_max_speakers_caps_the_count(tmp_path: Path) -> None:
    audio, _ = dialogue(tmp_path, ["kal", "slt", "awb"], [0.7, 1.0, 0.8])
    result = diarize(tmp_path, audio, "--max-speakers", "2")
    assert result["num_speakers"] <= 2


def test_token_without_pyannote_notes_why(tmp_path: Path) -> None:
    audio, _ = dialogue(tmp_path, ["slt", "kal"], [0.8, 0.8])
    proc = run_diarization(tmp_path, audio, env={"HF_TOKEN": "hf_secret_value"})
    assert proc.returncode == 0, proc.stderr
    notes = [json.loads(line)["note"] for line in proc.stdout.splitlines() if '"note"' in line]
    assert len(notes) == 1 and "WITH_PYANNOTE=1" in notes[0]
    result = json.loads((tmp_path / "diar" / "turns.json").read_text())
    assert result["engine"] == "resemblyzer-numpy" and result["num_speakers"] == 2
    assert "hf_secret_value" not in proc.stdout + proc.stderr + json.dumps(result)


def test_missing_vad_is_bad_input(tmp_path: Path) -> None:
    audio, _ = dialogue(tmp_path, ["slt"], [0.5])
    proc = run(
        "diarization", "--audio", str(audio), "--vad", str(tmp_path / "none.json"), "--out", str(tmp_path / "out")
    )
    assert proc.returncode == 2 and "silero_vad" in proc.stdout
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("segments", [[], [{"start": 100.0, "end": 104.0}]], ids=["none", "past-end"])
def test_no_speech_gives_no_turns(tmp_path: Path, segments: list) -> None:
    audio, _ = dialogue(tmp_path, ["slt"], [0.5])
    (tmp_path / "vad.json").write_text(json.dumps({"segments": segments}))
    proc = run(
        "diarization", "--audio", str(audio), "--vad", str(tmp_path / "vad.json"), "--out", str(tmp_path / "out")
    )
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr
    result = json.loads((tmp_path / "out" / "turns.json").read_text())
    assert result["turns"] == [] and result["num_speakers"] == 0


def test_a_one_word_reply_inside_a_vad_segment_gets_its_own_speaker(tmp_path: Path) -> None:
    """Question, 0.3 s, one-word reply: one VAD segment; the reply still goes to the replier."""
    script = [("kal", LINES[0], 1.0), ("slt", LINES[1], 1.0), ("kal", "Are you ready?", 1.0), ("slt", "Yes.", 0.3),
              ("kal", LINES[2], 1.0), ("slt", LINES[3], 1.0)]
    samples, truth = spoken(script, tmp_path)
    audio = tmp_path / "audio.wav"
    write_wav(audio, samples)
    result = diarize(tmp_path, audio)
    segments = json.loads((tmp_path / "vad" / "segments.json").read_text())["segments"]
    assert any(s["start"] < truth[2][0] and truth[3][1] < s["end"] for s in segments), segments  # one segment

    def speaker_at(start: float, end: float) -> str:
        return max(result["turns"], key=lambda u: min(end, u["end"]) - max(start, u["start"]))["speaker"]

    labels = [speaker_at(start, end) for start, end, _ in truth]
    assert labels == ["S1", "S2", "S1", "S2", "S1", "S2"], (labels, result["turns"], truth)


def test_cut_at_pauses_keeps_the_speech_between_them() -> None:
    sys.path.insert(0, str(STAGES / "diarization"))
    from turns import cut_at_pauses

    pauses = [(1.0, 1.2), (4.9, 5.1), (6.0, 7.0)]
    assert cut_at_pauses((0.0, 5.0), pauses, [p[0] for p in pauses]) == [(0.0, 1.0), (1.2, 5.0)]
    assert cut_at_pauses((5.5, 8.0), pauses, [p[0] for p in pauses]) == [(5.5, 6.0), (7.0, 8.0)]
    assert cut_at_pauses((2.0, 3.0), pauses, [p[0] for p in pauses]) == [(2.0, 3.0)]


def test_a_short_window_joins_the_nearest_speaker_without_founding_one() -> None:
    sys.path.insert(0, str(STAGES / "diarization"))
    from turns import label_windows

    a, b = np.eye(4)[0], np.eye(4)[1]
    near_b = 0.6 * b + 0.4 * np.eye(4)[2]
    odd = np.eye(4)[3]  # a short window unlike anyone: joins a speaker, never becomes a third one
    embeddings = np.stack([a, b, a, near_b, odd, b]).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    durations = np.array([2.0, 2.0, 2.0, 0.3, 0.4, 2.0])
    labels = label_windows(embeddings, durations, 0.2, 8)
    assert labels[:4].tolist() == [0, 1, 0, 1] and labels[5] == 1 and labels.max() == 1
