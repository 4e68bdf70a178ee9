"""The whole subtitle builder: words in time order → timed cues within the rules, or the least bend."""

from __future__ import annotations

from dataclasses import replace

from .build import pair_exchanges, repair, segment, split_groups
from .model import Cue, Limits, Word
from .rescue import make_sound, rescue


def build_cues(words: list[Word], limits: Limits, media_end_ms: int | None = None) -> list[Cue]:
    """The whole builder: groups → cues → exchanges → timing and repairs → exact fallback where still needed
    → the guard of a valid file."""
    words = sorted((replace(w, end=max(w.end, w.start)) for w in words), key=lambda w: (w.start, w.end))
    groups = split_groups(words)
    starts: list[float | None] = [g[0].start for g in groups[1:]] + [None]
    cues = [cue for group, after in zip(groups, starts, strict=True) for cue in segment(group, limits, after)]
    cues = pair_exchanges(cues, limits)
    return make_sound(rescue(repair(cues, limits, media_end_ms), limits, media_end_ms), limits, media_end_ms)
