"""The stage output protocol (docs/contract.md §3), ffmpeg's -progress lines, and ETA estimates."""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.run.manifest import write_json_atomic


@dataclass(frozen=True)
class StageMessage:
    """One understood line of a stage's output."""

    kind: str  # progress | note | info | skip | error
    value: Any
    message: str = ""


def parse_line(line: str, duration_s: float | None) -> StageMessage | None:
    """A protocol message from one output line, or None for a plain log line."""
    text = line.strip()
    if text.startswith("{") and text.endswith("}"):
        try:
            obj = json.loads(text)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        if "progress" in obj:
            try:
                fraction = min(1.0, max(0.0, float(obj["progress"])))
            except (TypeError, ValueError):
                return None
            return StageMessage("progress", fraction, str(obj.get("message", "")))
        for kind in ("note", "skip", "error"):
            if kind in obj:
                return StageMessage(kind, " ".join(str(obj[kind]).split()))
        if isinstance(obj.get("info"), dict):
            return StageMessage("info", obj["info"])
        return None
    # ffmpeg -progress: key=value lines; out_time_us (and the misnamed out_time_ms) are microseconds.
    if duration_s and (text.startswith("out_time_us=") or text.startswith("out_time_ms=")):
        try:
            seconds = int(text.split("=", 1)[1]) / 1e6
        except ValueError:
            return None
        return StageMessage("progress", min(1.0, max(0.0, seconds / duration_s)), f"{seconds:.0f}/{duration_s:.0f} s")
    if text == "progress=end":
        return StageMessage("progress", 1.0, "done")
    return None


@dataclass
class EtaEstimator:
    """ETA from the stage's own progress rate, else from past seconds-per-media-second."""

    started: float = field(default_factory=time.monotonic)
    prior_s: float | None = None  # expected total duration from history
    _first: tuple[float, float] | None = None
    _last: tuple[float, float] | None = None

    def observe(self, fraction: float, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self._first is None:
            self._first = (now, fraction)
        self._last = (now, fraction)

    @property
    def fraction(self) -> float | None:
        return self._last[1] if self._last else None

    def elapsed(self, now: float | None = None) -> float:
        return (time.monotonic() if now is None else now) - self.started

    def eta_s(self, now: float | None = None) -> float | None:
        """Seconds left, or None when unknown."""
        now = time.monotonic() if now is None else now
        if self._first and self._last and self._last[1] > self._first[1]:
            (t0, f0), (t1, f1) = self._first, self._last
            rate = (f1 - f0) / max(t1 - t0, 1e-6)
            if self._last[1] >= 1.0:
                return 0.0
            return max(0.0, (1.0 - f1) / rate - (now - t1))
        if self._last and self._last[1] > 0:  # a single report: rate since the stage started
            f1, t1 = self._last[1], self._last[0]
            return max(0.0, (t1 - self.started) * (1 - f1) / f1 - (now - t1))
        if self.prior_s is not None:
            return max(0.0, self.prior_s - self.elapsed(now))
        return None


def history_path() -> Path:
    """Where past stage durations are kept (per user)."""
    base = os.environ.get("REELSTAGE_HISTORY") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "reelstage", "history.json"
    )
    return Path(base)


class History:
    """Past seconds of work per second of media, per stage (the last 20 runs)."""

    KEEP = 20

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or history_path()
        try:
            self.data: dict[str, list[float]] = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(self.data, dict):
                self.data = {}
        except (OSError, ValueError):
            self.data = {}

    def expected_s(self, stage: str, media_s: float | None) -> float | None:
        rates = self.data.get(stage)
        if not rates or not media_s:
            return None
        return statistics.median(rates) * media_s

    def record(self, stage: str, duration_s: float, media_s: float | None) -> None:
        if not media_s or media_s <= 0 or duration_s <= 0:
            return
        rates = [*self.data.get(stage, []), duration_s / media_s][-self.KEEP :]
        self.data[stage] = rates
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(self.path, self.data)
        except OSError:
            pass  # the history only improves ETAs; never fail a run for it


def format_duration(seconds: float | None) -> str:
    """`1h02m`, `3m05s`, `12s`, or `?`."""
    if seconds is None:
        return "?"
    seconds = round(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
