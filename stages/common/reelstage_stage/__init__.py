"""Helpers shared by every Reelstage stage program (see docs/contract.md, section 3).

A stage is `run_stage(main)` where `main(argv) -> None` raises `BadInput` (exit 2),
`StageError` (exit 1) or calls `skip(reason)`. Messages on stdout are JSON lines the runner
parses into progress, notes, info and errors.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

__all__ = [
    "AUDIO_RATE",
    "BadInput",
    "ProgressThrottle",
    "Skipped",
    "StageError",
    "check_demuxed_wav",
    "emit_error",
    "emit_info",
    "emit_note",
    "emit_progress",
    "run_stage",
    "skip",
    "write_json_atomic",
    "write_text_atomic",
]


AUDIO_RATE = 16000  # what demux writes and the audio stages read: 16 kHz mono 16-bit PCM


class BadInput(Exception):
    """The input cannot be processed; the message says what the user should do (exit 2)."""


class StageError(Exception):
    """The stage failed for a reason that is not the user's input (exit 1)."""


class Skipped(Exception):
    """The stage has nothing to do; recorded as skipped by the runner (exit 0)."""


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def emit_progress(fraction: float, message: str = "") -> None:
    """Report progress in [0, 1]."""
    fraction = min(1.0, max(0.0, float(fraction)))
    obj: dict[str, Any] = {"progress": round(fraction, 4)}
    if message:
        obj["message"] = message
    _emit(obj)


def emit_note(note: str) -> None:
    """Append a note to this stage's manifest entry."""
    _emit({"note": note})


def emit_info(**info: Any) -> None:
    """Merge key/values into this stage's `info` in the manifest."""
    _emit({"info": info})


def emit_error(message: str) -> None:
    """Report the one-line error (the runner shows it and records it)."""
    _emit({"error": " ".join(str(message).split())})


def skip(reason: str) -> NoReturn:
    """Stop here, recorded as skipped with `reason` as a note."""
    raise Skipped(reason)


class ProgressThrottle:
    """Emit progress at most every `interval` seconds (and always the last call with 1.0)."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._last = 0.0

    def __call__(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last >= self.interval:
            self._last = now
            emit_progress(fraction, message)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write text to a temp file beside `path`, fsync, and rename over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> Path:
    """Write JSON (UTF-8, indented) atomically."""
    return write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def check_demuxed_wav(path: Path) -> int:
    """The number of samples of a demuxed WAV (16 kHz mono 16-bit), or BadInput saying what is expected."""
    import wave

    try:
        with wave.open(str(path), "rb") as wav:
            shape = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth())
            n_samples = wav.getnframes()
    except FileNotFoundError:
        raise BadInput(f"audio file not found: {path}: run the demux stage first") from None
    except (wave.Error, EOFError) as exc:
        raise BadInput(f"{path} is not a PCM WAV file ({exc}): give the demux stage's audio.wav") from None
    if shape != (AUDIO_RATE, 1, 2):
        raise BadInput(
            f"{path} is {shape[0]} Hz, {shape[1]} channel(s), {8 * shape[2]}-bit: "
            "give 16 kHz mono 16-bit WAV (as the demux stage writes)"
        )
    return n_samples


def run_stage(main: Callable[[list[str]], None], argv: list[str] | None = None) -> NoReturn:
    """Run `main(argv)` and exit with the contract's codes: 0 ok/skip, 2 bad input, 1 failure."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = sys.argv[1:] if argv is None else argv
    try:
        main(args)
    except Skipped as exc:
        _emit({"skip": str(exc)})
        sys.exit(0)
    except BadInput as exc:
        emit_error(str(exc))
        sys.exit(2)
    except StageError as exc:
        emit_error(str(exc))
        sys.exit(1)
    except KeyboardInterrupt:
        emit_error("interrupted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # a bug: keep the traceback in the log, one line for the user
        import traceback

        traceback.print_exc(file=sys.stderr)
        emit_error(f"{type(exc).__name__}: {exc}")
        sys.exit(1)
    sys.exit(0)
