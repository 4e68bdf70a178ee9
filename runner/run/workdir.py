"""The work folder's layout: staging folders, atomic promotion, published deliverables."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import uuid
from pathlib import Path

from runner.pipeline.config import OutputSpec
from runner.pipeline.names import workdir_name

STAGING = ".staging"
LOGS = "logs"
PUBLISH_TMP_PREFIX = ".publish-"


def default_workdir(input_path: Path, root: Path | None = None) -> Path:
    """`out/<input stem>/` under the current folder (or `root`); the stem without leading dots,
    shortened with a hash suffix when it would not fit a file name (runner/pipeline/names.py)."""
    return (root or Path.cwd() / "out") / workdir_name(input_path.name)


def new_staging_dir(workdir: Path, dirname: str, run_id: str, attempt: int) -> Path:
    """A fresh, empty folder for one attempt (never taken as done)."""
    path = workdir / STAGING / f"{dirname}.{run_id}.{attempt}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def clear_staging(workdir: Path) -> None:
    """Remove leftovers of interrupted attempts."""
    shutil.rmtree(workdir / STAGING, ignore_errors=True)


def resolve_output(folder: Path, spec: OutputSpec) -> tuple[Path | None, str | None]:
    """The file an output names inside `folder` (a glob must match exactly one)."""
    if not spec.is_glob:
        return folder / spec.path, None
    matches = sorted(Path(p) for p in glob.glob(str(folder / spec.path)))
    if len(matches) != 1:
        return None, f"{spec.path} matched {len(matches)} files, expected exactly one"
    return matches[0], None


def resolve_outputs(folder: Path, spec: OutputSpec) -> tuple[dict[str, Path], str | None]:
    """The files of one declared output keyed as the manifest records them: the output's name, or for a
    `many: true` output `<name>[<match>]` per file (one or more must match)."""
    if not spec.many:
        path, problem = resolve_output(folder, spec)
        return ({spec.name: path} if path is not None else {}), problem
    matches = sorted(Path(p) for p in glob.glob(str(folder / spec.path)))
    if not matches:
        return {}, f"{spec.path} matched no file, expected one or more"
    return {spec.record_key(p.name): p for p in matches}, None


def published_name(spec: OutputSpec, record_key: str, source: Path) -> str | None:
    """The deliverable's file name for a recorded output (None if it is not published; fits NAME_MAX)."""
    return spec.publish_name(source.suffix, record_key[len(spec.name) + 1 : -1] if spec.many else "")


def records_of(spec: OutputSpec, outputs: dict[str, dict]) -> dict[str, dict]:
    """The manifest records that belong to one declared output."""
    if not spec.many:
        return {spec.name: outputs[spec.name]} if spec.name in outputs else {}
    return {k: v for k, v in outputs.items() if k.startswith(f"{spec.name}[") and k.endswith("]")}


def promote(staging: Path, final: Path) -> None:
    """Move a verified staging folder into place atomically (replacing an older result)."""
    trash = None
    if final.exists():
        trash = final.parent / STAGING / f"trash-{final.name}-{uuid.uuid4().hex[:8]}"
        os.replace(final, trash)
    os.replace(staging, final)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)


def publish(source: Path, target: Path) -> None:
    """Put a deliverable in the work folder root: a hard link if possible, else a copy; atomic."""
    tmp = target.with_name(f"{PUBLISH_TMP_PREFIX}{uuid.uuid4().hex[:8]}.tmp")  # short whatever the target
    try:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copy2(source, tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def is_published(source: Path, target: Path) -> bool:
    try:
        a, b = source.stat(), target.stat()
    except OSError:
        return False
    return (a.st_ino == b.st_ino and a.st_dev == b.st_dev) or (a.st_size == b.st_size and a.st_mtime == b.st_mtime)


CHECKPOINTS = ".checkpoints"
_CHECKPOINT_KEY = ".resume-key"


def open_checkpoint(workdir: Path, dirname: str, resume_key: str) -> Path:
    """The stage's checkpoint folder, kept across attempts and runs while its resume key is unchanged
    (emptied when the key changed: chunks of another input or model must never be reused)."""
    path = workdir / CHECKPOINTS / dirname
    key_file = path / _CHECKPOINT_KEY
    try:
        same = key_file.read_text(encoding="utf-8") == resume_key
    except OSError:
        same = False
    if not same:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        tmp = key_file.with_suffix(".tmp")
        tmp.write_text(resume_key, encoding="utf-8")
        os.replace(tmp, key_file)
    return path


def drop_checkpoint(workdir: Path, dirname: str) -> None:
    """After success: the outputs are final, the checkpoint is no longer needed."""
    shutil.rmtree(workdir / CHECKPOINTS / dirname, ignore_errors=True)
