"""Speech a chunk's pass left without words: a one-word reply after a pause.

Decoding a whole chunk, tiny.en often leaves out a short reply that follows a question ("Are you ready?"
0.3 s "Yes."); decoded alone, the same stretch of audio comes out ("Are you ready? Yes.", p 0.85). The
VAD lists the pauses inside its segments; the speech between pauses (a `stretch`) that got no word at
all is decoded again on its own, with its VAD segment around it for context, and the words that fall in
the stretch are kept when the model is sure enough of them (`MIN_PROBABILITY`, chosen on the development
exchanges of tests/exchangeset.py).
"""

from __future__ import annotations

from typing import Any

MIN_STRETCH_S = 0.12  # shorter speech between pauses is a breath or a click, not a reply
MIN_PROBABILITY = 0.5  # mean word probability of what the lone decode heard in the stretch
OVERLAP_S = 0.03  # a word overlapping a stretch by this much covers it
CONTEXT_S = 0.2  # audio around the VAD segment given to the lone decode
NEAR_S = 1.5  # the chunk's words this close to a stretch: a reply heard there was heard, just timed off


def parse_pauses(data: Any) -> list[tuple[float, float]]:
    """(start, end) of the pauses inside speech of a VAD `segments.json` (absent in older runs: none)."""
    found = []
    for item in (data.get("pauses") or []) if isinstance(data, dict) else []:
        try:
            start, end = float(item["start"]), float(item["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if end > start >= 0:
            found.append((start, end))
    return sorted(found)


def stretches(spans: list[tuple[float, float]], pauses: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The speech between pauses: each VAD span cut at the pauses inside it."""
    out = []
    for start, end in spans:
        cuts = [(a, b) for a, b in pauses if start < a and b < end]
        edge = start
        for a, b in cuts:
            out.append((edge, a))
            edge = b
        out.append((edge, end))
    return [(a, b) for a, b in out if b - a >= MIN_STRETCH_S]


def wordless(spans: list[tuple[float, float]], pauses: list[tuple[float, float]], words: list[dict[str, Any]],
             lo: float, hi: float) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(stretch, its VAD span) for each stretch inside [lo, hi] that follows or precedes a pause and that
    no word of `words` (file times) overlaps. A span without pauses is left alone: a pass that heard
    nothing in a whole segment heard no speech there."""
    found = []
    for span in spans:
        if span[1] <= lo or span[0] >= hi:
            continue
        parts = stretches([span], pauses)
        if len(parts) < 2:
            continue
        for a, b in parts:
            if a < lo or b > hi:
                continue
            if not any(min(b, w["end"]) - max(a, w["start"]) >= OVERLAP_S for w in words):
                found.append(((a, b), span))
    return found


def _plain(word: str) -> str:
    return "".join(c for c in word.casefold() if c.isalnum())


def kept(heard: list[dict[str, Any]], stretch: tuple[float, float], words: list[dict[str, Any]]
         ) -> list[dict[str, Any]]:
    """The lone decode's words (file times) that fall in the stretch, if it is sure enough of them and the
    chunk's own `words` near the stretch do not already say them (a reply timed just outside it)."""
    a, b = stretch
    inside = [w for w in heard if a <= (w["start"] + w["end"]) / 2 <= b]
    if not inside or sum(w["probability"] for w in inside) / len(inside) < MIN_PROBABILITY:
        return []
    near = {_plain(w["word"]) for w in words if w["end"] >= a - NEAR_S and w["start"] <= b + NEAR_S}
    if all(_plain(w["word"]) in near for w in inside):
        return []
    return inside
