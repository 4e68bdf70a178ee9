"""The end-to-end translation tests' shared run and track check: a scripted movie through
`reelstage run` with two subtitle languages, and the two SRTs and tagged MP4 tracks it must publish."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import srt
from moviegen import make_movie
from reelstage_cli import reelstage


def translated_run(root: Path, stem: str, script: list, language: str, *sets: str) -> dict:
    """Make `<stem>.mp4` spoken in `language` and run it with these `--set` options; the movie, work
    folder, CLI result and wall seconds."""
    movie = root / f"{stem}.mp4"
    make_movie(movie, script, language=language)
    workdir = root / "work"
    started = time.monotonic()
    options = [word for option in sets for word in ("--set", option)]
    res = reelstage("run", str(movie), "--workdir", str(workdir), *options)
    return {"movie": movie, "workdir": workdir, "res": res, "seconds": time.monotonic() - started}


def cues(path: Path) -> list[srt.Subtitle]:
    return list(srt.parse(path.read_text(encoding="utf-8")))


def text(subs: list[srt.Subtitle]) -> str:
    return " ".join(c.content.replace("\n", " ") for c in subs)


def assert_two_tagged_tracks(run: dict, stem: str, languages: tuple[str, str], mp4_tags: tuple[str, str]) -> None:
    """The run succeeded, published one non-empty SRT per language and muxed them as tagged tracks,
    the first language the default."""
    res, workdir = run["res"], run["workdir"]
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    for lang in languages:
        assert cues(workdir / f"{stem}.{lang}.srt")
    outputs = json.loads((workdir / "manifest.json").read_text())["stages"]["srt_generation"]["outputs"]
    assert {f"tracks[{lang}]" for lang in languages} | {"subtitles"} <= set(outputs)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(workdir / f"{stem}.subtitled.mp4")],
        capture_output=True,
        text=True,
        check=True,
    )
    subs = [s for s in json.loads(probe.stdout)["streams"] if s["codec_type"] == "subtitle"]
    assert [s["tags"]["language"] for s in subs] == list(mp4_tags)  # MP4 tags ISO 639-2/T
    assert [s["disposition"]["default"] for s in subs] == [1, 0]  # the first subtitle language is the default
