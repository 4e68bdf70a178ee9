"""ASR decode settings on CPU: speed against accuracy, in one process, as ratios to the current settings.

Every variant (decode options, workers, chunk length) decodes the same material with the asr stage's own
loop (`asr_whisper.transcribe_chunks`, tiny.en int8); the variants take turns on each item, so load from
other processes on the host falls on all of them alike. Material:

- movie: the first `--seconds` of a tests/moviegen.py movie (needs `<movie>.truth.json`; VAD spans from
  the truth, as bench/asr_batch.py);
- dev: the development part of tests/nameset.py (VAD spans from the silero_vad stage program on the host);
- held-out: the HELD-OUT part, only with `--held-out`: report it, never choose a setting by it.

    PYTHONPATH=. .venv/bin/python bench/asr_speed.py MOVIE.mp4 [--seconds 300] [--variant NAME ...] [--held-out]

Prints per variant: decode wall and CPU seconds, their ratio to the first variant (summed over all items),
and WER per part (pooled: errors over reference words).

Measured 2026-11-28 on the shared 2-core host (load 4-14; CPU ratios are steadier than wall ratios), the
120-min bench movie; ratios against `accurate` (beam 5, temperature fallback: the default). "dev" and
"held-out" below are tests/nameset.py's parts as they were then: the former held-out cases (held-*) have
since become development (seen), as have held2-*; the held-out part is now held3-*, so a rerun differs:

run (material)                       variant               CPU    wall   WER movie  WER dev  WER held-out
A: 300 s movie + dev, no glossary    accurate              1      1      0.114      0.198
                                     beam 5, no fallback   0.98   0.81   0.114      0.198
                                     beam 2                0.88   0.76   0.130      0.201
                                     beam 2, no fallback   0.87   0.85   0.130      0.201
                                     beam 1                0.76   0.60   0.142      0.250
                                     beam 1, no fallback   0.75   0.54   0.142      0.250
                                     no word timestamps    0.87   0.55   (no words: the stage needs them)
                                     chunks <= 20 s        1.01   0.62   0.117      0.209
                                     beam 1, chunks 20 s   0.79   0.45   0.134      0.216
B: 120 s movie + dev, glossary       accurate              1      1      0.050      0.112
   (hint mode names, as the stage)   beam 5, no fallback   0.93   0.80   0.050      0.134
                                     beam 2                0.89   0.77   0.069      0.108
                                     beam 2, no fallback   0.80   0.66   0.069      0.108
                                     beam 1, no fallback   0.72   0.57   0.088      0.104
                                     no timestamp tokens,  0.86   0.76   0.092      0.104
                                     no fallback
C: 300 s movie + dev + held-out,     accurate              1      1      0.050      0.112    0.211
   glossary                          beam 2, no fallback   0.80   0.72   0.056      0.108    0.239
                                     beam 1, no fallback   0.76   0.69   0.073      0.104    0.362
D: same as C, load 1.5-3             fast                  0.77   0.72   0.056      0.108    0.239
   (accurate: 0.046 / 0.112 / 0.174) hinted=fast: plain    0.84   0.82   0.046      0.104    0.192
                                     pass accurate, hinted
                                     pass fast
E: 300 s movie + dev + held-out,     accurate (passes stop 1      1      0.040      0.101    0.183
   glossary, load 3-4; after           at the speech's end)
   asr_whisper.TAIL_S landed         tail=0 (the former    1.72   1.35   0.040      0.101    0.183
   (60fc610; parts as in C)            accurate)
                                     fast                  0.86   0.88   0.041      0.097    0.155

Run E is the lever named below, pulled: a pass no longer decodes the silence after the speech as one
more window, and `accurate` costs 1/1.72 of the CPU it did, with the same words on every item (WER
identical per item). The 2-hour movie's asr container: 1146.1 -> 693.4 CPU s, WER (first 600 s) 0.046
both (bench/e2e.py --minutes 120, load 2-4.5). With it `accurate` stays the default; the
2-hour runs are in the README; `fast` saves a further 0.86 for its accuracy cost.

Before run E no setting saved the 1.6x the 2-hour target needs without losing accuracy: beam 2 without fallback (the
`fast` preset) takes 0.80 of the CPU for +0.006 to +0.019 WER on the movie and +0.028 held-out, and the
asr container test on an espeak movie goes from 0.05 to 0.109 (its limit is 0.10); beam 1 is worse
(held-out flite-train-fast 0.18 -> 0.84). Accepted: <= 0.01 absolute WER on every dev part; so the
default stays `accurate` and `fast` is opt-in (`--set asr_decode=fast`). BatchedInferencePipeline and
worker counts: bench/asr_batch.py (batched was not faster and less accurate; 2 workers x 1 thread best).

Where the time goes on the bench movie (one 28 s chunk, one thread, CPU s): encoder 0.49, plain pass
1.99 (beam 2/1: 1.91/2.00; without word timestamps 1.43), the glossary-hinted pass 5.68: with hotwords
faster-whisper seeks to the last word's end and decodes the 0.9 s left as a second 30-s window, which
falls back up to temperature 1.0 (best_of 5) and yields one invented word ("Bridge."); with the prompt
alone 1.81. The movie names a glossary name in nearly every chunk, so the hinted pass is the larger lever:
`hinted=fast` (only the hinted pass with the fast preset) keeps the movie and dev WER (0.046, 0.112 ->
0.104) for 0.84 of the CPU; not made the default yet (measured once, at the end; held-out 0.174 -> 0.192).
End to end on the 2-hour movie (`bench/e2e.py --minutes 120 --set asr_decode=fast`) the asr container
used 887.7 CPU s against 1410.6 s with `accurate` (0.63; the hinted passes' tail windows no longer fall
back), WER of the first 600 s 0.051 against 0.049: at 1.8 busy cores that is asr ~490 s, the whole movie
in under 10 minutes, at the accuracy cost above on the other material.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / d) for d in ("tests", "stages/asr", "stages/common", "bench")]
import asr_whisper  # noqa: E402
import nameset  # noqa: E402
import stage  # noqa: E402  (stages/asr/stage.py)
import stagechain  # noqa: E402
from asr_audio import WavChunks  # noqa: E402
from asr_batch import extract, load, model_path  # noqa: E402
from asr_chunks import make_chunks, parse_segments  # noqa: E402
from asr_decode import DECODE_PRESETS  # noqa: E402
from asr_hints import Hints  # noqa: E402
from moviegen import MovieTruth, wer  # noqa: E402

BASE = dict(DECODE_PRESETS["accurate"])  # the former default
BASE_TEMPERATURES = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]  # faster-whisper's default fallback


@dataclass(frozen=True)
class Variant:
    """One way to decode: options passed to model.transcribe, workers (chunks at once), chunk length."""

    name: str
    options: dict[str, Any]
    workers: int = 2
    max_chunk: float = 30.0
    hinted: dict[str, Any] | None = None  # options of the glossary-hinted pass, when not `options`
    tail: bool = True  # passes stop at the end of the speech (asr_whisper.TAIL_S); False: every window decoded


KEYS = {"beam": "beam_size", "best_of": "best_of", "timestamps": "without_timestamps", "words": "word_timestamps"}


def parse_variant(spec: str) -> Variant:
    """`accurate`, `fast`, or comma-separated changes to the former default: `beam=2,fallback=0,
    timestamps=0,words=0,chunk=20,workers=1,hinted=fast,tail=0` (fallback=0: temperature 0 only, no re-decode
    at higher ones; hinted=PRESET: the glossary-hinted pass decodes with that preset; tail=0: a pass decodes
    every window, also the silence after the speech, as before asr_whisper.TAIL_S)."""
    if spec in DECODE_PRESETS:
        return Variant(spec, dict(DECODE_PRESETS[spec]))
    options, workers, chunk, hinted, tail = dict(BASE), 2, 30.0, None, True
    for part in filter(None, spec.split(",")):
        key, _, value = part.partition("=")
        if key == "fallback":
            options["temperature"] = BASE_TEMPERATURES if value != "0" else 0.0
        elif key == "timestamps":
            options["without_timestamps"] = value == "0"
        elif key == "words":
            options["word_timestamps"] = value != "0"
        elif key in KEYS:
            options[KEYS[key]] = int(value)
        elif key == "chunk":
            chunk = float(value)
        elif key == "workers":
            workers = int(value)
        elif key == "hinted":
            hinted = dict(DECODE_PRESETS[value])
        elif key == "tail":
            tail = value != "0"
        else:
            raise SystemExit(f"unknown variant setting {key!r}: use {', '.join(KEYS)}, fallback, chunk, workers, hinted"
                             )
    return Variant(spec, options, workers, chunk, hinted, tail)


@dataclass
class Item:
    """Audio to decode, its reference text and VAD spans."""

    name: str
    part: str  # movie | dev | held-out
    wav: Path
    reference: str
    spans: list[tuple[float, float]]
    duration: float
    glossary: tuple[str, ...] = ()
    hints: Hints = field(default_factory=Hints)


@dataclass
class Score:
    """A variant's totals."""

    wall: float = 0.0
    cpu: float = 0.0
    errors: dict[str, float] = field(default_factory=dict)
    words: dict[str, int] = field(default_factory=dict)


def movie_item(movie: Path, seconds: float, tmp: Path) -> Item:
    truth = MovieTruth.load(f"{movie}.truth.json")
    wav = extract(movie, seconds, tmp / "movie.wav")
    with WavChunks(wav) as reader:
        duration = reader.duration
    reference = " ".join(ln.text for ln in truth.lines if ln.end <= duration)
    spans = [(s["start"], s["end"]) for s in truth.vad_segments(0.1) if s["end"] <= duration]
    return Item(movie.name, "movie", wav, reference, spans, duration, tuple(truth.glossary))


def nameset_items(held_out: bool, tmp: Path) -> list[Item]:
    items = []
    for case in nameset.CASES:
        if case.held_out and not held_out:
            continue
        work = tmp / case.name
        clip = nameset.make_clip(case, work)
        spans = parse_segments(json.loads(stagechain.vad(clip.audio, work).read_text()))
        items.append(Item(case.name, "held-out" if case.held_out else "dev", clip.audio, clip.text, spans,
                          clip.duration_s, tuple(case.glossary)))
    return items


def decode(model: Any, item: Item, variant: Variant) -> str:
    plain_pass = asr_whisper._pass

    def hinted_pass(model, samples, language, prompt=None, hotwords=None, options=None, until=None):
        hinted = variant.hinted if variant.hinted is not None and (prompt or hotwords) else options
        return plain_pass(model, samples, language, prompt, hotwords, hinted, until if variant.tail else None)

    asr_whisper._pass = hinted_pass
    try:
        return _decode(model, item, variant)
    finally:
        asr_whisper._pass = plain_pass


def _decode(model: Any, item: Item, variant: Variant) -> str:
    chunks = make_chunks(item.spans, item.duration, max_chunk=variant.max_chunk)
    with WavChunks(item.wav) as audio:
        segments, _, _ = asr_whisper.transcribe_chunks(
            model, audio, chunks, item.spans, language="en", hints=item.hints, on_chunk=lambda i, n: None,
            workers=variant.workers, options=variant.options)
    return " ".join(s["text"] for s in segments)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("movie", type=Path)
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--variant", action="append", help="see parse_variant; the first one is the baseline")
    ap.add_argument("--held-out", action="store_true", help="also decode the HELD-OUT part of the names set")
    ap.add_argument("--glossary", action="store_true",
                    help="with each item's glossary as hints (pre_ner, then the asr stage's default hint mode)")
    ap.add_argument("--json", type=Path, help="write the totals here")
    args = ap.parse_args()
    variants = [parse_variant(v) for v in args.variant or ["accurate", "fast"]]
    tmp = tempfile.TemporaryDirectory()
    items = [movie_item(args.movie, args.seconds, Path(tmp.name)), *nameset_items(args.held_out, Path(tmp.name))]
    if args.glossary:
        for n, item in enumerate(items):
            folder = Path(tmp.name) / f"gloss{n}"
            folder.mkdir()
            item.hints = stage._hints(stagechain.glossary(folder, item.glossary), "names")
    cores = os.cpu_count() or 1
    models = {w: load(model_path(), max(1, cores // w), w) for w in sorted({v.workers for v in variants})}
    print(f"{len(items)} items, {sum(i.duration for i in items):.0f} s of audio; "
          f"load {Path('/proc/loadavg').read_text().split()[:3]}", flush=True)
    scores = {v.name: Score() for v in variants}
    for n, item in enumerate(items):
        for k in range(len(variants)):
            variant = variants[(n + k) % len(variants)]  # a different variant goes first on each item
            t, c = time.perf_counter(), time.process_time()
            text = decode(models[variant.workers], item, variant)
            score = scores[variant.name]
            score.wall += time.perf_counter() - t
            score.cpu += time.process_time() - c
            words = len(item.reference.split())
            score.errors[item.part] = score.errors.get(item.part, 0.0) + wer(item.reference, text) * words
            score.words[item.part] = score.words.get(item.part, 0) + words
            print(f"    {variant.name:<20} {time.perf_counter() - t:6.1f} s wall {time.process_time() - c:6.1f} s cpu "
                  f"WER {wer(item.reference, text):.3f}", flush=True)
        print(f"  {item.part} {item.name} done; load {Path('/proc/loadavg').read_text().split()[:3]}", flush=True)
    base = scores[variants[0].name]
    parts = [p for p in ("movie", "dev", "held-out") if p in base.words]
    print(f"\n{'variant':<20} {'wall s':>7} {'ratio':>6} {'cpu s':>7} {'ratio':>6} "
          + " ".join(f"{'WER ' + p:>12}" for p in parts))
    for v in variants:
        s = scores[v.name]
        wers = " ".join(f"{s.errors[p] / s.words[p]:12.3f}" for p in parts)
        print(f"{v.name:<20} {s.wall:7.1f} {s.wall / base.wall:6.2f} {s.cpu:7.1f} {s.cpu / base.cpu:6.2f} {wers}")
    print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    if args.json:
        args.json.write_text(json.dumps({v.name: {"wall": scores[v.name].wall, "cpu": scores[v.name].cpu,
                                                  "wer": {p: scores[v.name].errors[p] / scores[v.name].words[p]
                                                          for p in parts}} for v in variants}, indent=1))
    tmp.cleanup()


if __name__ == "__main__":
    main()
