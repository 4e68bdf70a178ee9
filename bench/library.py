"""A library of generated movies through `reelstage batch` against the same movies one after another
with `reelstage run`, in the same process tree, alternating the order each repetition.

Prints the wall-time ratio batch / one-by-one (target on a 2-core host: <= 0.7x) and, for each mode,
the host's CPU utilisation over the run (from /proc/stat: the busiest resource on a CPU-only host)
and the scheduler's CPU reservation utilisation (reserved CPU-seconds of the stages / cores x wall).

    .venv/bin/python bench/library.py [--movies 8] [--seconds 60] [--reps 2] [--jobs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from moviegen import DEFAULT_SCRIPT, make_movie  # noqa: E402

REELSTAGE = [sys.executable, "-m", "runner"]


def script_of(index: int, seconds: float) -> list[tuple[str, str, float]]:
    """The default dialogue rotated by `index` and repeated to about `seconds` (47 s per pass)."""
    lines = list(DEFAULT_SCRIPT[index % len(DEFAULT_SCRIPT):]) + list(DEFAULT_SCRIPT[: index % len(DEFAULT_SCRIPT)])
    passes = max(1, round(seconds / 47))
    extra = int(len(lines) * max(0.0, seconds / 47 - passes))
    return lines * passes + lines[:extra]


def cpu_times() -> tuple[float, float]:
    fields = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and host CPU utilisation while `cmd` ran."""
    total0, idle0 = cpu_times()
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
    wall = time.perf_counter() - t
    total1, idle1 = cpu_times()
    return wall, 1 - (idle1 - idle0) / max(1e-9, total1 - total0)


def reserved_cpu_seconds(workdirs: list[Path]) -> float:
    """CPU-seconds the scheduler held: each stage's duration times its reservation (1 core by default)."""
    held = 0.0
    for wd in workdirs:
        m = json.loads((wd / "manifest.json").read_text())
        for entry in m["stages"].values():
            for a in entry.get("attempts") or []:
                if a.get("duration_s"):
                    held += a["duration_s"] * a.get("cpus", 1.0)
    return held


def stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--movies", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=3)
    args = ap.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "runner")], check=True, capture_output=True)
    root = Path(tempfile.mkdtemp(prefix="reelstage-library-"))
    cores = len(os.sched_getaffinity(0))
    try:
        lib = root / "library"
        t = time.perf_counter()
        movies = [make_movie(lib / f"movie{i}.mp4", script_of(i, args.seconds)) for i in range(args.movies)]
        print(f"{args.movies} movies of {statistics.mean(m.duration_s for m in movies):.0f} s generated in "
              f"{time.perf_counter() - t:.0f} s; {cores} cores; load before: {os.getloadavg()[0]:.1f}")
        seq_times, batch_times, seq_util, batch_util, batch_held = [], [], [], [], []
        for rep in range(args.reps):
            order = ["seq", "batch"] if rep % 2 == 0 else ["batch", "seq"]
            for mode in order:
                out = root / f"{mode}{rep}"
                if mode == "seq":
                    wall = util = 0.0
                    for i in range(args.movies):
                        movie, workdir = lib / f"movie{i}.mp4", out / f"movie{i}"
                        w, u = timed([*REELSTAGE, "run", str(movie), "--workdir", str(workdir)])
                        wall, util = wall + w, util + u * w
                    util /= wall
                    seq_times.append(wall)
                    seq_util.append(util)
                else:
                    wall, util = timed([*REELSTAGE, "batch", str(lib), "--out", str(out), "--jobs", str(args.jobs),
                                        "--progress-interval", "600"])
                    batch_times.append(wall)
                    batch_util.append(util)
                    batch_held.append(reserved_cpu_seconds(sorted(out.iterdir())) / (cores * wall))
                print(f"  rep {rep + 1} {mode:<5} {wall:7.1f} s  host CPU busy {util * 100:4.0f}%", flush=True)
        seq, batch = statistics.median(seq_times), statistics.median(batch_times)
        paired = [b / s for b, s in zip(batch_times, seq_times, strict=True)]
        print(f"one after another: median {seq:.1f} s, host CPU busy {statistics.median(seq_util) * 100:.0f}%")
        busy, held = statistics.median(batch_util) * 100, statistics.median(batch_held) * 100
        print(f"batch --jobs {args.jobs}:    median {batch:.1f} s, host CPU busy {busy:.0f}%,"
              f" CPU reservations held {held:.0f}% of {cores} cores")
        print(f"wall-time ratio batch / one-by-one: {batch / seq:.2f}x (paired: "
              + ", ".join(f"{p:.2f}" for p in paired) + "; target <= 0.70x)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
