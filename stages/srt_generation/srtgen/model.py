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

    @property
    def speakers(self) -> list[str | None]:
        """Speakers in order of their first word, without repeats."""
        return list(dict.fromkeys(w.speaker for w in self.words))


def reading_chars(lines: list[str]) -> int:
    """Characters a viewer reads, spaces included; a line break counts as one space."""
    return len(" ".join(lines))
