"""Shared fixture for the stage tests: run a built stage image the way the runner does."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

RunImage = Callable[..., tuple[subprocess.CompletedProcess[str], Path]]


@pytest.fixture
def run_image(tmp_path: Path) -> RunImage:
    """`run_image(stage, args, files={name: path}, env={})`: copies `files` into a folder mounted read-only
    at /input, runs reelstage/<stage>:latest as uid 1000 with no network and /out writable; returns
    (completed process, host path of /out). Skips when Docker or the image is missing."""

    def run(stage: str, args: list[str], files: dict[str, Path] | None = None,
            env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], Path]:
        image = f"reelstage/{stage}:{os.environ.get('REELSTAGE_TAG', 'latest')}"
        missing = None
        if shutil.which("docker") is None:
            missing = "needs docker"
        elif subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode:
            missing = f"image {image} not built (make images)"
        if missing:  # in CI (make test builds the images) a skip would hide a gap: fail instead
            (pytest.fail if os.environ.get("CI") else pytest.skip)(missing)
        inputs = Path(tempfile.mkdtemp(prefix=f"{stage}-input-", dir=tmp_path))
        out = Path(tempfile.mkdtemp(prefix=f"{stage}-out-", dir=tmp_path))
        inputs.chmod(0o755)
        out.chmod(0o777)
        for name, src in (files or {}).items():
            shutil.copyfile(src, inputs / name)
            (inputs / name).chmod(0o644)
        env_args = [a for k, v in (env or {}).items() for a in ("-e", f"{k}={v}")]
        proc = subprocess.run(
            ["docker", "run", "--rm", "--init", "--user", "1000:1000", "--network", "none", *env_args,
             "-v", f"{inputs}:/input:ro", "-v", f"{out}:/out", image, *args],
            capture_output=True, text=True, timeout=600)
        return proc, out

    return run
