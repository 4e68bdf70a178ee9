"""Real-Docker harness for runner tests: a busybox image FROM scratch and tiny pipelines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
import yaml

TEST_IMAGE = "reelstage-test/busybox:latest"
BUSYBOX = shutil.which("busybox") or "/bin/busybox"
REELSTAGE = [sys.executable, "-m", "runner"]
DOCKERFILE = """FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
LABEL io.reelstage.test.variant="{variant}"
ENTRYPOINT ["/bin/sh", "-c"]
"""


def build_busybox(client: docker.DockerClient, tag: str, ctx: Path, variant: str = "1") -> str:
    """Build the tiny test image (busybox-static FROM scratch); returns its id."""
    ctx.mkdir(parents=True, exist_ok=True)
    shutil.copy(BUSYBOX, ctx / "busybox")
    (ctx / "Dockerfile").write_text(DOCKERFILE.format(variant=variant))
    image, _ = client.images.build(path=str(ctx), tag=tag, rm=True)
    return image.id


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:  # the suite needs a real engine: say so instead of failing obscurely
        pytest.fail(f"no Docker engine ({exc}); run `make setup`")
    return client


@pytest.fixture(scope="session")
def busybox_image(docker_client: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory) -> str:
    if not Path(BUSYBOX).exists():
        pytest.fail("busybox-static is not installed; run `make setup`")
    return build_busybox(docker_client, TEST_IMAGE, tmp_path_factory.mktemp("bbctx"))


@dataclass
class Project:
    """A tiny pipeline in a temp folder, run through the real `reelstage` CLI."""

    root: Path
    input: Path

    @property
    def workdir(self) -> Path:
        return self.root / "work"

    @property
    def config(self) -> Path:
        return self.root / "pipeline.yaml"

    def write(
        self,
        stages: list[dict],
        services: dict | None = None,
        params: dict | None = None,
        defaults: dict | None = None,
        files: dict | None = None,
    ) -> None:
        services = services or {"bb": {"image": TEST_IMAGE}}
        (self.root / "compose.yaml").write_text(yaml.safe_dump({"services": services}))
        doc = {
            "version": 1,
            "compose": "compose.yaml",
            "params": params or {},
            "defaults": {"grace": 2, "retries": {"attempts": 2, "wait_s": 0.1}, **(defaults or {})},
            "stages": stages,
        }
        if files:
            doc["files"] = files
        self.config.write_text(yaml.safe_dump(doc, sort_keys=False))

    def args(self, *extra: str) -> list[str]:
        return [
            *REELSTAGE,
            "run",
            str(self.input),
            "--config",
            str(self.config),
            "--workdir",
            str(self.workdir),
            "--min-free-ratio",
            "0",
            *extra,
        ]

    def run(self, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.args(*extra), capture_output=True, text=True, timeout=timeout, cwd=self.root, env=_env()
        )

    def start(self, *extra: str) -> subprocess.Popen:
        return subprocess.Popen(
            self.args(*extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=self.root, env=_env()
        )

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*REELSTAGE, *args], capture_output=True, text=True, timeout=timeout, cwd=self.root, env=_env()
        )

    def manifest(self) -> dict:
        return json.loads((self.workdir / "manifest.json").read_text())

    def wait_for(self, predicate, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if predicate(self.manifest()):
                    return
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.1)
        raise AssertionError("condition not reached in time")


def _env() -> dict[str, str]:
    repo = Path(__file__).resolve().parents[2]
    return {**os.environ, "PYTHONPATH": str(repo), "REELSTAGE_HISTORY": str(repo / ".pytest_cache" / "history.json")}


def stage(name: str, script: str, outputs: dict | None = None, **extra: object) -> dict:
    """A busybox stage: `script` runs under sh -c; default output out.txt."""
    return {
        "name": name,
        "service": "bb",
        "command": [script],
        "outputs": outputs or {"out": {"path": "out.txt"}},
        **extra,
    }


@pytest.fixture
def project(tmp_path: Path, busybox_image: str) -> Iterator[Project]:
    movie = tmp_path / "in put's movie.mp4"
    movie.write_bytes(b"not really a movie, but bytes to fingerprint\n" * 100)
    yield Project(tmp_path, movie)


def one_clear_line(res: subprocess.CompletedProcess) -> str:
    """The one line a refused command prints on stderr (never a traceback)."""
    assert "Traceback" not in res.stderr, res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


def labelled_containers(client: docker.DockerClient, workdir: Path) -> list:
    return client.containers.list(ignore_removed=True, all=True,
                                  filters={"label": f"io.reelstage.workdir={workdir.resolve()}"})
