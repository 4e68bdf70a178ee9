"""manifest.json: the only writer of a work folder's state (schema in docs/contract.md §5)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runner.errors import ManifestCorrupt, WorkdirGone
from runner.run.manifest_schema import manifest_problem

SCHEMA_VERSION = 1
MANIFEST_NAME = "manifest.json"


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def utc_now() -> str:
    """ISO-8601 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_text_atomic(path: Path, text: str, durable: bool = True) -> None:
    """Temp file in the same folder, rename over; `durable`: fsync the file first and the folder after."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if not durable:
        return
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_json_atomic(path: Path, data: Any) -> None:
    """JSON, durably: temp file in the same folder, fsync, rename over, fsync the folder."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_manifest(workdir: Path) -> dict | None:
    """The manifest of a work folder, None if there is none; ManifestCorrupt with the way out."""
    path = workdir / MANIFEST_NAME
    way_out = (
        f"rerun with --reset to start this work folder over (the file is kept as {MANIFEST_NAME}.corrupt-*), "
        "or restore it"
    )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise ManifestCorrupt(f"{path} is a folder, not a manifest: move it away") from exc
    except OSError as exc:
        raise ManifestCorrupt(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        reason = str(exc) if isinstance(exc, json.JSONDecodeError) else "not UTF-8 JSON text"
        raise ManifestCorrupt(f"{path} is corrupt ({reason}); {way_out}") from exc
    if not isinstance(data, dict) or "pipeline" not in data or "stages" not in data:
        raise ManifestCorrupt(f"{path} is not a Reelstage manifest; {way_out}")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ManifestCorrupt(
            f"{path} has schema_version {data.get('schema_version')!r}, this Reelstage reads "
            f"{SCHEMA_VERSION}; rerun with --reset to start over"
        )
    if problem := manifest_problem(data):
        raise ManifestCorrupt(f"{path} is corrupt ({problem}); {way_out}")
    return data


def remove_stale_temp_files(workdir: Path) -> list[Path]:
    """Remove the temp files of atomic writes a killed runner left (`.manifest.json.*.tmp`, ...).

    Call it only while holding the work folder's lock: then no live writer owns them."""
    removed = []
    for pattern in (f".{MANIFEST_NAME}.*.tmp", "..lock.json.*.tmp", ".publish-*.tmp"):
        for tmp in workdir.glob(pattern):
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def set_aside_corrupt(workdir: Path) -> Path | None:
    """Keep a corrupt manifest for inspection instead of deleting it (used by --reset)."""
    path = workdir / MANIFEST_NAME
    if not path.exists():
        return None
    kept = workdir / f"{MANIFEST_NAME}.corrupt-{int(time.time())}"
    os.replace(path, kept)
    return kept


def new_manifest(workdir: Path, run_id: str) -> dict:
    """The manifest of a work folder no run has written yet."""
    now = utc_now()
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "created_at": now,
        "updated_at": now,
        "workdir": str(workdir),
        "config": {},
        "input": {},
        "pipeline": {
            "status": "pending",
            "stages": [],
            "completed_stages": [],
            "next_stage": None,
            "current_stage": None,
            "started_at": None,
            "ended_at": None,
            "error": None,
            "exit_code": None,
            "runs": [],
        },
        "stages": {},
    }


def new_stage_entry(index: int, dirname: str, critical: bool) -> dict:
    return {
        "index": index,
        "dir": dirname,
        "status": "pending",
        "critical": critical,
        "started_at": None,
        "ended_at": None,
        "duration_s": None,
        "attempts": [],
        "image": None,
        "image_id": None,
        "outputs": {},
        "progress": None,
        "notes": [],
        "info": {},
        "error": None,
        "resume_key": None,
    }


class Manifest:
    """In-memory manifest with thread-safe mutation and atomic saves."""

    def __init__(self, workdir: Path, data: dict) -> None:
        self.workdir = workdir
        self.path = workdir / MANIFEST_NAME
        self.data = data
        self._lock = threading.RLock()
        self._last_progress_save = 0.0
        self._batch_depth = 0
        self._dirty = False
        self._identity = _identity(workdir)

    @classmethod
    def open(cls, workdir: Path, run_id: str) -> Manifest:
        """Load the work folder's manifest, or start a new one."""
        data = read_manifest(workdir)
        return cls(workdir, new_manifest(workdir, run_id) if data is None else data)

    @property
    def stages(self) -> dict[str, dict]:
        return self.data["stages"]

    @property
    def pipeline(self) -> dict:
        return self.data["pipeline"]

    def check_workdir(self) -> None:
        """WorkdirGone when the work folder was removed or replaced since this run opened it."""
        now = _identity(self.workdir)
        if now is None:
            raise WorkdirGone(f"the work folder {self.workdir} was removed while running; the run stopped "
                              "(rerun to start that movie again)")
        if now != self._identity:
            raise WorkdirGone(f"the work folder {self.workdir} was replaced while running; the run stopped "
                              "without touching the new one (rerun to resume from what it holds)")

    def save(self) -> None:
        with self._lock:
            if self._batch_depth:
                self._dirty = True
                return
            self.check_workdir()
            self.data["updated_at"] = utc_now()
            write_json_atomic(self.path, self.data)
            self._dirty = False

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group the changes of one state transition into a single atomic write."""
        with self._lock:
            self._batch_depth += 1
            try:
                yield
            finally:
                self._batch_depth -= 1
                if not self._batch_depth and self._dirty:
                    self.save()

    def update(self, **changes: Any) -> None:
        """Set top-level keys and save."""
        with self._lock:
            self.data.update(changes)
            self.save()

    def stage(self, name: str) -> dict:
        return self.stages[name]

    def sync_stages(self, specs: list[tuple[str, int, str, bool]]) -> None:
        """Make sure every (name, index, dirname, critical) has an entry, in pipeline order."""
        with self._lock:
            for name, index, dirname, critical in specs:
                entry = self.stages.setdefault(name, new_stage_entry(index, dirname, critical))
                entry.update(index=index, dir=dirname, critical=critical)
            self.pipeline["stages"] = [s[0] for s in specs]
            self.refresh_progress_fields()

    def refresh_progress_fields(self) -> None:
        """Derive completed_stages and next_stage from the stage entries (pipeline order)."""
        order = self.pipeline["stages"]
        done = [n for n in order if self.stages.get(n, {}).get("status") in ("success", "skipped")]
        self.pipeline["completed_stages"] = done
        self.pipeline["next_stage"] = next((n for n in order if n not in done), None)

    def set_stage(self, name: str, save: bool = True, **changes: Any) -> None:
        with self._lock:
            self.stages[name].update(changes)
            self.refresh_progress_fields()
            if save:
                self.save()

    def set_pipeline(self, **changes: Any) -> None:
        with self._lock:
            self.pipeline.update(changes)
            self.refresh_progress_fields()
            self.save()

    def add_attempt(self, name: str, attempt: dict) -> None:
        with self._lock:
            self.stages[name]["attempts"].append(attempt)
            self.save()

    def update_attempt(self, name: str, **changes: Any) -> None:
        with self._lock:
            self.stages[name]["attempts"][-1].update(changes)
            self.save()

    def set_progress(self, name: str, fraction: float | None, message: str, min_interval_s: float = 1.0) -> bool:
        """Record progress; saved at most every `min_interval_s`. Returns True when saved."""
        with self._lock:
            self.stages[name]["progress"] = {"fraction": fraction, "message": message, "updated_at": utc_now()}
            now = time.monotonic()
            if now - self._last_progress_save < min_interval_s:
                return False
            self._last_progress_save = now
            self.save()
            return True
