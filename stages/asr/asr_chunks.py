"""Turn VAD segments into ASR chunks: close segments merged, each chunk at most 30 s, with up to 1 s of context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_CHUNK_S = 30.0
MAX_GAP_S = 1.5
PAD_S = 1.0  # context around the speech: tiny.en decodes a chunk better with it (bench/names.py)


@dataclass(frozen=True)
class Chunk:
    """A span of audio to transcribe, in seconds."""

    start: float
    end: float


def parse_segments(data: Any) -> list[tuple[float, float]]:
    """(start, end) pairs from a VAD `segments.json` document; ValueError when malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise ValueError("has no 'segments' list")
    spans = []
    for seg in data["segments"]:
        start, end = (seg["start"], seg["end"]) if isinstance(seg, dict) else seg
        start, end = float(start), float(end)
        if end < start or start < 0:
            raise ValueError(f"has an invalid segment {start}-{end}")
        if end > start:
            spans.append((start, end))
    return sorted(spans)


def _split(start: float, end: float, limit: float) -> list[tuple[float, float]]:
    """Cut a span longer than `limit` into equal pieces no longer than it."""
    pieces = max(1, int((end - start) // limit) + (1 if (end - start) % limit else 0))
    step = (end - start) / pieces
    return [(start + i * step, start + (i + 1) * step) for i in range(pieces)]


def make_chunks(
    spans: list[tuple[float, float]],
    duration: float,
    *,
    max_chunk: float = MAX_CHUNK_S,
    max_gap: float = MAX_GAP_S,
    pad: float = PAD_S,
) -> list[Chunk]:
    """Merge spans closer than `max_gap` while the chunk stays within `max_chunk` (padding included)."""
    limit = max_chunk - 2 * pad
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        start, end = max(0.0, start), min(duration, end)
        if end <= start:
            continue
        if merged and start - merged[-1][1] <= max_gap and end - merged[-1][0] <= limit:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.extend(_split(start, end, limit))
    chunks = []
    for i, (start, end) in enumerate(merged):
        lo = max(0.0, start - pad, (merged[i - 1][1] + start) / 2 if i else 0.0)
        hi = min(duration, end + pad, (end + merged[i + 1][0]) / 2 if i + 1 < len(merged) else duration)
        chunks.append(Chunk(round(lo, 3), round(hi, 3)))
    return chunks


def snap(start: float, end: float, spans: list[tuple[float, float]]) -> tuple[float, float]:
    """Move word edges that fall in non-speech onto the nearest speech span edge inside the word."""
    if not any(s <= start <= e for s, e in spans):
        start = min((s for s, _ in spans if start < s < end), default=start)
    if not any(s <= end <= e for s, e in spans):
        end = max((e for _, e in spans if start < e < end), default=end)
    return start, end


# a segment of words this much or more outside the speech is invented: with the prompt, tiny.en decoded the
# last 0.4 s of a chunk's padding at temperature 1.0 into "is a great opportunity to be able to see the"
# (10 words in 26.8-27.2 s, speech ending at 26.89), a different sentence on every run
OUTSIDE_SHARE = 0.5


def outside_speech(start: float, end: float, spans: list[tuple[float, float]]) -> bool:
    """Whether [start, end] lies at least OUTSIDE_SHARE outside the speech spans (never for zero length)."""
    if end <= start:
        return False
    inside = sum(max(0.0, min(e, end) - max(s, start)) for s, e in spans)
    return inside <= (1 - OUTSIDE_SHARE) * (end - start)
