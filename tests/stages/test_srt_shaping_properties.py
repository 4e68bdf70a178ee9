"""srt_generation shaping over many random word timings (hypothesis): never a broken file, a bend only
where no layout within the rules exists for that speech, and then the least bend.

The oracle below is written apart from the builder: it tries every way to cut the words into cues and
places each cut's cues as early as the timing model allows (srtgen.solve's docstring: a cue starts at
most EARLY_S before its first word and 2 frames after it, never holds words across a silence longer
than EARLY_S + EXTEND_MAX_S + 2 frames, ends at most 2 frames before its last word
ends and EXTEND_MAX_S after it, 2 frames between cues, inside the movie).
"""

from __future__ import annotations

import math
import os
import sys
from datetime import timedelta
from itertools import combinations, pairwise
from pathlib import Path

import srt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

STAGE = Path(__file__).resolve().parents[2] / "stages" / "srt_generation"
sys.path[:0] = [str(STAGE), str(STAGE.parent / "common")]  # srtgen uses the stage library (reelstage_stage)

from srtgen.check import bends, hard_problems  # noqa: E402
from srtgen.model import Limits, Word  # noqa: E402
from srtgen.shape import build_cues  # noqa: E402
from srtgen.solve import EARLY_S, EXTEND_MAX_S  # noqa: E402

LIMITS = Limits()
# 300 random cases per property in the suite (~5 s); SHAPING_EXAMPLES=5000 for a longer search
SETTINGS = settings(max_examples=int(os.environ.get("SHAPING_EXAMPLES", "300")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
VOCAB = ["I", "go", "now", "yes.", "Captain", "Morrow,", "absolutely", "extraordinary", "the", "storm?",
         "Tessaly.", "we", "must", "leave", "tonight!", "incomprehensibly", "OK."]


def fits(words: list[Word], limits: Limits) -> bool:
    """The words fit one cue's lines: one speaker in at most max_lines greedy-filled lines, or two
    known speakers with one hyphenated line each."""
    runs: list[list[str]] = []
    speakers: list[str | None] = []
    for w in words:
        if speakers and speakers[-1] == w.speaker:
            runs[-1].append(w.text)
        else:
            runs.append([w.text])
            speakers.append(w.speaker)
    if len(runs) == 2:
        return None not in speakers and limits.max_lines >= 2 and all(
            len("- " + " ".join(r)) <= limits.max_chars for r in runs)
    if len(runs) > 2:
        return False
    lines, width = 1, -1
    for text in runs[0]:
        if width + 1 + len(text) <= limits.max_chars:
            width += 1 + len(text)
        elif len(text) <= limits.max_chars:
            lines, width = lines + 1, len(text)
        else:
            return len(runs[0]) == 1
    return lines <= limits.max_lines


def chars(words: list[Word]) -> int:
    speakers = list(dict.fromkeys(w.speaker for w in words))
    return len(" ".join(w.text for w in words)) + (4 if len(speakers) == 2 else 0)


def placeable(cuts: list[list[Word]], relax: float, media_end_ms: int | None, limits: Limits) -> bool:
    """Every cue of this cut placed as early as allowed meets the bent limits."""
    gap = math.ceil(2000 / limits.fps)
    prev_end = -gap
    for k, cue in enumerate(cuts):
        first, last = round(cue[0].start * 1000), round(cue[-1].end * 1000)
        need = max(limits.min_duration * 1000 / relax, chars(cue) * 1000 / (limits.max_cps * relax))
        start = max(first - round(EARLY_S * 1000), prev_end + gap)
        final = k == len(cuts) - 1 and media_end_ms is not None
        low_end = min(last - gap, media_end_ms) if final else last - gap
        end = max(start + math.ceil(need), low_end)
        start = max(start, end - round(limits.max_duration * 1000))
        if start > first + gap or end > last + round(EXTEND_MAX_S * 1000) or (final and end > media_end_ms):
            return False
        prev_end = end
    return True


def least_relax(words: list[Word], media_end_ms: int | None, limits: Limits = LIMITS) -> float:
    """The smallest bend factor for which some cut of the words into cues can be placed (inf: none)."""
    n = len(words)
    split = round((EARLY_S + EXTEND_MAX_S) * 1000) + math.ceil(2000 / limits.fps)
    cuts_all = []
    for k in range(n):
        for cut in combinations(range(1, n), k):
            bounds = (0, *cut, n)
            cues = [words[a:b] for a, b in pairwise(bounds)]
            if all(fits(c, limits) and c[-1].end - c[0].start <= limits.max_duration + 0.16
                   and not any(round(b.start * 1000) - round(a.end * 1000) > split for a, b in pairwise(c))
                   for c in cues):
                cuts_all.append(cues)

    def ok(relax: float) -> bool:
        return any(placeable(c, relax, media_end_ms, limits) for c in cuts_all)

    if ok(1.0):
        return 1.0
    lo, hi = 1.0, 2.0
    while not ok(hi):
        lo, hi = hi, hi * 2
        if hi > 64:
            return math.inf
    for _ in range(20):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def as_srt(words: list[Word], media_end_ms: int | None) -> list[srt.Subtitle]:
    cues = build_cues(words, LIMITS, media_end_ms)
    subs = [srt.Subtitle(k, timedelta(milliseconds=c.start_ms), timedelta(milliseconds=c.end_ms),
                         "\n".join(c.lines)) for k, c in enumerate(cues, 1)]
    return list(srt.parse(srt.compose(subs)))


@st.composite
def speech(draw: st.DrawFn, max_words: int = 7) -> tuple[list[Word], int | None]:
    """Plausible word timings: in order, not overlapping, fast or slow, one or two known speakers."""
    n = draw(st.integers(1, max_words))
    two = draw(st.booleans())
    at = draw(st.floats(0.0, 1.0))
    words = []
    for k in range(n):
        at += draw(st.sampled_from([0.0, 0.02, 0.05, 0.1, 0.3, 0.7, 1.2, 2.5])) if k else 0.0
        length = draw(st.floats(0.04, 0.7))
        speaker = draw(st.sampled_from(["A", "B"])) if two else "A"
        words.append(Word(round(at, 3), round(at + length, 3), draw(st.sampled_from(VOCAB)), speaker))
        at += length
    tail = draw(st.sampled_from([None, -0.1, 0.0, 0.2, 1.0, 3.0]))
    media_end = None if tail is None else max(round((words[-1].end + tail) * 1000), 1)
    return words, media_end


@st.composite
def garbage(draw: st.DrawFn) -> tuple[list[Word], int | None]:
    """Timings a recogniser may really give: zero-length, overlapping, out of order, past the movie's end."""
    n = draw(st.integers(1, 12))
    words = []
    for _ in range(n):
        start = draw(st.floats(0.0, 8.0))
        length = draw(st.sampled_from([0.0, 0.0, 0.01, 0.2, 0.6, 3.0, 9.0]))
        words.append(Word(round(start, 3), round(start + length, 3), draw(st.sampled_from(VOCAB)),
                          draw(st.sampled_from([None, "A", "B"]))))
    media_end = draw(st.sampled_from([None, 500, 3000, 20000]))
    return words, media_end


@SETTINGS
@given(garbage())
def test_no_hard_problem_ever(case: tuple[list[Word], int | None]) -> None:
    words, media_end = case
    subs = as_srt(words, media_end)
    assert subs and hard_problems(subs) == []
    assert " ".join(s.content.replace("\n", " ").replace("- ", "") for s in subs).split() == \
        [w.text for w in sorted(words, key=lambda w: (w.start, max(w.start, w.end)))]  # each word once, in order


@SETTINGS
@given(speech())
def test_a_bend_only_where_no_layout_meets_the_rules_and_then_the_least(case: tuple[list[Word], int | None]) -> None:
    words, media_end = case
    subs = as_srt(words, media_end)
    assert hard_problems(subs) == []
    found = bends(subs, LIMITS)
    least = least_relax(words, media_end)
    if least == 1.0:
        assert found == [], (least, found)
    worst = max((b["ratio"] for b in found if b["rule"] in ("cps", "min_duration")), default=1.0)
    assert worst <= least * 1.01 + 0.002, (worst, least, found)
