"""What one attempt's end means: success with verified outputs, skipped, or failed and why."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from runner.engine import RunResult
from runner.errors import EXIT_FAILED, EXIT_USAGE
from runner.pipeline.config import StageSpec
from runner.pipeline.names import user_facing
from runner.run.context import MovieContext
from runner.run.promotion import verify_outputs

FULL_DISK_BYTES = 4 * 2**20  # less free space than this after a failed stage: the stage filled the disk


@dataclass
class AttemptEnd:
    """How the last attempt ended: the engine's result (None after an engine error) and what the stage
    said on its log protocol."""

    result: RunResult | None = None
    staging: Path | None = None
    attempt: dict | None = None  # its manifest entry, still open
    skip: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)


@dataclass
class Verdict:
    status: str  # success | skipped | failed
    reason: str  # ok | skipped | engine_error | timeout | oom | input_changed | disk_full | exit_code | verify_failed
    error: str | None = None
    exit_code: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)


def classify(ctx: MovieContext, stage: StageSpec, end: AttemptEnd) -> Verdict:
    """The verdict on the attempt that ended; outputs are verified only when nothing else went wrong."""
    result = end.result
    error = user_facing(end.error, ctx.input)  # the user's file, not /input/source<ext>
    if result is None:
        return Verdict("failed", "engine_error", error, EXIT_FAILED)
    if result.reason == "timeout":
        return Verdict("failed", "timeout", f"timed out after {stage.timeout_s:g} s (container stopped and removed)",
                       EXIT_FAILED)
    if result.reason == "oom":
        limit = (ctx.prep.pipeline.services[stage.service].resources.memory_limit_bytes or 0) / 2**20
        why = (f"out of memory: the kernel killed it at its {limit:.0f} MiB limit; raise "
               f"deploy.resources.limits.memory of service {stage.service} in compose.yaml")
        return Verdict("failed", "oom", why, EXIT_FAILED)
    if stage.uses_input and (changed := ctx.input_changed()):
        return Verdict("failed", "input_changed", changed, EXIT_USAGE)
    assert end.staging is not None
    if result.exit_code != 0 and (full := filled_disk(ctx.workdir, stage.name, end.staging)):
        return Verdict("failed", "disk_full", full, EXIT_USAGE)
    if result.exit_code != 0:
        error = error or f"exited with code {result.exit_code}; see logs/{stage.name}.log"
        return Verdict("failed", "exit_code", error, EXIT_USAGE if result.exit_code == EXIT_USAGE else EXIT_FAILED)
    if end.skip:
        return Verdict("skipped", "skipped")
    outputs, problem = verify_outputs(stage, end.staging, ctx.prep.input_info.get("duration_s"))
    if problem:
        return Verdict("failed", "verify_failed", problem, EXIT_FAILED)
    return Verdict("success", "ok", outputs=outputs)


def filled_disk(workdir: Path, stage: str, staging: Path) -> str | None:
    """When a failed stage left the work folder's disk (nearly) full, that is the cause to report;
    its partial output is removed so the final state can be written."""
    try:
        if shutil.disk_usage(workdir).free > FULL_DISK_BYTES:
            return None
        written = sum(f.stat().st_size for f in staging.rglob("*") if f.is_file())
    except OSError:
        return None
    shutil.rmtree(staging, ignore_errors=True)
    return (
        f"the disk of {workdir} filled up during stage {stage} (it had written "
        f"{written / 2**20:.0f} MiB): free at least that much more, or give --workdir on a larger disk, "
        "and rerun; finished stages are kept"
    )
