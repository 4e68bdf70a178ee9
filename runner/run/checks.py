"""Content checks for declared outputs, one per output kind (a registry: add a kind with @check)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import srt

CheckFn = Callable[[Path, dict[str, Any], "CheckContext"], str | None]
_CHECKS: dict[str, CheckFn] = {}


@dataclass(frozen=True)
class CheckContext:
    """Facts a check may compare against."""

    input_duration_s: float | None


def check(kind: str) -> Callable[[CheckFn], CheckFn]:
    """Register a content check for an output kind; it returns None when fine, else the problem."""

    def register(fn: CheckFn) -> CheckFn:
        _CHECKS[kind] = fn
        return fn

    return register


def verify_output(path: Path, kind: str, options: dict[str, Any], ctx: CheckContext) -> str | None:
    """Exists, non-empty, and the kind's content check."""
    if not path.is_file():
        return f"{path.name} is missing"
    if path.stat().st_size == 0:
        return f"{path.name} is empty"
    return _CHECKS[kind](path, options, ctx)


def probe(path: Path) -> dict | None:
    """ffprobe's JSON view of a media file, None if it is not media (or ffprobe is missing)."""
    if shutil.which("ffprobe") is None:
        return None
    proc = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return None
    try:
        return json.loads(proc.stdout)
    except ValueError:
        return None


def media_duration(path: Path) -> float | None:
    info = probe(path)
    try:
        return float(info["format"]["duration"]) if info else None
    except (KeyError, TypeError, ValueError):
        return None


def _duration_problem(info: dict, options: dict, ctx: CheckContext, name: str) -> str | None:
    if options.get("duration_of") != "input" or ctx.input_duration_s is None:
        return None
    try:
        got = float(info["format"]["duration"])
    except (KeyError, TypeError, ValueError):
        return f"{name}: ffprobe reports no duration"
    want = ctx.input_duration_s
    tolerance = max(0.5, 0.01 * want)
    if abs(got - want) > tolerance:
        return f"{name}: duration {got:.2f} s differs from the input's {want:.2f} s"
    return None


@check("any")
def _check_any(path: Path, options: dict, ctx: CheckContext) -> str | None:
    return None


@check("text")
def _check_text(path: Path, options: dict, ctx: CheckContext) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return f"{path.name} is not UTF-8 text"
    return None if text.strip() else f"{path.name} holds only blank text"


def _dotted(data: Any, key: str) -> tuple[bool, Any]:
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return False, None
        data = data[part]
    return True, data


@check("json")
def _check_json(path: Path, options: dict, ctx: CheckContext) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return f"{path.name} is not valid JSON ({exc})"
    for key in options.get("require", []):
        if not _dotted(data, key)[0]:
            return f"{path.name} lacks the key {key!r}"
    for key, want in (options.get("equals") or {}).items():
        present, got = _dotted(data, key)
        if not present or got != want:
            return f"{path.name}: {key} is {got!r}, expected {want!r}"
    return None


@check("wav")
def _check_wav(path: Path, options: dict, ctx: CheckContext) -> str | None:
    info = probe(path)
    if not info or not any(s.get("codec_type") == "audio" for s in info.get("streams", [])):
        return f"{path.name} is not readable audio"
    return _duration_problem(info, options, ctx, path.name)


@check("video")
def _check_video(path: Path, options: dict, ctx: CheckContext) -> str | None:
    info = probe(path)
    if not info:
        return f"{path.name} is not a readable media file"
    if options.get("subtitle_stream") and not any(s.get("codec_type") == "subtitle" for s in info.get("streams", [])):
        return f"{path.name} has no subtitle stream"
    return _duration_problem(info, options, ctx, path.name)


@check("srt")
def _check_srt(path: Path, options: dict, ctx: CheckContext) -> str | None:
    try:
        cues = list(srt.parse(path.read_text(encoding="utf-8")))
    except (srt.SRTParseError, UnicodeDecodeError, ValueError) as exc:
        return f"{path.name} is not valid SRT ({exc})"
    return None if cues else f"{path.name} has no cues"
