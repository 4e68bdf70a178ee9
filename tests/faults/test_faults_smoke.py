"""A small-N run of the fault suite inside `make test` (the full campaign is `make faults`).

Two SIGKILLs at random instants and one SIGINT/SIGTERM/SIGHUP each inside the create/start window,
each followed by a resuming run, plus a few table cases: every count must be 0.
"""

from __future__ import annotations

import random

import pytest

from faults.campaigns import baseline, kill_campaign, signal_campaign
from faults.cases import CASES
from faults.table import run_case
from faults.tally import Tally
from faults.target import busybox_target

pytestmark = pytest.mark.docker

SMOKE_CASES = ("FIFO as input", "work folder read-only", "--only unknown stage", "concurrent run")


def test_fault_suite_smoke(tmp_path):
    target = busybox_target(tmp_path / "target")
    base = baseline(target, tmp_path / "baseline")
    assert base.outputs, "the baseline produced nothing to compare with"
    tally = Tally()
    rng = random.Random(1234)
    kill_campaign(target, base, tmp_path, 2, rng, tally)
    signal_campaign(target, base, tmp_path, 1, rng, tally, window_only=True)
    for case in CASES:
        if case.name in SMOKE_CASES:
            run_case(target, case, tmp_path, tmp_path / "baseline", tally)
    print(tally.summary())
    assert len(tally.rows) == 2 + 3 + len(SMOKE_CASES)
    assert not tally.failed(), "\n".join(f"{r.name}: {r.problems}" for r in tally.rows if r.problems)
