"""The runner's busybox cases through `reelstage run --engine swarm`, on a real three-node swarm."""

from __future__ import annotations

import json
import signal
import time

import docker
import pytest
from harness import TEST_IMAGE, stage
from swarmkit import node_containers

pytestmark = pytest.mark.swarm
NODES = {"rsw-n1", "rsw-n2", "rsw-n3"}


@pytest.fixture(params=["shared", "staged"])
def swarm_project(request, project, swarm_env, monkeypatch):
    for key, value in swarm_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("REELSTAGE_SWARM_STORAGE", request.param)
    monkeypatch.setenv("REELSTAGE_ENGINE", "swarm")
    project.storage = request.param
    return project


def nothing_left(cluster, project) -> bool:
    label = f"io.reelstage.workdir={project.workdir.resolve()}"
    services = docker.DockerClient(base_url=cluster.manager.host).api.services(filters={"label": label})
    containers = node_containers(cluster, "io.reelstage.workdir", str(project.workdir.resolve()))
    return not services and not any(containers.values())


def test_success_records_the_node_of_each_attempt(swarm_project, cluster):
    swarm_project.write(
        [
            stage("first", "echo one > {out}/out.txt; echo '{\"progress\": 0.5}'; hostname"),
            stage("second", "cat {stages.first.out} {input} > {out}/out.txt"),
        ]
    )
    res = swarm_project.run()
    assert res.returncode == 0, res.stdout + res.stderr
    m = swarm_project.manifest()
    nodes = [m["stages"][s]["attempts"][0]["node"] for s in ("first", "second")]
    assert set(nodes) <= NODES
    assert nodes[0] in (swarm_project.workdir / "logs" / "first.log").read_text()  # the log came from that node
    assert (swarm_project.workdir / "02_second" / "out.txt").read_text().startswith("one\nnot really a movie")
    assert nothing_left(cluster, swarm_project)
    assert not list((swarm_project.workdir / ".staging").iterdir())


def test_failure_timeout_and_bad_output(swarm_project, cluster):
    swarm_project.write([stage("broken", "echo broken >&2; exit 7")])
    assert swarm_project.run().returncode == 1
    attempt = swarm_project.manifest()["stages"]["broken"]["attempts"][0]
    assert (attempt["reason"], attempt["exit_code"]) == ("exit_code", 7) and attempt["node"] in NODES

    swarm_project.write([stage("slow", "trap '' TERM; sleep 60", timeout=5, grace=1)])
    started = time.monotonic()
    assert swarm_project.run().returncode == 1
    assert time.monotonic() - started < 5 + 1 + 15
    assert swarm_project.manifest()["stages"]["slow"]["attempts"][0]["reason"] == "timeout"

    swarm_project.write([stage("empty", "true", outputs={"out": {"path": "out.txt", "kind": "json"}})])
    assert swarm_project.run().returncode == 1
    assert swarm_project.manifest()["stages"]["empty"]["attempts"][0]["reason"] == "verify_failed"
    assert not (swarm_project.workdir / "01_empty").exists()
    assert nothing_left(cluster, swarm_project)


def test_rerun_resumes_after_a_failure(swarm_project):
    swarm_project.write(
        [
            stage("alpha", "echo a > {out}/out.txt"),
            stage("beta", "test {params.ok} = yes || exit 1; echo b > {out}/out.txt"),
        ],
        params={"ok": "no"},
    )
    assert swarm_project.run().returncode == 1
    res = swarm_project.run("--set", "ok=yes")
    assert res.returncode == 0, res.stderr
    assert "alpha - skip (up to date)" in res.stdout
    m = swarm_project.manifest()
    assert len(m["stages"]["alpha"]["attempts"]) == 1 and len(m["stages"]["beta"]["attempts"]) == 2


def test_sigkill_mid_stage_then_rerun_reaps_the_service(swarm_project, cluster):
    swarm_project.write([stage("alpha", "echo a > {out}/out.txt"), stage("beta", "sleep 4; echo b > {out}/out.txt")])
    proc = swarm_project.start()
    swarm_project.wait_for(lambda m: m["stages"]["beta"]["status"] == "running" and m["stages"]["beta"]["attempts"])
    time.sleep(2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert not nothing_left(cluster, swarm_project)  # the service outlived its runner
    res = swarm_project.run()
    assert res.returncode == 0, res.stderr
    assert "left by an earlier run that died" in res.stdout
    assert nothing_left(cluster, swarm_project)
    assert (swarm_project.workdir / "02_beta" / "out.txt").read_text() == "b\n"


def test_interrupt_stops_the_task_and_records_interrupted(swarm_project, cluster):
    swarm_project.write([stage("slow", "sleep 30; echo x > {out}/out.txt", grace=2)])
    proc = swarm_project.start()
    swarm_project.wait_for(lambda m: m["stages"]["slow"]["status"] == "running" and m["stages"]["slow"]["attempts"])
    time.sleep(2)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=40) == 130
    assert time.monotonic() - started < 2 + 12
    m = swarm_project.manifest()
    assert m["pipeline"]["status"] == "interrupted"
    assert m["stages"]["slow"]["attempts"][-1]["reason"] == "interrupted"
    assert m["stages"]["slow"]["attempts"][-1]["node"] in NODES
    assert nothing_left(cluster, swarm_project)
    events = [json.loads(x)["event"] for x in (swarm_project.workdir / "events.jsonl").read_text().splitlines()]
    assert events[-1] == "pipeline.interrupted"


def test_node_killed_mid_stage_retries_on_another_node(swarm_project, cluster, healthy):
    """Compose's deploy.placement keeps the stage off the manager (so killing its node keeps the swarm)."""
    swarm_project.write(
        [stage("work", "echo start; sleep 5; hostname > {out}/out.txt")],
        services={"bb": {"image": TEST_IMAGE, "deploy": {"placement": {"constraints": ["node.role==worker"]}}}},
    )
    proc = swarm_project.start()
    swarm_project.wait_for(lambda m: (m["stages"]["work"]["attempts"] or [{}])[0].get("started_at"), timeout=30)
    victim: list[str] = []

    def running() -> bool:
        per_node = node_containers(cluster, "io.reelstage.workdir", str(swarm_project.workdir.resolve()))
        victim[:] = [
            n
            for n, cs in per_node.items()
            if any(c["State"] == "running" and c["Labels"].get("com.docker.swarm.task.id") for c in cs)
        ]
        return bool(victim)

    deadline = time.monotonic() + 30
    while not running() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert victim, "the stage never started"
    lost_at = time.monotonic()
    cluster.node(victim[0]).kill()
    out, err = proc.communicate(timeout=120)
    recovered_s = time.monotonic() - lost_at
    assert proc.returncode == 0, out + err
    first, second = swarm_project.manifest()["stages"]["work"]["attempts"]
    assert first["reason"] == "engine_error" and first["node"] == victim[0] and victim[0] in first["error"]
    assert second["reason"] == "ok" and second["node"] in NODES - {victim[0], "rsw-n1"}
    assert (swarm_project.workdir / "01_work" / "out.txt").read_text().strip() == second["node"]
    storage, done_on = swarm_project.storage, second["node"]
    print(f"[{storage}] node {victim[0]} lost; the stage completed on {done_on} {recovered_s:.1f} s later")


def test_batch_spreads_many_movies_over_the_nodes_and_gpu_stages_go_to_the_gpu_node(project, swarm_env,
                                                                                  monkeypatch, cluster):
    """`reelstage batch --engine swarm`: the library's scheduler works on the cluster's capacity."""
    import subprocess

    from harness import REELSTAGE, _env

    for key, value in swarm_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("REELSTAGE_SWARM_STORAGE", "shared")
    gpu = {"resources": {"reservations": {"devices": [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]}}}
    services = {"bb": {"image": TEST_IMAGE}, "gpu": {"image": TEST_IMAGE, "deploy": gpu}}
    project.write(
        [
            stage("cpu", "sleep 2; hostname > {out}/out.txt", depends_on=[]),
            {**stage("gpu", "hostname > {out}/out.txt", depends_on=[], gpu="optional"), "service": "gpu"},
        ],
        services=services,
    )
    library = project.root / "library"
    library.mkdir()
    for i in range(4):
        (library / f"m{i}.mp4").write_bytes(f"movie {i}\n".encode() * 100)
    res = subprocess.run([*REELSTAGE, "batch", str(library), "--engine", "swarm", "--config", str(project.config),
                          "--out", str(project.root / "out"), "--jobs", "4"],
                         capture_output=True, text=True, timeout=900, env={**_env(), **swarm_env})
    assert res.returncode == 0, res.stdout + res.stderr
    cpu_nodes, gpu_nodes = set(), set()
    for i in range(4):
        m = json.loads((project.root / "out" / f"m{i}" / "manifest.json").read_text())
        cpu_nodes.add(m["stages"]["cpu"]["attempts"][-1]["node"])
        gpu_nodes.add(m["stages"]["gpu"]["attempts"][-1]["node"])
    assert len(cpu_nodes) >= 2 and cpu_nodes <= NODES  # many movies at once, over several nodes
    assert gpu_nodes == {"rsw-n3"}  # the only node that advertises a GPU
