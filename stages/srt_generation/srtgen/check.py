"""An independent checker: counts rule violations in final SRT cues (it never trusts the builder)."""

from __future__ import annotations

from typing import Any

import srt

from .model import Limits, reading_chars

KINDS = ("line_length", "lines", "cps", "min_duration", "max_duration", "gap", "overlap")
TOLERANCE_S = 0.0005  # SRT times are whole milliseconds


def check(subtitles: list[srt.Subtitle], limits: Limits) -> dict[str, int]:
    """Violations of each kind over the cues in time order.

    gap: cues closer than 2 frames, or a gap of 12 frames or less left open although closing it would
    keep the earlier cue within the maximum duration. overlap: a cue starting before the previous ends.
    """
    counts = dict.fromkeys(KINDS, 0)
    subs = sorted(subtitles, key=lambda s: (s.start, s.end))
    for k, sub in enumerate(subs):
        lines = sub.content.split("\n")
        seconds = (sub.end - sub.start).total_seconds()
        counts["line_length"] += sum(len(line) > limits.max_chars for line in lines)
        counts["lines"] += len(lines) > limits.max_lines
        counts["cps"] += seconds <= 0 or reading_chars(lines) / seconds > limits.max_cps + 1e-9
        counts["min_duration"] += seconds < limits.min_duration - TOLERANCE_S
        counts["max_duration"] += seconds > limits.max_duration + TOLERANCE_S
        if k + 1 < len(subs):
            gap = (subs[k + 1].start - sub.end).total_seconds()
            if gap < 0:
                counts["overlap"] += 1
            else:
                too_close = gap < 2 / limits.fps - TOLERANCE_S
                closable = (limits.gap_ms / 1000 + TOLERANCE_S < gap <= 12 / limits.fps + TOLERANCE_S
                            and seconds + gap - limits.gap_ms / 1000 <= limits.max_duration + TOLERANCE_S)
                counts["gap"] += too_close or closable
    return counts


def quality(subtitles: list[srt.Subtitle], limits: Limits, extra: dict[str, Any]) -> dict[str, Any]:
    """quality.json: cue count, violations by kind, limits and statistics."""
    violations = check(subtitles, limits)
    durations = [(s.end - s.start).total_seconds() for s in subtitles]
    cps = [reading_chars(s.content.split("\n")) / d for s, d in zip(subtitles, durations, strict=False) if d > 0]
    return {
        "cues": len(subtitles),
        "violations": violations,
        "total_violations": sum(violations.values()),
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
