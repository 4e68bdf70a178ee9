"""asr_gaps: which speech between pauses a chunk's pass left without words, and what a lone decode may add."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "stages" / "asr"), str(ROOT / "stages" / "common")]

from asr_chunks import Chunk  # noqa: E402
from asr_gaps import kept, parse_pauses, stretches, wordless  # noqa: E402
from asr_hints import Hints  # noqa: E402
from asr_whisper import chunk_segments  # noqa: E402


def word(start: float, end: float, text: str, p: float = 0.9) -> dict:
    return {"start": start, "end": end, "word": text, "probability": p}


QUESTION = [word(7.34, 7.46, "Are"), word(7.46, 7.54, "you"), word(7.54, 7.70, "ready?")]
SPANS, PAUSES = [(7.16, 8.52)], [(7.744, 7.904)]


def test_pauses_parse_and_older_documents_have_none():
    doc = {"segments": [], "pauses": [{"start": 1.0, "end": 1.2}, {"start": 3, "end": 2}]}
    assert parse_pauses(doc) == [(1.0, 1.2)]
    assert parse_pauses({"segments": []}) == [] and parse_pauses([]) == []


def test_a_span_is_cut_at_its_pauses_and_breaths_are_not_stretches():
    assert stretches(SPANS, PAUSES) == [(7.16, 7.744), (7.904, 8.52)]
    assert stretches([(0.0, 1.0)], [(0.5, 0.95)]) == [(0.0, 0.5)]  # 0.05 s after the pause: a breath


def test_the_reply_after_the_question_is_the_wordless_stretch():
    assert wordless(SPANS, PAUSES, QUESTION, 0.0, 30.0) == [((7.904, 8.52), (7.16, 8.52))]
    assert wordless(SPANS, PAUSES, [*QUESTION, word(7.98, 8.24, "Yes.")], 0.0, 30.0) == []
    assert wordless(SPANS, [], [], 0.0, 30.0) == []  # a whole segment without words: no speech heard there


def test_a_lone_word_is_kept_only_when_sure_and_not_heard_nearby():
    stretch = (7.904, 8.52)
    assert kept([word(7.98, 8.24, "Yes.", 0.85)], stretch, QUESTION) == [word(7.98, 8.24, "Yes.", 0.85)]
    assert kept([word(7.98, 8.24, "No.", 0.11)], stretch, QUESTION) == []  # unsure
    assert kept([word(7.40, 7.60, "ready", 0.9)], stretch, QUESTION) == []  # outside the stretch
    heard_late = [*QUESTION, word(8.61, 8.70, "Yes")]  # the chunk heard it, timed just after the stretch
    assert kept([word(7.98, 8.24, "Yes.", 0.85)], stretch, heard_late) == []


def test_chunk_segments_add_the_reply_as_its_own_sentence():
    as_decoded = [dict(w, start=w["start"] - 6.0, end=w["end"] - 6.0, word=" " + w["word"]) for w in QUESTION]
    raw = {"language": "en", "segments": [{"words": as_decoded}],
           "lone": [{"stretch": [7.904, 8.52], "words": [word(7.98, 8.24, "Yes.", 0.85)]}]}
    segments = chunk_segments(raw, Chunk(6.0, 9.5), SPANS, Hints())
    assert [s["text"] for s in segments] == ["Are you ready?", "Yes."]
