"""Glossary names as hints without side effects: decode plain first, take only names from a hinted pass.

Hints (`initial_prompt`, `hotwords`) on every chunk cost accuracy and time: on short or fast speech the
prompt made tiny.en stop after one sentence (WER 0.84 on fast espeak speech), it pulled common words
towards names ("I hope" → "I Hope") and put a glossary name where another name was spoken. So a chunk is
decoded without hints; only when a span of that first pass sounds like a glossary name (`suspects`) is the
chunk decoded again with hints, and the second pass is taken where it differs, except where it drops words
or brings in a glossary name that does not sound like what the first pass heard (`merge`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

MODES = ("names", "names-hotwords", "every-chunk")
MAX_SPAN = 3  # words of the first pass compared with a name
SUSPECT_RATIO = 0.6  # letters of a first-pass span this similar to a name's: decode the chunk again with hints
MERGE_RATIO = 0.5  # a hinted span replaces the first pass only when it sounds this similar (`sound`)
OTHER_WORD_RATIO = 0.75  # ... and each of its words outside the names is this similar to a word heard
MAX_EXTRA_WORDS = 1  # ... and it has at most this many words more or fewer


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


def name_words(names: tuple[str, ...] | list[str]) -> set[str]:
    """The words of the glossary names, normalised ("captain", "quorin", "port", "kessel")."""
    return {_key(w) for n in names for w in n.split() if _key(w)}


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


def _is_name_span(words: list[dict[str, Any]], names: tuple[str, ...] | list[str]) -> bool:
    """Whether the words spell (part of) a glossary name exactly, capitalised as in the glossary."""
    text = " ".join(w["word"] for w in words)
    core = re.sub(r"^\W+|\W+$", "", text)
    for name in names:
        parts = name.split()
        if any(re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", core) for p in parts if len(p) > 3 or p == name):
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


def _heard(old: list[dict[str, Any]], new: list[dict[str, Any]], names: tuple[str, ...] | list[str]) -> bool:
    """Whether `new` (hinted) is a glossary name heard where the plain pass wrote `old`, not one invented.

    `new` spells a glossary name that `old` does not, sounds like `old`, has about as many words, and its
    words that are not name words were heard in `old` too ("Lindqvist agrees" for "Lynn disagrees", but not
    "Tessaly must arrive" for "Verna arrived").
    """
    if not old or not new or abs(len(old) - len(new)) > MAX_EXTRA_WORDS:
        return False
    if not _is_name_span(new, names) or _is_name_span(old, names):
        return False
    words = name_words(names)
    heard = [_letters(w["word"]) for w in old]
    others = [_letters(w["word"]) for w in new if _key(w["word"]) not in words]
    if not all(any(_similar(o, h, OTHER_WORD_RATIO) for h in heard) for o in others if o):
        return False
    return _similar(sound(" ".join(w["word"] for w in old)), sound(" ".join(w["word"] for w in new)), MERGE_RATIO)


def _invents(old: list[dict[str, Any]], new: list[dict[str, Any]], names: tuple[str, ...] | list[str]) -> bool:
    """Whether the hinted words `new`, where the plain pass heard `old`, bring in a glossary name not heard."""
    return _is_name_span(new, names) and not _is_name_span(old, names) and not _heard(old, new, names)


def _plain_case(plain: dict[str, Any], hinted: dict[str, Any]) -> dict[str, Any]:
    """The hinted word (its punctuation fits the hinted text around it) in the plain pass's case."""
    word = hinted["word"]
    if plain["word"].lower() == plain["word"] and word.lower() != word:
        word = word.lower()
    return {**hinted, "word": word}


def merge(first: list[dict[str, Any]], second: list[dict[str, Any]], names: tuple[str, ...] | list[str]
          ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The hinted pass where it differs from the plain one, except where it drops words or invents a name.

    Words only the plain pass has stay (a prompted pass that stops early loses nothing); a hinted span that
    brings in a glossary name not heard (`_heard`) gives way to the plain words; words both passes agree on
    keep the plain spelling ("I hope", not "I Hope"). Also returns the replacements taken.
    """
    a, b = [_key(w["word"]) for w in first], [_key(w["word"]) for w in second]
    out: list[dict[str, Any]] = []
    taken: list[dict[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old, new = first[i1:i2], second[j1:j2]
        if op == "equal" or not new or _invents(old, new, names):
            out.extend(old)
        else:
            if out and j1 and _key(out[-1]["word"]) == b[j1 - 1]:  # the punctuation before fits the new words
                out[-1] = _plain_case(out[-1], second[j1 - 1])
            out.extend(new)
            taken.append({"from": " ".join(w["word"] for w in old), "to": " ".join(w["word"] for w in new)})
    return out, taken
