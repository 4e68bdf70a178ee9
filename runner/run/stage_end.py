"""A stage's final entry: verified and promoted, or stopped; one manifest write, then its events."""

from __future__ import annotations

from runner.pipeline.config import StageSpec
from runner.run.context import MovieContext, StageOutcome
from runner.run.manifest import utc_now
from runner.run.outcome import AttemptEnd, classify
from runner.run.promotion import promote_outputs
from runner.run.workdir import drop_checkpoint


def conclude(ctx: MovieContext, stage: StageSpec, end: AttemptEnd, duration: float,
             media_s: float | None) -> StageOutcome:
    """Verify and promote, then record the stage's final entry in one manifest write."""
    name, manifest = stage.name, ctx.recorder.manifest
    notes = manifest.stage(name)["notes"] + end.notes
    if end.skip:
        notes.append(end.skip)
    verdict = classify(ctx, stage, end)
    status = verdict.status
    with manifest.batch():
        if status == "success":
            promote_outputs(ctx, stage, verdict.outputs)
        if end.attempt is not None:
            ctx.recorder.attempt_closed(end.attempt, end.result, verdict.reason, verdict.error, save=False)
        if status == "failed" and not stage.critical:
            status = "skipped"
            notes.append(f"optional stage failed ({verdict.reason}): {verdict.error}")
        changes = {
            "status": status,
            "ended_at": utc_now(),
            "duration_s": duration,
            "notes": notes,
            "info": end.info,
            "error": verdict.error if status != "success" else None,
            "progress": None,
        }
        if status in ("success", "skipped"):
            facts = ctx.prep.facts(stage, manifest.stages)  # upstream outputs are final now
            changes.update(resume_key=facts.key, resume_parts=facts.parts)
        ctx.recorder.stage_left(name)
        manifest.set_stage(name, **changes)
    if status == "success":
        drop_checkpoint(ctx.workdir, stage.dirname)
    ctx.recorder.stage_finished(name, status, verdict.reason, verdict.error, duration, media_s)
    if status == "failed":
        return StageOutcome("failed", verdict.exit_code, f"stage {name} failed: {verdict.error}")
    return StageOutcome(status)


def record_stopped(ctx: MovieContext, stage: StageSpec, duration: float, media_s: float | None) -> StageOutcome:
    """The stage's final entry when its movie was asked to stop while it ran."""
    name = stage.name
    status = ctx.stop.status or "interrupted"
    with ctx.recorder.manifest.batch():
        ctx.recorder.stage_left(name)
        ctx.recorder.manifest.set_stage(
            name, status=status, ended_at=utc_now(), duration_s=duration, error=ctx.stop.reason, progress=None
        )
    ctx.recorder.stage_finished(name, status, status, ctx.stop.reason, duration, media_s)
    return StageOutcome(status, error=ctx.stop.reason)
