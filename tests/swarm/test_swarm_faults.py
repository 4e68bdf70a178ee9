"""Faults on a real swarm: a node dies, is drained, or is cut off while it runs a stage."""

from __future__ import annotations

import threading
import time

import docker
import pytest
from swarmkit import node_containers, wait_until
from test_swarm_engine import engine, spec

from runner.engine import EngineError

pytestmark = pytest.mark.swarm
TASK_START_S = 90


def run_in_thread(e, s) -> tuple[threading.Thread, dict, list[str]]:
    """Start `e.run(s)` in a thread; returns it, its outcome and its lines as they come."""
    outcome: dict = {}
    lines: list[str] = []

    def target():
        started = time.monotonic()
        try:
            outcome["result"] = e.run(s, lines.append)
        except EngineError as exc:
            outcome["error"] = exc
        outcome["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome, lines


def running_on(cluster, label_value: str) -> str:
    """The node whose engine runs the task labelled for this test (waits for it to start)."""
    found: list[str] = []

    def look() -> bool:
        per_node = node_containers(cluster, "io.reelstage.test", label_value)
        found[:] = [name for name, cs in per_node.items() if any(c["State"] == "running" for c in cs)]
        return bool(found)

    # after the previous test killed a node and `healthy` restarted it, a loaded host once took over 30 s
    # to start the next task on it (CI, 1 run in 9); the engine itself has no start deadline to test here
    assert wait_until(look, TASK_START_S), f"the task never started:\n{swarm_state(cluster)}"
    return found[0]


def swarm_state(cluster) -> str:
    """The manager's nodes and tasks, for a failure message."""
    nodes = cluster.manager.docker("node", "ls", check=False, quiet=True).stdout
    services = cluster.manager.docker("service", "ls", "-q", check=False, quiet=True).stdout.split()
    tasks = cluster.manager.docker("service", "ps", "--no-trunc", *services, check=False, quiet=True).stdout
    return f"{nodes}\n{tasks if services else '(no service)'}"


def test_node_killed_mid_stage_is_an_engine_error_naming_it(cluster, healthy, swarm_env, tmp_path):
    e = engine(swarm_env)
    thread, outcome, _ = run_in_thread(e, spec("echo up; sleep 60", tmp_path, placement=("node.role==worker",)))
    victim = running_on(cluster, tmp_path.name)
    killed_at = time.monotonic()
    cluster.node(victim).kill()
    thread.join(60)
    detected_s = time.monotonic() - killed_at
    assert isinstance(outcome.get("error"), EngineError), outcome
    assert outcome["error"].node == victim and victim in str(outcome["error"])
    assert detected_s < 30
    print(f"node loss detected in {detected_s:.1f} s")


def test_drained_node_is_an_engine_error_and_the_task_is_stopped(cluster, healthy, swarm_env, tmp_path):
    e = engine(swarm_env)
    thread, outcome, _ = run_in_thread(e, spec("echo up; exec sleep 60", tmp_path, placement=("node.role==worker",)))
    victim = running_on(cluster, tmp_path.name)
    cluster.manager.docker("node", "update", "--availability", "drain", victim)
    thread.join(60)
    assert isinstance(outcome.get("error"), EngineError) and "drained" in str(outcome["error"]), outcome
    assert outcome["error"].node == victim
    assert wait_until(lambda: not any(node_containers(cluster, "io.reelstage.test", tmp_path.name).values()), 30)


def test_partition_deadline_holds_and_no_write_after_heal(cluster, healthy, swarm_env, tmp_path):
    """Cut a worker off while it runs a stage that keeps writing: the run still ends by its deadline
    (as a lost node or a timeout); once the partition heals, the node's agent stops the task, and
    nothing more is written (it only ever wrote into this attempt's own folder)."""
    e = engine(swarm_env)
    script = "echo up; i=0; while true; do i=$((i+1)); echo $i >> /out/ticks; sleep 0.2; done"
    s = spec(script, tmp_path, placement=("node.role==worker",), timeout_s=8, grace_s=1)
    thread, outcome, _ = run_in_thread(e, s)
    victim = running_on(cluster, tmp_path.name)
    cluster.node(victim).partition()
    try:
        thread.join(60)
        assert outcome, "run() did not return"
        assert outcome["elapsed"] < s.timeout_s + s.grace_s + 12
        ended = outcome.get("error") or outcome.get("result")
        assert isinstance(ended, EngineError) or ended.reason == "timeout", ended
        still_writing = (tmp_path / "out" / "ticks").stat().st_size
        time.sleep(1)
        assert (tmp_path / "out" / "ticks").stat().st_size > still_writing  # cut off, the task ran on
    finally:
        cluster.node(victim).heal()
    client = docker.DockerClient(base_url=cluster.node(victim).host)
    assert wait_until(
        lambda: not client.containers.list(ignore_removed=True,
                                           filters={"label": f"io.reelstage.test={tmp_path.name}"}), 90, 1
    ), "the node kept the task after the partition healed"
    size = (tmp_path / "out" / "ticks").stat().st_size
    time.sleep(2)
    assert (tmp_path / "out" / "ticks").stat().st_size == size
