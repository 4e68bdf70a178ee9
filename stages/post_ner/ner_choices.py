"""The glossary names asr took from its hinted pass where its plain pass heard other words, and those it let go.

asr marks such a word with what the plain pass (decoded without the glossary) heard at its time
("heard_plain"). post_ner lists each beside its own corrections, so that the review list shows the editor
where a name came from the glossary rather than from the audio alone ("Selby" → "Shelby"). Where asr's second
opinion (asr_verify) gave the name up for the plain words, those carry the glossary word ("glossary_doubted"):
listed too (`"kept": "heard"`), so the editor also checks the names the glossary did not get.
"""

from __future__ import annotations

from typing import Any

from ner_correct import Token


def hinted_choices(segment: dict[str, Any], index: int) -> list[dict[str, Any]]:
    """The asr choices in one transcript segment, in post_ner's correction shape ("by": "asr"; the score is
    how alike the two spellings are, 0-100, as post_ner scores its own)."""
    from rapidfuzz import fuzz

    choices = []
    for word in segment.get("words") or []:
        said = Token(str(word.get("heard_plain") or "").strip()).core  # without the punctuation around it
        chosen = Token(str(word.get("word", "")).strip()).core
        if said and chosen and said.casefold() != chosen.casefold():
            alike = round(fuzz.ratio(said.casefold(), chosen.casefold()), 1)
            choices.append({"from": said, "to": chosen, "score": alike, "start": word.get("start"),
                            "segment": index, "by": "asr"})
    return choices


def doubted_choices(segment: dict[str, Any], index: int) -> list[dict[str, Any]]:
    """The glossary names asr gave up in one transcript segment for the words heard without the glossary, one
    entry per run of adjacent words replacing the same name word ("from" the glossary word, "to" the words
    kept)."""
    from rapidfuzz import fuzz

    runs: list[tuple[str, int, list[dict[str, Any]]]] = []  # (name word, index of the run's last word, words)
    for k, word in enumerate(segment.get("words") or []):
        name = Token(str(word.get("glossary_doubted") or "").strip()).core
        if not name:
            continue
        if runs and runs[-1][0] == name and runs[-1][1] == k - 1:
            runs[-1] = (name, k, [*runs[-1][2], word])
        else:
            runs.append((name, k, [word]))
    choices = []
    for name, _, words in runs:
        kept = Token(" ".join(str(w.get("word", "")).strip() for w in words)).core
        choices.append({"from": name, "to": kept, "score": round(fuzz.ratio(name.casefold(), kept.casefold()), 1),
                        "start": words[0].get("start"), "segment": index, "by": "asr", "kept": "heard"})
    return choices
