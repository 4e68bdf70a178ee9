"""Media that is valid but odd, through `reelstage run`: each gets a message that names its cause
(issue 10, item 7): an empty audio track, a movie without dialogue, a movie of half a second."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path

import pytest
import srt
from moviegen import make_movie
from reelstage_cli import reelstage as run_cli

pytestmark = [pytest.mark.docker, pytest.mark.images, pytest.mark.slow]


def reelstage(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, timeout=900)


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def video_with_audio(path: Path, audio: list[str]) -> Path:
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=3", *audio, "-map", "0:v", "-map", "1:a",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
    return path


def test_an_audio_track_without_sound_is_named_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
    movie = video_with_audio(tmp_path / "no sound.mkv", ["-i", str(empty), "-c:a", "pcm_s16le"])
    res = reelstage("run", str(movie), "--workdir", str(tmp_path / "work"))
    assert res.returncode == 2, res.stdout[-2000:] + res.stderr
    assert "the audio track is empty" in res.stderr.strip().splitlines()[-1] and "Traceback" not in res.stderr


def test_silence_says_no_dialogue_found(tmp_path: Path) -> None:
    movie = video_with_audio(tmp_path / "quiet.mp4", ["-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono:d=3",
                                                      "-c:a", "aac", "-shortest"])
    res = reelstage("run", str(movie), "--workdir", str(tmp_path / "work"))
    assert res.returncode == 2, res.stdout[-2000:] + res.stderr
    last = res.stderr.strip().splitlines()[-1]
    assert "no dialogue found" in last and "no speech" in last and "Traceback" not in res.stderr


def test_a_half_second_movie_gets_subtitles_with_the_bend_listed(tmp_path: Path) -> None:
    long = make_movie(tmp_path / "go.mp4", [("A", "Go.", 0.0)])
    movie = tmp_path / "half a second.mp4"
    ffmpeg("-ss", f"{long.lines[0].start - 0.1:.3f}", "-t", "0.5", "-i", str(long.path), "-c:v", "libx264",
           "-preset", "ultrafast", "-c:a", "aac", str(movie))
    workdir = tmp_path / "work"
    res = reelstage("run", str(movie), "--workdir", str(workdir))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    cues = list(srt.parse((workdir / "half a second.en.srt").read_text(encoding="utf-8")))
    assert len(cues) == 1 and "go" in cues[0].content.lower() and cues[0].end.total_seconds() <= 0.6
    quality = json.loads((workdir / "09_srt_generation" / "quality.json").read_text())
    assert quality["hard_violations"] == 0 and [b["rule"] for b in quality["bends"]] == ["min_duration"]
    review = json.loads((workdir / "09_srt_generation" / "review.json").read_text())
    assert review["spots"][0]["reasons"][0]["kind"] == "bend"
