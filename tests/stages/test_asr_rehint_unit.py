"""A hinted pass that went off the speech is decoded again from there (asr_rehint, asr_whisper.mend_derails).

Pure logic: the model is a stand-in that answers each decode with words at times it is given, so what is
decoded again, from where, and how it is spliced in can be checked exactly. The real decode of the clip this
was built for runs through the asr container in tests/stages/test_names.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "stages" / "asr"), str(ROOT / "stages" / "common")]

from asr_rehint import MAX_REDECODES, REWIND_S, derail_point, splice  # noqa: E402
from asr_whisper import SAMPLE_RATE, mend_derails  # noqa: E402


def segment(*timed: tuple[str, float, float]) -> dict[str, Any]:
    return {"words": [{"word": f" {w}", "start": a, "end": b, "probability": 0.9} for w, a, b in timed]}


DERAILED = [segment(("Who", 0.5, 0.7), ("took", 0.7, 0.9), ("it?", 0.9, 1.2)),
            segment(("Zabelle,", 1.5, 2.0), ("Zabelle", 2.0, 9.5))]


def test_a_word_stretched_over_the_speech_is_where_the_pass_went_off() -> None:
    assert derail_point(DERAILED) == 2.0
    assert derail_point([segment(("Who", 0.5, 0.7), ("long", 1.0, 3.0))]) is None  # 2.0 s: a slow word
    assert derail_point([]) is None


JUMPED = [segment(("Frank,", 1.0, 1.4), ("the", 1.4, 1.6), ("right", 1.6, 1.9), ("man's", 1.9, 2.5)),
          segment(("at", 25.08, 25.08), ("Mount", 25.08, 25.24), ("Ashford,", 25.24, 26.22))]
PLAIN = [segment(*((f"w{i}", 2.6 + 0.4 * i, 2.9 + 0.4 * i) for i in range(55))),
         segment(("noon.", 22.4, 23.14), ("Yeah,", 23.4, 23.4))]


def test_timestamps_that_leap_over_speech_the_plain_pass_heard_are_where_the_pass_went_off() -> None:
    """held11-espeak-saltworks: "Frank, the right man's", then at 25.08 s "at Mount Ashford," over 55 plain
    words; the merge then weighed ten plain words against two hinted ones and lost the chunk's last line."""
    assert derail_point(JUMPED, PLAIN) == 2.5
    assert derail_point(JUMPED) is None  # without the plain pass: no evidence of speech in the gap
    pause = [segment(("noon.", 22.4, 23.14))]  # the plain pass heard nothing there: a pause
    assert derail_point(JUMPED, pause) is None
    two = [segment(("w1", 3.0, 3.4), ("w2", 5.0, 5.4))]  # fewer than JUMP_WORDS words: no jump
    assert derail_point(JUMPED, two) is None
    assert derail_point(JUMPED[:1], PLAIN) is None  # a pass that stops early is no jump
    assert derail_point([*DERAILED, *JUMPED], PLAIN) == 2.0  # the earlier of a stretched word and a jump


def test_the_decode_again_replaces_the_pass_from_where_it_went_off() -> None:
    again = [segment(("Zabelle,", -0.1, 0.1), ("Zabelle", 0.2, 0.6), ("promised", 0.6, 1.0))]
    spliced = splice(DERAILED, 2.0, again, 1.8)
    assert [w["word"].strip() for s in spliced for w in s["words"]] == ["Who", "took", "it?", "Zabelle,", "Zabelle",
                                                                        "promised"]
    assert [round(w["start"], 2) for w in spliced[-1]["words"]] == [2.0, 2.4]  # times moved to the chunk's


class StandIn:
    """A model that decodes audio starting at `offset` s of the chunk into the words `answers(offset)` gives
    (chunk times), and records the offsets it was asked for."""

    def __init__(self, chunk_s: float, answers: Any) -> None:
        self.chunk_s, self.answers, self.asked = chunk_s, answers, []

    def transcribe(self, samples: np.ndarray, **_: Any) -> tuple[Any, Any]:
        offset = round(self.chunk_s - samples.size / SAMPLE_RATE, 3)
        self.asked.append(offset)
        segments = [SimpleNamespace(words=[SimpleNamespace(word=w["word"], start=w["start"] - offset,
                                                           end=w["end"] - offset, probability=w["probability"])
                                           for w in s["words"]]) for s in self.answers(offset)]
        return iter(segments), SimpleNamespace(language="en")


def mend(model: StandIn, first: list[dict[str, Any]]) -> list[str]:
    samples = np.zeros(int(model.chunk_s * SAMPLE_RATE), dtype=np.float32)
    mended, times = mend_derails(model, samples, first, "en", "Names: Zabelle.", "Zabelle")
    assert times == len(model.asked)
    return [w["word"].strip() for s in mended for w in s["words"]]


def test_a_derailed_pass_is_decoded_again_from_just_before_the_derail() -> None:
    model = StandIn(10.0, lambda offset: [segment(("Zabelle", 2.0, 2.5), ("promised", 2.5, 3.0),
                                                   ("thirty", 3.0, 3.4), ("shoes.", 3.4, 3.8))])
    assert mend(model, DERAILED) == ["Who", "took", "it?", "Zabelle,", "Zabelle", "promised", "thirty", "shoes."]
    assert model.asked == [round(2.0 - REWIND_S, 3)]


def test_a_pass_that_jumped_is_decoded_again_from_the_jump() -> None:
    model = StandIn(27.0, lambda offset: [segment(("not", 2.6, 2.9), ("Mount", 3.0, 3.3), ("Ashby", 3.3, 3.8))])
    samples = np.zeros(int(model.chunk_s * SAMPLE_RATE), dtype=np.float32)
    mended, times = mend_derails(model, samples, JUMPED, "en", "Names: Ebbesen.", "Ebbesen", plain=PLAIN)
    assert times == 1 and model.asked == [round(2.5 - REWIND_S, 3)]
    assert [w["word"].strip() for s in mended for w in s["words"]] == ["Frank,", "the", "right", "man's", "not",
                                                                      "Mount", "Ashby"]


def test_a_pass_that_follows_the_speech_is_not_decoded_again() -> None:
    model = StandIn(10.0, lambda offset: [])
    assert mend(model, DERAILED[:1]) == ["Who", "took", "it?"]
    assert model.asked == []


def test_decoding_again_stops_when_it_gets_no_further_or_after_the_last_try() -> None:
    stuck = StandIn(10.0, lambda offset: [segment(("Zabelle", 2.0, 9.5))])  # derails at the same word again
    mend(stuck, DERAILED)
    assert stuck.asked == [1.8]
    further = StandIn(20.0, lambda offset: [segment(("on", offset + 0.2, offset + 0.4),
                                                     ("and", offset + 1.5, offset + 9.0))])  # 1.3 s further each time
    mend(further, DERAILED)
    assert len(further.asked) == MAX_REDECODES
