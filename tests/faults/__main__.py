"""`python -m faults`: the fault campaign; prints a line per trial and case, then the counts."""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

from .campaigns import baseline, kill_campaign, signal_campaign
from .table import run_table
from .tally import Tally
from .target import make_target


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="faults", description=__doc__)
    p.add_argument("--pipeline", choices=("busybox", "movie"), default="busybox")
    p.add_argument("--kills", type=int, default=10, help="SIGKILLs at random instants (200 for the benchmark run)")
    p.add_argument("--signals", type=int, default=4, help="trials per signal (SIGINT, SIGTERM, SIGHUP)")
    p.add_argument("--window-only", action="store_true", help="every signal inside the create/start window")
    p.add_argument("--no-table", action="store_true", help="skip the table of hostile cases")
    p.add_argument("--runner", type=Path, default=None, help="another checkout's runner to test (its root folder)")
    p.add_argument("--case", action="append", default=[], help="only table cases whose name contains this")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--keep", action="store_true", help="keep the scratch folder")
    p.add_argument("--strict", action="store_true", help="exit 1 unless every count is 0")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    scratch = Path(tempfile.mkdtemp(prefix="reelstage-faults-"))
    print(f"faults: pipeline {args.pipeline}, seed {seed}, scratch {scratch}", flush=True)
    tally = Tally()
    try:
        target = make_target(args.pipeline, scratch / "target")
        if args.runner:
            target.runner_root = args.runner.resolve()
        base_wd = scratch / "baseline"
        base = baseline(target, base_wd)
        print(f"faults: baseline run {base.duration_s:.1f} s, {len(base.outputs)} output files", flush=True)
        kill_campaign(target, base, scratch, args.kills, rng, tally)
        signal_campaign(target, base, scratch, args.signals, rng, tally, window_only=args.window_only)
        if not args.no_table:
            run_table(target, scratch, base_wd, tally, args.case)
    finally:
        print(tally.summary(), flush=True)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 1 if (args.strict and tally.failed()) else 0


if __name__ == "__main__":
    sys.exit(main())
