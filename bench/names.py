"""Names without side effects: the raw engine against the pipeline's asr + post_ner on the names test set.

For every clip of tests/nameset.py (voice families flite, espeak, real; development and HELD-OUT parts):
WER of bare faster-whisper on the whole audio without and with the glossary as hints, WER of the stage
programs silero_vad → asr → post_ner without and with the glossary, names spelled right / spoken and names
invented (glossary names in the text that were not spoken), and the asr stage's seconds. Everything runs
on the host (`make test-deps`), tiny.en int8.

    PYTHONPATH=. .venv/bin/python bench/names.py [--cases NAME ...] [--asr-arg=--flag ...] [--json FILE]

Measured 2026-11-28 on the shared 2-core host (asr seconds are noisy under load), WER pooled per part:

asr --hints      WER dev: raw / raw+hints / pipe / pipe+gloss   held-out: same       names dev, held-out
every-chunk      0.179 / 0.183 / 0.198 / 0.205                 0.343 / 0.131 / 0.305 / 0.136   24/29 +1, 24/26 +0
name spans only  0.179 / 0.183 / 0.198 / 0.116                 0.343 / 0.131 / 0.315 / 0.202   23/29 +1, 21/26 +0
names (default)  0.179 / 0.183 / 0.198 / 0.112                 0.343 / 0.131 / 0.305 / 0.169   23/29 +1, 21/26 +0
names-hotwords   0.179 / 0.183 / 0.198 / 0.108                 (not run)                       23/29 +1

(every-chunk: the former behaviour, prompt and hotwords on every chunk; name spans only: the first version
of the merge; names: the hinted pass except where it drops words or brings in a name not heard.)

The dev gain is espeak-lab-fast, where the prompt makes tiny.en stop after one sentence (raw engine with
hints 0.843, every-chunk 0.902, names 0.353). On the held-out part the default loses to every-chunk
(0.169 vs 0.136): the merge rejects hinted spans whose non-name words changed too ("Varnholt is" for
"Arnto, I'll just"; "Lake Andre station" for "late on Drestation", "Lake" being a glossary word). The
"+1" on dev is "Rose wishes" (rose bushes) capitalised by the plain pass too, not a hint leak.
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
