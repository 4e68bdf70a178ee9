"""Watching one attempt's service: its task's state, the node it runs on, stopping it, and what its end means."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable

import docker.errors
from docker.types import ServiceMode

from .base import ContainerSpec, EngineError, RunResult
from .swarm_api import API_ERRORS, SwarmApi, task_state
from .swarm_nodes import TERMINAL_STATES, NodeView

POLL_S = 0.2
NODE_CHECK_S = 1.0
NOT_STARTED = ("new", "pending", "assigned", "accepted")


class NodeLost(EngineError):
    """The node running the attempt went down, was drained, or dropped the task."""


class NetworkRace(NodeLost):
    """A node refused a task while removing the node-local network of its previous task (a
    transient of swarm-scoped bridge networks): nothing ran, the engine tries again."""


class TaskWatch:
    """The task of one service (one replica), as the manager reports it."""

    def __init__(self, swarm: SwarmApi, service_id: str) -> None:
        self.swarm = swarm
        self.service_id = service_id

    def latest(self) -> dict | None:
        tasks = self.swarm.api.tasks(filters={"service": self.service_id})
        if not tasks:
            return None
        return max(tasks, key=lambda t: t.get("CreatedAt", ""))

    def until_end(
        self, spec: ContainerSpec, started: float, on_task: Callable[[dict], None]
    ) -> tuple[dict | None, bool]:
        """Wait for the task to end, the deadline to pass (True), or its node to be lost (NodeLost)."""
        deadline = started + spec.timeout_s
        next_node_check = 0.0
        task = None
        while True:
            task = self.latest() or task
            if task is not None:
                on_task(task)
            if task is not None and task_state(task) in TERMINAL_STATES:
                return task, False
            now = time.monotonic()
            if task is not None and task.get("NodeID") and now >= next_node_check:
                next_node_check = now + NODE_CHECK_S
                self._check_node(task)
            if now >= deadline:
                return task, True
            time.sleep(POLL_S)

    def _check_node(self, task: dict) -> None:
        try:
            node = NodeView.of(self.swarm.api.inspect_node(task["NodeID"]))
        except docker.errors.NotFound:
            raise NodeLost("the node that ran the task left the swarm mid-stage", node=None) from None
        if node.state != "ready":
            raise NodeLost(
                f"node {node.hostname} is {node.state} mid-stage: the attempt is lost there "
                "(its task is stopped when the node comes back)",
                node=node.hostname,
            )
        if node.availability == "drain":
            raise NodeLost(f"node {node.hostname} was drained mid-stage", node=node.hostname)

    def stop(self, grace_s: float) -> dict | None:
        """Scale to 0 (SIGTERM, grace period, SIGKILL on the node); wait for the task to end."""
        api = self.swarm.api
        with contextlib.suppress(*API_ERRORS):
            current = api.inspect_service(self.service_id)
            api.update_service(
                self.service_id,
                version=current["Version"]["Index"],
                mode=ServiceMode("replicated", 0),
                fetch_current_spec=True,
            )
        deadline = time.monotonic() + grace_s + 10
        task = None
        while time.monotonic() < deadline:
            with contextlib.suppress(*API_ERRORS):
                task = self.latest() or task
            if task is not None and task_state(task) in TERMINAL_STATES:
                return task
            time.sleep(POLL_S)
        return task


def task_result(swarm: SwarmApi, task: dict | None, reason: str | None, started: float) -> RunResult:
    """Classify a terminal (or stopped) task."""
    status = (task or {}).get("Status") or {}
    state = status.get("State")
    container = status.get("ContainerStatus") or {}
    code = container.get("ExitCode")
    node = swarm.hostname(task)
    duration = time.monotonic() - started
    cid = str(container.get("ContainerID") or (task or {}).get("ID") or "")
    if reason is not None:
        return RunResult(code, reason, cid, duration, node=node)
    if state == "complete":
        return RunResult(0, "ok", cid, duration, node=node)
    match = re.search(r"non-zero exit \((\d+)\)", status.get("Err") or "")
    if state == "failed" and match:
        return RunResult(int(match.group(1)), "exit_code", cid, duration, node=node)
    where = f" on node {node}" if node else ""
    err = status.get("Err") or status.get("Message") or state
    if "No such image" in (err or ""):
        raise EngineError(f"the image is missing{where}: {err}", node=node)
    if state == "rejected" and re.search(r"network \S+ exists", err or ""):
        raise NetworkRace(err, node=node)
    raise NodeLost(f"the task ended as {state}{where}: {err}", node=node)
