"""mux: add the subtitles (one tagged track per language) to a copy of the movie, keeping every original stream
(codec copy)."""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import srt
from babelfish import Error as LanguageError
from babelfish import Language
from reelstage_stage import BadInput, StageError, emit_info, emit_progress, run_stage

# Input extension → (ffmpeg muxer, subtitle codec); anything else becomes Matroska with SRT.
MP4_FAMILY = {".mp4": ("mp4", "mov_text"), ".m4v": ("mp4", "mov_text"), ".mov": ("mov", "mov_text")}
MATROSKA = ("matroska", "srt")
# Matroska and QuickTime tag languages with ISO 639-2/B codes (ger, fre); MP4 uses 639-2/T (deu, fra).
BIBLIOGRAPHIC = {"matroska", "mov"}


def iso639_2(code: str, bibliographic: bool = False) -> tuple[str, str]:
    """(ISO 639-2 code, T or B form, and English name) for a 2- or 3-letter code; BadInput if unknown."""
    code = code.strip().lower()
    for convert in (Language.fromalpha2, Language.fromalpha3b, Language):
        try:
            lang = convert(code)
        except (LanguageError, ValueError, KeyError):
            continue
        try:
            return (lang.alpha3b if bibliographic else lang.alpha3), lang.name
        except LanguageError:  # no separate B form
            return lang.alpha3, lang.name
    raise BadInput(f"unknown language code {code!r}: give an ISO 639-1 code such as en, fr, de")


def output_for(src: Path) -> tuple[str, str, str]:
    """(output extension, ffmpeg muxer, subtitle codec) for an input file."""
    ext = src.suffix.lower()
    if ext in MP4_FAMILY:
        return (ext, *MP4_FAMILY[ext])
    return (".mkv", *MATROSKA)


def stream_count(path: Path) -> int:
    """Number of streams ffprobe finds; BadInput when it is not a media file."""
    proc = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)],
                          capture_output=True, text=True)
    streams = json.loads(proc.stdout or "{}").get("streams") if proc.returncode == 0 else None
    if not streams:
        raise BadInput(f"not a media file: {path.name}: give a video file ffmpeg can read")
    return len(streams)


def check_srt(path: Path) -> int:
    """Number of cues in the SRT file; BadInput when missing, unreadable or empty."""
    try:
        cues = list(srt.parse(path.read_text(encoding="utf-8-sig")))
    except FileNotFoundError:
        raise BadInput(f"subtitle file not found: {path}: run srt_generation first") from None
    except (srt.SRTParseError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(f"not a valid SRT file: {path.name} ({exc}): regenerate the subtitles") from None
    if not cues:
        raise BadInput(f"no cues in {path.name}: nothing to add")
    return len(cues)


@dataclass(frozen=True)
class Track:
    """One subtitle file to add, with its ISO 639-2 tag and title."""

    path: Path
    lang: str
    title: str


def subtitle_files(pattern: str, dialogue: str, subtitle_languages: str) -> list[tuple[Path, str]]:
    """(SRT file, language code) for a file or a glob of `subtitles.<lang>.srt` files, in the order of
    `subtitle_languages` (empty: the dialogue language first); the first becomes the default track."""
    files = sorted(Path(p) for p in glob.glob(pattern)) if glob.has_magic(pattern) else [Path(pattern)]
    if not files:
        raise BadInput(f"no subtitle file matches {pattern}: run srt_generation first")
    found = [(f, f.stem.split(".", 1)[1] if "." in f.stem else dialogue) for f in files]
    order = [v.strip().lower() for v in subtitle_languages.split(",") if v.strip()] or [dialogue.lower()]
    return sorted(found, key=lambda fl: (order.index(fl[1]) if fl[1] in order else len(order), fl[1]))


def mux_command(src: Path, tracks: list[Track], dest: Path, n_streams: int, muxer: str, codec: str) -> list[str]:
    """ffmpeg arguments: all original streams copied, each SRT as a stream after them, tagged; the first
    added track is the default subtitle track."""
    inputs, maps, meta = [], [], []
    for k, track in enumerate(tracks):
        sub = str(n_streams + k)  # output index of this subtitle stream
        inputs += ["-sub_charenc", "UTF-8", "-i", str(track.path)]
        maps += ["-map", str(k + 1)]
        meta += [f"-c:{sub}", codec, f"-metadata:s:{sub}", f"language={track.lang}",
                 f"-metadata:s:{sub}", f"title={track.title}", f"-disposition:{sub}", "default" if k == 0 else "0"]
    return [
        "ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", "-progress", "pipe:1", "-nostats",
        "-i", str(src), *inputs, "-map", "0", *maps, "-c", "copy", *meta, "-f", muxer, str(dest),
    ]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mux", description=__doc__)
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--srt", required=True, help="an SRT file, or a glob of subtitles.<lang>.srt files")
    parser.add_argument("--language", default="en", help="the dialogue language (the tag of a file without one)")
    parser.add_argument("--subtitle-languages", default="", help="track order, the first the default")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)

    if not args.input.is_file():
        raise BadInput(f"input not found: {args.input}: give the path of a movie file")
    n_streams = stream_count(args.input)
    ext, muxer, codec = output_for(args.input)
    tracks, n_cues = [], 0
    for path, code in subtitle_files(args.srt, args.language, args.subtitle_languages):
        n_cues += check_srt(path)
        tracks.append(Track(path, *iso639_2(code, bibliographic=muxer in BIBLIOGRAPHIC)))
    langs = ", ".join(t.lang for t in tracks)

    args.out.mkdir(parents=True, exist_ok=True)
    dest = args.out / f"subtitled{ext}"
    tmp = args.out / f".subtitled{ext}.tmp"
    emit_progress(0.0, f"muxing {n_cues} cues as {codec} ({langs})")
    sys.stdout.flush()
    proc = subprocess.run(mux_command(args.input, tracks, tmp, n_streams, muxer, codec),
                          stdout=None, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise StageError(f"ffmpeg could not mux the subtitles into {args.input.name}: {last}")
    os.replace(tmp, dest)
    emit_info(container=muxer, subtitle_codec=codec, subtitle_language=tracks[0].lang,
              subtitle_languages=[t.lang for t in tracks], streams=n_streams + len(tracks))
    emit_progress(1.0, f"wrote {dest.name}")


if __name__ == "__main__":
    run_stage(main)
