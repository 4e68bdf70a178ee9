"""Words → cues, line by line: speakers, segmentation, two-speaker cues, timing and repair merges."""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import replace
from typing import Any

from .lines import break_cost, break_lines, dialogue_lines, ends_sentence
from .model import Cue, Limits, Word, reading_chars
from .solve import EARLY_S, EXTEND_MAX_S

PAUSE_BREAK_S = 1.0       # a silence this long always ends a cue
EXTEND_S = 0.5            # a cue may end this long after its last word (up to EXTEND_MAX_S when it needs it)
EXCHANGE_GAP_S = 1.0      # two speakers share a cue only when their lines are this close


def words_from_transcript(transcript: dict[str, Any]) -> tuple[list[Word], int]:
    """All words in time order, and how many segments had no word times (spread evenly by characters)."""
    words: list[Word] = []
    estimated = 0
    for seg in transcript.get("segments") or []:
        speaker = seg.get("speaker")
        seg_words = [w for w in seg.get("words") or [] if str(w.get("word", "")).strip()]
        if seg_words:
            for w in seg_words:
                text = str(w["word"]).strip()
                if words and not any(ch.isalnum() for ch in text):  # lone punctuation joins its word
                    words[-1].text += text
                    words[-1].end = max(words[-1].end, float(w["end"]))
                    continue
                probability = w.get("probability")
                words.append(Word(float(w["start"]), float(w["end"]), text, speaker,
                                  float(probability) if isinstance(probability, int | float) else None))
            continue
        tokens = str(seg.get("text", "")).split()
        if not tokens:
            continue
        estimated += 1
        start, end = float(seg["start"]), float(seg["end"])
        per_char = (end - start) / sum(len(t) + 1 for t in tokens)
        at = start
        for token in tokens:
            words.append(Word(at, at + len(token) * per_char, token, speaker))
            at += (len(token) + 1) * per_char
    words.sort(key=lambda w: w.start)
    return words, estimated


def assign_speakers(words: list[Word], turns: list[dict[str, Any]], reach_s: float = 1.0) -> None:
    """Each word's speaker is the diarization turn that overlaps it most (else the nearest within reach)."""
    turns = sorted((t for t in turns if t.get("speaker") is not None), key=lambda t: float(t["start"]))
    if not turns:
        return
    starts = [float(t["start"]) for t in turns]
    longest = max(float(t["end"]) - float(t["start"]) for t in turns)
    for word in words:
        best, best_score = None, -math.inf
        hi = bisect_right(starts, word.end + reach_s)
        for k in range(hi - 1, -1, -1):
            t_start, t_end = float(turns[k]["start"]), float(turns[k]["end"])
            if t_start < word.start - longest - reach_s:
                break
            overlap = min(word.end, t_end) - max(word.start, t_start)
            if overlap > best_score:
                best, best_score = turns[k]["speaker"], overlap
        if best is not None and best_score > -reach_s:
            word.speaker = str(best)


def split_groups(words: list[Word]) -> list[list[Word]]:
    """Runs of words the first cut keeps apart: a run ends at a sentence end, a speaker change or a pause."""
    groups: list[list[Word]] = []
    for word in words:
        prev = groups[-1][-1] if groups else None
        if (prev is None or ends_sentence(prev.text) or word.start - prev.end >= PAUSE_BREAK_S
                or (prev.speaker != word.speaker and None not in (prev.speaker, word.speaker))):
            groups.append([word])
        else:
            groups[-1].append(word)
    return groups


def layout(words: list[Word], limits: Limits) -> tuple[list[str], float] | None:
    """Lines for a cue's words (hyphenated dialogue for two speakers) and their cost; None if none fits."""
    runs: list[list[Word]] = []
    for word in words:
        if runs and runs[-1][-1].speaker == word.speaker:
            runs[-1].append(word)
        else:
            runs.append([word])
    if len(runs) == 1:
        return break_lines([w.text for w in words], limits.max_chars, limits.max_lines)
    lines = dialogue_lines([[w.text for w in run] for run in runs], limits.max_chars, limits.max_lines)
    return (lines, 0.0) if lines else None


def _cps_penalty(chars: int, seconds: float, limits: Limits) -> float:
    seconds = max(seconds, 0.001)
    return 20 * max(0.0, chars / seconds - limits.max_cps) + 20 * max(0.0, limits.min_duration - seconds)


def segment(group: list[Word], limits: Limits, next_start: float | None = None) -> list[Cue]:
    """Split a group into cues by dynamic programming over natural break points, fit and reading speed;
    `next_start` (the next group's first word) bounds the time the last cue can stay up."""
    n = len(group)
    tail_end = group[-1].end + EXTEND_S
    if next_start is not None:
        tail_end = min(tail_end, next_start - limits.gap_ms / 1000)
    best: list[float] = [0.0] + [math.inf] * n
    choice: list[tuple[int, list[str]]] = [(0, [])] * (n + 1)
    for j in range(1, n + 1):
        room_end = group[j].start if j < n else tail_end
        for i in range(j - 1, -1, -1):
            span = group[j - 1].end - group[i].start
            fitted = layout(group[i:j], limits)
            if j - i > 1 and (span > limits.max_duration or fitted is None):
                break
            lines, cost = fitted or ([" ".join(w.text for w in group[i:j])], 100.0)
            cost += 10 + _cps_penalty(reading_chars(lines), room_end - group[i].start, limits)
            if j < n:
                cost += 2 * break_cost(group[j - 1].text, group[j].text)
            if best[i] + cost < best[j]:
                best[j], choice[j] = best[i] + cost, (i, lines)
    cues: list[Cue] = []
    j = n
    while j > 0:
        i, lines = choice[j]
        cues.append(Cue(group[i:j], lines))
        j = i
    return cues[::-1]


def _needs_help(cue: Cue, next_start: float | None, limits: Limits) -> bool:
    first, last = cue.words[0].start, cue.words[-1].end
    room = min(last + EXTEND_S, next_start if next_start is not None else math.inf) - first
    return _cps_penalty(reading_chars(cue.lines), room, limits) > 0


def pair_exchanges(cues: list[Cue], limits: Limits) -> list[Cue]:
    """Join a short line and the other speaker's answer into one hyphenated cue when one alone is too short."""
    result: list[Cue] = []
    k = 0
    while k < len(cues):
        cue = cues[k]
        if k + 1 < len(cues):
            nxt = cues[k + 1]
            after = cues[k + 2].words[0].start if k + 2 < len(cues) else None
            joined = cue.words + nxt.words
            fitted = layout(joined, limits)
            if (len(cue.speakers) == 1 and len(nxt.speakers) == 1 and cue.speakers != nxt.speakers
                    and None not in cue.speakers + nxt.speakers and fitted is not None
                    and nxt.words[0].start - cue.words[-1].end <= EXCHANGE_GAP_S
                    and joined[-1].end - joined[0].start <= limits.max_duration
                    and (_needs_help(cue, nxt.words[0].start, limits) or _needs_help(nxt, after, limits))):
                result.append(Cue(joined, fitted[0], notes={"exchange"}))
                k += 2
                continue
        result.append(cue)
        k += 1
    return result


def _needed_ms(cue: Cue, limits: Limits) -> int:
    """The shortest duration that meets min duration and reading speed."""
    return max(round(limits.min_duration * 1000), math.ceil(reading_chars(cue.lines) * 1000 / limits.max_cps))


def close_gap(cue: Cue, next_start: int, limits: Limits) -> None:
    """A gap of 12 frames or less before the next cue closes down to 2 frames (within max duration)."""
    if limits.gap_ms < next_start - cue.end_ms <= limits.close_ms \
            and next_start - limits.gap_ms - cue.start_ms <= limits.max_duration * 1000:
        cue.end_ms = next_start - limits.gap_ms


def time_cues(cues: list[Cue], limits: Limits, media_end_ms: int | None) -> None:
    """Set times: start on the first word; end extended for min duration and reading speed when room
    allows; 2 frames between cues; gaps of 12 frames or less closed to 2 frames. A cue still too short
    appears up to EARLY_S before its first word when the previous cue leaves room."""
    for cue in cues:
        cue.start_ms = round(cue.words[0].start * 1000)
    for k, cue in enumerate(cues):
        next_start = cues[k + 1].start_ms if k + 1 < len(cues) else None
        limit = next_start - limits.gap_ms if next_start is not None else media_end_ms
        last_ms = round(cue.words[-1].end * 1000)
        ceiling = min(last_ms + round(EXTEND_MAX_S * 1000), cue.start_ms + round(limits.max_duration * 1000))
        if limit is not None:
            ceiling = min(ceiling, limit)
        cue.end_ms = max(min(max(last_ms, cue.start_ms + _needed_ms(cue, limits)), ceiling), cue.start_ms + 1)
        if next_start is not None:
            close_gap(cue, next_start, limits)
    for k, cue in enumerate(cues):
        short = _needed_ms(cue, limits) - (cue.end_ms - cue.start_ms)
        if short <= 0:
            continue
        floor = cues[k - 1].end_ms + limits.gap_ms if k else 0
        earliest = max(floor, cue.start_ms - round(EARLY_S * 1000),
                       cue.end_ms - round(limits.max_duration * 1000))
        if earliest < cue.start_ms:
            cue.start_ms = max(earliest, cue.start_ms - short)
            if k:
                close_gap(cues[k - 1], cue.start_ms, limits)


def badness(cue: Cue, limits: Limits) -> float:
    """How far a timed cue is from meeting reading speed and min duration (0 when it meets both)."""
    return _cps_penalty(reading_chars(cue.lines), (cue.end_ms - cue.start_ms) / 1000, limits)


def _rejoined(a: Cue, b: Cue, after: float | None, limits: Limits) -> list[Cue]:
    """Alternatives for two neighbours: one merged cue, or the same words split at another point."""
    words = a.words + b.words
    options = []
    if None in a.speakers + b.speakers and a.speakers != b.speakers:
        return options  # never hyphenate a line whose speaker is unknown
    if words[-1].end - words[0].start <= limits.max_duration and (fitted := layout(words, limits)):
        options.append([Cue(words, fitted[0], notes=a.notes | b.notes | {"merged"})])
    if len(a.speakers) == 1 and a.speakers == b.speakers:
        split = segment(words, limits, after)
        if [len(c.words) for c in split] != [len(a.words), len(b.words)]:
            options.append(split)
    return options


def repair(cues: list[Cue], limits: Limits, media_end_ms: int | None) -> list[Cue]:
    """Merge a cue that is still too short or too fast with a neighbour, or move the split between them,
    when that makes things better."""
    time_cues(cues, limits, media_end_ms)
    budget = 4 * len(cues)  # every change lowers badness; the budget only guards against a cycle
    k = 0
    while k < len(cues) and budget > 0:
        if badness(cues[k], limits) == 0:
            k += 1
            continue
        options = []
        for a in (k - 1, k):
            if a < 0 or a + 1 >= len(cues):
                continue
            lo, hi = max(0, a - 1), min(len(cues), a + 3)
            lead, tail = int(lo > 0), int(hi < len(cues))  # neighbours that bound the window's timing
            after = cues[a + 2].words[0].start if a + 2 < len(cues) else None
            before = sum(badness(c, limits) for c in cues[lo:hi])
            for new in _rejoined(cues[a], cues[a + 1], after, limits):
                trial = [replace(c) for c in [*cues[lo - lead:a], *new, *cues[a + 2:hi + tail]]]
                time_cues(trial, limits, media_end_ms)
                after_bad = sum(badness(c, limits) for c in trial[lead:len(trial) - tail])
                if after_bad < before:
                    options.append((after_bad, a, new))
        if not options:
            k += 1
            continue
        _, a, new = min(options, key=lambda o: o[0])
        cues[a:a + 2] = new
        budget -= 1
        time_cues(cues, limits, media_end_ms)
        k = max(0, a - 1)
    return cues
