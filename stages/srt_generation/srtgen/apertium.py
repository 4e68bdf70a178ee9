"""Subtitle languages Whisper cannot give, with Apertium (Debian's rule-based translation pairs): the
dialogue's sentences, translated one by one and timed by the source sentence.

All sentences go through one `apertium -u -f none <mode>` process (`-u` drops the unknown-word marks),
each ended by a numbered superblank (`[ ##3## ]`): Apertium passes superblanks through untouched and in
order, so the output splits back into sentences. A sentence without closing punctuation gets a full stop
for the trip (else a rule may reach across into the next one), taken off again after. Names are wrapped in
superblanks too (`[Morrow]`). (`apertium -z`, NUL-separated blocks, is not used: the eng-cat pipeline
merges two blocks into one.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

from .build import split_groups
from .model import Word

# (dialogue language, subtitle language) → Apertium mode, from the Debian packages installed in the image
# (apertium-eng-spa, apertium-eng-cat, apertium-fr-es, apertium-fra-cat). English is left to Whisper.
PAIRS: dict[tuple[str, str], str] = {
    ("en", "es"): "eng-spa", ("en", "ca"): "eng-cat",
    ("fr", "es"): "fr-es", ("fr", "ca"): "fra-cat",
    ("es", "fr"): "es-fr", ("ca", "fr"): "cat-fra",
}
NAME_LABELS = {"PERSON", "PER", "ORG", "GPE", "LOC", "FAC", "NAME", "CHARACTER", "PLACE"}
SPECIAL = re.compile(r"([\\\[\]^$/<>@{}*#])")
SUPERBLANK = re.compile(r"\[((?:\\.|[^\]\\])*)\]")
SEPARATOR = re.compile(r"\[ ##(\d+)## \]")
ESCAPED = re.compile(r"\\(.)")
MARK = re.compile(r"(?<!\S)[#@*~](?=\w)")
TIMEOUT_S = 300


class TranslateError(Exception):
    """Apertium is missing or failed."""


def sentences(words: list[Word]) -> list[dict[str, Any]]:
    """The dialogue as sentences {start, end, text}: the runs of words of `split_groups` (cut at a
    sentence end, a speaker change or a pause of PAUSE_BREAK_S)."""
    return [{"start": g[0].start, "end": g[-1].end, "text": " ".join(w.text for w in g)} for g in split_groups(words)]


def names_of(entities: dict[str, Any]) -> list[str]:
    """Names to keep as they are: post_ner's named entities and corrected names, longest first."""
    found = {str(e.get("text", "")).strip() for e in entities.get("entities") or []
             if isinstance(e, dict) and str(e.get("label", "")).upper() in NAME_LABELS}
    found |= {str(c.get("to", "")).strip() for c in entities.get("corrections") or [] if isinstance(c, dict)}
    return sorted((n for n in found if n), key=lambda n: (-len(n), n))


def stream_text(text: str, names: list[str]) -> str:
    """`text` in Apertium's stream format: special characters escaped, each name a superblank."""
    if not names:
        return SPECIAL.sub(r"\\\1", text)
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names))
    parts, at = [], 0
    for m in pattern.finditer(text):
        parts += [SPECIAL.sub(r"\\\1", text[at:m.start()]), "[" + SPECIAL.sub(r"\\\1", m.group()) + "]"]
        at = m.end()
    return "".join(parts) + SPECIAL.sub(r"\\\1", text[at:])


def plain_text(stream: str) -> str:
    """Apertium's output back to plain text: superblanks opened, escapes and stray marks dropped."""
    text = SUPERBLANK.sub(lambda m: m.group(1), stream)
    text = MARK.sub("", ESCAPED.sub(r"\1", text))
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(text.split()))
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def translate(texts: list[str], mode: str, names: list[str]) -> list[str]:
    """Each text translated by `apertium <mode>` in one process call; TranslateError when it cannot."""
    if shutil.which("apertium") is None:
        raise TranslateError("apertium is not installed in this image")
    if not texts:
        return []
    sources = [" ".join(t.split()) for t in texts]
    blob = "".join(stream_text(t if closed(t) else t + ".", names) + f"[ ##{k}## ]" for k, t in enumerate(sources))
    try:
        proc = subprocess.run(["apertium", "-u", "-f", "none", mode], input=blob.encode("utf-8"),
                              capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise TranslateError(f"apertium {mode} took more than {TIMEOUT_S} s") from None
    if proc.returncode != 0:
        last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise TranslateError(f"apertium {mode} failed: {last}")
    parts = SEPARATOR.split(proc.stdout.decode("utf-8", "replace"))
    if parts[1::2] != [str(k) for k in range(len(sources))]:
        raise TranslateError(f"apertium {mode} did not give the {len(sources)} sentences back in order")
    return [closed_like(plain_text(t), s) for t, s in zip(parts[0::2], sources, strict=False)]


def closed(text: str) -> bool:
    """True when the text ends with sentence punctuation (closing quotes aside)."""
    return text.rstrip("\"')»”").endswith((".", "?", "!", "…"))


def closed_like(translation: str, source: str) -> str:
    """The translation ending as the source does: its full stop taken off when the source had none (it was
    added for the trip), the source's punctuation put back when Apertium dropped it."""
    if not closed(source):
        return translation[:-1].rstrip() if translation.endswith(".") else translation
    if translation and not closed(translation):
        return translation + source.rstrip("\"')»”")[-1]
    return translation


def translated_doc(words: list[Word], mode: str, names: list[str]) -> dict[str, Any]:
    """A transcript-shaped translation (segments without word times, one per source sentence)."""
    source = sentences(words)
    target = translate([s["text"] for s in source], mode, names)
    return {"engine": f"apertium {mode}", "segments": [
        {"start": s["start"], "end": s["end"], "text": t} for s, t in zip(source, target, strict=True) if t]}
