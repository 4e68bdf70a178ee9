"""pre_ner: merge TMDB names and the user glossary into `glossary.json` (names, hotwords, initial_prompt)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from reelstage_stage import BadInput, emit_info, emit_note, run_stage, write_json_atomic

KINDS = ("person", "character", "place", "other")
PROMPT_LIMIT = 200
HOTWORDS_LIMIT = 400
# "<names>" is replaced by the comma-separated names; unknown languages get the names alone.
PROMPT_TEMPLATES = {
    "en": "Names in this film: <names>.",
    "fr": "Noms dans ce film : <names>.",
    "de": "Namen in diesem Film: <names>.",
    "es": "Nombres en esta película: <names>.",
    "it": "Nomi in questo film: <names>.",
    "pt": "Nomes neste filme: <names>.",
    "nl": "Namen in deze film: <names>.",
}


def read_user_glossary(path: Path | None) -> list[dict[str, str]]:
    """Entries of a user glossary: one name per line, `# comments`, optional `Name | kind`."""
    if path is None or not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"user glossary {path.name} is not UTF-8 text: save it as UTF-8") from None
    entries = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, kind = (p.strip() for p in line.partition("|"))
        kind = kind.lower() or "other"
        if kind not in KINDS:
            raise BadInput(f"user glossary line {number}: kind {kind!r} is not one of {', '.join(KINDS)}")
        if name:
            entries.append({"text": " ".join(name.split()), "source": "user", "kind": kind})
    return entries


def read_metadata(path: Path | None) -> list[dict[str, str]]:
    """Entries from TMDB metadata.json: cast members are persons, their roles characters."""
    if path is None or not path.is_file():
        return []
    try:
        meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise BadInput(f"metadata file {path.name} is not valid JSON: rerun the tmdb stage") from None
    cast = meta.get("cast") or []
    characters = [str(m.get("character") or "").casefold() for m in cast]
    persons = [str(m.get("name") or "").casefold() for m in cast]
    entries = []
    for name in meta.get("names") or []:
        pattern = re.compile(rf"(?<!\w){re.escape(name.casefold())}(?!\w)")
        kind = ("character" if any(pattern.search(c) for c in characters)
                else "person" if any(pattern.search(p) for p in persons) else "other")
        entries.append({"text": name, "source": "tmdb", "kind": kind})
    return entries


def dedupe(entries: list[dict[str, str]]) -> list[dict[str, str]]:
    """First occurrence of each name (case-insensitive) wins."""
    seen: set[str] = set()
    result = []
    for entry in entries:
        key = entry["text"].casefold()
        if key not in seen:
            seen.add(key)
            result.append(entry)
    return result


def _priority(entries: list[dict[str, str]]) -> list[str]:
    """Names to show the recogniser, parts of longer names left out: user names first, persons last."""
    rank = {"character": 1, "place": 2, "other": 3, "person": 4}

    def is_part(entry: dict[str, str]) -> bool:
        return any(o is not entry and entry["text"] in o["text"].split() for o in entries)

    chosen = [e for e in entries if e["source"] == "user" or not is_part(e)]
    chosen.sort(key=lambda e: (e["source"] != "user", rank[e["kind"]]))
    return [e["text"] for e in chosen]


def _fit(names: list[str], template: str, limit: int) -> str:
    """The template filled with as many names as fit in `limit` characters."""
    text = ""
    for count in range(1, len(names) + 1):
        candidate = template.replace("<names>", ", ".join(names[:count]))
        if len(candidate) > limit:
            break
        text = candidate
    return text


def build_glossary(entries: list[dict[str, str]], language: str) -> dict[str, Any]:
    """glossary.json content for the deduplicated entries."""
    names = _priority(entries)
    template = PROMPT_TEMPLATES.get(language.lower()[:2], "<names>.")
    return {
        "language": language,
        "names": entries,
        "hotwords": _fit(names, "<names>", HOTWORDS_LIMIT),
        "initial_prompt": _fit(names, template, PROMPT_LIMIT),
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="pre_ner", description=__doc__)
    parser.add_argument("--metadata", type=Path)
    parser.add_argument("--user-glossary", type=Path)
    parser.add_argument("--language", default="en")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)

    user = read_user_glossary(args.user_glossary)
    tmdb = read_metadata(args.metadata)
    entries = dedupe(user + tmdb)
    if not entries:
        emit_note("no names: no TMDB metadata and no user glossary")
    glossary = build_glossary(entries, args.language)
    write_json_atomic(args.out / "glossary.json", glossary)
    emit_info(names=len(entries), user_names=len(user), tmdb_names=len(tmdb),
              prompt_chars=len(glossary["initial_prompt"]))


if __name__ == "__main__":
    run_stage(main)
