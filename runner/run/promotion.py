"""A successful attempt's outputs: verified in staging, fingerprinted, promoted atomically to NN_stage/,
and published into the work folder root."""

from __future__ import annotations

from pathlib import Path

from runner.pipeline.config import StageSpec
from runner.run.checks import CheckContext, verify_output
from runner.run.context import MovieContext
from runner.run.fingerprint import FileStat, sampled_fingerprint
from runner.run.workdir import is_published, promote, publish, published_name, records_of, resolve_outputs


def verify_outputs(stage: StageSpec, staging: Path, media_s: float | None) -> tuple[dict[str, Path], str | None]:
    """Every declared output found and its content checked; the first problem otherwise."""
    check = CheckContext(input_duration_s=media_s)
    found = {}
    for oname, ospec in stage.outputs.items():
        paths, problem = resolve_outputs(staging, ospec)  # one, or each match of a `many: true` output
        for path in paths.values():
            problem = problem or verify_output(path, ospec.kind, ospec.options, check)
        if problem:
            return found, f"output {oname}: {problem}"
        found.update(paths)
    return found, None


def promote_outputs(ctx: MovieContext, stage: StageSpec, outputs: dict[str, Path]) -> None:
    """Hash before the move (same inode after it), then promote the staging folder atomically; the
    outputs' record is set in the manifest without a write of its own (the caller's batch writes it)."""
    workdir = ctx.workdir
    staging_dir = next(iter(outputs.values())).parent if outputs else None
    final = workdir / stage.dirname
    recorded = {}
    for oname, path in outputs.items():
        rel = path.relative_to(staging_dir) if staging_dir else Path(path.name)
        st = FileStat.of(path)
        recorded[oname] = {
            "path": str((final / rel).relative_to(workdir)),
            "size": st.size,
            "mtime_ns": st.mtime_ns,
            "hash": sampled_fingerprint(path),
        }
    if staging_dir is not None:
        promote(staging_dir, final)
    ctx.recorder.manifest.set_stage(stage.name, save=False, outputs=recorded)
    ensure_published(ctx, stage)


def ensure_published(ctx: MovieContext, stage: StageSpec) -> None:
    """Hard-link the stage's deliverables into the work folder root (again, if they went missing)."""
    entry = ctx.recorder.manifest.stage(stage.name)
    for ospec in stage.outputs.values():
        for key, rec in records_of(ospec, entry.get("outputs") or {}).items():
            source = ctx.workdir / rec["path"]
            name = published_name(ospec, key, source)  # fits the file system's name limit
            if name is None:
                continue
            target = ctx.workdir / name
            if source.exists() and not is_published(source, target):
                publish(source, target)
                ctx.recorder.display.say(f"  wrote {target}")
