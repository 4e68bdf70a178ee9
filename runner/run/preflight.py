"""Checks done before any container starts; each failure is one clear line (exit 2)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from runner.engine import Engine, EngineError, ImageMissing
from runner.errors import UsageError
from runner.pipeline.compose import build_images
from runner.pipeline.config import Pipeline, check_request
from runner.pipeline.names import check_input_name

if TYPE_CHECKING:
    from runner.run.options import RunOptions


def check_before_lock(options: RunOptions, workdir: Path) -> None:
    """Every usage error the request can have, before the lock or the manifest is touched: the input
    and its name, the pipeline file with the `--set`/`--file`/stage options, then the disk (the lock
    writes a file: on a full disk, the message about space must come first), then the work folder."""
    check_input(options.input)
    try:
        os.fsencode(str(workdir.absolute())).decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"work folder {workdir}: its path is not valid UTF-8; give --workdir DIR") from None
    stages = {
        "--from": [options.from_stage] if options.from_stage else [],
        "--only": list(options.only),
        "--force": list(options.force),
    }
    check_request(options.config, options.params, options.files, stages)
    check_free_space(workdir, options.input.stat().st_size, options.min_free_ratio)
    check_workdir(workdir)


def check_input(path: Path) -> None:
    if not path.exists():
        raise UsageError(f"input not found: {path}")
    if not path.is_file():
        raise UsageError(f"input is not a file: {path}")
    if not os.access(path, os.R_OK):
        raise UsageError(f"input is not readable: {path} (check its permissions)")
    if path.stat().st_size == 0:
        raise UsageError(f"input is empty: {path}")
    check_input_name(path)


def check_workdir(workdir: Path) -> None:
    if workdir.exists() and not workdir.is_dir():
        raise UsageError(f"work folder {workdir} is a file, not a folder; give --workdir DIR")
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=workdir, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise UsageError(f"work folder {workdir} is not writable ({exc.strerror}); give --workdir DIR") from exc


def check_free_space(workdir: Path, input_size: int, ratio: float) -> None:
    existing = workdir.absolute()
    while not existing.exists() and existing != existing.parent:  # the folder may not exist yet
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    need = int(input_size * ratio)
    if free < need:
        raise UsageError(
            f"only {free / 1e9:.1f} GB free in {workdir}, need {need / 1e9:.1f} GB "
            f"({ratio:g}x the input); free some space or give --workdir on a larger disk"
        )


def check_engine(engine: Engine) -> None:
    try:
        engine.ping()
    except EngineError as exc:
        raise UsageError(str(exc)) from exc


def ensure_images(engine: Engine, pipeline: Pipeline, stage_names: list[str], say) -> dict[str, str]:
    """Image id per service of the given stages; builds missing buildable images first."""
    services = sorted({pipeline.stage(n).service for n in stage_names})
    ids: dict[str, str] = {}
    missing = []
    for svc in services:
        try:
            ids[svc] = engine.image_id(pipeline.services[svc].image)
        except ImageMissing:
            missing.append(svc)
        except EngineError as exc:
            raise UsageError(str(exc)) from exc
    if missing:
        unbuildable = [s for s in missing if not pipeline.services[s].buildable]
        if unbuildable:
            images = ", ".join(pipeline.services[s].image for s in unbuildable)
            raise UsageError(f"image(s) {images} missing and compose.yaml has no build for them; run `make images`")
        say(f"building missing images: {', '.join(missing)} (this can take a while; `make images` does it ahead)")
        build_images(pipeline.compose_path, missing, pipeline.build_command)
        for svc in missing:
            try:
                ids[svc] = engine.image_id(pipeline.services[svc].image)
            except EngineError as exc:
                raise UsageError(str(exc)) from exc
    return ids


def check_gpu(pipeline: Pipeline, stage_names: list[str], gpu_available: bool) -> None:
    if gpu_available:
        return
    for name in stage_names:
        stage = pipeline.stage(name)
        if stage.gpu == "required":
            raise UsageError(
                f"stage {name} requires a GPU but Docker has no GPU runtime here "
                "(install the NVIDIA Container Toolkit, or set gpu: optional in the pipeline)"
            )
