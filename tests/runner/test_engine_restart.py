"""The Docker engine stopped (or crashed) and started again mid-stage, on a private dockerd.

Other work shares this machine's engine, so these tests never touch it: they start a dockerd of
their own (tests/engine_daemon.py) and restart that one while a stage runs.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time

import pytest
from engine_daemon import PrivateDockerd
from harness import TEST_IMAGE, labelled_containers, stage

from runner.engine import ContainerSpec, EngineLost
from runner.engine.docker_engine import DockerEngine

pytestmark = pytest.mark.docker


def restart_later(daemon: PrivateDockerd, after_s: float, sig: int, down_s: float = 0.5) -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(after_s), daemon.restart(down_s=down_s, sig=sig)))
    thread.start()
    return thread


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "crashed"])
def test_engine_restart_mid_run_is_engine_lost_and_nothing_is_left(private_dockerd, sig):
    engine = DockerEngine(private_dockerd.client())
    label = {"io.reelstage.test.restart": str(sig)}
    spec = ContainerSpec(image=TEST_IMAGE, command=("echo started; sleep 120",), labels=label, grace_s=1)
    lines: list[str] = []
    restarting = restart_later(private_dockerd, 1.5, sig)
    started = time.monotonic()
    with pytest.raises(EngineLost, match="Docker engine"):
        engine.run(spec, lines.append)
    assert time.monotonic() - started < 60  # not the 120 s of the stage: the loss is seen
    assert "started" in lines
    restarting.join()
    assert engine.wait_until_available(60)
    client = private_dockerd.client()
    deadline = time.monotonic() + 20  # a crashed engine reaps the dead container as it comes back
    while client.containers.list(ignore_removed=True, all=True, filters={"label": "io.reelstage.test.restart"}):
        assert time.monotonic() < deadline, "a container of the lost run is still there"
        engine.wait_until_available(5)
        time.sleep(0.5)


def test_wait_until_available_gives_up_after_its_timeout(private_dockerd):
    engine = DockerEngine(private_dockerd.client())
    private_dockerd.stop()
    try:
        started = time.monotonic()
        assert engine.wait_until_available(1.5) is False
        assert 1.0 < time.monotonic() - started < 6
    finally:
        private_dockerd.start()
    assert engine.wait_until_available(30)


def runner_env(project, daemon: PrivateDockerd, wait_s: float) -> dict:
    from harness import _env

    return {**_env(), **daemon.env(), "REELSTAGE_ENGINE_WAIT_S": str(wait_s)}


def run_until_its_container_runs(project, daemon: PrivateDockerd, wait_s: float) -> subprocess.Popen:
    """`reelstage run` of the project on the private engine, returned once its stage container exists."""
    proc = subprocess.Popen(project.args(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=project.root, env=runner_env(project, daemon, wait_s))  # fmt: skip
    client = daemon.client()
    deadline = time.monotonic() + 60
    while not labelled_containers(client, project.workdir):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    return proc


def test_run_survives_an_engine_restart_mid_stage(project, private_dockerd):
    project.write([stage("slow", "echo start; sleep 4; echo done > {out}/out.txt", grace=1)])
    proc = run_until_its_container_runs(project, private_dockerd, 60)
    client = private_dockerd.client()
    time.sleep(1.0)
    private_dockerd.restart(down_s=1.0)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    m = project.manifest()
    attempts = m["stages"]["slow"]["attempts"]
    assert [a["reason"] for a in attempts] == ["engine_error", "ok"], attempts
    assert "Docker engine" in attempts[0]["error"]
    assert m["pipeline"]["status"] == "completed"
    assert (project.workdir / "01_slow" / "out.txt").read_text() == "done\n"
    assert labelled_containers(client, project.workdir) == []


def test_engine_that_stays_down_is_one_line_and_a_finalized_manifest(project, private_dockerd):
    project.write([stage("slow", "sleep 30; echo x > {out}/out.txt", grace=1)])
    proc = run_until_its_container_runs(project, private_dockerd, 2)
    private_dockerd.stop()
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        private_dockerd.start()
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("reelstage: ") and "Docker engine" in lines[0], err
    m = json.loads((project.workdir / "manifest.json").read_text())
    assert m["pipeline"]["status"] == "failed" and m["pipeline"]["exit_code"] == 1
    assert [a["reason"] for a in m["stages"]["slow"]["attempts"]] == ["engine_error", "engine_error"]
