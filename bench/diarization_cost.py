"""Diarization time and memory on a generated movie: this tree's stage against a baseline tree's, same audio.

    git archive main stages | tar -x -C /tmp/base-tree      # the baseline: main's stage programs
    PYTHONPATH=. .venv/bin/python bench/diarization_cost.py --minutes 10 --baseline /tmp/base-tree [--rounds 2]

silero_vad (this tree: its segments.json also lists the pauses, which a baseline ignores) runs once, then each
round runs the baseline's diarization stage and this tree's, on the host (`make test-deps`), one after the
other; printed: seconds and peak RSS of each (the stage's own info line) and the ratios, best round of each.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from moviegen import extract_wav, make_long_movie  # noqa: E402


def run(tree: Path, stage: str, *args: str | Path) -> dict:
    """One stage program of `tree`; its last info message."""
    env = {**os.environ, "PYTHONPATH": str(tree / "stages" / "common"), "HF_HUB_OFFLINE": "1",
           "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, str(tree / "stages" / stage / "stage.py"), *map(str, args)],
                          capture_output=True, text=True, env=env, check=True)
    infos = [json.loads(line)["info"] for line in proc.stdout.splitlines() if line.startswith('{"info"')]
    return infos[-1] if infos else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--baseline", type=Path, required=True, help="a folder holding the baseline's stages/")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-diar-") as tmp:
        work = Path(tmp)
        make_long_movie(work / "movie.mp4", args.minutes)
        audio = extract_wav(work / "movie.mp4", work / "audio.wav")
        run(REPO, "silero_vad", "--audio", audio, "--out", work / "vad")
        vad = json.loads((work / "vad" / "segments.json").read_text())
        print(f"{args.minutes:g} min: {len(vad['segments'])} segments, {len(vad.get('pauses', []))} pauses inside")
        best: dict[str, dict] = {}
        for k in range(args.rounds):
            for name, tree in (("baseline", args.baseline), ("this tree", REPO)):
                info = run(tree, "diarization", "--audio", audio, "--vad", work / "vad" / "segments.json",
                           "--out", work / f"diar-{k}-{name[0]}", "--model-dir", work / "no-pyannote")
                print(f"round {k + 1} {name:9s}: {info['seconds']} s, peak RSS {info['peak_rss_mb']} MB, "
                      f"{info['num_speakers']} speakers, {info['turns']} turns", flush=True)
                if name not in best or info["seconds"] < best[name]["seconds"]:
                    best[name] = info
        base, this = best["baseline"], best["this tree"]
        print(f"ratio this/baseline: time {this['seconds'] / base['seconds']:.2f}, "
              f"peak RSS {this['peak_rss_mb'] / base['peak_rss_mb']:.2f}")


if __name__ == "__main__":
    main()
