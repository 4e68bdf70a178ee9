"""Deciding one movie's stages as their dependencies end: skipped (recorded), to run, left out or blocked.

A stage is decided only once every stage it depends on has ended, so its resume key sees final
upstream outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runner.pipeline.compose import Service
from runner.pipeline.config import StageSpec
from runner.run.context import MovieContext
from runner.run.plan import decide
from runner.run.prepare import Selection
from runner.run.promotion import ensure_published
from runner.run.resources import DEFAULT_CPUS, Need

_BLOCKING = ("failed", "blocked", "interrupted", "cancelled")


def need_of(service: Service, gpu_used: bool) -> Need:
    """A stage's reservation: compose `reservations` when given, else its `limits`, else one core."""
    res = service.resources
    cpus = res.cpu_reservation or res.cpu_limit or DEFAULT_CPUS
    memory = res.memory_reservation_bytes or res.memory_limit_bytes or 0
    gpus = 0
    if gpu_used and service.gpus:
        gpus = service.gpus[0].count if not service.gpus[0].device_ids else len(service.gpus[0].device_ids)
    return Need(cpus=cpus, memory_bytes=memory, gpus=gpus)


@dataclass
class ReadyStage:
    """A stage this movie wants to run now."""

    stage: StageSpec
    reason: str
    resume_key: str
    need: Need


class StageStates:
    """Where each stage of one movie stands in this run: ended (and how), running, or queued."""

    def __init__(self) -> None:
        self.ended: dict[str, str] = {}  # stage → final status in this run (or "left" / "blocked")
        self.running: set[str] = set()
        self.queued: set[str] = set()  # handed to the library, waiting for resources
        self._reran: set[str] = set()

    def advance(self, ctx: MovieContext, selection: Selection, workdir: Path) -> tuple[list[ReadyStage], str | None]:
        """Decide every stage whose dependencies have ended: those to run (skips are recorded), or
        nothing and why the movie must stop (its input changed)."""
        ready: list[ReadyStage] = []
        prep, manifest = ctx.prep, ctx.recorder.manifest
        progressed = True
        while progressed:
            progressed = False
            for stage in prep.pipeline.stages:
                name = stage.name
                if name in self.ended or name in self.running or name in self.queued:
                    continue
                if name not in selection.selected:
                    self.ended[name] = "left"
                    progressed = True
                    continue
                deps = [self.ended.get(d) for d in stage.depends_on]
                if any(d is None for d in deps):
                    continue
                if any(d in _BLOCKING for d in deps):
                    self.ended[name] = "blocked"
                    progressed = True
                    continue
                if stage.uses_input and (changed := ctx.input_changed()):
                    return [], changed
                facts = prep.facts(stage, manifest.stages)
                d = decide(stage, manifest.stage(name), facts, workdir, self._reran, name in selection.forced)
                if d.action == "skip":
                    ctx.recorder.stage_skipped_as_done(stage, len(prep.pipeline.stages), d.reason)
                    ensure_published(ctx, stage)
                    self.ended[name] = manifest.stage(name)["status"]
                    progressed = True
                    continue
                self._reran.add(name)
                need = need_of(prep.pipeline.services[stage.service], prep.gpu_used(stage))
                ready.append(ReadyStage(stage, d.reason, facts.key, need))
                self.queued.add(name)
        return ready, None
