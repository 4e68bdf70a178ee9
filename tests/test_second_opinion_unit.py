"""bench/second_opinion.py: the second opinion on the glossary names asr's merge took over other plain words
(measured, not in the stage)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "stages" / "asr"), str(ROOT / "stages" / "common")]

from second_opinion import MARGINS, alternatives, checked, doubted, second_opinion  # noqa: E402


def word(start: float, end: float, text: str, p: float = 0.9, **extra: object) -> dict:
    return {"start": start, "end": end, "word": text, "probability": p, **extra}


PLAIN = [word(1.0, 1.3, "At"), word(1.3, 1.6, "Lake"), word(1.6, 2.1, "Selby."), word(2.3, 2.6, "Ask"),
         word(2.6, 3.0, "Castle.")]
MERGED = [word(1.0, 1.3, "At"), word(1.3, 1.6, "Lake"), word(1.6, 2.1, "Shelby.", 0.3, hinted=True,
                                                                   heard_plain="Selby."),
          word(2.3, 2.6, "Ask"), word(2.6, 3.0, "Kessel.", 0.5, hinted=True, heard_plain="Castle.")]
SHELBY = "At Lake Shelby. Ask Kessel."
SELBY = "At Lake Selby. Ask Kessel."
CASTLE = "At Lake Shelby. Ask Castle."


def scores(first: dict[str, float], second: dict[str, float]) -> dict[str, dict[str, tuple[float, int, float]]]:
    return {"first": {t: (v, 9, 0.0) for t, v in first.items()},
            "second": {t: (v, 9, 0.0) for t, v in second.items()}}


def test_the_names_taken_over_plain_words_are_checked_against_them() -> None:
    assert checked(MERGED) == [2, 4]
    assert alternatives(MERGED, 2) == (SHELBY, SELBY)
    assert alternatives(MERGED, 4) == (SHELBY, CASTLE)
    assert checked(PLAIN) == []


def test_a_name_gives_way_only_where_both_models_doubt_it_by_their_margins() -> None:
    low_first, low_second = MARGINS["first"] - 1, MARGINS["second"] - 1
    both = scores({SHELBY: low_first, SELBY: 0.0, CASTLE: -30.0}, {SHELBY: low_second, SELBY: 0.0, CASTLE: -30.0})
    assert doubted(MERGED, both) == {2}  # Kessel scores above Castle: kept
    only_first = scores({SHELBY: low_first, SELBY: 0.0, CASTLE: 0.0}, {SHELBY: -1.0, SELBY: 0.0, CASTLE: 0.0})
    assert doubted(MERGED, only_first) == set()
    assert doubted(MERGED, None) == set() and doubted(MERGED, {}) == set()
    partial = {"first": both["first"]}  # one model's opinion alone decides nothing it has not scored
    assert doubted(MERGED, partial) == {2}


def test_a_doubted_name_is_replaced_by_the_plain_words_heard_at_its_time() -> None:
    both = scores({SHELBY: -20.0, SELBY: 0.0, CASTLE: -30.0}, {SHELBY: -20.0, SELBY: 0.0, CASTLE: -30.0})
    out = second_opinion(MERGED, PLAIN, both)
    assert [w["word"] for w in out] == ["At", "Lake", "Selby.", "Ask", "Kessel."]
    assert out[2]["hinted"] and out[2]["glossary_doubted"] == "Shelby." and "heard_plain" not in out[2]
    assert out[4] is MERGED[4]
    assert second_opinion(MERGED, PLAIN, None) is MERGED


def test_a_name_over_several_plain_words_gives_way_to_all_of_them_once() -> None:
    plain = [word(1.0, 1.2, "late"), word(1.2, 1.5, "or"), word(1.5, 1.9, "well.")]
    merged = [word(1.0, 1.2, "Lake", hinted=True, heard_plain="late"),
              word(1.2, 1.9, "Oriel.", 0.02, hinted=True, heard_plain="or well.")]
    texts = {"Lake Oriel.": -30.0, "late Oriel.": 0.0, "Lake or well.": 0.0}
    out = second_opinion(merged, plain, scores(texts, texts))
    assert [w["word"] for w in out] == ["late", "or", "well."]
    assert [w["glossary_doubted"] for w in out] == ["Lake", "Oriel.", "Oriel."]
