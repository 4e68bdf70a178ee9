"""An independent checker of the final SRT cues (it never trusts the builder).

Two classes of finding. A hard problem makes the file broken (overlapping or out-of-order cues, a cue
that ends before it starts, empty text, numbering that is not 1, 2, 3…): the stage fails. A style bend
is a timed-text rule (line length, lines, reading speed, min/max duration, frame gaps) that a cue does
not meet: counted, each one listed with how far over it is, never a failure.
"""

from __future__ import annotations

from typing import Any

import srt

from .model import Limits, reading_chars

KINDS = ("line_length", "lines", "cps", "min_duration", "max_duration", "gap", "overlap")
STYLE = ("line_length", "lines", "cps", "min_duration", "max_duration", "gap")
HARD = ("overlap", "order", "duration", "empty", "numbering")
TOLERANCE_S = 0.0005  # SRT times are whole milliseconds


def _gap_problem(sub: srt.Subtitle, nxt: srt.Subtitle, limits: Limits) -> tuple[float, float] | None:
    """(gap in frames, the frames it should be) when two cues are too close, or a gap of 12 frames or
    less is left open although closing it keeps the earlier cue within the maximum duration."""
    gap = (nxt.start - sub.end).total_seconds()
    seconds = (sub.end - sub.start).total_seconds()
    if gap < 0:
        return None
    if gap < 2 / limits.fps - TOLERANCE_S:
        return gap * limits.fps, 2.0
    if (limits.gap_ms / 1000 + TOLERANCE_S < gap <= 12 / limits.fps + TOLERANCE_S
            and seconds + gap - limits.gap_ms / 1000 <= limits.max_duration + TOLERANCE_S):
        return gap * limits.fps, 2.0
    return None


def bends(subtitles: list[srt.Subtitle], limits: Limits) -> list[dict[str, Any]]:
    """Every style rule a cue does not meet: cue number, times, rule, value, limit and `ratio` (≥ 1: how
    many times over the limit, the measure of the bend)."""
    found: list[dict[str, Any]] = []

    def add(sub: srt.Subtitle, rule: str, value: float, limit: float, ratio: float) -> None:
        found.append({"cue": sub.index, "start": round(sub.start.total_seconds(), 3),
                      "end": round(sub.end.total_seconds(), 3), "rule": rule, "value": round(value, 3),
                      "limit": round(limit, 3), "ratio": round(ratio, 3)})

    for k, sub in enumerate(subtitles):
        lines = sub.content.split("\n")
        seconds = (sub.end - sub.start).total_seconds()
        if seconds <= 0:
            continue  # a hard problem, not a bend
        longest = max(len(line) for line in lines)
        if longest > limits.max_chars:
            add(sub, "line_length", longest, limits.max_chars, longest / limits.max_chars)
        if len(lines) > limits.max_lines:
            add(sub, "lines", len(lines), limits.max_lines, len(lines) / limits.max_lines)
        cps = reading_chars(lines) / seconds
        if cps > limits.max_cps + 1e-9:
            add(sub, "cps", cps, limits.max_cps, cps / limits.max_cps)
        if seconds < limits.min_duration - TOLERANCE_S:
            add(sub, "min_duration", seconds, limits.min_duration, limits.min_duration / seconds)
        if seconds > limits.max_duration + TOLERANCE_S:
            add(sub, "max_duration", seconds, limits.max_duration, seconds / limits.max_duration)
        if k + 1 < len(subtitles) and (gap := _gap_problem(sub, subtitles[k + 1], limits)):
            frames, want = gap
            add(sub, "gap", frames, want, max(want / max(frames, 1e-3), frames / want) if frames < want else 1.0)
    return found


def hard_problems(subtitles: list[srt.Subtitle]) -> list[dict[str, Any]]:
    """What makes the file broken: each with cue number, kind and a one-line description."""
    found: list[dict[str, Any]] = []
    for k, sub in enumerate(subtitles):
        if sub.index != k + 1:
            found.append({"cue": sub.index, "kind": "numbering", "problem": f"cue {k + 1} is numbered {sub.index}"})
        if sub.end <= sub.start:
            found.append({"cue": sub.index, "kind": "duration", "problem": f"ends at {sub.end} before it starts"})
        if not sub.content.strip():
            found.append({"cue": sub.index, "kind": "empty", "problem": "no text"})
        if k:
            prev = subtitles[k - 1]
            if sub.start < prev.start:
                found.append({"cue": sub.index, "kind": "order", "problem": "starts before the cue before it"})
            elif sub.start < prev.end:
                found.append({"cue": sub.index, "kind": "overlap", "problem": f"starts before cue {prev.index} ends"})
    return found


def check(subtitles: list[srt.Subtitle], limits: Limits) -> dict[str, int]:
    """Counts by kind over the cues in time order: the style rules, plus `overlap` (a hard problem)."""
    counts = dict.fromkeys(KINDS, 0)
    subs = sorted(subtitles, key=lambda s: (s.start, s.end))
    for bend in bends(subs, limits):
        counts[bend["rule"]] += 1
    counts["cps"] += sum((s.end - s.start).total_seconds() <= 0 for s in subs)
    counts["overlap"] += sum(subs[k + 1].start < subs[k].end for k in range(len(subs) - 1))
    return counts


def quality(subtitles: list[srt.Subtitle], limits: Limits, extra: dict[str, Any],
            least: list[float] | None = None) -> dict[str, Any]:
    """quality.json: cue count, hard problems (must be none), style bends with how far over, statistics.

    `least[k]`: the least strain any layout of cue k's stretch of speech has (see srtgen.solve), kept
    beside each bend as `unavoidable`.
    """
    problems = hard_problems(subtitles)
    found = bends(subtitles, limits)
    if least:
        for bend in found:
            if 0 < bend["cue"] <= len(least):
                bend["unavoidable"] = round(least[bend["cue"] - 1], 3)
    style = dict.fromkeys(STYLE, 0)
    for bend in found:
        style[bend["rule"]] += 1
    hard = dict.fromkeys(HARD, 0)
    for problem in problems:
        hard[problem["kind"]] += 1
    durations = [(s.end - s.start).total_seconds() for s in subtitles]
    cps = [reading_chars(s.content.split("\n")) / d for s, d in zip(subtitles, durations, strict=False) if d > 0]
    worst = max(found, key=lambda b: b["ratio"], default=None)
    return {
        "cues": len(subtitles),
        "hard_violations": len(problems),
        "hard": hard,
        "hard_problems": problems,
        "violations": style,
        "total_violations": sum(style.values()),
        "bent_cues": len({b["cue"] for b in found}),
        "worst_bend": worst,
        "bends": found,
        "limits": {"max_chars": limits.max_chars, "max_lines": limits.max_lines, "max_cps": limits.max_cps,
                   "min_duration": limits.min_duration, "max_duration": limits.max_duration,
                   "fps": limits.fps, "min_gap_frames": 2, "close_gap_frames": 12},
        "stats": {
            "mean_duration_s": round(sum(durations) / len(durations), 3) if durations else 0.0,
            "mean_cps": round(sum(cps) / len(cps), 2) if cps else 0.0,
            "max_cps": round(max(cps), 2) if cps else 0.0,
            "two_line_cues": sum(s.content.count("\n") > 0 for s in subtitles),
            "dialogue_cues": sum(s.content.startswith("- ") for s in subtitles),
            **extra,
        },
    }
