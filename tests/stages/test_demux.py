"""demux: track choice, centre-channel extraction, media.json, and bad inputs (runs the stage program)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from array import array
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import RunImage

ROOT = Path(__file__).resolve().parents[2]
STAGE = ROOT / "stages" / "demux" / "stage.py"


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def run(tmp_path: Path, src: Path, language: str = "en") -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common")}
    proc = subprocess.run([sys.executable, str(STAGE), "--input", str(src), "--out", str(out),
                           "--language", language], capture_output=True, text=True, env=env, timeout=120)
    return proc, out


def dominant_hz(wav_path: Path) -> float:
    """Zero-crossing estimate of a pure tone's frequency."""
    with wave.open(str(wav_path)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        samples = array("h", wav.readframes(wav.getnframes()))
    body = samples[1600:-1600]
    crossings = sum((a < 0) != (b < 0) for a, b in pairwise(body))
    return crossings / 2 / (len(body) / 16000)


@pytest.fixture(scope="module")
def surround_movie(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """24 fps video; a French stereo track (300 Hz), then an English 5.1 track: 1 kHz centre, 440 Hz elsewhere."""
    path = tmp_path_factory.mktemp("media") / "surround.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=24", "-f", "lavfi", "-i", "sine=f=440:d=3",
           "-f", "lavfi", "-i", "sine=f=1000:d=3", "-f", "lavfi", "-i", "sine=f=300:d=3",
           "-filter_complex", "[1]asplit=5[a][b][c][d][e];[a][b][2][c][d][e]join=inputs=6:channel_layout=5.1:"
           "map=0.0-FL|1.0-FR|2.0-FC|3.0-LFE|4.0-BL|5.0-BR[s];"
           "[3]aformat=channel_layouts=stereo[st]",
           "-map", "0:v", "-map", "[st]", "-map", "[s]", "-t", "3", "-c:v", "libx264", "-c:a", "aac",
           "-metadata:s:a:0", "language=fre", "-metadata:s:a:1", "language=eng", str(path))
    return path


def test_picks_the_language_track_and_its_centre_channel(tmp_path: Path, surround_movie: Path) -> None:
    proc, out = run(tmp_path, surround_movie, "en")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "out_time_us=" in proc.stdout and "progress=end" in proc.stdout  # ffmpeg progress for the runner
    media = json.loads((out / "media.json").read_text())
    assert media["audio"] == {"index": 2, "language": "eng", "channels": 6, "channel_layout": "5.1",
                              "method": "centre"}
    assert media["fps"] == 24.0 and media["duration"] == pytest.approx(3.0, abs=0.1)
    assert [s["type"] for s in media["streams"]] == ["video", "audio", "audio"]
    assert set(media["streams"][0]) == {"index", "type", "codec", "language", "channels", "channel_layout"}
    assert dominant_hz(out / "audio.wav") == pytest.approx(1000, rel=0.03)  # only the centre channel
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temp file left


def test_three_letter_code_matches_and_stereo_is_downmixed(tmp_path: Path, surround_movie: Path) -> None:
    proc, out = run(tmp_path, surround_movie, "fra")
    assert proc.returncode == 0, proc.stderr
    media = json.loads((out / "media.json").read_text())
    assert media["audio"]["index"] == 1 and media["audio"]["method"] == "downmix"
    assert dominant_hz(out / "audio.wav") == pytest.approx(300, rel=0.03)


def test_unknown_language_falls_back_to_first_track_with_a_note(tmp_path: Path, surround_movie: Path) -> None:
    proc, out = run(tmp_path, surround_movie, "de")
    assert proc.returncode == 0
    notes = [json.loads(line)["note"] for line in proc.stdout.splitlines() if line.startswith('{"note"')]
    assert any("no audio stream tagged 'de'" in n for n in notes)
    assert json.loads((out / "media.json").read_text())["audio"]["index"] == 1


def test_audio_only_file_gets_default_fps(tmp_path: Path) -> None:
    src = tmp_path / "speech.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=f=500:d=2", "-ar", "44100", str(src))
    proc, out = run(tmp_path, src)
    assert proc.returncode == 0
    media = json.loads((out / "media.json").read_text())
    assert media["fps"] == 25.0 and media["audio"]["method"] == "mono"
    assert "timing assumes 25 fps" in proc.stdout


def test_no_audio_stream_exits_2(tmp_path: Path) -> None:
    src = tmp_path / "silent.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-t", "1", str(src))
    proc, out = run(tmp_path, src)
    assert proc.returncode == 2
    assert json.loads(proc.stdout.splitlines()[-1])["error"] == \
        "no audio stream in silent.mp4: give a file with sound"
    assert not (out / "audio.wav").exists()


def test_not_media_exits_2(tmp_path: Path) -> None:
    src = tmp_path / "notes.mp4"
    src.write_text("just some text, not a movie\n")
    proc, _ = run(tmp_path, src)
    assert proc.returncode == 2
    assert json.loads(proc.stdout.splitlines()[-1])["error"].startswith("not a media file: notes.mp4")


@pytest.mark.docker
@pytest.mark.images
def test_image_runs_as_user_without_network(run_image: RunImage, surround_movie: Path) -> None:
    proc, out = run_image("demux", ["--input", "/input/source.mkv", "--out", "/out", "--language", "en"],
                          files={"source.mkv": surround_movie})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads((out / "media.json").read_text())["audio"]["method"] == "centre"
    assert dominant_hz(out / "audio.wav") == pytest.approx(1000, rel=0.03)
