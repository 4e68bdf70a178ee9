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

from .lines import break_cost
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


@dataclass(frozen=True)
class _State:
    """A layout of the first words: when its last cue ends, what it costs, and how it got there."""

    end: int
    cost: float
    prev: _State | None = None
    cue: tuple[int, int, tuple[str, ...], int, float] | None = None  # (j, i, lines, start, relax)


class Planner:
    """Layouts of one stretch of words; line layouts are computed once and shared by every r tried.

    Each prefix keeps the layout whose last cue ends earliest (that alone decides whether a layout exists)
    and up to KEEP cheaper ones (fewer cues, better line breaks, fewer cues bent): the result is always
    a layout when one exists, and usually the best-looking one."""

    KEEP = 6
    CUE_COST, BREAK_WEIGHT, BEND_COST = 10.0, 2.0, 200.0

    def __init__(self, words: list[Word], limits: Limits, window: Window, layout: Layout) -> None:
        self.words, self.limits, self.window, self._layout = words, limits, window, layout
        self._lines: dict[tuple[int, int], tuple[list[str], float] | None] = {}

    def lines(self, j: int, i: int) -> tuple[list[str], float] | None:
        """The lines of words[j:i] as one cue and their cost; a lone word always gets a line."""
        if (j, i) not in self._lines:
            fitted = self._layout(self.words[j:i])
            if fitted is None and i - j == 1:
                fitted = ([self.words[j].text], 50.0)
            self._lines[(j, i)] = fitted
        return self._lines[(j, i)]

    def _need(self, chars: int, relax: float) -> int:
        lim = self.limits
        return math.ceil(max(lim.min_duration * 1000 / relax, chars * 1000 / (lim.max_cps * relax)))

    def _place(self, j: int, i: int, prev_end: int, need: int) -> tuple[int, int] | None:
        """(start, end) of a cue of words[j:i] shown for `need` ms after a cue ending at prev_end, or None."""
        lim, words = self.limits, self.words
        first, last_end = _ms(words[j].start), _ms(words[i - 1].end)
        ceil = self.window.ceil_ms if i == len(words) else None
        start = max(first - _ms(EARLY_S), prev_end + lim.gap_ms)
        stop = max(start + need, last_end - lim.gap_ms if ceil is None else min(last_end - lim.gap_ms, ceil))
        start = max(start, stop - _ms(lim.max_duration))
        if (start > first + lim.gap_ms or stop > last_end + _ms(EXTEND_MAX_S) or (ceil is not None and stop > ceil)
                or stop - start < need or stop <= start):
            return None
        return start, stop

    def _prune(self, states: list[_State]) -> list[_State]:
        states.sort(key=lambda st: (st.end, st.cost))
        front: list[_State] = []
        for st in states:
            if not front or st.cost < front[-1].cost:
                front.append(st)
        return front[:1] + sorted(front[1:], key=lambda st: st.cost)[: self.KEEP - 1]

    def plan(self, relax: float) -> list[Cue] | None:
        """A layout with reading speed and min duration bent by at most `relax` (1: none), or None."""
        lim, words, n = self.limits, self.words, len(self.words)
        max_ms, split = _ms(lim.max_duration), split_silence_ms(lim)
        states: list[list[_State]] = [[] for _ in range(n + 1)]
        states[0] = [_State(self.window.floor_ms - lim.gap_ms, 0.0)]
        for i in range(1, n + 1):
            last_end = _ms(words[i - 1].end)
            cut = self.BREAK_WEIGHT * break_cost(words[i - 1].text, words[i].text) if i < n else 0.0
            found: list[_State] = []
            for j in range(i - 1, -1, -1):
                first = _ms(words[j].start)
                if i - j > 1 and (last_end - first > max_ms + 2 * lim.gap_ms
                                  or _ms(words[j + 1].start) - _ms(words[j].end) > split):
                    break
                if not states[j] or (fitted := self.lines(j, i)) is None:
                    continue
                lines, shape = fitted
                chars = reading_chars(lines)
                for factor in {1.0, relax}:
                    need = self._need(chars, factor)
                    for prev in states[j]:
                        if (placed := self._place(j, i, prev.end, need)) is None:
                            continue
                        start, stop = placed
                        shown = stop - start
                        strain = max(chars * 1000 / shown / lim.max_cps, lim.min_duration * 1000 / shown)
                        cost = prev.cost + self.CUE_COST + shape + cut + self.BEND_COST * max(0.0, strain - 1.0)
                        found.append(_State(stop, cost, prev, (j, i, tuple(lines), start, factor)))
            states[i] = self._prune(found)
        if not states[n]:
            return None
        best = min(states[n], key=lambda st: st.cost)
        cues: list[Cue] = []
        factors: list[float] = []
        node: _State | None = best
        while node is not None and node.cue is not None:
            j, i, lines, start, factor = node.cue
            cues.append(Cue(words[j:i], list(lines), start, node.end, notes={"solved"}))
            factors.append(factor)
            node = node.prev
        cues.reverse()
        factors.reverse()
        self._natural_times(cues, factors)
        return cues

    def _natural_times(self, cues: list[Cue], factors: list[float]) -> None:
        """Move each cue of a found layout as close to its words as the layout allows: the found times
        (every cue as early as possible) prove the bounds below leave room for every later cue."""
        gap, max_ms = self.limits.gap_ms, _ms(self.limits.max_duration)
        needs = [self._need(reading_chars(c.lines), f) for c, f in zip(cues, factors, strict=True)]
        latest_start: list[int] = [0] * len(cues)
        latest_end: list[int] = [0] * len(cues)
        bound = self.window.ceil_ms
        for k in range(len(cues) - 1, -1, -1):
            cue = cues[k]
            limit = _ms(cue.words[-1].end + EXTEND_MAX_S)
            latest_end[k] = min(limit, bound) if bound is not None else limit
            latest_start[k] = min(_ms(cue.words[0].start) + gap, latest_end[k] - needs[k])
            bound = latest_start[k] - gap
        prev_end = self.window.floor_ms - gap
        for k, cue in enumerate(cues):
            first, last = _ms(cue.words[0].start), _ms(cue.words[-1].end)
            earliest = max(prev_end + gap, cue.start_ms)
            start = max(earliest, min(first, latest_start[k]))
            stop = min(latest_end[k], start + max_ms, max(start + needs[k], last))
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
