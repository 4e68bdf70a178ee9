"""Subtitle shaping on a 2-hour movie's worth of words: bends and time of the whole builder against its
line-by-line layout alone (the baseline, run in the same process on the same words).

Synthetic word timings (seeded): two speakers, sentences of 4-18 words, pauses of 0.2-3 s, at a normal
pace (120-180 words per minute) and a fast one (150-270). Prints per pace: words, cues, style bends
of the baseline and of the builder, hard problems (must be 0), the worst bend and the time ratio.

    .venv/bin/python bench/srt_shaping.py [--minutes 120] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import srt

STAGE = Path(__file__).resolve().parents[1] / "stages" / "srt_generation"
sys.path[:0] = [str(STAGE), str(STAGE.parent / "common")]  # srtgen uses the stage library (reelstage_stage)
from srtgen import build  # noqa: E402
from srtgen.check import bends, hard_problems  # noqa: E402
from srtgen.model import Cue, Limits, Word  # noqa: E402
from srtgen.shape import build_cues  # noqa: E402

VOCAB = ("we have to leave the harbour tonight before storm closes northern pass and nobody will come for us "  # noqa: SIM905
         "if wait until morning because radio is dead boat only way out of here now captain doctor").split()
PACES = {"normal": (2.0, 3.0), "fast": (2.5, 4.5)}  # words per second


def words_for(minutes: float, pace: tuple[float, float], rng: random.Random) -> list[Word]:
    words, at, speaker = [], 1.0, "S1"
    while at < minutes * 60:
        n, wps = rng.randint(4, 18), rng.uniform(*pace)
        for k in range(n):
            text = rng.choice(VOCAB) + ("." if k == n - 1 else "")
            length = len(text) / 5.0 / wps
            words.append(Word(round(at, 3), round(at + 0.9 * length, 3), text, speaker, 0.9))
            at += length
        at += rng.choice([0.2, 0.4, 0.8, 1.5, 3.0])
        speaker = rng.choice(["S1", "S2"])
    return words


def as_srt(cues: list[Cue]) -> list[srt.Subtitle]:
    subs = [srt.Subtitle(k, timedelta(milliseconds=c.start_ms), timedelta(milliseconds=c.end_ms),
                         "\n".join(c.lines)) for k, c in enumerate(cues, 1)]
    return list(srt.parse(srt.compose(subs)))


def baseline(words: list[Word], limits: Limits) -> list[Cue]:
    """The builder without its exact fallback and guard: what srt_generation did before."""
    groups = build.split_groups(words)
    starts = [g[0].start for g in groups[1:]] + [None]
    cues = [c for g, after in zip(groups, starts, strict=True) for c in build.segment(g, limits, after)]
    return build.repair(build.pair_exchanges(cues, limits), limits, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    limits = Limits()
    for pace, wps in PACES.items():
        words = words_for(args.minutes, wps, random.Random(args.seed))
        t0 = time.perf_counter()
        before = as_srt(baseline(words, limits))
        t1 = time.perf_counter()
        after = as_srt(build_cues(words, limits))
        t2 = time.perf_counter()
        old, new = bends(before, limits), bends(after, limits)
        top = max(new, key=lambda b: b["ratio"], default=None)
        worst = "none" if top is None else "{rule} {value:g} (x{ratio:g})".format(**top)
        print(f"{pace}: {len(words)} words, cues {len(before)} -> {len(after)}, bends {len(old)} -> {len(new)}, "
              f"hard {len(hard_problems(after))}, worst {worst}, "
              f"time {t1 - t0:.1f} s -> {t2 - t1:.1f} s (ratio {(t2 - t1) / max(t1 - t0, 1e-9):.1f})")


if __name__ == "__main__":
    main()
