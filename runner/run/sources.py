"""Where a library's movies come from: paths given to `batch`, and an inbox folder watched by `watch`."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from runner.errors import ReelstageError, UsageError
from runner.run.manifest import read_manifest
from runner.run.workdir import default_workdir

MEDIA_SUFFIXES = {
    ".mp4", ".mkv", ".mov", ".m4v", ".avi", ".webm", ".ts", ".mts", ".m2ts", ".wmv", ".flv", ".mpg", ".mpeg",
    ".wav", ".mp3", ".flac", ".m4a", ".aac", ".ogg", ".opus",
}
PARTIAL_SUFFIXES = {".part", ".partial", ".tmp", ".crdownload", ".download"}


def is_candidate(path: Path) -> bool:
    """A media file by its name that is not hidden and not a download in progress."""
    return not path.name.startswith(".") and path.suffix.lower() in MEDIA_SUFFIXES


def collect_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; folders → their media files (recursively, sorted); a text file → its lines."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_candidate(p)))
        elif path.suffix.lower() in (".txt", ".list", ".lst"):
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"cannot read the list of movies {path}: {exc}") from exc
            base = path.parent
            found.extend((base / line.strip()) for line in lines if line.strip() and not line.startswith("#"))
        else:
            found.append(path)  # a missing or odd file is reported by that movie's own run
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve() if path.exists() else path.absolute(), path)
    if not unique:
        raise UsageError("no movies found in " + ", ".join(map(str, paths)) + " (give files, folders or a list)")
    return list(unique.values())


def workdirs_for(inputs: list[Path], root: Path) -> dict[Path, Path]:
    """One work folder per movie under `root`; two movies of the same name get a stable hash suffix."""
    chosen: dict[Path, Path] = {}
    taken: dict[Path, Path] = {}
    for inp in inputs:
        folder = default_workdir(inp, root)
        if folder in taken and taken[folder] != inp:
            digest = hashlib.sha256(str(inp.absolute()).encode()).hexdigest()[:8]
            folder = folder.with_name(f"{folder.name}-{digest}")
        taken[folder] = inp
        chosen[inp] = folder
    return chosen


def already_done(workdir: Path, inp: Path) -> bool:
    """Completed before for this very file (size and mtime unchanged): nothing to open or lock."""
    try:
        manifest = read_manifest(workdir)
        st = inp.stat()
    except (ReelstageError, OSError):
        return False
    if not manifest or (manifest.get("pipeline") or {}).get("status") != "completed":
        return False
    recorded = manifest.get("input") or {}
    return recorded.get("size") == st.st_size and recorded.get("mtime_ns") == st.st_mtime_ns


class Inbox:
    """New movies in a folder, each handed over once it is completely written: its size and mtime
    unchanged for `settle_s`, and not named like a partial download (`*.part` is renamed when done)."""

    def __init__(self, folder: Path, settle_s: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = folder
        self.settle_s = settle_s
        self.clock = clock
        self._seen: dict[Path, tuple[int, int, float]] = {}  # path → (size, mtime_ns, unchanged since)
        self._handed: dict[Path, tuple[int, int]] = {}

    def poll(self) -> list[Path]:
        """Files that became complete since the last poll (a file rewritten later comes again)."""
        now = self.clock()
        ready = []
        present = set()
        for path in sorted(self.folder.rglob("*")) if self.folder.is_dir() else []:
            if not path.is_file() or not is_candidate(path) or path.suffix.lower() in PARTIAL_SUFFIXES:
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            present.add(path)
            sig = (st.st_size, st.st_mtime_ns)
            seen = self._seen.get(path)
            if seen is None or seen[:2] != sig:
                self._seen[path] = (*sig, now)
                continue
            if st.st_size and now - seen[2] >= self.settle_s and self._handed.get(path) != sig:
                self._handed[path] = sig
                ready.append(path)
        for gone in set(self._seen) - present:
            self._seen.pop(gone, None)
            self._handed.pop(gone, None)
        return ready
