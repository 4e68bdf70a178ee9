"""SwarmEngine against a real three-node swarm (separate dockerd instances on this machine)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import docker
import pytest
from harness import TEST_IMAGE
from swarmkit import REPO, node_containers

from runner.engine import ContainerSpec, EngineError, GpuRequest, Interrupted, Mount, make_engine
from runner.engine.swarm_engine import SwarmEngine

pytestmark = pytest.mark.swarm


def engine(swarm_env: dict, storage: str = "shared") -> SwarmEngine:
    return make_engine(
        "swarm", host=swarm_env["REELSTAGE_SWARM_HOST"], storage=storage, nodes=swarm_env["REELSTAGE_SWARM_NODES"]
    )


def spec(script: str, tmp: Path, **extra) -> ContainerSpec:
    (tmp / "in").mkdir(exist_ok=True)
    (tmp / "out").mkdir(exist_ok=True)
    (tmp / "out").chmod(0o777)  # the stage runs as 1000 here; the runner passes its own uid (the folder's owner)
    (tmp / "in" / "data.txt").write_text("input-data\n")
    base = {
        "image": TEST_IMAGE,
        "command": (script,),
        "mounts": (Mount(str(tmp / "in"), "/work", True), Mount(str(tmp / "out"), "/out", False)),
        "labels": {"io.reelstage.test": tmp.name, "io.reelstage.stage": "t"},
        "user": "1000:1000",
        "timeout_s": 60,
        "grace_s": 1,
    }
    return ContainerSpec(**{**base, **extra})


def no_trace(cluster, tmp: Path) -> bool:
    """No service and no container with this test's label anywhere in the cluster."""
    client = docker.DockerClient(base_url=cluster.manager.host)
    services = client.api.services(filters={"label": f"io.reelstage.test={tmp.name}"})
    return not services and not any(node_containers(cluster, "io.reelstage.test", tmp.name).values())


def test_nodes_are_separate_engines_and_the_host_engine_is_untouched(cluster, swarm_env, docker_client):
    hosts = json.loads(swarm_env["REELSTAGE_SWARM_NODES"]).values()
    infos = [docker.DockerClient(base_url=h).info() for h in hosts]
    host = docker_client.info()
    assert sorted(i["Name"] for i in infos) == ["rsw-n1", "rsw-n2", "rsw-n3"]  # each in its own UTS namespace
    roots = {i["DockerRootDir"] for i in infos}
    assert len(roots) == 3 and host["DockerRootDir"] not in roots
    assert len({i["Swarm"]["NodeID"] for i in infos}) == 3
    assert docker_client.info()["Swarm"]["LocalNodeState"] == "inactive"
    capacity = {c.name: c for c in engine(swarm_env).capacity()}
    assert set(capacity) == {"rsw-n1", "rsw-n2", "rsw-n3"} and all(c.schedulable for c in capacity.values())
    assert capacity["rsw-n3"].generic == {"NVIDIA-GPU": 1} and capacity["rsw-n1"].role == "manager"


@pytest.mark.parametrize("storage", ["shared", "staged"])
def test_success_streams_logs_live_runs_as_user_without_network_inputs_read_only(swarm_env, cluster, tmp_path, storage):
    lines: list[tuple[float, str]] = []
    script = (
        "echo started; cat /work/data.txt; id -u;"
        f" timeout 4 nc -w 2 {cluster.manager.address} 2377 </dev/null >/dev/null 2>&1 && echo network || echo none;"
        " touch /work/x 2>/dev/null && echo input-writable || echo input-read-only;"
        " sleep 2; echo $(hostname) > /out/o.txt; echo done >&2"
    )
    started = time.monotonic()
    result = engine(swarm_env, storage).run(
        spec(script, tmp_path), lambda line: lines.append((time.monotonic() - started, line))
    )
    text = [line for _, line in lines]
    assert result.reason == "ok" and result.exit_code == 0, text
    assert result.node in {"rsw-n1", "rsw-n2", "rsw-n3"}
    assert text[:5] == ["started", "input-data", "1000", "none", "input-read-only"] and text[-1] == "done"
    assert lines[0][0] < result.duration_s - 1.5  # the first line arrived while the task was still running
    assert (tmp_path / "out" / "o.txt").read_text() == f"{result.node}\n"
    assert result.peak_memory_bytes and result.cpu_s is not None  # from the task container's stats on its node
    assert not (tmp_path / "in" / "x").exists()
    assert no_trace(cluster, tmp_path)


def test_failure_exit_code_and_node(swarm_env, tmp_path):
    result = engine(swarm_env).run(spec("echo broken >&2; exit 7", tmp_path), lambda _: None)
    assert (result.reason, result.exit_code) == ("exit_code", 7) and result.node


def test_timeout_stops_then_kills_and_removes(swarm_env, cluster, tmp_path):
    script = "trap 'echo got-term' TERM; while true; do sleep 0.2; done"  # survives SIGTERM: needs SIGKILL
    lines: list[str] = []
    started = time.monotonic()
    result = engine(swarm_env).run(spec(script, tmp_path, timeout_s=2, grace_s=1), lines.append)
    elapsed = time.monotonic() - started
    assert result.reason == "timeout" and result.exit_code == 137, (result, lines)
    assert "got-term" in lines
    assert elapsed < 2 + 1 + 8
    assert no_trace(cluster, tmp_path)


def test_interrupt_stops_the_task_and_reports_its_end(swarm_env, cluster, tmp_path):
    def interrupt(signum, frame):
        raise Interrupted(signum)

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 3.0)
    try:
        with pytest.raises(Interrupted) as caught:
            engine(swarm_env).run(spec("echo up; exec sleep 60", tmp_path), lambda _: None)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    result = caught.value.args[1]
    assert result.reason == "interrupted" and result.signal == signal.SIGALRM and result.node
    assert result.exit_code == 143  # SIGTERM reached the stage (through init)
    assert no_trace(cluster, tmp_path)


@pytest.mark.parametrize("storage", ["shared", "staged"])
def test_orphans_of_a_killed_runner_are_reaped_by_label(swarm_env, cluster, tmp_path, storage):
    code = (
        "import json, sys; from pathlib import Path; from runner.engine import make_engine, ContainerSpec, Mount;"
        f"e = make_engine('swarm', host={swarm_env['REELSTAGE_SWARM_HOST']!r}, storage={storage!r},"
        f" nodes={swarm_env['REELSTAGE_SWARM_NODES']!r});"
        f"p = Path({str(tmp_path)!r}); (p / 'o').mkdir();"
        f"e.run(ContainerSpec(image={TEST_IMAGE!r}, command=('echo up; sleep 60',),"
        " mounts=(Mount(str(p / 'o'), '/out', False),),"
        f" labels={{'io.reelstage.test': {tmp_path.name!r}}}), lambda line: print(line, flush=True))"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True, env={"PYTHONPATH": str(REPO)}
    )
    try:
        assert child.stdout.readline().strip() == "up"
    finally:
        child.kill()
        child.wait()
    left = node_containers(cluster, "io.reelstage.test", tmp_path.name)
    assert sum(len(v) for v in left.values()) >= 1  # the task (and in staged mode its helper) outlived the runner
    removed = engine(swarm_env, storage).remove_labelled({"io.reelstage.test": tmp_path.name}, grace_s=1)
    assert removed
    assert no_trace(cluster, tmp_path)
    volumes = [
        v
        for h in cluster.nodes[:3]
        for v in docker.DockerClient(base_url=h.host).volumes.list(
            filters={"label": f"io.reelstage.test={tmp_path.name}"}
        )
    ]
    assert volumes == []


def test_staged_storage_copies_named_inputs_and_only_complete_outputs(swarm_env, cluster, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "01_a").mkdir()
    (tmp_path / "in" / "01_a" / "big.bin").write_bytes(b"x" * 3_000_000)
    (tmp_path / "in" / "unnamed.txt").write_text("not named by the command\n")
    movie = tmp_path / "movie.mp4"
    movie.write_bytes(b"movie" * 1000)
    script = (
        "ls /work; wc -c < /work/01_a/big.bin; wc -c < /input/source.mp4;"
        " mkdir -p /out/sub && echo hi > /out/sub/deep.txt && echo top > /out/top.txt"
    )
    s = spec(
        script,
        tmp_path,
        mounts=(
            Mount(str(tmp_path / "in"), "/work", True),
            Mount(str(tmp_path / "out"), "/out", False),
            Mount(str(movie), "/input/source.mp4", True),
        ),
    )
    lines: list[str] = []
    result = engine(swarm_env, "staged").run(s, lines.append)
    assert result.reason == "ok", lines
    assert lines == ["01_a", "3000000", "5000"]  # only what the command names under /work
    assert (tmp_path / "out" / "sub" / "deep.txt").read_text() == "hi\n"
    assert (tmp_path / "out" / "top.txt").read_text() == "top\n"
    assert not list(tmp_path.glob("out.drain*"))
    assert no_trace(cluster, tmp_path)


def test_failed_task_outputs_are_not_copied_back(swarm_env, tmp_path):
    result = engine(swarm_env, "staged").run(spec("echo partial > /out/o.txt; exit 3", tmp_path), lambda _: None)
    assert result.exit_code == 3
    assert list((tmp_path / "out").iterdir()) == []


def test_placement_constraint_and_gpu_generic_resource(swarm_env, tmp_path):
    e = engine(swarm_env)
    placed = e.run(spec("true", tmp_path, placement=("node.hostname==rsw-n2",)), lambda _: None)
    assert placed.node == "rsw-n2"
    assert e.gpu_available()
    lines: list[str] = []
    gpu = e.run(
        spec(
            "cat /proc/1/environ | tr '\\0' '\\n' | grep DOCKER_RESOURCE",
            tmp_path,
            gpus=(GpuRequest(count=-1),),
        ),
        lines.append,
    )
    assert gpu.node == "rsw-n3"  # the only node advertising NVIDIA-GPU
    assert lines == ["DOCKER_RESOURCE_NVIDIA-GPU=fake-gpu-0"]


def test_reservations_show_in_capacity_while_the_task_runs(swarm_env, tmp_path):
    e = engine(swarm_env)
    seen = {}

    def watch():
        time.sleep(2.5)
        seen.update({c.name: c for c in e.capacity()})

    watcher = threading.Thread(target=watch)
    watcher.start()
    result = e.run(
        spec(
            "sleep 4",
            tmp_path,
            cpu_reservation=0.5,
            memory_reservation_bytes=64 << 20,
            cpu_limit=1.0,
            memory_limit_bytes=128 << 20,
        ),
        lambda _: None,
    )
    watcher.join()
    assert result.reason == "ok"
    node = seen[result.node]
    assert node.running_tasks >= 1 and node.reserved_cpus >= 0.5 and node.reserved_memory_bytes >= 64 << 20


def test_unschedulable_task_is_an_engine_error_at_the_deadline(swarm_env, tmp_path):
    with pytest.raises(EngineError, match="no node started the task"):
        engine(swarm_env).run(
            spec("true", tmp_path, timeout_s=3, placement=("node.labels.nowhere==true",)), lambda _: None
        )
