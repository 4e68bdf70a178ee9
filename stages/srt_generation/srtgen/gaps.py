"""Subtitle languages that could not be delivered: a note for the manifest and a spot at the top of
review.json, while every other track is still written."""

from __future__ import annotations

from typing import Any

GAP_SCORE = 10.0  # above any cue's spot: a missing track is the first thing an editor should see


class TrackMissing(Exception):
    """One subtitle language could not be made; `reason` is a review kind (e.g. translation_empty)."""

    def __init__(self, lang: str, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.lang, self.reason, self.detail = lang, reason, detail

    def note(self) -> str:
        return f"no {self.lang} subtitles: {self.detail}; the other tracks are delivered"

    def spot(self) -> dict[str, Any]:
        """A review.json spot for the whole track (no cue, no time)."""
        return {"language": self.lang, "start": 0.0, "end": 0.0, "text": f"({self.lang} track left out)",
                "reasons": [{"kind": self.reason, "detail": self.detail, "score": GAP_SCORE}],
                "score": GAP_SCORE}


def with_gaps(spots: dict[str, Any], gaps: list[TrackMissing]) -> dict[str, Any]:
    """review.json with a spot per missing track first, counted in `listed` and `reasons`."""
    if not gaps:
        return spots
    reasons = dict(spots.get("reasons") or {})
    for gap in gaps:
        reasons[gap.reason] = reasons.get(gap.reason, 0) + 1
    return {**spots, "spots": [g.spot() for g in gaps] + list(spots["spots"]),
            "listed": spots["listed"] + len(gaps), "reasons": reasons,
            "missing_tracks": [{"language": g.lang, "reason": g.reason, "detail": g.detail} for g in gaps]}
