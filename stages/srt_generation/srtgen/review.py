"""review.json: the few spots of a movie an editor should look at, most important first.

A spot is one cue, with every reason to look at it: a rule it bends (always listed, beyond the cap),
a name post_ner corrected, a glossary name asr chose over other words it heard without the glossary, a word
the recogniser was unsure of, a reading speed near the limit.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from .model import Cue, Limits, reading_chars

# A word below this probability is "unsure". Chosen on the default flite test movie only (tests/moviegen.py
# DEFAULT_SCRIPT, tiny.en, no glossary): the best F1 at flagging its 11 misrecognised words over the grid
# 0.3…0.9 (0.7: 15 flagged, 10 wrong; 0.5: 9 flagged, 6 wrong). Not tuned on the fast-speech movies the
# numbers of review.json are reported on.
UNSURE_PROBABILITY = 0.7
NEAR_LIMIT = 0.9       # a cue read at ≥ 90 % of max_cps is "near the limit"
REVIEW_CAP = 20        # spots listed besides the bends (every bend is listed)


def _cue_at(cues: list[Cue], seconds: float) -> int | None:
    """Index of the cue showing `seconds` (or the last one that started before it)."""
    starts = [c.start_ms for c in cues]
    k = bisect_right(starts, round(seconds * 1000)) - 1
    return k if k >= 0 else (0 if cues else None)


def _reasons(cues: list[Cue], bends: list[dict[str, Any]], corrections: list[dict[str, Any]],
             limits: Limits) -> dict[int, list[dict[str, Any]]]:
    reasons: dict[int, list[dict[str, Any]]] = {}
    for bend in bends:
        over = f"{bend['value']:g} against {bend['limit']:g}"
        reasons.setdefault(bend["cue"] - 1, []).append(
            {"kind": "bend", "rule": bend["rule"], "detail": f"{bend['rule']} {over}",
             "score": 3.0 + min(bend["ratio"] - 1.0, 1.0)})
    for fix in corrections:
        if fix.get("start") is None or (k := _cue_at(cues, float(fix["start"]))) is None:
            continue
        score = float(fix.get("score") or 0.0)
        by_asr = fix.get("by") == "asr"  # a glossary name asr took over other words heard without the glossary
        reasons.setdefault(k, []).append(
            {"kind": "name_from_glossary" if by_asr else "name_corrected",
             "detail": f"{fix.get('to')!s} from the glossary; heard without it: {fix.get('from')!s}" if by_asr
                       else f"{fix.get('from')!s} → {fix.get('to')!s}",
             "score": 2.0 + (100.0 - score) / 100.0})
    for k, cue in enumerate(cues):
        for word in cue.words:
            if word.probability is not None and word.probability < UNSURE_PROBABILITY:
                reasons.setdefault(k, []).append(
                    {"kind": "unsure_word", "detail": f"{word.text} (probability {word.probability:.2f})",
                     "at": round(word.start, 3), "score": 1.0 + (UNSURE_PROBABILITY - word.probability)})
        seconds = (cue.end_ms - cue.start_ms) / 1000
        cps = reading_chars(cue.lines) / seconds if seconds > 0 else 0.0
        if NEAR_LIMIT * limits.max_cps <= cps <= limits.max_cps + 1e-9:
            reasons.setdefault(k, []).append(
                {"kind": "near_limit", "detail": f"{cps:.1f} characters per second (limit {limits.max_cps:g})",
                 "score": cps / limits.max_cps})
    return reasons


def review(cues: list[Cue], bends: list[dict[str, Any]], corrections: list[dict[str, Any]], limits: Limits,
           cap: int = REVIEW_CAP) -> dict[str, Any]:
    """The review list: spots ranked by score (a bend > a corrected name > an unsure word > near the
    limit; several reasons add a little), every bend kept, the others cut at `cap`."""
    spots = []
    for k, reasons in _reasons(cues, bends, corrections, limits).items():
        cue = cues[k]
        reasons.sort(key=lambda r: -r["score"])
        spots.append({"cue": k + 1, "start": round(cue.start_ms / 1000, 3), "end": round(cue.end_ms / 1000, 3),
                      "text": "\n".join(cue.lines), "reasons": [{**r, "score": round(r["score"], 3)} for r in reasons],
                      "score": round(reasons[0]["score"] + 0.1 * (len(reasons) - 1), 3)})
    spots.sort(key=lambda s: (-s["score"], s["start"]))
    kept = [s for s in spots if any(r["kind"] == "bend" for r in s["reasons"])]
    rest = [s for s in spots if s not in kept]
    kept += rest[:max(0, cap - len(kept))]
    kept.sort(key=lambda s: (-s["score"], s["start"]))
    counts: dict[str, int] = {}
    for spot in spots:
        for reason in spot["reasons"]:
            counts[reason["kind"]] = counts.get(reason["kind"], 0) + 1
    return {"spots": kept, "listed": len(kept), "candidates": len(spots), "left_out": len(spots) - len(kept),
            "reasons": counts, "cap": cap,
            "thresholds": {"unsure_probability": UNSURE_PROBABILITY, "near_limit_cps": NEAR_LIMIT * limits.max_cps}}
