"""Names without side effects: the raw engine against the pipeline's asr + post_ner on the names test set.

For every clip of tests/nameset.py (voice families flite, espeak, real; development and HELD-OUT parts):
WER of bare faster-whisper on the whole audio without and with the glossary as hints, WER of the stage
programs silero_vad → asr → post_ner without and with the glossary, names spelled right / spoken and names
invented (glossary names in the text that were not spoken), and the asr stage's seconds. Everything runs
on the host (`make test-deps`), tiny.en int8.

    PYTHONPATH=. .venv/bin/python bench/names.py [--cases NAME ...] [--asr-arg=--flag ...] [--json FILE]

Measured 2026-11-28 on the shared 2-core host (asr seconds are noisy under load). Parts: "dev" is the
development part, which now holds the first held-out part too (cases held-*: SEEN, their results were looked
at and causes found on them, so they are no longer blind); "held-out" is a NEW part (cases held2-*),
written and committed before anything ran on it (commit 4c89410) and run ONCE when the stage was final
(commit 7e1d727); nothing was changed after seeing it. WER pooled per part and voice family; names right /
spoken +invented (invented: occurrences of glossary names beyond the reference's; dev flite's +1 is "Rose
wishes" for "rose bushes", Rose being a spoken name, the raw engine's too).

Baseline: main at 60fc610 (TAIL_S in) on the enlarged dev part, before this round's changes:

part      family  raw    raw+hints  pipe   pipe+gloss   names raw+hints  names pipe+gloss
dev       flite   0.210  0.044      0.220  0.054        27/27 +1         26/27 +1
dev       espeak  0.371  0.322      0.376  0.249        23/27 +1         20/27 +0
dev       real    0.028  0.028      0.042  0.028         1/1 +0           1/1 +0
dev       ALL     0.252  0.160      0.260  0.133        51/55 +2         47/55 +1

The stage now (asr: numbers read out in the name guard, acoustics may overrule plain words; post_ner:
title abbreviations), dev part, then the held-out part run once:

part      family  raw    raw+hints  pipe   pipe+gloss   names raw+hints  names pipe+gloss  asr s  asr+gloss s
dev       flite   0.210  0.044      0.220  0.044        27/27 +1         27/27 +1           9.1   16.6
dev       espeak  0.371  0.322      0.376  0.229        23/27 +1         22/27 +0          10.5   20.4
dev       real    0.028  0.028      0.042  0.028         1/1 +0           1/1 +0            4.0    6.2
dev       ALL     0.252  0.160      0.260  0.121        51/55 +2         50/55 +1          23.7   43.2
held-out  flite   0.456  0.243      0.437  0.243        12/15 +1         12/15 +2           4.4    9.9
held-out  espeak  0.398  0.301      0.398  0.223        14/15 +3         15/15 +1           5.1   10.3
held-out  real    0.571  0.190      0.571  0.190         0/0 +0           0/0 +0            1.6    2.7
held-out  ALL     0.441  0.264      0.432  0.229        26/30 +4         27/30 +3          11.1   22.9

The criterion (per family: WER at most raw+hints, at least as many names right, no unspoken glossary
name): met on dev flite, dev real, held-out real. Dev espeak: WER 0.229 < 0.322 but one name fewer
(held-espeak-market: the hinted pass has "Martin, Ilyra, Wren." where the plain one heard "mutton, and out of
her way." and Wren was not spoken; spelling and acoustics both keep the plain run, so "Sister Ilyra" after
it is lost; the raw engine gets Ilyra and writes Wren). Held-out flite: WER and names equal to raw+hints,
but two unspoken glossary names appear; held-out espeak: WER and names better, one unspoken name appears.
The causes, seen after the one run (not fixed: it would no longer be blind): the spoken non-glossary "Lake
Orwell" comes out as the glossary's "Lake Oriel" in the hinted pass of both synthetic families, as in the
raw engine with hints (the plain pass heard "late or well" / "Lake or Will": sound alike, so the name guard
lets it in); post_ner turns the spoken non-glossary "Carrow" (plain pass "Carro") into the glossary's
"Harrow" (held2-flite-orchard-slow). Held-out real (the cards recordings, none of the glossary spoken):
nothing invented. The acoustic scoring costs 0.25 of the chunk's two decodes in CPU (0.49 with the
silence prior only "pmi" reads, now skipped: bench/names_acoustic_cost.py), on the chunks where spelling
keeps plain words only (3 of 10 on dev); the asr seconds above are wall seconds under load.

The dev rules and why (each chosen on dev; bench/names_merge.py, the same cached decodes, post_ner after):
- numbers read out before the sounds are compared (asr_numbers: cardinal, pairs, digit by digit): Whisper
  writes digits, and "410 cell" heard for "Fort Anselm" kept the name out (dev flite 0.054 26/27 -> 0.044
  27/27). No rule names a test word: any digit string is read every way it may have been said.
- where spelling keeps plain words, the acoustics may overrule it (asr_hints.ACOUSTIC "agree"): spelling
  kept "Pecta, Stirling" over "Thessaly Court. Sterling" (the plain pass heard nothing like it); the model's
  own scoring of the chunk without a prompt prefers the hinted text there, and agrees with spelling on the
  two other plain spans of dev (the prompted pass that stopped after a sentence, the run with "Wren").
  Mean and pmi give the same on dev; mean is kept (no extra prior needed for the decision).
- post_ner compares "Dr." as "Doctor" where the glossary name has that word (espeak-lab-fast: "Dr. Vashti"
  stayed short of "Doctor Vashti"): dev espeak 21/27 -> 22/27 names.

The alternatives (bench/names_merge.py --pad 1.0: per family pooled WER, names right/spoken +invented; the
held-out columns come from the same single run of the held-out part, after the choice):

variant                            dev flite      dev espeak     dev real     held flite     held espeak    held real
raw engine + hints                 0.044 27/27 +1 0.322 23/27 +1 0.028 1/1 +0 0.243 12/15 +1 0.301 14/15 +3 0.190 0/0 +0
plain (no glossary)                0.195 15/27 +0 0.341 14/27 +0 0.042 1/1 +0 0.417 6/15 +0  0.369 9/15 +0  0.571 0/0 +0
every chunk prompt + hotwords      0.044 27/27 +1 0.351 22/27 +1 0.028 1/1 +0 0.243 12/15 +2 0.243 15/15 +3 0.286 0/0 +2
every chunk prompt only            0.039 27/27 +1 0.380 20/27 +1 0.028 1/1 +0 0.233 12/15 +2 0.262 14/15 +3 0.286 0/0 +2
every chunk hotwords only          0.068 26/27 +1 0.141 26/27 +0 0.028 1/1 +0 0.262 12/15 +2 0.214 15/15 +3 0.286 0/0 +2
THE STAGE (acoustics agree)        0.044 27/27 +1 0.229 22/27 +0 0.028 1/1 +0 0.243 12/15 +2 0.223 15/15 +1 0.190 0/0 +0
spelling guard alone               0.044 27/27 +1 0.244 21/27 +0 0.028 1/1 +0 0.243 12/15 +2 0.223 15/15 +1 0.190 0/0 +0
spelling alone, digits as written  0.054 26/27 +1 0.244 21/27 +0 0.028 1/1 +0 0.243 12/15 +2 0.243 14/15 +1 0.190 0/0 +0
the stage, hotwords only           0.068 26/27 +1 0.200 24/27 +0 0.028 1/1 +0 0.272 11/15 +2 0.194 15/15 +1 0.190 0/0 +0
spelling, no name guard            0.044 27/27 +1 0.229 22/27 +0 0.028 1/1 +0 0.243 12/15 +2 0.243 15/15 +3 0.190 0/0 +0
acoustics decide, mean             0.122 21/27 +1 0.268 18/27 +0 0.028 1/1 +0 0.311 10/15 +1 0.291 13/15 +0 0.190 0/0 +0
acoustics decide, sum              0.122 21/27 +1 0.420 17/27 +0 0.028 1/1 +0 0.311 10/15 +1 0.291 13/15 +0 0.190 0/0 +0
acoustics decide, pmi              0.132 21/27 +0 0.278 19/27 +0 0.028 1/1 +0 0.369 8/15 +1  0.311 12/15 +0 0.190 0/0 +0
acoustics decide, pmi per token    0.156 18/27 +1 0.263 19/27 +0 0.028 1/1 +0 0.340 9/15 +1  0.311 12/15 +0 0.190 0/0 +0
acoustics decide all diffs, mean   0.127 21/27 +1 0.268 18/27 +0 0.028 1/1 +0 0.320 10/15 +0 0.252 13/15 +0 0.190 0/0 +0
acoustics decide all diffs, pmi    0.141 21/27 +0 0.288 19/27 +0 0.028 1/1 +0 0.388 8/15 +0  0.330 12/15 +0 0.571 0/0 +0
acoustics agree, pmi               0.044 27/27 +1 0.229 22/27 +0 0.028 1/1 +0 0.243 12/15 +2 0.223 15/15 +1 0.190 0/0 +0
POST HOC post_ner keeps hinted     0.044 27/27 +1 0.229 22/27 +0 0.028 1/1 +0 0.233 12/15 +1 0.223 15/15 +1 0.190 0/0 +0

"hotwords only" for the hinted pass is better on dev espeak (0.200 24/27) but worse on dev flite (0.068
26/27 > 0.044): not chosen. The acoustics alone lose names everywhere (tiny.en without a prompt prefers
the words it decoded itself: rare names cost more than the audio gives them). No variant avoids the
held-out inventions: every hinted variant writes "Lake Oriel" for the spoken "Lake Orwell"; only the
acoustics deciding alone do not, at a large cost in names.

POST HOC (thought of after the one held-out run, not blind, not in the stage): post_ner leaves alone a
capitalised word the hinted pass wrote that is no word of a glossary name (the recogniser saw the glossary
and chose another name: "Carrow"). It changes nothing on dev and removes "Harrow" from held-out flite
(0.243 -> 0.233, +2 -> +1). Adopting it needs asr to record which words came from the hinted pass, and a
held-out part that has not been seen to judge it.

History (the first held-out part, now dev, before TAIL_S; kept for the record): the name guard then
rejected right names ("410 cell" for "Fort Anselm", "Pecta, Stirling" for "Thessaly Court. Sterling"),
which led to this round's dev rules.

Why the pipeline lost to the raw engine without any glossary: 0.2 s of padding. The clips here are one
chunk each, so chunk and whole file differ only by the context around the speech: with 1 s (what the
whole file has) tiny.en gets flite-lab-fast's "samples", "the count", "call him" and real-dashwood's
"selfish, is to be ill-disposed". The longer padding let the prompted pass decode a chunk's last 0.4 s of
non-speech at temperature 1.0 into a random sentence (espeak movie of tests/stages/test_asr.py, 1 run in 3);
a segment at least half outside the VAD speech is now dropped whole (asr_chunks.outside_speech).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
import nameset  # noqa: E402
import stagechain  # noqa: E402
from moviegen import wer  # noqa: E402


@dataclass
class Row:
    """One clip's numbers."""

    case: str
    family: str
    held_out: bool
    words: int
    wpm: float
    raw: float
    raw_hints: float
    pipe: float
    pipe_glossary: float
    spoken: int
    right_raw_hints: int
    invented_raw_hints: int
    right: int
    invented: int
    asr_s: float
    asr_glossary_s: float


def measure(case: nameset.Case, work: Path, asr_args: list[str]) -> tuple[Row, dict[str, str]]:
    clip = nameset.make_clip(case, work)
    gloss = stagechain.glossary(work, case.glossary)
    segments = stagechain.vad(clip.audio, work)
    raw, _ = stagechain.raw_transcribe(clip.audio)
    raw_hints, _ = stagechain.raw_transcribe(clip.audio, gloss)
    plain, plain_s, _ = stagechain.pipeline(clip.audio, segments, work, None, *asr_args)
    named, named_s, _ = stagechain.pipeline(clip.audio, segments, work, gloss, *asr_args)
    spoken, right, invented = nameset.name_score(clip.text, named, case.glossary)
    _, right_raw, invented_raw = nameset.name_score(clip.text, raw_hints, case.glossary)
    row = Row(case.name, case.family, case.held_out, len(clip.text.split()), round(clip.words_per_minute),
              wer(clip.text, raw), wer(clip.text, raw_hints), wer(clip.text, plain), wer(clip.text, named),
              spoken, right_raw, invented_raw, right, invented, plain_s, named_s)
    texts = {"reference": clip.text, "raw": raw, "raw_hints": raw_hints, "pipeline": plain, "pipeline_glossary": named}
    return row, texts


def _pooled(rows: list[Row], label: str) -> list[str]:
    """One table line for a group: WERs weighted by words, counts summed."""
    words = sum(r.words for r in rows)

    def w(attr: str) -> str:
        return f"{sum(getattr(r, attr) * r.words for r in rows) / words:.3f}"

    spoken = sum(r.spoken for r in rows)
    return [label, str(len(rows)), w("raw"), w("raw_hints"), w("pipe"), w("pipe_glossary"),
            f"{sum(r.right_raw_hints for r in rows)}/{spoken} +{sum(r.invented_raw_hints for r in rows)}",
            f"{sum(r.right for r in rows)}/{spoken} +{sum(r.invented for r in rows)}",
            f"{sum(r.asr_s for r in rows):.1f}", f"{sum(r.asr_glossary_s for r in rows):.1f}"]


HEADER = ["part / family", "clips", "raw", "raw+hints", "pipe", "pipe+gloss", "names raw+hints",
          "names pipe+gloss", "asr s", "asr+gloss s"]


def table(rows: list[Row]) -> str:
    """Per clip, then per family for each part, then the parts."""
    lines = [[r.case, "1", f"{r.raw:.3f}", f"{r.raw_hints:.3f}", f"{r.pipe:.3f}", f"{r.pipe_glossary:.3f}",
              f"{r.right_raw_hints}/{r.spoken} +{r.invented_raw_hints}", f"{r.right}/{r.spoken} +{r.invented}",
              f"{r.asr_s:.1f}", f"{r.asr_glossary_s:.1f}"] for r in rows]
    for held in (False, True):
        part = "held-out" if held else "dev"
        for family in ("flite", "espeak", "real"):
            group = [r for r in rows if r.held_out == held and r.family == family]
            if group:
                lines.append(_pooled(group, f"{part} {family}"))
        group = [r for r in rows if r.held_out == held]
        if group:
            lines.append(_pooled(group, f"{part} ALL"))
    widths = [max(len(x) for x in col) for col in zip(HEADER, *lines, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*HEADER), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--asr-arg", action="append", default=[], help="extra argument for the asr stage")
    parser.add_argument("--json", type=Path, help="also write rows and texts here")
    parser.add_argument("--texts", action="store_true", help="print each clip's transcripts")
    args = parser.parse_args()
    cases = [c for c in nameset.CASES if not args.cases or c.name in args.cases]
    rows, texts = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-names-") as tmp:
        for case in cases:
            row, text = measure(case, Path(tmp) / case.name, args.asr_arg)
            rows.append(row)
            texts[case.name] = text
            print(f"{case.name}: done", file=sys.stderr, flush=True)
            if args.texts:
                for key, value in text.items():
                    print(f"  {key:18} {value}", file=sys.stderr)
    print(table(rows))
    print("names: right/spoken +invented; WER pooled over words; raw = faster-whisper alone on the whole audio")
    if args.json:
        args.json.write_text(json.dumps({"rows": [asdict(r) for r in rows], "texts": texts}, indent=1))


if __name__ == "__main__":
    main()
