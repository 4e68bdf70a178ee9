"""mux: every original stream kept, the subtitle stream tagged, duration unchanged (checked with ffprobe)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunImage

ROOT = Path(__file__).resolve().parents[2]
STAGE = ROOT / "stages" / "mux" / "stage.py"
SRT = "1\n00:00:00,500 --> 00:00:01,400\nDoctor Alvarez,\nare you awake?\n\n2\n00:00:01,600 --> 00:00:02,500\nÉté.\n"


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def probe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def make_movie(path: Path, existing_sub: bool = False) -> Path:
    """3 s of video, two audio tracks, optionally a subtitle track already there."""
    inputs = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-f", "lavfi", "-i", "sine=f=440:d=3",
              "-f", "lavfi", "-i", "sine=f=600:d=3"]
    maps = ["-map", "0", "-map", "1", "-map", "2"]
    if existing_sub:
        old = path.with_name("old.srt")
        old.write_text("1\n00:00:00,000 --> 00:00:01,000\nAlt.\n")
        inputs += ["-i", str(old)]
        maps += ["-map", "3", "-metadata:s:s:0", "language=deu"]
    codecs = {".avi": ("mpeg4", "mp2"), ".webm": ("libvpx", "libopus")}.get(path.suffix, ("libx264", "aac"))
    ffmpeg(*inputs, *maps, "-t", "3", "-c:v", codecs[0], "-c:a", codecs[1], str(path))
    return path


def run(tmp_path: Path, src: Path, language: str = "en", srt_text: str | None = SRT):
    subs = tmp_path / "subtitles.srt"
    if srt_text is not None:
        subs.write_text(srt_text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common")}
    return subprocess.run([sys.executable, str(STAGE), "--input", str(src), "--srt", str(subs),
                           "--language", language, "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(("name", "existing_sub", "out_name", "codec", "language", "tag", "title"), [
    ("movie.mkv", True, "subtitled.mkv", "subrip", "en", "eng", "English"),
    ("movie.m4v", False, "subtitled.m4v", "mov_text", "de", "deu", "German"),
    ("movie.webm", False, "subtitled.mkv", "subrip", "fr", "fre", "French"),
    ("movie.mp4", False, "subtitled.mp4", "mov_text", "fr", "fra", "French"),
    ("movie.mov", False, "subtitled.mov", "mov_text", "de", "ger", "German"),
    ("movie.avi", False, "subtitled.mkv", "subrip", "eng", "eng", "English"),
])
def test_mux_keeps_streams_and_tags_the_subtitles(tmp_path: Path, name: str, existing_sub: bool, out_name: str,
                                                  codec: str, language: str, tag: str, title: str) -> None:
    src = make_movie(tmp_path / name, existing_sub)
    proc = run(tmp_path, src, language)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "out_time_us=" in proc.stdout
    out_files = [p.name for p in (tmp_path / "out").iterdir()]
    assert out_files == [out_name]  # no temp file left behind
    before, after = probe(src), probe(tmp_path / "out" / out_name)
    kept = [(s["codec_type"], s["codec_name"]) for s in before["streams"]]
    assert [(s["codec_type"], s["codec_name"]) for s in after["streams"]][:len(kept)] == kept
    new = after["streams"][-1]
    assert len(after["streams"]) == len(kept) + 1
    assert (new["codec_type"], new["codec_name"]) == ("subtitle", codec)
    assert new["tags"].get("language") == tag
    if codec == "subrip":  # MP4 muxers always enable the only text track; Matroska keeps the flag
        assert new["tags"].get("title") == title
        assert new["disposition"]["default"] == 1  # the first (here the only) added track is the default
    assert float(after["format"]["duration"]) == pytest.approx(float(before["format"]["duration"]), abs=0.1)


def test_subtitle_text_survives(tmp_path: Path) -> None:
    src = make_movie(tmp_path / "movie.mkv")
    assert run(tmp_path, src).returncode == 0
    extracted = tmp_path / "back.srt"
    ffmpeg("-i", str(tmp_path / "out" / "subtitled.mkv"), "-map", "0:s:0", str(extracted))
    text = extracted.read_text(encoding="utf-8")
    assert "Doctor Alvarez,\nare you awake?" in text and "Été." in text


@pytest.mark.parametrize(("name", "tags"), [("movie.mkv", ["fre", "eng"]), ("movie.mp4", ["fra", "eng"])])
def test_one_tagged_track_per_language_the_first_default(tmp_path: Path, name: str, tags: list[str]) -> None:
    src = make_movie(tmp_path / name)
    (tmp_path / "subtitles.en.srt").write_text("1\n00:00:00,500 --> 00:00:01,400\nSummer.\n", encoding="utf-8")
    (tmp_path / "subtitles.fr.srt").write_text(SRT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common")}
    proc = subprocess.run([sys.executable, str(STAGE), "--input", str(src), "--srt", str(tmp_path / "subtitles.*.srt"),
                           "--language", "fr", "--subtitle-languages", "fr,en", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    subs = [s for s in probe(next((tmp_path / "out").iterdir()))["streams"] if s["codec_type"] == "subtitle"]
    assert [s["tags"]["language"] for s in subs] == tags
    assert [s["disposition"]["default"] for s in subs] == [1, 0]
    for k, word in ((0, "Été."), (1, "Summer.")):
        back = tmp_path / f"back{k}.srt"
        ffmpeg("-i", str(next((tmp_path / "out").iterdir())), "-map", f"0:s:{k}", str(back))
        assert word in back.read_text(encoding="utf-8")


def test_a_subtitle_language_srt_generation_left_out_is_skipped_and_the_next_is_default(tmp_path: Path) -> None:
    src = make_movie(tmp_path / "movie.mkv")
    (tmp_path / "subtitles.fr.srt").write_text(SRT, encoding="utf-8")  # the en translation came out empty
    env = {**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common")}
    proc = subprocess.run([sys.executable, str(STAGE), "--input", str(src), "--srt", str(tmp_path / "subtitles.*.srt"),
                           "--language", "fr", "--subtitle-languages", "en,fr", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    subs = [s for s in probe(tmp_path / "out" / "subtitled.mkv")["streams"] if s["codec_type"] == "subtitle"]
    assert [(s["tags"]["language"], s["disposition"]["default"]) for s in subs] == [("fre", 1)]


@pytest.mark.parametrize(("kind", "message"), [
    ("missing_srt", "subtitle file not found"),
    ("empty_srt", "no cues in subtitles.srt"),
    ("not_media", "not a media file: notes.mkv"),
    ("bad_language", "unknown language code 'zz'"),
])
def test_bad_input_exits_2(tmp_path: Path, kind: str, message: str) -> None:
    src = tmp_path / "notes.mkv"
    src.write_text("not a movie")
    if kind != "not_media":
        src = make_movie(tmp_path / "movie.mkv")
    srt_text = {"missing_srt": None, "empty_srt": ""}.get(kind, SRT)
    proc = run(tmp_path, src, "zz" if kind == "bad_language" else "en", srt_text)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["error"].startswith(message)


@pytest.mark.docker
@pytest.mark.images
def test_image_runs_as_user_without_network(run_image: RunImage, tmp_path: Path) -> None:
    src = make_movie(tmp_path / "movie.mp4")
    (tmp_path / "subtitles.srt").write_text(SRT, encoding="utf-8")
    proc, out = run_image("mux", ["--input", "/input/source.mp4", "--srt", "/input/subtitles.srt", "--language",
                                  "en", "--out", "/out"],
                          files={"source.mp4": src, "subtitles.srt": tmp_path / "subtitles.srt"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    streams = probe(out / "subtitled.mp4")["streams"]
    assert [s["codec_type"] for s in streams] == ["video", "audio", "audio", "subtitle"]
    assert streams[-1]["tags"]["language"] == "eng"
