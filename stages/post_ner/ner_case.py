"""The capital of a glossary name that both asr passes wrote, taken where the sentence reads it as a name.

Where asr's plain and hinted passes wrote the same word and only the hinted one (the glossary in front of it)
gave it a capital, asr keeps the plain spelling and notes the capital ("name_case", asr_merge). A glossary
name that is a common word is then either: "Pat, patience says the tent needs 12" is the name Patience,
"I hope the storm stays away" is no name Hope, and the hinted pass capitalises both. spaCy's tagger reads the
segment with every such capital in place: the capital is taken where it tags the word a proper noun (PROPN),
not where it reads a verb, an adjective or a common noun there ("I Hope the storm" is a verb). Chosen on the
dev part's cached decodes: 14 such words, all names in the script; PROPN set a priori.
"""

from __future__ import annotations

from typing import Any

from ner_correct import Token

NAME_TAGS = frozenset({"PROPN"})


def _offsets(words: list[dict[str, Any]]) -> list[int]:
    """Where each word's core starts in the words joined by spaces."""
    out, at = [], 0
    for word in words:
        text = str(word["word"])
        out.append(at + text.find(Token(text).core) if Token(text).core else at)
        at += len(text) + 1
    return out


def _with_capitals(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The words with each noted capital ("name_case") in place of the plain spelling, punctuation kept."""
    out = []
    for word in words:
        case = word.get("name_case")
        core = Token(str(word["word"])).core
        out.append({**word, "word": str(word["word"]).replace(core, case, 1)} if case and core else word)
    return out


def name_capitals(segment: dict[str, Any], nlp: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A copy of the segment with the noted capitals the tagger reads as proper nouns, and the changes made
    ({"from", "to", "score", "start"}, in post_ner's correction shape)."""
    words = segment.get("words") or []
    noted = [k for k, w in enumerate(words) if w.get("name_case")]
    if not noted or nlp is None:
        return segment, []
    capital = _with_capitals(words)
    doc = nlp(" ".join(str(w["word"]) for w in capital))
    tags = {token.idx: token.pos_ for token in doc}
    starts = _offsets(capital)
    taken = [k for k in noted if tags.get(starts[k]) in NAME_TAGS]
    if not taken:
        return segment, []
    fixed = [capital[k] if k in taken else w for k, w in enumerate(words)]
    changes = [{"from": Token(str(words[k]["word"])).core, "to": words[k]["name_case"], "score": 100.0,
                "start": words[k].get("start")} for k in taken]
    return {**segment, "text": " ".join(str(w["word"]) for w in fixed), "words": fixed}, changes
