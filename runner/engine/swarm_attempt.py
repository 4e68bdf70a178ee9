"""One stage attempt on a swarm, from its service's creation to its removal."""

from __future__ import annotations

import time

from .base import ContainerSpec, EngineError, Interrupted, LineSink, RunResult
from .stats import StatsSampler
from .swarm_api import API_ERRORS, SwarmApi, engine_error, task_container_id, task_state
from .swarm_logs import ServiceLog
from .swarm_placement import NodeChooser
from .swarm_reaper import Reaper
from .swarm_service import ServiceFactory, service_name
from .swarm_storage import StagedAttempt
from .swarm_tasks import NOT_STARTED, NodeLost, TaskWatch, task_result


class SwarmAttempt:
    """One run of a spec as one service; `run()` is the whole lifecycle (create, follow the logs,
    wait for the end or the deadline, stop, classify, remove; staged storage filled and drained)."""

    def __init__(
        self,
        swarm: SwarmApi,
        services: ServiceFactory,
        reaper: Reaper,
        chooser: NodeChooser | None,
        spec: ContainerSpec,
        on_line: LineSink,
        started: float,
    ) -> None:
        self.swarm = swarm
        self.services = services
        self.reaper = reaper
        self.chooser = chooser  # set for staged storage: the engine picks the node
        self.spec = spec
        self.on_line = on_line
        self.started = started
        self.stats: StatsSampler | None = None
        self.node: str | None = None  # the node the task was last seen on

    def run(self) -> RunResult:
        spec = self.spec
        name = service_name(spec)
        image = self.swarm.image(spec.image)
        staged = None
        service_id = None
        watch = None
        log = None
        task: dict | None = None
        try:
            if self.chooser is not None:
                staged = self._stage(image, name)
            service_id = self.services.create(spec, name, image, staged)
            watch = TaskWatch(self.swarm, service_id)
            log = ServiceLog(self.swarm.api, service_id, self.on_line)
            log.start()
            task, timed_out = watch.until_end(spec, self.started, self._seen)
            if timed_out:
                never_started = task is None or task_state(task) in NOT_STARTED
                status = (task or {}).get("Status") or {}
                task = watch.stop(spec.grace_s) or task
                log.finish()
                if never_started:
                    why = status.get("Err") or status.get("Message") or "pending"
                    raise EngineError(f"no node started the task in {spec.timeout_s:g} s ({why})")
                return self._measured(task_result(self.swarm, task, "timeout", self.started))
            log.finish()
            result = self._measured(task_result(self.swarm, task, None, self.started))
            if staged is not None and result.exit_code == 0:
                staged.drain()
            return result
        except Interrupted as exc:
            if service_id is not None:
                task = (watch or TaskWatch(self.swarm, service_id)).stop(spec.grace_s) or task
            if log is not None:
                log.finish()
            result = (
                task_result(self.swarm, task, "interrupted", self.started)
                if task
                else RunResult(None, "interrupted", "", time.monotonic() - self.started)
            )
            result.signal = exc.signum
            exc.args = (exc.signum, self._measured(result))
            raise
        except NodeLost:
            if log is not None:
                log.finish()
            raise
        except API_ERRORS as exc:  # e.g. the service removed under it by the runner's stop
            error = engine_error(exc)
            error.node = self.node
            raise error from exc
        finally:
            if self.stats is not None:
                self.stats.stop()
            if service_id is not None:
                self.reaper.remove_service(service_id, task)
            if staged is not None:
                staged.cleanup()

    def _stage(self, image: str, name: str) -> StagedAttempt:
        node = self.chooser.choose(self.spec, image)
        client = self.swarm.node_client(node.hostname)
        if client is None:
            raise EngineError(f"cannot reach node {node.hostname}'s engine to stage the inputs", node=node.hostname)
        staged = StagedAttempt(client, node.hostname, node.id, self.spec, image, name)
        try:
            staged.fill()
        except BaseException:
            staged.cleanup()
            raise
        return staged

    def _seen(self, task: dict) -> None:
        """Each observation of the task: remember its node; sample its container's stats on that
        node's engine once it runs."""
        hostname = self.swarm.hostname(task)
        self.node = hostname or self.node
        container_id = task_container_id(task)
        if self.stats is not None or not container_id or task_state(task) != "running" or not hostname:
            return
        client = self.swarm.node_client(hostname)
        if client is not None:
            self.stats = StatsSampler(client.api, container_id)

    def _measured(self, result: RunResult) -> RunResult:
        """The result with the peak memory and CPU time the stats stream saw (None when it saw none)."""
        if self.stats is not None:
            result.peak_memory_bytes, result.cpu_s = self.stats.stop()
        return result
