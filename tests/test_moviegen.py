"""The synthetic movie generator: streams, exact speech timings, truth file, WER."""

from __future__ import annotations

import array
import json
import shutil
import subprocess
import time
import wave
from pathlib import Path

import pytest
from moviegen import (
    DEFAULT_GLOSSARY,
    DEFAULT_SCRIPT,
    MovieTruth,
    extract_wav,
    glossary_text,
    make_movie,
    make_no_audio_video,
    make_text_file_named_mp4,
    normalise,
    wer,
)

pytestmark = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("flite")), reason="needs ffmpeg and flite"
)


def probe(path: Path) -> dict:
    proc = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
                           str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


DEFAULT_SCRIPT_SHORT = DEFAULT_SCRIPT[:4]


def rms(samples: array.array, start: float, end: float, rate: int = 16000) -> float:
    part = samples[int(start * rate) : int(end * rate)]
    return (sum(s * s for s in part) / max(1, len(part))) ** 0.5


@pytest.fixture(scope="module")
def movie(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MovieTruth, float]:
    path = tmp_path_factory.mktemp("movie") / "The Lake (2026).mp4"
    started = time.monotonic()
    truth = make_movie(path)
    return path, truth, time.monotonic() - started


def test_default_movie_streams_and_truth(movie: tuple[Path, MovieTruth, float]) -> None:
    path, truth, seconds = movie
    assert seconds < 10
    info = probe(path)
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert len(video) == 1 and video[0]["width"] == 320 and video[0]["r_frame_rate"] == "25/1"
    assert len(audio) == 1 and audio[0]["channels"] == 2 and audio[0]["tags"]["language"] == "eng"
    assert float(info["format"]["duration"]) == pytest.approx(truth.duration_s, abs=0.1)
    assert 40 <= truth.duration_s <= 60
    assert MovieTruth.load(f"{path}.truth.json") == truth
    assert {ln.speaker for ln in truth.lines} == {"MORROW", "ALVAREZ"}
    assert len({ln.voice for ln in truth.lines}) == 2
    assert truth.glossary == list(DEFAULT_GLOSSARY)
    for name in DEFAULT_GLOSSARY:
        assert name in truth.text


def test_speech_is_where_the_truth_says(movie: tuple[Path, MovieTruth, float], tmp_path: Path) -> None:
    path, truth, _ = movie
    with wave.open(str(extract_wav(path, tmp_path / "a.wav"))) as w:
        samples = array.array("h", w.readframes(w.getnframes()))
    for prev, line in zip([None, *truth.lines], truth.lines, strict=False):
        assert rms(samples, line.start + 0.05, line.end - 0.05) > 500, line
        if prev is not None:
            assert line.start - prev.end >= 0.5
            assert rms(samples, prev.end + 0.1, line.start - 0.1) < 50, (prev, line)
    assert rms(samples, 0.0, truth.lines[0].start - 0.1) < 50


@pytest.mark.parametrize(("container", "layout", "channels"), [("mkv", "5.1", 6), ("mkv", "none", 0),
                                                               ("mp4", "none", 0)])
def test_containers_and_layouts(tmp_path: Path, container: str, layout: str, channels: int) -> None:
    path = tmp_path / f"m.{container}"
    script = [("MORROW", "Lake Tessaly at dawn.", 0.0), ("ALVAREZ", "Port Kessel at dusk.", 0.5)]
    truth = make_movie(path, script, container=container, audio_layout=layout, fps=24, size="160x120")
    info = probe(path)
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert [s["channels"] for s in audio] == ([channels] if channels else [])
    assert info["format"]["format_name"].startswith("matroska" if container == "mkv" else "mov")
    assert len(truth.lines) == (2 if channels else 0)


def test_espeak_voices(tmp_path: Path) -> None:
    if not shutil.which("espeak-ng"):
        pytest.skip("needs espeak-ng")
    truth = make_movie(tmp_path / "e.mp4", [("A", "Hello there.", 0.0), ("B", "Good morning.", 0.5)],
                       voice_engine="espeak-ng")
    assert truth.voice_engine == "espeak-ng" and truth.lines[1].start > truth.lines[0].end


def test_bad_media_helpers(tmp_path: Path) -> None:
    info = probe(make_no_audio_video(tmp_path / "v.mp4"))
    assert [s["codec_type"] for s in info["streams"]] == ["video"]
    text = make_text_file_named_mp4(tmp_path / "t.mp4")
    assert subprocess.run(["ffprobe", "-v", "error", str(text)], capture_output=True).returncode != 0


def test_glossary_text_one_name_per_line(movie: tuple[Path, MovieTruth, float]) -> None:
    assert glossary_text(movie[1]).splitlines() == list(DEFAULT_GLOSSARY)


def test_wer_normalises_case_and_punctuation() -> None:
    assert normalise("Captain Morrow's boat -- ready?") == ["captain", "morrow's", "boat", "ready"]
    assert wer("Hello, World!", "hello world") == 0.0
    assert wer("the cat sat", "the bat sat") == pytest.approx(1 / 3)
    assert wer("the cat sat", "the cat sat down here") == pytest.approx(2 / 3)
    assert wer("a b c d", "") == 1.0
    assert wer("", "") == 0.0 and wer("", "noise") == 1.0


def test_long_movie_loops_one_block_under_noise(tmp_path: Path) -> None:
    from moviegen import LONG_MUSIC_S, make_long_movie

    path = tmp_path / "long.mp4"
    started = time.monotonic()
    truth = make_long_movie(path, 4.0, list(DEFAULT_SCRIPT_SHORT))
    seconds = time.monotonic() - started
    info = probe(path)
    assert float(info["format"]["duration"]) == pytest.approx(240.0, abs=0.2) and truth.duration_s == 240.0
    assert sorted(s["codec_type"] for s in info["streams"]) == ["audio", "video"]
    assert seconds < 60
    per_block = len(DEFAULT_SCRIPT_SHORT)
    first, second = truth.lines[:per_block], truth.lines[per_block : 2 * per_block]
    block_s = second[0].start - first[0].start
    assert block_s > LONG_MUSIC_S and all(b.start == pytest.approx(a.start + block_s, abs=0.002)
                                          for a, b in zip(first, second, strict=True))
    assert all(ln.end <= truth.duration_s for ln in truth.lines) and len(truth.lines) > 2 * per_block
    samples = array.array("h", extract_wav(path, tmp_path / "a.wav").read_bytes()[44:])
    music = (first[-1].end + 2.0, first[-1].end + LONG_MUSIC_S - 2.0)
    silence_between = (first[0].end + 0.05, first[1].start - 0.05)
    assert rms(samples, *music) > 1000 and 30 < rms(samples, *silence_between) < 1000  # music; noise bed only
