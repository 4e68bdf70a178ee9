"""Glossary names as hints to the recogniser, and how a name sounds: where a plain pass may have heard one.

Hints (`initial_prompt`, `hotwords`) help tiny.en well beyond the names (the words around them come out
better too), but alone they cost accuracy: on fast speech the prompt made tiny.en stop after one sentence
(WER 0.84), it pulled common words towards names ("I hope" → "I Hope") and put a glossary name where
another name was spoken. So a chunk is decoded without hints first; when a span of that pass sounds like
a glossary name (`suspects`) the chunk is decoded again with hints, and asr_merge takes the hinted pass,
guarded by the plain one. This module holds what both need: the hints, rough sound keys (`sound`), and
whether a name sounds like words the plain pass heard (`heard`, numbers read out: "410 cell" for "Fort
Anselm"). Measured alternatives: bench/names.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from asr_numbers import readings

MODES = ("names", "names-hotwords", "every-chunk")
MAX_SPAN = 3  # words of the first pass compared with a name
SUSPECT_RATIO = 0.6  # letters of a first-pass span this similar to a name's: decode the chunk again with hints
MERGE_RATIO = 0.5  # `heard`'s default (asr_merge.MergeSettings.merge_ratio): a name sounds this similar to words
SPELL_NUMBERS = True  # `heard`'s default (asr_merge.MergeSettings.spell_numbers): digits read out as may be said


@dataclass(frozen=True)
class Hints:
    """What the glossary tells the recogniser: the prompt, the hotwords, and the names themselves."""

    initial_prompt: str | None = None
    hotwords: str | None = None
    names: tuple[str, ...] = ()
    # names: plain pass, hinted pass merged where a name was heard; names-hotwords: the same, the hinted pass
    # without the prompt; every-chunk: prompt and hotwords on every chunk (the former behaviour)
    mode: str = "names"

    def __bool__(self) -> bool:
        return bool(self.names or self.initial_prompt or self.hotwords)


def letters(text: str) -> str:
    return re.sub(r"[^\w]", "", text.casefold())


def word_key(word: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", word.casefold()).split())


def _targets(names: tuple[str, ...] | list[str]) -> list[str]:
    """Letters of each name and of each word of a multi-word name that is longer than three letters."""
    found = {letters(n) for n in names}
    found |= {letters(w) for n in names for w in n.split() if len(letters(w)) > 3}
    return sorted(t for t in found if t)


def suspects(words: list[dict[str, Any]], names: tuple[str, ...] | list[str]) -> bool:
    """Whether a span of up to three words of a plain pass sounds like a glossary name (by spelling)."""
    targets = _targets(names)
    if not targets or not words:
        return False
    keys = [letters(w["word"]) for w in words]
    for n in range(1, MAX_SPAN + 1):
        for i in range(len(keys) - n + 1):
            span = "".join(keys[i : i + n])
            if not span:
                continue
            for target in targets:
                if abs(len(span) - len(target)) <= max(3, len(target) // 2) and (
                    SequenceMatcher(None, span, target).ratio() >= SUSPECT_RATIO
                ):
                    return True
    return False


def sound(text: str) -> str:
    """A rough sound key: letters only, c/k/q alike, ph as f, z as s, doubled letters once, vowels alike
    ("Castle" and "Kessel" come close, "Verna" and "Tessaly" do not)."""
    key = letters(text).replace("ph", "f").replace("ck", "k")
    key = key.translate(str.maketrans("cqzyeiou", "kksiaaaa"))
    return re.sub(r"(.)\1+", r"\1", key)


def _similar(a: str, b: str, ratio: float) -> bool:
    return SequenceMatcher(None, a, b).ratio() >= ratio


def new_name_parts(old: list[dict[str, Any]], new: list[dict[str, Any]], names: tuple[str, ...] | list[str]
                    ) -> list[str]:
    """The glossary names (or their words longer than three letters) that `new` spells and `old` does not."""
    def spelled(words: list[dict[str, Any]], part: str) -> bool:
        text = " ".join(w["word"] for w in words)
        return re.search(rf"(?<![\w-]){re.escape(part)}(?![\w-])", text) is not None

    parts = {p for n in names for p in n.split() if len(p) > 3 or p == n} | set(names)
    return [p for p in sorted(parts) if spelled(new, p) and not spelled(old, p)]


def heard(part: str, old: list[dict[str, Any]], ratio: float = MERGE_RATIO, spell_numbers: bool = SPELL_NUMBERS
          ) -> bool:
    """Whether a glossary name (or word of one) sounds like some one to three words the plain pass heard, at
    least `ratio` similar ("Varnholt" like "Arnto,", "Lindqvist" like "Lynn disagrees"; not "Tessaly" like
    "Verna arrived"); with `spell_numbers` digits as they may have been said (`spoken`)."""
    key = sound(part)
    return any(_similar(key, sound(said), ratio)
               for n in range(1, MAX_SPAN + 1) for i in range(max(1, len(old) - n + 1))
               for said in spoken(" ".join(w["word"] for w in old[i : i + n]), spell_numbers))


def spoken(text: str, spell_numbers: bool = SPELL_NUMBERS) -> list[str]:
    """`text` as it may have been said: numbers read out (asr_numbers) with `spell_numbers`, else as written."""
    return readings(text) if spell_numbers else [text]
