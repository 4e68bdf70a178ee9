"""One stage attempt on the Docker engine: create, attach, start, wait, stop, remove.

Signals: every call that creates, starts, stops or removes the container, with the assignment of
its result, is a critical block (a signal that comes meanwhile is raised at the block's end). The
container also has a unique name chosen before it is created, so it can be removed by name even when
`create` failed half-way (the engine created it but its answer was lost). Whatever instant an
Interrupted lands at, `run()` stops and removes the container before re-raising it, with a RunResult
(reason "interrupted") attached.

Engine loss: the wait's connection breaking, the container vanishing, or an exit we did not cause
while the engine stops answering, are raised as EngineLost, not as a failed stage (docker_errors.py).
The create arguments are in docker_create.py, the log and exit threads in docker_output.py, the
stop and removal in docker_cleanup.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import docker
import docker.errors

from .base import ContainerSpec, EngineError, ImageMissing, Interrupted, LineSink, RunResult
from .docker_cleanup import halt, remove_attempt_container
from .docker_create import create_kwargs, new_container_name
from .docker_errors import ENGINE_ERRORS, engine_error, inspect_not_lost, lost_or_error
from .docker_output import ContainerOutput
from .shield import critical
from .stats import StatsSampler


class DockerAttempt:
    """One container run; `run()` is the whole lifecycle."""

    def __init__(self, client: docker.DockerClient, spec: ContainerSpec, on_line: LineSink) -> None:
        self.client = client
        self.spec = spec
        self.name = spec.name or new_container_name()
        self.container = None  # assigned inside a critical block only
        self.output = ContainerOutput(on_line)
        self.stopped_by_us = False
        self.started = time.monotonic()
        self.leftover: str | None = None  # a container we could not remove (engine gone)
        self.stats: StatsSampler | None = None
        self.state: dict = {}  # the container's State, when an exit was inspected

    # -- the lifecycle, in the main thread ------------------------------------------------

    def run(self, remove_later: Callable[[Callable[[], None]], None] | None = None) -> RunResult:
        """The whole lifecycle. With `remove_later`, a container that ended by itself (or was stopped
        at its deadline) is removed in the background: its outputs are on the host already, and the
        next stage need not wait for the engine's removal; otherwise it is removed before returning."""
        ended = False
        try:
            try:
                result = self._lifecycle()
                ended = True
                return result
            except Interrupted:
                with critical():
                    self._halt()
                self.output.drain(wait_s=2.0)
                raise
            finally:
                if ended and remove_later is not None:
                    remove_later(self._remove)
                else:
                    with critical():
                        self._remove()
        except Interrupted as exc:  # from the stage, or deferred to the end of a critical block
            exc.args = (exc.signum, self._result("interrupted", signal=exc.signum))
            raise

    def _lifecycle(self) -> RunResult:
        output = self.output
        try:
            with critical():
                self._create()
            with critical():
                self._start()
            if not output.exited.wait(timeout=max(0.0, self.spec.timeout_s)):
                with critical():
                    self._halt()
                output.exited.wait(timeout=self.spec.grace_s + 5)
                output.drain()
                return self._result("timeout")
            output.drain()
            if "error" in output.outcome:
                raise output.outcome["error"]
            code = int(output.outcome["code"])
            if code != 0:
                self.state = inspect_not_lost(self.client, self.name, code, self.stopped_by_us)
            return self._result("ok" if code == 0 else "oom" if self.state.get("OOMKilled") else "exit_code")
        except (Interrupted, EngineError):
            raise
        except ENGINE_ERRORS as exc:
            raise lost_or_error(exc, created=self.container is not None) from exc

    def _result(self, reason: str, signal: int | None = None) -> RunResult:
        code = self.output.outcome.get("code")
        return RunResult(
            exit_code=int(code) if code is not None else None,
            reason=reason,  # type: ignore[arg-type]
            container_id=str(self.container.id) if self.container is not None else "",
            duration_s=time.monotonic() - self.started,
            signal=signal,
            **self._stats(),
        )

    def _stats(self) -> dict:
        """What the stats stream saw while the container ran (a container that lived less than the
        engine's one-second sampling may have no sample: None, not a guess)."""
        if self.stats is None:
            return {}
        peak, cpu_s = self.stats.stop()
        return {"peak_memory_bytes": peak, "cpu_s": round(cpu_s, 3) if cpu_s is not None else None}

    # -- the steps that change the engine's state: each runs as a critical block ----------------

    def _create(self) -> None:
        """Create under the chosen name (so it can be found even if the answer is lost)."""
        try:
            self.container = self.client.containers.create(**create_kwargs(self.spec, self.name))
        except docker.errors.ImageNotFound as exc:
            raise ImageMissing(f"image {self.spec.image} is not built") from exc
        except ENGINE_ERRORS as exc:
            raise engine_error(exc) from exc

    def _start(self) -> None:
        """Attach (logs from the first byte), start, and start the waiter."""
        self.output.attach(self.container)
        self.container.start()
        self.output.wait_for_exit(self.container)
        self.stats = StatsSampler(self.client.api, str(self.container.id))

    def _halt(self) -> None:
        if self.container is None:
            return
        self.stopped_by_us = True
        halt(self.container, self.spec.grace_s)

    def _remove(self) -> None:
        # the engine does not answer: DockerEngine removes the leftover once it answers again
        self.leftover = remove_attempt_container(self.client, self.container, self.name)
