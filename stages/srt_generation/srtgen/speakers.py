"""Who speaks when: the optional speakers file (diarization label → name) and a per-speaker timeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .model import Word

JOIN_S = 1.0  # one speaker's words closer than this form one stretch of the timeline


def read_names(path: Path | None) -> dict[str, str]:
    """Names from a speakers file: a JSON object, or `LABEL: Name` lines (a flat YAML mapping; `#` comments).
    ValueError naming the line when it is neither."""
    if path is None or not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("the JSON is not an object of label: name")
        return {str(k): str(v) for k, v in data.items()}
    names: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "---")):
            continue
        label, sep, name = line.partition(":")
        if not sep or not label.strip() or not name.strip():
            raise ValueError(f"line {number} is not 'LABEL: Name': {raw.strip()!r}")
        names[label.strip().strip("'\"")] = name.strip().strip("'\"")
    return names


def timeline(words: list[Word], names: dict[str, str]) -> dict[str, Any]:
    """speakers.json: each speaker's name, talk time and stretches (from the subtitled words)."""
    stretches: list[dict[str, Any]] = []
    for word in words:
        label = word.speaker or "unknown"
        last = stretches[-1] if stretches else None
        if last and last["label"] == label and word.start - last["end"] < JOIN_S:
            last["end"], last["words"] = max(last["end"], word.end), last["words"] + 1
        else:
            stretches.append({"label": label, "start": word.start, "end": word.end, "words": 1})
    speakers: dict[str, dict[str, Any]] = {}
    for s in stretches:
        s["name"] = names.get(s["label"], s["label"])
        s["start"], s["end"] = round(s["start"], 3), round(s["end"], 3)
        entry = speakers.setdefault(s["label"], {"label": s["label"], "name": s["name"], "talk_s": 0.0,
                                                 "words": 0, "first": s["start"]})
        entry["talk_s"] = round(entry["talk_s"] + s["end"] - s["start"], 3)
        entry["words"] += s["words"]
    unused = sorted(set(names) - set(speakers))
    return {"speakers": sorted(speakers.values(), key=lambda e: -e["talk_s"]), "stretches": stretches,
            "unused_names": unused}
