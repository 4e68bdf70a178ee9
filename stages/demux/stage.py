"""demux: pick the dialogue audio track and write 16 kHz mono `audio.wav` plus `media.json`."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

from babelfish import Error as LanguageError
from babelfish import Language
from reelstage_stage import (
    BadInput,
    StageError,
    emit_info,
    emit_note,
    emit_progress,
    run_stage,
    write_json_atomic,
)

DEFAULT_FPS = 25.0
SAMPLE_RATE = 16000
# Named ffmpeg layouts that carry a front-centre (FC) channel.
LAYOUTS_WITH_FC = {
    "3.0", "3.0(back)", "3.1", "4.0", "4.1", "5.0", "5.0(side)", "5.1", "5.1(side)", "6.0", "6.0(front)",
    "6.1", "6.1(back)", "6.1(front)", "7.0", "7.0(front)", "7.1", "7.1(wide)", "7.1(wide-side)",
    "7.1(top)", "hexagonal", "octagonal", "hexadecagonal", "5.1.2", "5.1.4", "7.1.2", "7.1.4",
}


def language_code(tag: str | None) -> str | None:
    """Normalise a 2- or 3-letter language tag (en, eng, ger, deu…) to ISO 639-3; None if unknown."""
    if not tag:
        return None
    tag = tag.strip().lower()
    for convert in (Language.fromalpha2, Language.fromalpha3b, Language):
        try:
            return convert(tag).alpha3
        except (LanguageError, ValueError, KeyError):
            continue
    return tag


def probe(path: Path) -> dict[str, Any]:
    """ffprobe `path`; BadInput when it is not a media file."""
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    info = json.loads(proc.stdout or "{}") if proc.returncode == 0 else {}
    if not info.get("streams") or "format" not in info:
        raise BadInput(f"not a media file: {path.name}: give a video or audio file ffmpeg can read")
    return info


def _frame_rate(stream: dict[str, Any]) -> float | None:
    for key in ("avg_frame_rate", "r_frame_rate"):
        num, _, den = str(stream.get(key, "0/0")).partition("/")
        try:
            value = float(num) / float(den or 1)
        except (ValueError, ZeroDivisionError):
            continue
        if 0 < value < 1000:
            return value
    return None


def describe_streams(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The streams as plain records for media.json."""
    return [
        {
            "index": s["index"],
            "type": s.get("codec_type"),
            "codec": s.get("codec_name"),
            "language": s.get("tags", {}).get("language"),
            "channels": s.get("channels"),
            "channel_layout": s.get("channel_layout"),
        }
        for s in info["streams"]
    ]


def pick_audio(streams: list[dict[str, Any]], language: str) -> tuple[dict[str, Any], bool]:
    """First audio stream in `language`, else the first audio stream; returns (stream, matched)."""
    audio = [s for s in streams if s["type"] == "audio"]
    wanted = language_code(language)
    for stream in audio:
        if wanted and language_code(stream["language"]) == wanted:
            return stream, True
    return audio[0], False


def channel_method(stream: dict[str, Any]) -> tuple[str, list[str]]:
    """How to get dialogue mono from this stream: (method, ffmpeg filters)."""
    channels = stream.get("channels") or 0
    layout = stream.get("channel_layout") or ""
    if channels > 2 and (layout in LAYOUTS_WITH_FC or "FC" in layout.split("+")):
        return "centre", ["pan=mono|c0=FC"]
    return ("mono" if channels == 1 else "downmix"), []


MIN_AUDIO_S = 0.1  # an audio stream shorter than this is empty


def has_samples(path: Path, stream_index: int) -> bool:
    """True when the stream holds audio: at least one packet, and (when the container says) more than
    0.1 s of it (an encoder's priming packets around a handful of samples do not count)."""
    proc = subprocess.run(["ffprobe", "-v", "error", "-select_streams", str(stream_index), "-show_entries",
                           "stream=duration:packet=pts_time", "-read_intervals", "%+#1", "-of", "json", str(path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return True  # unknown: let the extraction say what is wrong
    try:
        data = json.loads(proc.stdout or "{}")
    except ValueError:
        return True
    if not data.get("packets"):
        return False
    duration = (data.get("streams") or [{}])[0].get("duration")
    try:
        return duration is None or float(duration) > MIN_AUDIO_S
    except ValueError:
        return True


def extract(src: Path, stream_index: int, filters: list[str], duration: float, dest: Path) -> None:
    """ffmpeg the stream to 16 kHz mono s16 WAV through a temp name; progress goes to stdout."""
    tmp = dest.with_name(f".{dest.name}.tmp")
    chain = [*filters, f"aresample={SAMPLE_RATE}"]
    if duration > 0:  # pad a short track with silence so timestamps cover the whole movie
        chain.append(f"apad=whole_dur={duration:.3f}")
    cmd = [
        "ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", "-progress", "pipe:1", "-nostats",
        "-i", str(src), "-map", f"0:{stream_index}", "-vn", "-sn", "-dn",
        "-af", ",".join(chain), "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le",
        "-f", "wav", str(tmp),
    ]
    sys.stdout.flush()
    proc = subprocess.run(cmd, stdout=None, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise StageError(f"ffmpeg could not extract audio stream {stream_index}: {last}")
    os.replace(tmp, dest)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="demux", description=__doc__)
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--language", default="en")
    args = parser.parse_args(argv)

    if not args.input.is_file():
        raise BadInput(f"input not found: {args.input}: give the path of a movie file")
    info = probe(args.input)
    streams = describe_streams(info)
    if not any(s["type"] == "audio" for s in streams):
        raise BadInput(f"no audio stream in {args.input.name}: give a file with sound")

    stream, matched = pick_audio(streams, args.language)
    if not matched:
        emit_note(f"no audio stream tagged {args.language!r}: using stream {stream['index']} "
                  f"(language {stream['language'] or 'unknown'})")
    if not has_samples(args.input, stream["index"]):
        raise BadInput(f"the audio track is empty: audio stream {stream['index']} of {args.input.name} holds no "
                       "sound at all: give a file whose audio track has the dialogue")
    method, filters = channel_method(stream)
    videos = [s for s in info["streams"]
              if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")]
    fps = _frame_rate(videos[0]) if videos else None
    if fps is None:
        emit_note(f"no video frame rate: timing assumes {DEFAULT_FPS:g} fps")
        fps = DEFAULT_FPS
    duration = float(info["format"].get("duration") or 0.0)

    args.out.mkdir(parents=True, exist_ok=True)
    emit_progress(0.0, f"extracting audio stream {stream['index']} ({method})")
    extract(args.input, stream["index"], filters, duration, args.out / "audio.wav")
    audio = {"index": stream["index"], "language": stream["language"], "channels": stream["channels"],
             "channel_layout": stream["channel_layout"], "method": method}
    write_json_atomic(args.out / "media.json", {
        "duration": duration,
        "fps": round(fps, 3),
        "format": info["format"].get("format_name"),
        "streams": streams,
        "audio": audio,
    })
    usage = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    emit_info(audio_stream=stream["index"], audio_method=method, fps=round(fps, 3),
              peak_rss_mb=round(usage / 1024, 1))
    emit_progress(1.0, "audio extracted")


if __name__ == "__main__":
    run_stage(main)
