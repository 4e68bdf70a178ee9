"""One stage attempt on the Docker engine: create, attach, start, wait, stop, remove.

Signals: every call that creates, starts, stops or removes the container, with the assignment of
its result, is a critical block (a signal that comes meanwhile is raised at the block's end). The
container also has a unique name chosen before it is created, so it can be removed by name even when
`create` failed half-way (the engine created it but its answer was lost). Whatever instant an
Interrupted lands at, `run()` stops and removes the container before re-raising it, with a RunResult
(reason "interrupted") attached.

Engine loss: the wait's connection breaking, the container vanishing, or an exit we did not cause
while the engine stops answering, are raised as EngineLost, not as a failed stage.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions
from docker.types import DeviceRequest
from docker.types import Mount as DockerMount

from .base import ContainerSpec, EngineError, EngineLost, ImageMissing, Interrupted, LineSink, RunResult
from .lines import LineSplitter
from .shield import critical
from .stats import StatsSampler

TRANSPORT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    urllib3.exceptions.ProtocolError,
    ConnectionError,
)
ENGINE_ERRORS = (docker.errors.APIError, *TRANSPORT_ERRORS)
# exits that mean "killed by a signal from outside" (SIGTERM, SIGKILL): the engine's own shutdown
# does that to running containers, so these are checked against the engine still answering
_KILLED_CODES = (128 + 15, 128 + 9)
_LOSS_PROBE_S = 3.0


def engine_error(exc: BaseException) -> EngineError:
    if isinstance(exc, docker.errors.APIError):
        return EngineError(f"Docker engine error: {exc.explanation or exc}")
    return EngineError(f"cannot talk to the Docker engine: {exc}")


def new_container_name() -> str:
    return f"reelstage-{secrets.token_hex(8)}"


def create_kwargs(spec: ContainerSpec, name: str) -> dict:
    """The SDK's `containers.create` arguments for a spec (least privilege unless the spec says otherwise)."""
    kwargs: dict = {
        "image": spec.image,
        "command": list(spec.command),
        "name": name,
        "mounts": [
            DockerMount(target=m.target, source=m.source, type="bind", read_only=m.read_only) for m in spec.mounts
        ],
        "environment": dict(spec.env),
        "labels": dict(spec.labels),
        "init": True,
        "detach": True,
        "network_mode": spec.network,
        "stdin_open": False,
        "tty": False,
        "cap_drop": list(spec.cap_drop) or None,
        "cap_add": list(spec.cap_add) or None,
        "security_opt": list(spec.security_opt) or None,
    }
    if spec.pids_limit:
        kwargs["pids_limit"] = spec.pids_limit
    if spec.cpu_limit:
        kwargs["nano_cpus"] = int(spec.cpu_limit * 1e9)
    if spec.memory_limit_bytes:
        kwargs["mem_limit"] = spec.memory_limit_bytes
        kwargs["memswap_limit"] = spec.memory_limit_bytes  # no swap beyond the limit: OOM, not thrashing
    if spec.user:
        kwargs["user"] = spec.user
    if spec.working_dir:
        kwargs["working_dir"] = spec.working_dir
    if spec.gpus:
        kwargs["device_requests"] = [
            DeviceRequest(
                driver=g.driver,
                count=g.count if not g.device_ids else None,
                device_ids=list(g.device_ids) or None,
                capabilities=[list(g.capabilities)],
            )
            for g in spec.gpus
        ]
    return kwargs


class DockerAttempt:
    """One container run; `run()` is the whole lifecycle."""

    def __init__(self, client: docker.DockerClient, spec: ContainerSpec, on_line: LineSink) -> None:
        self.client = client
        self.spec = spec
        self.name = spec.name or new_container_name()
        self.container = None  # assigned inside a critical block only
        self.splitter = LineSplitter(on_line)
        self.reader: threading.Thread | None = None
        self.exited = threading.Event()
        self.outcome: dict = {}
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
                self._drain(wait_s=2.0)
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
        try:
            with critical():
                self._create()
            with critical():
                self._start()
            if not self.exited.wait(timeout=max(0.0, self.spec.timeout_s)):
                with critical():
                    self._halt()
                self.exited.wait(timeout=self.spec.grace_s + 5)
                self._drain()
                return self._result("timeout")
            self._drain()
            if "error" in self.outcome:
                raise self.outcome["error"]
            code = int(self.outcome["code"])
            if code != 0:
                self._check_not_lost(code)
            return self._result("ok" if code == 0 else "oom" if self.state.get("OOMKilled") else "exit_code")
        except (Interrupted, EngineError):
            raise
        except ENGINE_ERRORS as exc:
            raise self._lost_or_error(exc) from exc

    def _result(self, reason: str, signal: int | None = None) -> RunResult:
        code = self.outcome.get("code")
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

    def _drain(self, wait_s: float = 10.0) -> None:
        if self.reader is not None:
            self.reader.join(timeout=wait_s)
        self.splitter.close()

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
        stream = self.container.attach(stdout=True, stderr=True, stream=True, logs=True)
        self.reader = threading.Thread(target=self._pump, args=(stream,), name="container-log", daemon=True)
        self.reader.start()
        self.container.start()
        threading.Thread(target=self._wait, name="container-wait", daemon=True).start()
        self.stats = StatsSampler(self.client.api, str(self.container.id))

    def _pump(self, stream) -> None:
        with contextlib.suppress(Exception):
            for chunk in stream:
                self.splitter.feed(chunk)

    def _wait(self) -> None:
        try:
            self.outcome["code"] = self.container.wait()["StatusCode"]
        except BaseException as exc:  # reported to the main thread
            self.outcome["error"] = exc
        finally:
            self.exited.set()

    def _halt(self) -> None:
        """SIGTERM, then SIGKILL after the grace period (docker stop), then kill if still alive."""
        if self.container is None:
            return
        self.stopped_by_us = True
        with contextlib.suppress(*ENGINE_ERRORS):
            self.container.stop(timeout=int(max(1, round(self.spec.grace_s))))
        with contextlib.suppress(*ENGINE_ERRORS):
            self.container.reload()
            if self.container.status == "running":
                self.container.kill()

    def _remove(self) -> None:
        """Remove the container by its handle, or by its name when `create` never returned one."""
        for pause in (0.0, 0.5, 1.0):
            time.sleep(pause)
            try:
                if self.container is not None:
                    self.container.remove(force=True)
                else:
                    self.client.api.remove_container(self.name, force=True)
                self.leftover = None
                return
            except docker.errors.NotFound:
                self.leftover = None
                return
            except ENGINE_ERRORS:
                self.leftover = self.name
        # the engine does not answer: DockerEngine removes it once it answers again

    def _check_not_lost(self, code: int) -> None:
        """An exit we did not cause, by SIGTERM/SIGKILL, while the engine stops answering: the engine's
        own shutdown killed the container (a restart): EngineLost, not the stage's failure."""
        try:
            state = self.state = self.client.api.inspect_container(self.name)["State"]
        except docker.errors.NotFound as exc:
            raise EngineLost(f"the container vanished from the Docker engine (exit {code})") from exc
        except ENGINE_ERRORS as exc:
            raise EngineLost(f"the Docker engine went away during the stage ({type(exc).__name__})") from exc
        if self.stopped_by_us or code not in _KILLED_CODES or state.get("OOMKilled"):
            return
        deadline = time.monotonic() + _LOSS_PROBE_S
        while time.monotonic() < deadline:
            try:
                self.client.api.ping()
            except ENGINE_ERRORS as exc:
                raise EngineLost(f"the Docker engine stopped during the stage (container exit {code})") from exc
            time.sleep(0.2)

    def _lost_or_error(self, exc: BaseException) -> EngineError:
        if self.container is not None and isinstance(exc, TRANSPORT_ERRORS):
            return EngineLost(f"the Docker engine went away during the stage ({type(exc).__name__})")
        return engine_error(exc)


def remove_by_name(client: docker.DockerClient, name: str) -> bool:
    """Force-remove one container; True if it is gone."""
    try:
        client.api.remove_container(name, force=True)
    except docker.errors.NotFound:
        return True
    except ENGINE_ERRORS:
        return False
    return True


__all__ = [
    "ENGINE_ERRORS",
    "TRANSPORT_ERRORS",
    "DockerAttempt",
    "create_kwargs",
    "engine_error",
    "remove_by_name",
]
