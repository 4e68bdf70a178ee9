"""The glossary names asr took from its hinted pass where its plain pass heard other words.

asr marks such a word with what the plain pass (decoded without the glossary) heard at its time
("heard_plain"). post_ner lists each beside its own corrections, so that the review list shows the editor
where a name came from the glossary rather than from the audio alone ("Selby" → "Shelby").
"""

from __future__ import annotations

import re
from typing import Any

_EDGES = re.compile(r"^\W+|\W+$")


def _bare(text: str) -> str:
    return _EDGES.sub("", text.strip())


def hinted_choices(segment: dict[str, Any], index: int) -> list[dict[str, Any]]:
    """The asr choices in one transcript segment, in post_ner's correction shape ("by": "asr"; the score is
    how alike the two spellings are, 0-100, as post_ner scores its own)."""
    from rapidfuzz import fuzz

    choices = []
    for word in segment.get("words") or []:
        said, chosen = _bare(str(word.get("heard_plain") or "")), _bare(str(word.get("word", "")))
        if said and chosen and said.casefold() != chosen.casefold():
            alike = round(fuzz.ratio(said.casefold(), chosen.casefold()), 1)
            choices.append({"from": said, "to": chosen, "score": alike, "start": word.get("start"),
                            "segment": index, "by": "asr"})
    return choices
