"""The Docker SDK implementation of the engine interface (the only importer of `docker`)."""

from __future__ import annotations

import contextlib
import shutil
import time

import docker
import docker.errors

from .base import ContainerSpec, EngineError, ImageMissing, LineSink, RunResult
from .docker_attempt import ENGINE_ERRORS, DockerAttempt, engine_error, remove_by_name
from .shield import critical


class DockerEngine:
    """Runs stage containers through the Docker SDK."""

    def __init__(self, client: docker.DockerClient | None = None) -> None:
        self._client = client
        self._leftovers: set[str] = set()  # containers an engine loss kept us from removing

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
        except (docker.errors.DockerException, *ENGINE_ERRORS) as exc:
            raise EngineError(f"the Docker engine does not answer ({exc}); start it (make setup)") from exc

    def wait_until_available(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        pause = 0.2
        while True:
            try:
                self.ping()
                break
            except EngineError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
                pause = min(pause * 2, 2.0)
        for name in list(self._leftovers):
            with critical():
                if remove_by_name(self.client, name):
                    self._leftovers.discard(name)
        return True

    def image_id(self, image: str) -> str:
        try:
            return str(self.client.images.get(image).id)
        except docker.errors.ImageNotFound as exc:
            raise ImageMissing(f"image {image} is not built") from exc
        except ENGINE_ERRORS as exc:
            raise engine_error(exc) from exc

    def gpu_available(self) -> bool:
        try:
            runtimes = self.client.info().get("Runtimes", {}) or {}
        except ENGINE_ERRORS:
            return False
        return "nvidia" in runtimes or shutil.which("nvidia-container-cli") is not None

    def remove_labelled(self, labels: dict[str, str], grace_s: float = 5.0) -> list[str]:
        filters = {"label": [f"{k}={v}" for k, v in labels.items()]}
        try:
            found = self.client.containers.list(all=True, filters=filters)
        except ENGINE_ERRORS as exc:
            raise engine_error(exc) from exc
        removed = []
        for container in found:
            with critical():
                self._stop_and_remove(container, grace_s)
                removed.append(str(container.id))
        return removed

    def run(self, spec: ContainerSpec, on_line: LineSink) -> RunResult:
        attempt = DockerAttempt(self.client, spec, on_line)
        try:
            return attempt.run()
        finally:
            if attempt.leftover:
                self._leftovers.add(attempt.leftover)

    @staticmethod
    def _stop_and_remove(container, grace_s: float) -> None:
        with contextlib.suppress(*ENGINE_ERRORS):
            container.stop(timeout=int(max(1, round(grace_s))))
        with contextlib.suppress(docker.errors.NotFound):
            try:
                container.remove(force=True)
            except ENGINE_ERRORS:
                time.sleep(0.5)
                with contextlib.suppress(*ENGINE_ERRORS):
                    container.remove(force=True)
