"""The glossary names asr took from its hinted pass where its plain pass heard other words.

asr marks such a word with what the plain pass (decoded without the glossary) heard at its time
("heard_plain"). post_ner lists each beside its own corrections, so that the review list shows the editor
where a name came from the glossary rather than from the audio alone ("Selby" → "Shelby").
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
