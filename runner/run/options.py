"""What the user asked for, and the names that tie containers to a run."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

LABEL_PREFIX = "io.reelstage"


@dataclass
class RunOptions:
    """One movie: its input, work folder, pipeline and the stage selection."""

    input: Path
    workdir: Path
    config: Path
    from_stage: str | None = None
    only: tuple[str, ...] = ()
    force: tuple[str, ...] = ()
    reset: bool = False
    params: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    notify_url: str | None = None
    min_free_ratio: float = 2.0
    progress_interval_s: float = 30.0


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def workdir_labels(workdir: Path) -> dict[str, str]:
    """The label every container of this work folder carries (orphan reaping, cancel)."""
    return {f"{LABEL_PREFIX}.workdir": str(workdir)}
