"""Per-attempt resource accounting from the local engine's container stats (real Docker)."""

from __future__ import annotations

import pytest
from harness import TEST_IMAGE

from runner.engine import ContainerSpec, make_engine

pytestmark = pytest.mark.docker


def test_a_stage_running_seconds_reports_peak_memory_and_cpu(busybox_image):
    spec = ContainerSpec(TEST_IMAGE, ("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 2",))
    result = make_engine("local").run(spec, lambda _: None)
    assert result.reason == "ok"
    assert result.peak_memory_bytes and result.peak_memory_bytes > 100_000
    assert result.cpu_s and 0 < result.cpu_s < result.duration_s
