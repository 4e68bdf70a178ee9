"""What the stages of one movie share while it runs: its paths and engine, its stop request, and how a
stage ended."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from runner.engine import Engine
from runner.errors import EXIT_FAILED, EXIT_USAGE, ReelstageError
from runner.pipeline.config import MIN_FREE_BYTES
from runner.run.options import LABEL_PREFIX, workdir_labels
from runner.run.prepare import Prepared
from runner.run.recorder import Recorder


class DiskFull(ReelstageError):
    """The work folder's file system filled up during the run."""

    exit_code = EXIT_USAGE


def disk_full(workdir: Path, exc: OSError, need_bytes: int = MIN_FREE_BYTES) -> DiskFull:
    return DiskFull(
        f"the disk of {workdir} is full ({exc.strerror}); free at least {need_bytes / 2**20:.0f} MiB "
        "(or give --workdir on a larger disk) and rerun: finished stages are kept"
    )


class Stop:
    """A movie's stop request (signal or cancel), seen by its running stages."""

    def __init__(self) -> None:
        self.status: str | None = None  # interrupted | cancelled
        self.reason: str | None = None
        self.code = EXIT_FAILED  # the movie's exit code (128 + signal number when interrupted)
        self._lock = threading.Lock()

    def request(self, status: str, reason: str, code: int) -> None:
        with self._lock:
            if self.status is None:
                self.status, self.reason, self.code = status, reason, code

    def __bool__(self) -> bool:
        return self.status is not None


@dataclass
class StageOutcome:
    """How a stage ended, and the pipeline's exit code if that ends the movie."""

    status: str  # success | skipped | failed | interrupted | cancelled
    exit_code: int = 0
    error: str | None = None


@dataclass
class MovieContext:
    """What every stage of one movie needs."""

    workdir: Path
    input: Path
    run_id: str
    prep: Prepared
    recorder: Recorder
    engine: Engine
    stop: Stop = field(default_factory=Stop)
    input_stat: tuple[int, int, int] = field(init=False)

    def __post_init__(self) -> None:
        st = self.input.stat()
        self.input_stat = (st.st_size, st.st_mtime_ns, st.st_ino)

    def input_changed(self) -> str | None:
        """A message when the input file is no longer the one this run started with."""
        try:
            st = self.input.stat()
        except OSError as exc:
            return f"the input {self.input} disappeared while running ({exc.strerror}); restore it and rerun"
        if (st.st_size, st.st_mtime_ns, st.st_ino) != self.input_stat:
            return (
                f"the input {self.input} changed while running; rerun to start over from the first stage "
                "that reads it (subtitles of one file are never muxed into another)"
            )
        return None

    def labels(self, stage: str) -> dict[str, str]:
        return {
            **workdir_labels(self.workdir),
            f"{LABEL_PREFIX}.run_id": self.run_id,
            f"{LABEL_PREFIX}.stage": stage,
        }
