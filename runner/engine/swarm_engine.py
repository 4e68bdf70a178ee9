"""The Docker Swarm implementation of the engine interface: each stage attempt is one swarm service.

A one-replica replicated service with restart condition `none` runs the attempt's container to
completion on whichever node the swarm picks (on engine 20.10, removing a `replicated-job`
service can leave its running container behind, moby/moby#44312). The deadline is the runner's:
the engine scales the service to 0 (the node sends SIGTERM, waits the grace period, then SIGKILL),
reads the exit code from the task, removes the service and checks the container is gone.

Storage: `shared` (the work root is mounted at the same path on every node: bind mounts as on one
host) or `staged` (no shared storage: see swarm_storage; the engine picks the node itself, so it
can fill that node's volumes before the task starts).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import time
from pathlib import Path

import docker
import docker.errors
import requests.exceptions
from docker.types import ContainerSpec as SwarmContainerSpec
from docker.types import EndpointSpec, Placement, Resources, RestartPolicy, ServiceMode, TaskTemplate
from docker.types import Mount as DockerMount

from .base import (
    ContainerSpec,
    EngineError,
    ImageMissing,
    Interrupted,
    LineSink,
    NodeCapacity,
    RunResult,
)
from .stats import StatsSampler
from .swarm_logs import ServiceLog
from .swarm_nodes import GPU_KIND, TERMINAL_STATES, NodeView, capacity, check_constraints
from .swarm_storage import ATTEMPT_LABEL, StagedAttempt

_TRANSPORT = (requests.exceptions.ConnectionError, requests.exceptions.Timeout, OSError)
_API = (docker.errors.APIError, *_TRANSPORT)
ENGINE_LABEL = "io.reelstage.engine"
NO_NETWORK = "reelstage-none"  # an internal network (no way out): the nearest to `none` a service can have
POLL_S = 0.2
AGENT_REMOVAL_S = 3.0  # how long the node's agent gets to remove a finished task's container
NODE_CHECK_S = 1.0
STORAGE_MODES = ("shared", "staged")


class NodeLost(EngineError):
    """The node running the attempt went down, was drained, or dropped the task."""


class _NetworkRace(NodeLost):
    """A node refused a task while removing the node-local network of its previous task (a
    transient of swarm-scoped bridge networks): nothing ran, the engine tries again."""


def _engine_error(exc: Exception, what: str = "the swarm manager") -> EngineError:
    if isinstance(exc, docker.errors.APIError):
        return EngineError(f"swarm error from {what}: {exc.explanation or exc}")
    return EngineError(f"cannot talk to {what}: {exc}")


def _nodes_option(value: object) -> dict[str, str]:
    """Node hostname → Docker host: a dict, a JSON object, or a file holding one (or {"nodes": {...}})."""
    if not value:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    text = str(value).strip()
    if not text.startswith("{"):
        text = Path(text).read_text()
    data = json.loads(text)
    return {str(k): str(v) for k, v in (data.get("nodes", data)).items()}


class SwarmEngine:
    """Runs stage attempts as services of a Docker Swarm (talking to one manager)."""

    is_cluster = True  # the runner's scheduler places stages on `capacity()`'s nodes

    def __init__(
        self,
        host: str,
        storage: str = "shared",
        nodes: dict[str, str] | None = None,
        gpu_kind: str = GPU_KIND,
        timeout_s: float = 30.0,
    ) -> None:
        if storage not in STORAGE_MODES:
            raise EngineError(f"swarm storage {storage!r}: use one of {', '.join(STORAGE_MODES)}")
        if storage == "staged" and not nodes:
            raise EngineError("swarm storage `staged` needs the nodes' Docker hosts (REELSTAGE_SWARM_NODES)")
        self.host = host
        self.storage = storage
        self.node_hosts = dict(nodes or {})
        self.gpu_kind = gpu_kind
        self.timeout_s = timeout_s
        self._client: docker.DockerClient | None = None
        self._node_clients: dict[str, docker.DockerClient] = {}
        self._last_used: dict[str, float] = {}

    @classmethod
    def from_options(
        cls, host: str | None = None, storage: str | None = None, nodes: object = None, **rest: object
    ) -> SwarmEngine:
        host = host or os.environ.get("REELSTAGE_SWARM_HOST")
        if not host:
            raise EngineError("--engine swarm needs the manager's Docker host: --swarm-host or REELSTAGE_SWARM_HOST")
        try:
            node_hosts = _nodes_option(nodes or os.environ.get("REELSTAGE_SWARM_NODES"))
        except (OSError, ValueError, AttributeError) as exc:
            raise EngineError(f"REELSTAGE_SWARM_NODES: expected a JSON object or a file with one ({exc})") from exc
        if "gpu_kind" not in rest and os.environ.get("REELSTAGE_SWARM_GPU_KIND"):
            rest["gpu_kind"] = os.environ["REELSTAGE_SWARM_GPU_KIND"]  # the generic resource GPUs are advertised as
        storage = storage or os.environ.get("REELSTAGE_SWARM_STORAGE") or "shared"
        return cls(str(host), str(storage), node_hosts, **rest)

    # -- clients -------------------------------------------------------------------------

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            try:
                self._client = docker.DockerClient(base_url=self.host, timeout=self.timeout_s)
            except docker.errors.DockerException as exc:
                raise EngineError(f"cannot reach the swarm manager at {self.host} ({exc})") from exc
        return self._client

    @property
    def api(self) -> docker.APIClient:
        return self.client.api

    def node_client(self, hostname: str) -> docker.DockerClient | None:
        """The Docker engine of one node (None when its host is not configured)."""
        if hostname not in self.node_hosts:
            return None
        if hostname not in self._node_clients:
            self._node_clients[hostname] = docker.DockerClient(base_url=self.node_hosts[hostname], timeout=10)
        return self._node_clients[hostname]

    # -- the interface -------------------------------------------------------------------

    def wait_until_available(self, timeout_s: float) -> bool:
        """Poll the manager until it answers (a restarting manager); False after `timeout_s`. A lost
        node needs no wait: the retry goes to another node."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.ping()
                return True
            except EngineError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))

    def ping(self) -> None:
        try:
            info = self.client.info()
        except (docker.errors.DockerException, *_TRANSPORT) as exc:
            raise EngineError(f"the swarm manager at {self.host} does not answer ({exc})") from exc
        swarm = info.get("Swarm") or {}
        if swarm.get("LocalNodeState") != "active" or not swarm.get("ControlAvailable"):
            raise EngineError(f"{self.host} is not a swarm manager (docker swarm init, or give a manager's host)")

    def image_id(self, image: str) -> str:
        """The image's id on the manager; ImageMissing when a schedulable node lacks that id."""
        try:
            found = str(self.client.images.get(image).id)
        except docker.errors.ImageNotFound as exc:
            raise ImageMissing(f"image {image} is not on the swarm manager ({self.host})") from exc
        except _API as exc:
            raise _engine_error(exc) from exc
        lacking = [n.hostname for n in self.nodes() if n.schedulable and not self._node_has(n.hostname, found)]
        if lacking:
            raise ImageMissing(
                f"image {image} ({found[:19]}) is missing on node(s) {', '.join(lacking)}: "
                f"load it there (docker save {image} | docker -H <node> load) or push it to a registry"
            )
        return found

    def _node_has(self, hostname: str, image_id: str) -> bool:
        client = self.node_client(hostname)
        if client is None:
            return True  # cannot look: the task will say so if it is missing
        try:
            return str(client.images.get(image_id).id) == image_id
        except docker.errors.ImageNotFound:
            return False
        except (docker.errors.DockerException, *_TRANSPORT):
            return True

    def gpu_available(self) -> bool:
        """Whether a schedulable node advertises GPUs as a generic resource (daemon.json)."""
        try:
            return any(n.schedulable and n.generic.get(self.gpu_kind, 0) > 0 for n in self.nodes())
        except EngineError:
            return False

    def nodes(self) -> list[NodeView]:
        try:
            return [NodeView.of(raw) for raw in self.api.nodes()]
        except _API as exc:
            raise _engine_error(exc) from exc

    def capacity(self) -> list[NodeCapacity]:
        try:
            tasks = self.api.tasks(filters={"desired-state": "running"})
        except _API as exc:
            raise _engine_error(exc) from exc
        return capacity(self.nodes(), tasks)

    def remove_labelled(self, labels: dict[str, str], grace_s: float = 5.0) -> list[str]:
        """Remove every service with these labels, then make sure no task container, helper or
        volume with them is left on any node whose engine is known."""
        filters = {"label": [f"{k}={v}" for k, v in labels.items()]}
        try:
            services = self.api.services(filters=filters)
        except _API as exc:
            raise _engine_error(exc) from exc
        removed = []
        for service in services:
            with contextlib.suppress(docker.errors.NotFound):
                try:
                    self.api.remove_service(service["ID"])
                except _API as exc:
                    raise _engine_error(exc) from exc
            removed.append(str(service["ID"]))
        deadline = time.monotonic() + grace_s + 10
        for hostname in self.node_hosts:
            removed += self._reap_node(hostname, filters, deadline)
        return removed

    def _reap_node(self, hostname: str, filters: dict, deadline: float) -> list[str]:
        client = self.node_client(hostname)
        removed: list[str] = []
        try:
            while time.monotonic() < deadline:  # the node's agent stops the task containers itself
                tasks = [
                    c
                    for c in client.containers.list(all=True, filters=filters)
                    if "com.docker.swarm.task.id" in c.labels and c.status == "running"
                ]
                if not tasks:
                    break
                time.sleep(0.3)
            for container in client.containers.list(all=True, filters=filters):
                with contextlib.suppress(docker.errors.NotFound):
                    container.remove(force=True)
                removed.append(str(container.id))
            for volume in client.volumes.list(filters=filters):
                with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                    volume.remove(force=True)
        except (docker.errors.DockerException, *_TRANSPORT):
            pass  # an unreachable node: its agent removes the tasks of removed services when it is back
        return removed

    # -- one attempt ---------------------------------------------------------------------

    def run(self, spec: ContainerSpec, on_line: LineSink) -> RunResult:
        started = time.monotonic()
        for pause in (0.5, 1.0, 2.0, 4.0):
            try:
                return self._run_once(spec, on_line, started)
            except _NetworkRace:  # the node was tearing down the network its last task used: try again
                time.sleep(pause)
        return self._run_once(spec, on_line, started)

    def _run_once(self, spec: ContainerSpec, on_line: LineSink, started: float) -> RunResult:
        name = self._service_name(spec)
        image = self._resolve_image(spec.image)
        staged = None
        service_id = None
        log = None
        task: dict | None = None
        sampling = _Sampling(self)
        try:
            if self.storage == "staged":
                staged = self._stage(spec, image, name)
            service_id = self._create_service(spec, name, image, staged)
            log = ServiceLog(self.api, service_id, on_line)
            log.start()
            task, timed_out = self._watch(service_id, spec, started, sampling.start)
            if timed_out:
                never_started = task is None or _state(task) in ("new", "pending", "assigned", "accepted")
                status = (task or {}).get("Status") or {}
                task = self._stop(service_id, spec.grace_s) or task
                log.finish()
                if never_started:
                    why = status.get("Err") or status.get("Message") or "pending"
                    raise EngineError(f"no node started the task in {spec.timeout_s:g} s ({why})")
                return sampling.fill(self._result(task, "timeout", started))
            log.finish()
            result = sampling.fill(self._result(task, None, started))
            if staged is not None and result.exit_code == 0:
                staged.drain()
            return result
        except Interrupted as exc:
            if service_id is not None:
                task = self._stop(service_id, spec.grace_s) or task
            if log is not None:
                log.finish()
            result = (
                self._result(task, "interrupted", started)
                if task
                else RunResult(None, "interrupted", "", time.monotonic() - started)
            )
            result.signal = exc.signum
            exc.args = (exc.signum, sampling.fill(result))
            raise
        except NodeLost:
            if log is not None:
                log.finish()
            raise
        except _API as exc:  # e.g. the service removed under it by the runner's stop
            error = _engine_error(exc)
            error.node = sampling.node
            raise error from exc
        finally:
            sampling.stop()
            if service_id is not None:
                self._remove(service_id, task)
            if staged is not None:
                staged.cleanup()

    def _service_name(self, spec: ContainerSpec) -> str:
        base = spec.name or spec.labels.get("io.reelstage.stage") or "task"
        base = re.sub(r"[^a-z0-9-]+", "-", base.lower()).strip("-")[:40] or "task"
        return f"rs-{base}-{secrets.token_hex(4)}"

    def _resolve_image(self, image: str) -> str:
        """The image's id on the manager: every node runs exactly that image (no registry lookup)."""
        try:
            return str(self.client.images.get(image).id)
        except docker.errors.ImageNotFound as exc:
            raise ImageMissing(f"image {image} is not on the swarm manager ({self.host})") from exc
        except _API as exc:
            raise _engine_error(exc) from exc

    def _stage(self, spec: ContainerSpec, image: str, name: str) -> StagedAttempt:
        node = self._choose_node(spec, image)
        staged = StagedAttempt(self.node_client(node.hostname), node.hostname, node.id, spec, image, name)
        try:
            staged.fill()
        except BaseException:
            staged.cleanup()
            raise
        return staged

    def _choose_node(self, spec: ContainerSpec, image: str) -> NodeView:
        """For staged storage: a schedulable node that meets the constraints, has the resources
        free and the image, preferring the one used least recently (spreads the stages)."""
        gpus = _gpu_count(spec)
        caps = {c.name: c for c in self.capacity()}
        fitting = []
        for node in self.nodes():
            cap = caps.get(node.hostname)
            if not (node.schedulable and node.hostname in self.node_hosts and node.satisfies(spec.placement)):
                continue
            if gpus and node.generic.get(self.gpu_kind, 0) - cap.reserved_generic.get(self.gpu_kind, 0) < gpus:
                continue
            if spec.cpu_reservation and node.cpus - cap.reserved_cpus < spec.cpu_reservation:
                continue
            if spec.memory_reservation_bytes and (
                node.memory_bytes - cap.reserved_memory_bytes < spec.memory_reservation_bytes
            ):
                continue
            if not self._node_has(node.hostname, image):
                continue
            fitting.append(node)
        if not fitting:
            raise EngineError(
                f"no schedulable node fits this stage (constraints {list(spec.placement)}, "
                f"{gpus} GPU, image {image[:19]})"
            )
        chosen = min(
            fitting, key=lambda n: (caps[n.hostname].running_tasks, self._last_used.get(n.hostname, 0.0), n.hostname)
        )
        self._last_used[chosen.hostname] = time.monotonic()
        return chosen

    def _networks(self, spec: ContainerSpec) -> list[str]:
        if spec.network in ("bridge", "default"):
            return []  # the node's default bridge
        if spec.network != "none":
            return [spec.network]
        driver = self._no_network_driver()
        if spec.gpus and driver == "overlay":
            return []  # engine 20.10 rejects a generic resource on an overlay network (docs/swarm.md)
        return [NO_NETWORK]

    def _no_network_driver(self) -> str:
        """The driver of `reelstage-none`; created as an internal overlay when the cluster has none
        (scripts/swarm_cluster.py makes the faster internal swarm-scoped bridge instead)."""
        try:
            found = self.api.networks(names=[NO_NETWORK])
            if found:
                return str(found[0].get("Driver"))
            self.api.create_network(NO_NETWORK, driver="overlay", internal=True, labels={ENGINE_LABEL: "swarm"})
        except docker.errors.APIError as exc:
            if exc.status_code != 409:  # 409: created meanwhile
                raise
        return "overlay"

    def _create_service(self, spec: ContainerSpec, name: str, image: str, staged: StagedAttempt | None) -> str:
        try:
            check_constraints(spec.placement)
        except ValueError as exc:
            raise EngineError(str(exc)) from exc
        if staged is not None:
            mounts = staged.mounts()
        else:
            mounts = [DockerMount(m.target, m.source, type="bind", read_only=m.read_only) for m in spec.mounts]
        labels = {**spec.labels, ENGINE_LABEL: "swarm"}
        container = SwarmContainerSpec(
            image,
            command=None,
            args=list(spec.command),
            hostname="{{.Node.Hostname}}",
            env=dict(spec.env),
            workdir=spec.working_dir,
            user=spec.user,
            labels=labels,
            mounts=mounts,
            stop_grace_period=int(max(1.0, spec.grace_s) * 1e9),
            init=True,
        )
        gpus = _gpu_count(spec)
        resources = Resources(
            cpu_limit=int(spec.cpu_limit * 1e9) if spec.cpu_limit else None,
            mem_limit=spec.memory_limit_bytes,
            cpu_reservation=int(spec.cpu_reservation * 1e9) if spec.cpu_reservation else None,
            mem_reservation=spec.memory_reservation_bytes,
            generic_resources={self.gpu_kind: gpus} if gpus else None,
        )
        constraints = list(spec.placement)
        if staged is not None:
            constraints.append(f"node.id=={staged.node_id}")
        template = TaskTemplate(
            container,
            resources=resources,
            restart_policy=RestartPolicy(condition="none"),
            placement=Placement(constraints=constraints) if constraints else None,
            networks=self._networks(spec),
        )
        try:
            created = self.api.create_service(
                template,
                name=name,
                labels=labels,
                mode=ServiceMode("replicated", 1),
                endpoint_spec=EndpointSpec(mode="dnsrr"),  # no virtual IP: nothing calls a stage
            )
        except _API as exc:
            raise _engine_error(exc) from exc
        return str(created["ID"])

    def _task(self, service_id: str) -> dict | None:
        tasks = self.api.tasks(filters={"service": service_id})
        if not tasks:
            return None
        return max(tasks, key=lambda t: t.get("CreatedAt", ""))

    def _watch(self, service_id: str, spec: ContainerSpec, started: float, on_task=None) -> tuple[dict | None, bool]:
        """Wait for the task to end, the deadline to pass (True), or its node to be lost (NodeLost)."""
        deadline = started + spec.timeout_s
        next_node_check = 0.0
        task = None
        while True:
            task = self._task(service_id) or task
            if task is not None and on_task is not None:
                on_task(task)
            if task is not None and _state(task) in TERMINAL_STATES:
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
            node = NodeView.of(self.api.inspect_node(task["NodeID"]))
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

    def _stop(self, service_id: str, grace_s: float) -> dict | None:
        """Scale to 0 (SIGTERM, grace period, SIGKILL on the node); wait for the task to end."""
        with contextlib.suppress(*_API):
            current = self.api.inspect_service(service_id)
            self.api.update_service(
                service_id,
                version=current["Version"]["Index"],
                mode=ServiceMode("replicated", 0),
                fetch_current_spec=True,
            )
        deadline = time.monotonic() + grace_s + 10
        task = None
        while time.monotonic() < deadline:
            with contextlib.suppress(*_API):
                task = self._task(service_id) or task
            if task is not None and _state(task) in TERMINAL_STATES:
                return task
            time.sleep(POLL_S)
        return task

    def _remove(self, service_id: str, task: dict | None) -> None:
        """Remove the service; check its task container is gone on its node (removed if not)."""
        for _ in range(3):
            try:
                self.api.remove_service(service_id)
                break
            except docker.errors.NotFound:
                break
            except _API:
                time.sleep(0.5)
        container_id = ((task or {}).get("Status") or {}).get("ContainerStatus", {}).get("ContainerID")
        hostname = self._hostname(task)
        client = self.node_client(hostname) if hostname else None
        if not container_id or client is None:
            return
        try:
            if self._gone(client, container_id, AGENT_REMOVAL_S):
                return
            with contextlib.suppress(docker.errors.NotFound):  # the agent is slow: do it ourselves
                client.api.remove_container(container_id, force=True)
            if self._gone(client, container_id, 15):
                return
            raise EngineError(f"the task container {container_id[:12]} is still on node {hostname}", node=hostname)
        except (docker.errors.DockerException, *_TRANSPORT):
            pass  # unreachable: its agent removes it once the node is back (the service is gone)

    @staticmethod
    def _gone(client: docker.DockerClient, container_id: str, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                client.containers.get(container_id)
            except docker.errors.NotFound:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def _hostname(self, task: dict | None) -> str | None:
        node_id = (task or {}).get("NodeID")
        if not node_id:
            return None
        try:
            return NodeView.of(self.api.inspect_node(node_id)).hostname
        except (*_API, KeyError):
            return None

    def _result(self, task: dict | None, reason: str | None, started: float) -> RunResult:
        """Classify a terminal (or stopped) task."""
        status = (task or {}).get("Status") or {}
        state = status.get("State")
        container = status.get("ContainerStatus") or {}
        code = container.get("ExitCode")
        node = self._hostname(task)
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
            raise _NetworkRace(err, node=node)
        raise NodeLost(f"the task ended as {state}{where}: {err}", node=node)


class _Sampling:
    """The stats of an attempt's task container, read from its node's engine once it runs there."""

    def __init__(self, engine: SwarmEngine) -> None:
        self.engine = engine
        self.sampler: StatsSampler | None = None
        self.measured: tuple[int | None, float | None] = (None, None)
        self.node: str | None = None  # the node the task was last seen on

    def start(self, task: dict) -> None:
        self.node = self.engine._hostname(task) or self.node
        container_id = ((task.get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID")
        if self.sampler is not None or not container_id or _state(task) != "running":
            return
        hostname = self.engine._hostname(task)
        client = self.engine.node_client(hostname) if hostname else None
        if client is not None:
            self.sampler = StatsSampler(client.api, container_id)

    def stop(self) -> None:
        if self.sampler is not None:
            self.measured = self.sampler.stop()
            self.sampler = None

    def fill(self, result: RunResult) -> RunResult:
        self.stop()
        result.peak_memory_bytes, result.cpu_s = self.measured
        return result


def _state(task: dict) -> str:
    return str((task.get("Status") or {}).get("State", ""))


def _gpu_count(spec: ContainerSpec) -> int:
    """GPUs to reserve: Swarm needs a number, so compose's `count: all` (-1) asks for one."""
    total = 0
    for g in spec.gpus:
        total += len(g.device_ids) if g.device_ids else (g.count if g.count > 0 else 1)
    return total


__all__ = ["ATTEMPT_LABEL", "NodeLost", "SwarmEngine"]
