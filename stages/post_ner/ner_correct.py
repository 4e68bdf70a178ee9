"""Fuzzy correction of near-miss names in a transcript against the glossary.

Spans of 1–3 words are compared (case-insensitive, punctuation aside) with each glossary name and with
the distinctive words of multi-word names ("Morrow" of "Captain Morrow"). A span is replaced when the
score reaches the threshold, unless a word that would change is a dictionary word used as such
("castle" is left alone; "Kessol" or a capitalised "Castle" mid-sentence may be a garbled name), or a
word the recogniser wrote while it saw the glossary (asr marks it "hinted"): with the names in front of it, it
chose another name (a capitalised word that is no word of a glossary name, unless it reads exactly as the name:
"Macrell" becomes "Mackrell") or a dictionary word (lowercase, spelled otherwise than the name: "breakwater" stays,
though "ember" may still become "Ember"). A multi-word
name already spelled right claims its words. The punctuation around the span is kept; words get the
glossary's spelling and share the span's time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

THRESHOLD = 80.0
COMMON_ZIPF = 3.0  # wordfreq Zipf frequency from which a lowercase word counts as a dictionary word
# ... and from which a lowercase word the recogniser wrote while it saw the glossary counts as one (wordfreq lists
# it at all: once per 100 million words); set a priori, 0.01 to 2.5 gave the same results on dev (stop 17)
HINTED_ZIPF = 1.0
DISTINCTIVE_ZIPF = 4.0  # a name's word rarer than this is matched on its own ("Morrow", not "Captain")
MAX_SPAN = 3
# Titles Whisper abbreviates ("Dr. Vashti" for "Doctor Vashti"): compared as the glossary writes them, only
# where the name has that word, so the glossary's spelling comes out.
TITLES = {"dr": "doctor", "mr": "mister", "mrs": "missus", "st": "saint", "prof": "professor", "capt": "captain",
          "sgt": "sergeant", "insp": "inspector", "lt": "lieutenant", "col": "colonel", "gen": "general",
          "rev": "reverend", "fr": "father", "ft": "fort", "mt": "mount"}
_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)


@dataclass(frozen=True)
class Token:
    """One word of a segment: text with its punctuation, optional timing."""

    word: str
    start: float | None = None
    end: float | None = None
    probability: float | None = None
    hinted: bool = False  # the asr stage wrote it in its pass that saw the glossary (asr_merge)

    @property
    def core(self) -> str:
        return _EDGE.match(self.word).group(2)


def word_frequency(language: str) -> Callable[[str], float]:
    """Zipf frequency of a word in `language` from wordfreq (0 for an unknown language or word)."""
    from wordfreq import available_languages, zipf_frequency

    known = language in available_languages()

    @cache
    def zipf(word: str) -> float:
        return zipf_frequency(word, language) if known else 0.0

    return zipf


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _titles_spelled_out(text: str, name_words: set[str]) -> str:
    """Normalised `text` with each title abbreviation written out where the name has that word."""
    return " ".join(TITLES[w] if TITLES.get(w) in name_words else w for w in text.split())


def candidates(names: list[str], zipf: Callable[[str], float]) -> list[str]:
    """Full names plus the distinctive single words of multi-word names, longest first."""
    found = {" ".join(n.split()) for n in names if n.strip()}
    for name in list(found):
        words = name.split()
        if len(words) > 1:
            found.update(w for w in words if zipf(_norm(w)) < DISTINCTIVE_ZIPF and len(_norm(w)) > 2)
    return sorted(found, key=lambda n: (-len(n.split()), n))


def _protected(tokens: list[Token], name: str, zipf: Callable[[str], float], sentence_start: bool) -> bool:
    """Whether a word that would change is a dictionary word used as such (then the span stays).

    That is a common word in lowercase, or one that starts a sentence ("Tomorrow" is not "Morrow")
    unless another word of the span is a word of the name ("Dr. Alvarez" is "Doctor Alvarez").
    """
    name_words = {_norm(w) for w in name.split()}
    name_words |= {short for short, title in TITLES.items() if title in name_words}  # "Dr." of "Doctor ..."
    if all(t.core == t.core.lower() and zipf(_norm(t.core)) >= COMMON_ZIPF for t in tokens):
        return True  # only dictionary words in lowercase: "I hope" is not "I Hope", whatever the glossary says
    anchored = any(_norm(t.core) in name_words for t in tokens)
    for k, tok in enumerate(tokens):
        core = tok.core
        if _norm(core) in name_words or zipf(_norm(core)) < COMMON_ZIPF:
            continue
        if core == core.lower() or (k == 0 and sentence_start and not anchored):
            return True
    return False


def _other_name(tokens: list[Token], name: str, spelled: set[str]) -> bool:
    """Whether a word of the span already spells a word of another glossary name ("Thessaly" of "Thessaly
    Court" is not "Tessaly" of "Lake Tessaly": one name never turns into another)."""
    return any(t.core in spelled and t.core not in name.split() for t in tokens)


def sound_spelling(text: str) -> str:
    """The letters of `text` with the spellings English reads alike made one: "ck" and a hard "c" as "k", "ph"
    as "f", doubled letters single ("Macrell" and "Mackrell" both "makrel"; "Kessock" and "Kissock" differ)."""
    letters = re.sub(r"[^a-z]", "", text.lower()).replace("ck", "k").replace("ph", "f")
    return re.sub(r"(.)\1+", r"\1", re.sub(r"c(?![eiy])", "k", letters))


def _chosen_name(tokens: list[Token], name: str, spelled: set[str]) -> bool:
    """Whether a word of the span is a capitalised word the recogniser wrote while it saw the glossary that
    is no word of a glossary name: it chose another name there (the spoken "Carrow" beside the glossary's
    "Harrow" stays "Carrow"), unless the span reads exactly as the name (`sound_spelling`): then it chose the
    name and spelled it otherwise ("Macrell" for the glossary's "Mackrell")."""
    if sound_spelling(" ".join(t.core for t in tokens)) == sound_spelling(name):
        return False
    return any(t.hinted and t.core[:1].isupper() and t.core not in spelled for t in tokens)


def _chosen_word(tokens: list[Token], name: str, zipf: Callable[[str], float]) -> bool:
    """Whether the span is dictionary words in lowercase that the recogniser wrote while it saw the glossary,
    spelled otherwise than the name: it chose the word (the spoken "breakwater" stays, not the glossary's
    "Brackwater"); the same letters may still take the name's case ("ember" is the spoken name "Ember")."""
    if _norm(" ".join(t.core for t in tokens)).replace(" ", "") == _norm(name).replace(" ", ""):
        return False
    return all(t.hinted and t.core == t.core.lower() and zipf(_norm(t.core)) >= HINTED_ZIPF for t in tokens)


def _replacement(tokens: list[Token], name: str) -> list[Token]:
    """The span's tokens rewritten as `name`, outer punctuation kept, times shared by character length."""
    words = name.split()
    if len(words) == len(tokens):
        out = [Token(w, t.start, t.end, t.probability) for w, t in zip(words, tokens, strict=True)]
    else:
        start, end = tokens[0].start, tokens[-1].end
        probs = [t.probability for t in tokens if t.probability is not None]
        prob = min(probs) if probs else None
        bounds, total = [0], sum(len(w) for w in words)
        for w in words:
            bounds.append(bounds[-1] + len(w))
        out = [
            Token(w, None, None, prob) if start is None or end is None else
            Token(w, round(start + (end - start) * bounds[k] / total, 3),
                  round(start + (end - start) * bounds[k + 1] / total, 3), prob)
            for k, w in enumerate(words)
        ]
    lead, trail = _EDGE.match(tokens[0].word).group(1), _EDGE.match(tokens[-1].word).group(3)
    out[0] = Token(lead + out[0].word, out[0].start, out[0].end, out[0].probability)
    out[-1] = Token(out[-1].word + trail, out[-1].start, out[-1].end, out[-1].probability)
    return out


def correct_tokens(
    tokens: list[Token], names: list[str], zipf: Callable[[str], float], threshold: float = THRESHOLD
) -> tuple[list[Token], list[dict[str, Any]]]:
    """Corrected tokens and the corrections made ({"from", "to", "score", "start"}), best matches first."""
    from rapidfuzz import fuzz

    starts = {0} | {i + 1 for i, t in enumerate(tokens) if t.word.endswith((".", "?", "!"))}
    spelled = {w for n in names for w in n.split()}  # words of glossary names, as the glossary writes them
    matches = []
    right: set[int] = set()  # words of a multi-word name already spelled right: no near miss of another name
    for name in names:
        # the name with its title abbreviations written out: the "Quillan" of a right "Dr. Quillan" is no
        # near miss of it ("dr quillan" made it one: "Dr. Dr. Quillan"), and "doctor Quillan" is the name
        target, size = " ".join(TITLES.get(w, w) for w in _norm(name).split()), len(name.split())
        name_words = set(target.split())
        for n in range(max(1, size - 1), min(MAX_SPAN, size + 1) + 1):
            for i in range(len(tokens) - n + 1):
                span = tokens[i : i + n]
                text = _EDGE.match(" ".join(t.word for t in span)).group(2)
                said = _titles_spelled_out(_norm(text), name_words)
                if text == name and size > 1:  # "Yarrowdale" of a right "Pit Yarrowdale" is no near miss of it
                    right.update(range(i, i + n))
                if not said or text == name or (n > size and f" {target} " in f" {said} "):
                    continue  # already right, or the name is there with another word ("Mr. John Dashwood")
                score = 100.0 if said == target else fuzz.ratio(said, target)
                if score >= threshold and not _protected(span, name, zipf, i in starts) and not _other_name(
                        span, name, spelled) and not _chosen_name(span, name, spelled) and not _chosen_word(
                        span, name, zipf):
                    matches.append((score, n, i, name, text))
    matches.sort(key=lambda m: (-m[0], -m[1], m[2]))
    taken: set[int] = set(right)
    chosen = []
    for score, n, i, name, text in matches:
        if taken.isdisjoint(range(i, i + n)):
            taken.update(range(i, i + n))
            chosen.append((i, n, name, text, score))
    result, corrections = list(tokens), []
    for i, n, name, text, score in sorted(chosen, reverse=True):
        old = tokens[i : i + n]
        result[i : i + n] = _replacement(old, name)
        corrections.append({"from": text, "to": name, "score": round(score, 1), "start": old[0].start})
    corrections.sort(key=lambda c: (c["start"] is None, c["start"] or 0.0))
    return result, corrections


def correct_segment(
    segment: dict[str, Any], names: list[str], zipf: Callable[[str], float]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A corrected copy of an ASR segment (text and words) and its corrections."""
    words = segment.get("words") or []
    if words:
        tokens = [Token(w["word"], w.get("start"), w.get("end"), w.get("probability"), bool(w.get("hinted")))
                  for w in words]
    else:
        tokens = [Token(w) for w in str(segment.get("text", "")).split()]
    fixed, corrections = correct_tokens(tokens, names, zipf)
    if not corrections:
        return segment, []
    for c in corrections:  # without word times, a correction is placed at its segment
        if c["start"] is None:
            c["start"] = segment.get("start")
    out = {**segment, "text": " ".join(t.word for t in fixed)}
    if words:
        out["words"] = [{"start": t.start, "end": t.end, "word": t.word, "probability": t.probability,
                         **({"hinted": True} if t.hinted else {})} for t in fixed]
    return out, corrections
