"""post_ner stage: correct near-miss glossary names in the transcript, then find named entities.

A glossary name both asr passes wrote, only the hinted one with a capital, takes the capital where spaCy's
tagger reads a proper noun there (ner_case); then near misses are corrected (ner_correct).

Writes the corrected `transcript.json` (the asr shape) and `entities.json` (entities, corrections, model).
The corrections are post_ner's (`"by": "post_ner"`) and the glossary names asr took from its hinted pass
over other words its plain pass heard (`"by": "asr"`, ner_choices): the review list shows both.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ner_case import name_capitals
from ner_choices import hinted_choices
from ner_correct import candidates, correct_segment, word_frequency
from ner_entities import find_entities, load_nlp
from reelstage_stage import BadInput, emit_info, emit_note, emit_progress, run_stage, write_json_atomic


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="post_ner", description=__doc__)
    parser.add_argument("--transcript", type=Path, required=True, help="transcript.json of the asr stage")
    parser.add_argument("--glossary", type=Path, help="glossary.json of pre_ner (optional)")
    parser.add_argument("--language", default="en", help="ISO 639-1 code of the dialogue")
    parser.add_argument("--out", type=Path, required=True)
    return parser.parse_args(argv)


def read_transcript(path: Path) -> dict[str, Any]:
    """The asr transcript; BadInput when it is missing or malformed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"transcript {path} not found: run the asr stage first") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"transcript {path} is not valid JSON ({exc}): rerun the asr stage") from None
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list) or not all(
        isinstance(s, dict) and isinstance(s.get("text"), str) and "start" in s and "end" in s for s in segments
    ):
        raise BadInput(f"transcript {path} has no valid 'segments' list (start, end, text): rerun the asr stage")
    return data


def read_glossary(path: Path | None) -> list[dict[str, str]]:
    """Glossary entries {"text", "kind"}; names may also be plain strings. Empty without a glossary."""
    if path is None or not path.is_file():
        emit_note("no glossary: no name correction")
        return []
    try:
        names = json.loads(path.read_text(encoding="utf-8")).get("names") or []
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        raise BadInput(f"glossary {path} is not a valid glossary.json: rerun pre_ner") from None
    entries = [{"text": n, "kind": "other"} if isinstance(n, str) else n for n in names]
    return [e for e in entries if isinstance(e, dict) and str(e.get("text", "")).strip()]


def corrected(segment: dict[str, Any], names: list[str], zipf: Callable[[str], float], nlp: Any | None
              ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The segment with the glossary names asr noted in plain case capitalised where the tagger reads a name
    (ner_case), then near misses corrected (ner_correct); the changes made, in time order."""
    capitalised, cased = name_capitals(segment, nlp)
    fixed, made = correct_segment(capitalised, names, zipf)
    return fixed, sorted(cased + made, key=lambda c: (c["start"] is None, c["start"] or 0.0))


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    transcript = read_transcript(args.transcript)
    glossary = read_glossary(args.glossary)
    language = args.language.lower()[:2]
    zipf = word_frequency(language)
    names = candidates([e["text"] for e in glossary], zipf)
    loaded = load_nlp(language)
    if loaded is None:
        emit_note(f"no NER model for language {language}: glossary names only, in asr's plain case")
    nlp, model = loaded or (None, None)
    segments, corrections = [], []
    for index, segment in enumerate(transcript["segments"]):
        fixed, made = corrected(segment, names, zipf, nlp if names else None)  # no glossary: no name correction
        segments.append(fixed)
        corrections.extend({**c, "segment": index, "by": "post_ner"} for c in made)
        corrections.extend(hinted_choices(segment, index))
    corrections.sort(key=lambda c: (c["start"] is None, c["start"] or 0.0))
    emit_progress(0.5, f"{len(corrections)} corrections")
    entities = find_entities(segments, nlp, glossary)
    write_json_atomic(args.out / "transcript.json", {**transcript, "segments": segments,
                                                      "post_ner": {"corrections": len(corrections)}})
    write_json_atomic(args.out / "entities.json",
                      {"entities": entities, "corrections": corrections, "model": model, "language": language})
    emit_info(model=model, entities=len(entities), corrections=len(corrections))
    emit_progress(1.0, f"{len(entities)} entities, {len(corrections)} corrections")


if __name__ == "__main__":
    run_stage(main)
