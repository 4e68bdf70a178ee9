"""The last passes over the line-by-line layout: the exact fallback for strained stretches of speech
(srtgen.solve) and the guard that keeps every file valid whatever the word times were."""

from __future__ import annotations

from .build import close_gap, layout
from .model import Cue, Limits, Word, strain
from .solve import Planner, Window, split_silence_ms

RESCUE_REACH = 8  # the exact fallback re-lays at most this many cues on each side of a strained one


def speaker_layout(limits: Limits):
    """`layout` for the exact fallback: never a hyphenated line for a speaker nobody identified."""
    def fit(words: list[Word]) -> tuple[list[str], float] | None:
        speakers = {w.speaker for w in words}
        return None if None in speakers and len(speakers) > 1 else layout(words, limits)
    return fit


def _free(before: Cue, after: Cue, limits: Limits) -> bool:
    """True when the silence between two cues' words is too long for their timing to interact."""
    return round(after.words[0].start * 1000) - round(before.words[-1].end * 1000) > split_silence_ms(limits)


def rescue(cues: list[Cue], limits: Limits, media_end_ms: int | None) -> list[Cue]:
    """Re-lay each stretch around a cue still over reading speed or under min duration with the exact
    planner: a layout within the rules when the speech allows one, else the least bend (kept in `least`)."""
    k = 0
    while k < len(cues):
        if strain(cues[k], limits) <= 1.0 + 1e-9:
            k += 1
            continue
        lo, hi = k, k
        while lo > 0 and k - lo < RESCUE_REACH and not _free(cues[lo - 1], cues[lo], limits):
            lo -= 1
        while hi + 1 < len(cues) and hi - k < RESCUE_REACH and not _free(cues[hi], cues[hi + 1], limits):
            hi += 1
        window = Window(cues[lo - 1].end_ms + limits.gap_ms if lo else 0,
                        cues[hi + 1].start_ms - limits.gap_ms if hi + 1 < len(cues) else media_end_ms)
        old = max(strain(c, limits) for c in cues[lo:hi + 1])
        found = Planner([w for c in cues[lo:hi + 1] for w in c.words], limits, window,
                        speaker_layout(limits)).least_bend()
        if found is not None and found[0] < old - 1e-6:
            least, new = found
            for cue in new:
                cue.least = least
            cues[lo:hi + 1] = new
            hi = lo + len(new) - 1
            for a in range(max(0, lo - 1), min(hi + 1, len(cues) - 1)):
                close_gap(cues[a], cues[a + 1].start_ms, limits)
        else:
            for cue in cues[lo:hi + 1]:
                cue.least = min(old, found[0]) if found else old
        k = hi + 1
    return cues


def _merge(a: Cue, b: Cue, limits: Limits) -> Cue:
    """One cue of two neighbours' words, their lines laid out as well as they fit (a bend if they do not)."""
    words = a.words + b.words
    fitted = layout(words, limits) if len({w.speaker for w in words}) == 1 or None not in a.speakers + b.speakers \
        else None
    return Cue(words, fitted[0] if fitted else [*a.lines, *b.lines], a.start_ms, max(a.end_ms, b.end_ms),
               notes=a.notes | b.notes | {"forced"}, least=max(a.least, b.least))


def make_sound(cues: list[Cue], limits: Limits, media_end_ms: int | None) -> list[Cue]:
    """The last guard of a valid file, whatever the word times were (zero-length, overlapping, past the
    movie's end): cues in order, none overlapping, each at least 1 ms long and inside the movie; cues that
    cannot all fit are merged (then the bend shows in quality.json). A no-op on sane timings."""
    end_ms = media_end_ms if media_end_ms and media_end_ms > 0 else None
    while True:
        prev_end = 0
        for cue in cues:
            cue.start_ms = max(cue.start_ms, prev_end, 0)
            cue.end_ms = max(cue.end_ms, cue.start_ms + 1)
            prev_end = cue.end_ms
        if end_ms is not None:
            bound = end_ms
            for cue in reversed(cues):
                cue.end_ms = min(cue.end_ms, bound)
                cue.start_ms = min(cue.start_ms, cue.end_ms - 1)
                bound = cue.start_ms
        bad = next((k for k, c in enumerate(cues) if c.start_ms < (cues[k - 1].end_ms if k else 0)
                    or c.end_ms <= c.start_ms), None)
        if bad is None or len(cues) == 1:
            if cues and cues[0].start_ms < 0:
                cues[0].start_ms = 0
            return cues
        a = max(0, bad - 1)
        cues[a:a + 2] = [_merge(cues[a], cues[a + 1], limits)]
