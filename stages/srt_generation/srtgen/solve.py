"""The exact fallback for a stretch of fast speech: a layout that meets every rule whenever the speech
allows one, else the layout that bends reading speed and minimum duration the least.

The model (also what "the speech allows" means in quality.json and review.json): a cue shows whole words
that fit its lines and never spans a silence longer than EARLY_S + EXTEND_MAX_S + 2 frames (a stretch on
either side of one is laid out on its own); it starts no earlier than EARLY_S before its first word and no
later than 2 frames after it, ends no earlier than 2 frames before its last word ends and no later than
EXTEND_MAX_S after it, keeps 2 frames from its neighbours and stays inside the stretch's window (the
movie's end included). A bend of factor r shows a cue at up to r × max_cps, or for as little as
min_duration / r: the least r for which a layout exists is how far the speech itself is over the rules.

Dynamic programming over word boundaries: for a fixed r, the layout of the first i words whose last cue
ends earliest is the best prefix for everything after it, so one pass decides feasibility exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .model import Cue, Limits, Word, reading_chars

EARLY_S = 0.5        # a cue may appear this long before its first word (only when it needs the time)
EXTEND_MAX_S = 1.5   # …and stay this long after its last word (BBC), only when it needs the time
MAX_RELAX = 64.0     # beyond this the words' own times are contradictory: keep the heuristic layout
RELAX_STEPS = 14     # bisection steps: r to within 1/1000 of its value

Layout = Callable[[list[Word]], "tuple[list[str], float] | None"]


@dataclass(frozen=True)
class Window:
    """The time a stretch's cues may use: first start ≥ floor_ms, last end ≤ ceil_ms (None: open)."""

    floor_ms: int = 0
    ceil_ms: int | None = None


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def split_silence_ms(limits: Limits) -> int:
    """A silence longer than this splits the speech into stretches whose layouts cannot interact."""
    return _ms(EARLY_S + EXTEND_MAX_S) + limits.gap_ms


class Planner:
    """Layouts of one stretch of words; line layouts are computed once and shared by every r tried."""

    def __init__(self, words: list[Word], limits: Limits, window: Window, layout: Layout) -> None:
        self.words, self.limits, self.window, self._layout = words, limits, window, layout
        self._lines: dict[tuple[int, int], list[str] | None] = {}

    def lines(self, j: int, i: int) -> list[str] | None:
        """The lines of words[j:i] as one cue; a lone word always gets a line (a bend if it is too long)."""
        if (j, i) not in self._lines:
            fitted = self._layout(self.words[j:i])
            if fitted is None and i - j == 1:
                fitted = ([self.words[j].text], 0.0)
            self._lines[(j, i)] = fitted[0] if fitted else None
        return self._lines[(j, i)]

    def plan(self, relax: float) -> list[Cue] | None:
        """A layout with reading speed and min duration bent by `relax` (1: none), or None if none exists."""
        lim, words, n = self.limits, self.words, len(self.words)
        gap, early, late = lim.gap_ms, _ms(EARLY_S), lim.gap_ms
        max_ms, extend, split = _ms(lim.max_duration), _ms(EXTEND_MAX_S), split_silence_ms(lim)
        end: list[float] = [math.inf] * (n + 1)
        end[0] = self.window.floor_ms - gap
        back: list[tuple[int, list[str], int] | None] = [None] * (n + 1)
        for i in range(1, n + 1):
            last_end = _ms(words[i - 1].end)
            ceil = self.window.ceil_ms if i == n else None
            for j in range(i - 1, -1, -1):
                first = _ms(words[j].start)
                if i - j > 1 and (last_end - first > max_ms + 2 * gap
                                  or _ms(words[j + 1].start) - _ms(words[j].end) > split):
                    break
                if end[j] == math.inf:
                    continue
                lines = self.lines(j, i)
                if lines is None:
                    continue
                need = max(lim.min_duration * 1000 / relax, reading_chars(lines) * 1000 / (lim.max_cps * relax))
                start = max(first - early, int(end[j]) + gap)
                stop = max(start + math.ceil(need), last_end - gap if ceil is None else min(last_end - gap, ceil))
                start = max(start, stop - max_ms)
                if start > first + late or stop > last_end + extend or (ceil is not None and stop > ceil):
                    continue
                if stop - start < need - 1e-6 or stop <= start:
                    continue
                if stop < end[i]:
                    end[i], back[i] = stop, (j, lines, start)
        if end[n] == math.inf:
            return None
        cues: list[Cue] = []
        i = n
        while i > 0:
            j, lines, start = back[i]  # type: ignore[misc]
            cues.append(Cue(words[j:i], lines, start, int(end[i]), notes={"solved"}))
            i = j
        cues.reverse()
        self._natural_times(cues, relax)
        return cues

    def _need_ms(self, cue: Cue, relax: float) -> int:
        lim = self.limits
        return math.ceil(max(lim.min_duration * 1000 / relax, reading_chars(cue.lines) * 1000 / (lim.max_cps * relax)))

    def _natural_times(self, cues: list[Cue], relax: float) -> None:
        """Move each cue of a found layout as close to its words as the layout allows: the found times
        (every cue as early as possible) prove the bounds below leave room for every later cue."""
        gap, max_ms = self.limits.gap_ms, _ms(self.limits.max_duration)
        latest_start: list[int] = [0] * len(cues)
        latest_end: list[int] = [0] * len(cues)
        bound = self.window.ceil_ms
        for k in range(len(cues) - 1, -1, -1):
            cue = cues[k]
            limit = _ms(cue.words[-1].end + EXTEND_MAX_S)
            latest_end[k] = min(limit, bound) if bound is not None else limit
            latest_start[k] = min(_ms(cue.words[0].start) + gap, latest_end[k] - self._need_ms(cue, relax))
            bound = latest_start[k] - gap
        prev_end = self.window.floor_ms - gap
        for k, cue in enumerate(cues):
            first, last = _ms(cue.words[0].start), _ms(cue.words[-1].end)
            earliest = max(prev_end + gap, cue.start_ms)
            start = max(earliest, min(first, latest_start[k]))
            stop = min(latest_end[k], start + max_ms, max(start + self._need_ms(cue, relax), last))
            cue.start_ms, cue.end_ms = start, stop
            prev_end = stop

    def least_bend(self) -> tuple[float, list[Cue]] | None:
        """The smallest r ≥ 1 for which a layout exists, with that layout; None if even MAX_RELAX fails."""
        best = self.plan(1.0)
        if best is not None:
            return 1.0, best
        lo, hi = 1.0, 2.0
        while (found := self.plan(hi)) is None:
            lo, hi = hi, hi * 2
            if hi > MAX_RELAX:
                return None
        best = found
        for _ in range(RELAX_STEPS):
            mid = (lo + hi) / 2
            if (trial := self.plan(mid)) is None:
                lo = mid
            else:
                hi, best = mid, trial
        return hi, best
