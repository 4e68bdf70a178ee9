"""Plain data shared by the builder and the checker."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Word:
    """One recognised word; times in seconds."""

    start: float
    end: float
    text: str
    speaker: str | None = None
    probability: float | None = None  # the recogniser's confidence, when it gave one


@dataclass(frozen=True)
class Limits:
    """The subtitle rules; `fps` sets the frame-based gaps."""

    max_chars: int = 42
    max_lines: int = 2
    max_cps: float = 20.0
    min_duration: float = 0.833
    max_duration: float = 7.0
    fps: float = 25.0

    @property
    def gap_ms(self) -> int:
        """The minimum gap between cues: 2 frames, rounded up to whole milliseconds."""
        return math.ceil(2000 / self.fps)

    @property
    def close_ms(self) -> int:
        """Gaps up to 12 frames are closed down to `gap_ms`."""
        return math.floor(12000 / self.fps)


@dataclass
class Cue:
    """A subtitle: its words, its laid-out lines and (once timed) its times in milliseconds."""

    words: list[Word]
    lines: list[str]
    start_ms: int = 0
    end_ms: int = 0
    notes: set[str] = field(default_factory=set)
    least: float = 1.0  # the least strain any layout of the cue's stretch of speech has (1: within the rules)

    @property
    def speakers(self) -> list[str | None]:
        """Speakers in order of their first word, without repeats."""
        return list(dict.fromkeys(w.speaker for w in self.words))


def reading_chars(lines: list[str]) -> int:
    """Characters a viewer reads, spaces included; a line break counts as one space."""
    return len(" ".join(lines))


def strain(cue: Cue, limits: Limits) -> float:
    """How many times over the rules a timed cue is: reading speed over max_cps, or duration under
    min_duration, whichever is worse; 1.0 when it meets both."""
    seconds = max((cue.end_ms - cue.start_ms) / 1000, 0.001)
    return max(1.0, reading_chars(cue.lines) / seconds / limits.max_cps, limits.min_duration / seconds)
