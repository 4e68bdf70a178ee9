"""Glossary names as hints without side effects: decode plain first, take only names from a hinted pass.

Hints (`initial_prompt`, `hotwords`) help tiny.en well beyond the names (the words around them come out
better too), but alone they cost accuracy: on fast speech the prompt made tiny.en stop after one sentence
(WER 0.84), it pulled common words towards names ("I hope" → "I Hope") and put a glossary name where
another name was spoken. So a chunk is decoded without hints first; when a span of that pass sounds like
a glossary name (`suspects`) the chunk is decoded again with hints, and the hinted pass is the transcript,
guarded by the plain one (`merge`): where the hinted pass left out a run of words, or brought in a
glossary name that sounds like nothing the plain pass heard, the plain words stay. Measured alternatives:
bench/names.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

MODES = ("names", "names-hotwords", "every-chunk")
MAX_SPAN = 3  # words of the first pass compared with a name
SUSPECT_RATIO = 0.6  # letters of a first-pass span this similar to a name's: decode the chunk again with hints
MERGE_RATIO = 0.5  # a glossary name the hinted pass brings in must sound this similar to words heard (`heard`)
KEEP_RUN = 3  # a run of this many words only the plain pass has is kept (the hinted pass stopped early)


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


def _letters(text: str) -> str:
    return re.sub(r"[^\w]", "", text.casefold())


def _key(word: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", word.casefold()).split())


def _targets(names: tuple[str, ...] | list[str]) -> list[str]:
    """Letters of each name and of each word of a multi-word name that is longer than three letters."""
    found = {_letters(n) for n in names}
    found |= {_letters(w) for n in names for w in n.split() if len(_letters(w)) > 3}
    return sorted(t for t in found if t)


def suspects(words: list[dict[str, Any]], names: tuple[str, ...] | list[str]) -> bool:
    """Whether a span of up to three words of a plain pass sounds like a glossary name (by spelling)."""
    targets = _targets(names)
    if not targets or not words:
        return False
    keys = [_letters(w["word"]) for w in words]
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
    key = _letters(text).replace("ph", "f").replace("ck", "k")
    key = key.translate(str.maketrans("cqzyeiou", "kksiaaaa"))
    return re.sub(r"(.)\1+", r"\1", key)


def _similar(a: str, b: str, ratio: float) -> bool:
    return SequenceMatcher(None, a, b).ratio() >= ratio


def _new_name_parts(old: list[dict[str, Any]], new: list[dict[str, Any]], names: tuple[str, ...] | list[str]
                    ) -> list[str]:
    """The glossary names (or their words longer than three letters) that `new` spells and `old` does not."""
    def spelled(words: list[dict[str, Any]], part: str) -> bool:
        text = " ".join(w["word"] for w in words)
        return re.search(rf"(?<![\w-]){re.escape(part)}(?![\w-])", text) is not None

    parts = {p for n in names for p in n.split() if len(p) > 3 or p == n} | set(names)
    return [p for p in sorted(parts) if spelled(new, p) and not spelled(old, p)]


def heard(part: str, old: list[dict[str, Any]]) -> bool:
    """Whether a glossary name (or word of one) sounds like some one to three words the plain pass heard
    ("Varnholt" like "Arnto,", "Lindqvist" like "Lynn disagrees"; not "Tessaly" like "Verna arrived")."""
    key = sound(part)
    return any(_similar(key, sound(" ".join(w["word"] for w in old[i : i + n])), MERGE_RATIO)
               for n in range(1, MAX_SPAN + 1) for i in range(max(1, len(old) - n + 1)))


def _invents(old: list[dict[str, Any]], new: list[dict[str, Any]], names: tuple[str, ...] | list[str]) -> bool:
    """Whether the hinted words `new`, where the plain pass heard `old`, bring in a glossary name not heard."""
    return any(not old or not heard(part, old) for part in _new_name_parts(old, new, names))


def _plain_case(plain: dict[str, Any], hinted: dict[str, Any]) -> dict[str, Any]:
    """The hinted word (its punctuation fits the hinted text around it) in the plain pass's case."""
    word = hinted["word"]
    if plain["word"].lower() == plain["word"] and word.lower() != word:
        word = word.lower()
    return {**hinted, "word": word}


def merge(first: list[dict[str, Any]], second: list[dict[str, Any]], names: tuple[str, ...] | list[str]
          ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The hinted pass, guarded by the plain one: where it left words out or invented a name.

    The hinted pass is the transcript (the names prime the recogniser: words around them come out better
    too), except: a run of at least KEEP_RUN words only the plain pass has stays (a prompted pass that
    stops early loses nothing; one word fewer is a normal disagreement); a hinted span that brings in a
    glossary name the plain pass did not hear (`heard`) gives way to the plain words; words both passes
    agree on keep the plain spelling ("I hope", not "I Hope"). Also returns the replacements taken.
    """
    a, b = [_key(w["word"]) for w in first], [_key(w["word"]) for w in second]
    out: list[dict[str, Any]] = []
    taken: list[dict[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old, new = first[i1:i2], second[j1:j2]
        if op == "equal" or len(old) - len(new) >= KEEP_RUN or _invents(old, new, names):
            out.extend(old)
            continue
        if new and out and j1 and _key(out[-1]["word"]) == b[j1 - 1]:  # the punctuation before fits the new words
            out[-1] = _plain_case(out[-1], second[j1 - 1])
        out.extend(new)
        taken.append({"from": " ".join(w["word"] for w in old), "to": " ".join(w["word"] for w in new)})
    return out, taken
