"""The Docker engine's container lifecycle under signals: no container is ever left behind.

In-process against the real engine: a real SIGTERM (turned into Interrupted by the runner's own
handler) is sent at many instants across create/attach/start/wait/remove, and an Interrupted is
injected right after each Docker call returns (before its result could be assigned).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
import uuid

import docker.errors
import docker.models.containers
import pytest
from harness import TEST_IMAGE

from runner.engine import ContainerSpec, Interrupted
from runner.engine.docker_engine import DockerEngine
from runner.run.signals import interrupt_on_signals

pytestmark = pytest.mark.docker


def spec_for(label: str, script: str = "echo hi; sleep 0.3; echo bye") -> ContainerSpec:
    return ContainerSpec(
        image=TEST_IMAGE, command=(script,), labels={"io.reelstage.test.lifecycle": label}, timeout_s=30, grace_s=1
    )


def leftovers(client, label: str) -> list:
    return client.containers.list(ignore_removed=True, all=True,
                                  filters={"label": f"io.reelstage.test.lifecycle={label}"})


def test_signal_at_any_instant_leaves_no_container(docker_client, busybox_image):
    """30 SIGTERMs spread over the whole life of a short container (create → start → wait → remove)."""
    engine = DockerEngine(docker_client)
    label = uuid.uuid4().hex
    rng = random.Random(10)
    inside = after = 0
    for i in range(30):
        delay = (i / 30) * 0.8 + rng.uniform(0, 0.02)
        timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGTERM))
        try:
            with interrupt_on_signals():
                timer.start()
                try:
                    result = engine.run(spec_for(label), lambda line: None)
                except Interrupted as exc:
                    inside += 1
                    assert len(exc.args) == 2 and exc.args[1].reason == "interrupted", exc.args
                    assert exc.args[1].signal == signal.SIGTERM
                else:
                    assert result.reason == "ok"
                    time.sleep(1.0)  # the signal comes after run() returned: nothing of ours is left
                    after += 1
        except Interrupted:
            after += 1
        finally:
            timer.cancel()
        assert leftovers(docker_client, label) == [], f"container left by a signal {delay:.3f} s in"
    assert inside >= 10  # the sweep did hit the container's lifetime


@pytest.mark.parametrize(
    "where",
    ["create", "attach", "start", "wait", "stop", "remove"],
)
def test_interrupt_right_after_each_docker_call_leaves_no_container(docker_client, busybox_image, monkeypatch, where):
    """The Docker call completes, then the exception lands before its result is used."""
    engine = DockerEngine(docker_client)
    label = uuid.uuid4().hex
    containers_cls = docker.models.containers.ContainerCollection
    target = containers_cls if where == "create" else docker.models.containers.Container
    real = getattr(target, where)
    fired = []

    def then_interrupt(self, *args, **kwargs):
        value = real(self, *args, **kwargs)
        if not fired:
            fired.append(where)
            raise Interrupted(signal.SIGINT)
        return value

    monkeypatch.setattr(target, where, then_interrupt)
    script = "sleep 30" if where == "stop" else "echo hi; sleep 0.3"
    try:
        with interrupt_on_signals():
            if where == "stop":  # stop is only called on timeout or interrupt: make it a timeout
                spec = ContainerSpec(
                    image=TEST_IMAGE, command=(script,), labels={"io.reelstage.test.lifecycle": label}, timeout_s=0.5
                )
            else:
                spec = spec_for(label, script)
            engine.run(spec, lambda line: None)
    except Interrupted as exc:
        if where != "remove":  # after the removal there is nothing left to report
            assert exc.args[1].reason == "interrupted"
    assert fired == [where]
    monkeypatch.undo()
    assert leftovers(docker_client, label) == []


def test_removing_leftovers_copes_with_a_container_that_goes_meanwhile(docker_client, busybox_image):
    """The SDK lists ids, then inspects each: a container removed in between (by its own auto-removal or another
    runner's cleanup) answers 404. remove_labelled skips it and removes the others (a CI run failed on the
    test harness's copy of this race)."""
    label = uuid.uuid4().hex
    made = [docker_client.containers.create(TEST_IMAGE, ["true"], labels={"io.reelstage.test.lifecycle": label})
            for _ in range(3)]
    engine = DockerEngine(docker_client)
    inspect = docker_client.api.inspect_container
    gone = made[0].id

    def inspect_after_another_removal(resource_id: str, *args, **kwargs):
        if resource_id == gone:
            docker_client.api.remove_container(gone, force=True)  # another process removes it: a real 404
        return inspect(resource_id, *args, **kwargs)

    docker_client.api.inspect_container = inspect_after_another_removal
    try:
        removed = engine.remove_labelled({"io.reelstage.test.lifecycle": label}, grace_s=1)
    finally:
        docker_client.api.inspect_container = inspect
        for c in made[1:]:
            with contextlib.suppress(docker.errors.NotFound):
                c.remove(force=True)
    assert sorted(removed) == sorted(c.id for c in made[1:])
    assert not leftovers(docker_client, label)
