"""The scheduler and resource pool: pure logic, no Docker."""

from __future__ import annotations

import pytest

from runner.pipeline.config import MIN_FREE_BYTES, DiskNeed
from runner.run.resources import Capacity, Need, Pool, parse_gpus
from runner.run.scheduler import Job, Scheduler
from runner.sizes import parse_size

GIB = 2**30


def test_sizes_and_gpu_ids_parse():
    assert parse_size("20m") == 20 * 2**20 and parse_size("1.5g") == int(1.5 * GIB) and parse_size(512) == 512
    assert parse_size("512MiB") == 512 * 2**20
    with pytest.raises(ValueError):
        parse_size("lots")
    assert parse_gpus("0,1") == ("0", "1") and parse_gpus("0") == ("0",) and parse_gpus("none") == ()


@pytest.mark.parametrize("text", ["lots", "x", "k/s", "-1m", "-1x", "nanx", "1e3x", ""])
def test_disk_estimates_refuse_what_is_not_a_size(text):
    with pytest.raises(ValueError, match=r"\(1\.1x\)"):
        DiskNeed.parse(text)


def test_disk_estimates_share_the_size_units():
    media_s, size = 3600.0, 10 * GIB
    assert DiskNeed.parse("64k/s").bytes_for(size, media_s) == 64 * 1024 * 3600
    assert DiskNeed.parse("1.1x").bytes_for(size, media_s) == int(1.1 * size)
    assert DiskNeed.parse("2g").bytes_for(size, None) == parse_size("2g")
    assert DiskNeed.parse("1m").bytes_for(size, None) == MIN_FREE_BYTES  # never below the floor


def test_jobs_start_in_priority_order_only_when_they_fit():
    sched = Scheduler(Pool(Capacity(cpus=2, memory_bytes=4 * GIB)))
    sched.submit(Job("b", Need(cpus=1), (1, 0)))
    sched.submit(Job("a", Need(cpus=1), (0, 0)))
    sched.submit(Job("c", Need(cpus=1), (2, 0)))
    assert [j.key for j, _ in sched.pick()] == ["a", "b"]
    assert sched.pick() == [] and sched.waiting == 1
    sched.release("a")
    assert [j.key for j, _ in sched.pick()] == ["c"]


def test_memory_bounds_what_runs_together():
    sched = Scheduler(Pool(Capacity(cpus=8, memory_bytes=4 * GIB)))
    for name in "xyz":
        sched.submit(Job(name, Need(cpus=1, memory_bytes=2 * GIB), (ord(name),)))
    assert len(sched.pick()) == 2


def test_a_need_bigger_than_the_host_runs_alone_instead_of_never():
    sched = Scheduler(Pool(Capacity(cpus=2, memory_bytes=GIB)))
    sched.submit(Job("huge", Need(cpus=8, memory_bytes=8 * GIB), (0,)))
    sched.submit(Job("small", Need(cpus=1), (1,)))
    assert [j.key for j, _ in sched.pick()] == ["huge"]
    sched.release("huge")
    assert [j.key for j, _ in sched.pick()] == ["small"]


def test_backfill_until_a_big_job_starves():
    sched = Scheduler(Pool(Capacity(cpus=2, memory_bytes=GIB)), starve_after_s=60)
    sched.submit(Job("running", Need(cpus=1), (0,), since=0))
    sched.pick(now=0)
    sched.submit(Job("big", Need(cpus=2), (1,), since=0))
    sched.submit(Job("small", Need(cpus=1), (2,), since=0))
    assert [j.key for j, _ in sched.pick(now=10)] == ["small"]  # backfilled past the big one
    sched.release("small")
    sched.submit(Job("small2", Need(cpus=1), (3,), since=10))
    assert sched.pick(now=100) == []  # the big job starved: nothing passes it now
    sched.release("running")
    assert [j.key for j, _ in sched.pick(now=101)] == ["big"]


def test_gpu_stages_get_distinct_devices_and_wait_for_a_free_one():
    sched = Scheduler(Pool(Capacity(cpus=8, memory_bytes=GIB, gpu_ids=("0", "1"))))
    for name in ("asr", "vad", "diar"):
        sched.submit(Job(name, Need(cpus=1, gpus=1), (len(name),)))
    grants = {j.key: g.gpu_ids for j, g in sched.pick()}
    assert sorted(grants.values()) == [("0",), ("1",)] and sched.waiting == 1
    freed = next(k for k in grants)
    sched.release(freed)
    ((_job, grant),) = sched.pick()
    assert grant.gpu_ids == grants[freed]


def test_a_gpu_stage_without_known_gpu_ids_is_not_blocked():
    sched = Scheduler(Pool(Capacity(cpus=2, memory_bytes=GIB)))
    sched.submit(Job("asr", Need(cpus=1, gpus=1), (0,)))
    ((_job, grant),) = sched.pick()
    assert grant.gpu_ids == ()


def test_cluster_nodes_spread_the_load_and_gpu_stages_go_to_gpu_nodes():
    nodes = (Capacity(2, 4 * GIB, node="n1"), Capacity(2, 4 * GIB, node="n2"),
             Capacity(2, 4 * GIB, ("0",), node="gpu1"))
    sched = Scheduler(Pool(Capacity(6, 12 * GIB, nodes=nodes)))
    sched.submit(Job("asr", Need(cpus=1, gpus=1), (0,)))
    for i in range(4):
        sched.submit(Job(f"cpu{i}", Need(cpus=1), (i + 1,)))
    placed = {j.key: g.node for j, g in sched.pick()}
    assert placed["asr"] == "gpu1"
    assert sorted(placed.values()).count("n1") == 2 and sorted(placed.values()).count("n2") == 2
    sched.submit(Job("asr2", Need(cpus=1, gpus=1), (9,)))
    assert sched.pick() == []  # the only GPU is taken; CPU room elsewhere does not help a GPU stage
