"""The Docker SDK implementation of the engine interface (the only importer of `docker`)."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time

import docker
import docker.errors
import requests.exceptions
from docker.types import DeviceRequest
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
from .lines import LineSplitter
from .stats import StatsSampler

_TRANSPORT_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.Timeout)


def _engine_error(exc: Exception) -> EngineError:
    if isinstance(exc, docker.errors.APIError):
        return EngineError(f"Docker engine error: {exc.explanation or exc}")
    return EngineError(f"cannot talk to the Docker engine: {exc}")


class DockerEngine:
    """Runs stage containers through the Docker SDK."""

    def __init__(self, client: docker.DockerClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            try:
                self._client = docker.from_env(timeout=120)
            except docker.errors.DockerException as exc:
                raise EngineError(f"cannot reach the Docker engine ({exc}); is dockerd running?") from exc
        return self._client

    def ping(self) -> None:
        try:
            self.client.ping()
        except (docker.errors.DockerException, *_TRANSPORT_ERRORS) as exc:
            raise EngineError(f"the Docker engine does not answer ({exc}); start it (make setup)") from exc

    def image_id(self, image: str) -> str:
        try:
            return str(self.client.images.get(image).id)
        except docker.errors.ImageNotFound as exc:
            raise ImageMissing(f"image {image} is not built") from exc
        except (docker.errors.APIError, *_TRANSPORT_ERRORS) as exc:
            raise _engine_error(exc) from exc

    def gpu_available(self) -> bool:
        try:
            runtimes = self.client.info().get("Runtimes", {}) or {}
        except (docker.errors.APIError, *_TRANSPORT_ERRORS):
            return False
        return "nvidia" in runtimes or shutil.which("nvidia-container-cli") is not None

    def capacity(self) -> list[NodeCapacity]:
        """This one host: its cpus and memory (nothing is reserved on a local engine)."""
        try:
            info = self.client.info()
        except (docker.errors.APIError, *_TRANSPORT_ERRORS) as exc:
            raise _engine_error(exc) from exc
        gpus = 1 if self.gpu_available() else 0
        return [
            NodeCapacity(
                name=str(info.get("Name") or "local"),
                schedulable=True,
                cpus=float(info.get("NCPU") or 1),
                memory_bytes=int(info.get("MemTotal") or 0),
                generic={"gpu": gpus} if gpus else {},
                role="local",
            )
        ]

    def remove_labelled(self, labels: dict[str, str], grace_s: float = 5.0) -> list[str]:
        filters = {"label": [f"{k}={v}" for k, v in labels.items()]}
        try:
            found = self.client.containers.list(all=True, filters=filters)
        except (docker.errors.APIError, *_TRANSPORT_ERRORS) as exc:
            raise _engine_error(exc) from exc
        removed = []
        for container in found:
            self._stop_and_remove(container, grace_s)
            removed.append(str(container.id))
        return removed

    # -- one attempt ---------------------------------------------------------------------

    def _create(self, spec: ContainerSpec):
        kwargs: dict = {
            "image": spec.image,
            "command": list(spec.command),
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
        }
        if spec.user:
            kwargs["user"] = spec.user
        if spec.name:
            kwargs["name"] = spec.name
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
        try:
            return self.client.containers.create(**kwargs)
        except docker.errors.ImageNotFound as exc:
            raise ImageMissing(f"image {spec.image} is not built") from exc
        except (docker.errors.APIError, *_TRANSPORT_ERRORS) as exc:
            raise _engine_error(exc) from exc

    def run(self, spec: ContainerSpec, on_line: LineSink) -> RunResult:
        container = self._create(spec)
        started = time.monotonic()
        splitter = LineSplitter(on_line)
        done = threading.Event()
        outcome: dict = {}
        sampler: StatsSampler | None = None
        try:
            stream = container.attach(stdout=True, stderr=True, stream=True, logs=True)
            reader = threading.Thread(target=self._pump, args=(stream, splitter), daemon=True)
            reader.start()
            container.start()
            sampler = StatsSampler(self.client.api, str(container.id))
            waiter = threading.Thread(target=self._wait, args=(container, outcome, done), daemon=True)
            waiter.start()
            finished = done.wait(timeout=max(0.0, spec.timeout_s))
            if not finished:
                self._stop(container, spec.grace_s)
                done.wait(timeout=spec.grace_s + 5)
                reader.join(timeout=5)
                splitter.close()
                return RunResult(
                    exit_code=outcome.get("code"),
                    reason="timeout",
                    container_id=str(container.id),
                    duration_s=time.monotonic() - started,
                )
            if "error" in outcome:
                raise outcome["error"]
            reader.join(timeout=10)
            splitter.close()
            code = int(outcome["code"])
            peak, cpu_s = sampler.stop()
            return RunResult(
                exit_code=code,
                reason="ok" if code == 0 else "exit_code",
                container_id=str(container.id),
                duration_s=time.monotonic() - started,
                peak_memory_bytes=peak,
                cpu_s=cpu_s,
            )
        except Interrupted as exc:
            self._stop(container, spec.grace_s)
            splitter.close()
            exc.args = (
                exc.signum,
                RunResult(
                    exit_code=outcome.get("code"),
                    reason="interrupted",
                    container_id=str(container.id),
                    duration_s=time.monotonic() - started,
                    signal=exc.signum,
                ),
            )
            raise
        except (docker.errors.APIError, *_TRANSPORT_ERRORS) as exc:
            raise _engine_error(exc) from exc
        finally:
            if sampler is not None:
                sampler.stop()
            self._remove(container)

    @staticmethod
    def _pump(stream, splitter: LineSplitter) -> None:
        with contextlib.suppress(Exception):
            for chunk in stream:
                splitter.feed(chunk)

    @staticmethod
    def _wait(container, outcome: dict, done: threading.Event) -> None:
        try:
            outcome["code"] = container.wait()["StatusCode"]
        except Exception as exc:  # reported to the main thread
            outcome["error"] = exc
        finally:
            done.set()

    @staticmethod
    def _stop(container, grace_s: float) -> None:
        """SIGTERM, then SIGKILL after the grace period (docker stop), then kill if still alive."""
        with contextlib.suppress(docker.errors.APIError, *_TRANSPORT_ERRORS):
            container.stop(timeout=int(max(1, round(grace_s))))
        with contextlib.suppress(docker.errors.APIError, *_TRANSPORT_ERRORS):
            container.reload()
            if container.status == "running":
                container.kill()

    @staticmethod
    def _remove(container) -> None:
        with contextlib.suppress(docker.errors.NotFound):
            try:
                container.remove(force=True)
            except (docker.errors.APIError, *_TRANSPORT_ERRORS):
                time.sleep(0.5)
                with contextlib.suppress(docker.errors.APIError, *_TRANSPORT_ERRORS):
                    container.remove(force=True)

    def _stop_and_remove(self, container, grace_s: float) -> None:
        self._stop(container, grace_s)
        self._remove(container)
