"""Speakers on screen: quick exchanges through the stage programs, development and HELD-OUT parts apart.

For every clip of tests/exchangeset.py (voice families flite, espeak, real): silero_vad → diarization → asr
(tiny.en int8) → srt_generation on the host (`make test-deps`), then per quick exchange whether the reply was
heard and whether it stands apart from the question (its own cue or its own "- " line), the cues that
join two speakers' words without the dialogue form, and (diarization alone) how many speaker changes after
under 0.5 s of silence the turns label apart. Also the diarization stage's seconds.

    PYTHONPATH=. .venv/bin/python bench/speakers.py [--cases NAME ...] [--diar-arg=--flag ...] [--keep DIR]

Exit status 0 always (a measurement, not a test); tests/test_e2e_fast_speech.py holds the assertions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import srt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
import exchangeset  # noqa: E402
import stagechain  # noqa: E402


def quick_changes(truth: list[tuple[float, float, str, str]], turns: list[dict]) -> tuple[int, int]:
    """Speaker changes after under 0.5 s of silence whose two lines the turns label differently, and all such."""
    def label(start: float, end: float) -> str | None:
        overlaps = {t["speaker"]: 0.0 for t in turns}
        for t in turns:
            overlaps[t["speaker"]] += max(0.0, min(end, t["end"]) - max(start, t["start"]))
        best = max(overlaps, key=overlaps.get, default=None)
        return best if best is not None and overlaps[best] > 0 else None
    pairs = [(a, b) for a, b in pairwise(truth) if a[2] != b[2] and b[0] - a[1] < 0.5]
    apart = sum(1 for a, b in pairs if None not in (label(*a[:2]), label(*b[:2])) and label(*a[:2]) != label(*b[:2]))
    return apart, len(pairs)


def run_case(case: exchangeset.Case, work: Path, diar_args: list[str]) -> dict:
    """One clip through the chain; its exchange results, faults and diarization seconds."""
    clip = exchangeset.make_clip(case, work)
    (work / "truth.json").write_text(json.dumps(clip.lines))
    segments = stagechain.vad(clip.wav, work)
    messages = stagechain.run_stage("diarization", "--audio", clip.wav, "--vad", segments, "--out", work / "diar",
                                    "--model-dir", work / "no-pyannote", *diar_args)
    info = next((m["info"] for m in messages if "info" in m), {})
    stagechain.run_stage("asr", "--audio", clip.wav, "--vad", segments, "--out", work / "asr",
                         "--model-dir", stagechain.model_dir(work), "--language", "en")
    stagechain.run_stage("srt_generation", "--transcript", work / "asr" / "transcript.json",
                         "--turns", work / "diar" / "turns.json", "--out", work / "srt")
    cues = list(srt.parse((work / "srt" / "subtitles.srt").read_text(encoding="utf-8")))
    turns = json.loads((work / "diar" / "turns.json").read_text())["turns"]
    return {"case": case.name, "family": case.family, "held_out": case.held_out,
            "exchanges": exchangeset.exchange_results(cues, case.exchanges),
            "faults": exchangeset.cue_faults(cues, clip.lines), "cues": len(cues),
            "changes": quick_changes(clip.lines, turns),
            "diar_s": info.get("seconds"), "turns": [(t["start"], t["end"], t["speaker"]) for t in turns],
            "truth": [(s, e, who) for s, e, who, _ in clip.lines],
            "srt": [c.content for c in cues]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--diar-arg", action="append", default=[], help="extra diarization argument")
    parser.add_argument("--keep", type=Path, help="keep the work folders here")
    parser.add_argument("--verbose", action="store_true", help="print turns and cues")
    args = parser.parse_args()
    cases = [exchangeset.case(n) for n in args.cases] if args.cases else list(exchangeset.CASES)
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    with tempfile.TemporaryDirectory(prefix="bench-speakers-") as tmp:
        root = args.keep or Path(tmp)
        for case in cases:
            row = run_case(case, root / case.name, args.diar_arg)
            part = "held-out" if case.held_out else "dev"
            ok = sum(x["apart"] for x in row["exchanges"])
            heard = sum(x["heard"] for x in row["exchanges"])
            t = totals[(case.family, part)]
            t[0] += ok
            t[1] += len(row["exchanges"])
            t[2] += heard
            t[3] += len(row["faults"])
            t[4] += row["changes"][0]
            t[5] += row["changes"][1]
            missed = [f"{x['question']}/{x['reply']}{'' if x['heard'] else ' (unheard)'}"
                      for x in row["exchanges"] if not x["apart"]]
            print(f"{case.name:22s} {part:8s} turns apart {row['changes'][0]}/{row['changes'][1]} "
                  f"exchanges {ok}/{len(row['exchanges'])} heard {heard} "
                  f"faults {len(row['faults'])} diar {row['diar_s']} s  missed {missed} {row['faults']}",
                  flush=True)
            if args.verbose:
                print("   truth", row["truth"], "\n   turns", row["turns"], "\n   srt", row["srt"])
    print("\nfamily  part      quick speaker changes labelled apart   exchanges apart in the SRT (replies heard)"
          "   cues joining speakers without dashes")
    for (family, part), (ok, total, heard, faults, apart, changes) in sorted(totals.items()):
        print(f"{family:7s} {part:9s} {apart}/{changes:<36d} {ok}/{total} ({heard} heard){'':28s} {faults}")


if __name__ == "__main__":
    main()
