"""One movie's run: opened under its work-folder lock, stages decided as their dependencies finish.

A stage is decided (skip or run) only once every stage it depends on has ended, so its resume key
sees final upstream outputs. Stages that may run are handed to the library as jobs; the library
starts them when their resources fit and reports back each outcome. After a critical failure no new
stage of this movie starts; stages already running finish (their work is kept for the resume).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

from runner.engine import Engine
from runner.errors import EXIT_FAILED, EXIT_USAGE, ReelstageError
from runner.pipeline.compose import Service
from runner.pipeline.config import StageSpec
from runner.run.attempt import StageExecution
from runner.run.context import MovieContext, StageOutcome, disk_full
from runner.run.finishing import final_status, record_finish, write_report
from runner.run.manifest import Manifest
from runner.run.opening import CANCEL_NAME, MovieHandles, MovieOpening
from runner.run.options import RunOptions, new_run_id
from runner.run.plan import decide
from runner.run.prepare import Selection
from runner.run.promotion import ensure_published
from runner.run.resources import DEFAULT_CPUS, Grant, Need
from runner.watch.display import Display


def failure_of(exc: BaseException, workdir: Path) -> tuple[int, str]:
    """(exit code, one line) for an error that ends one movie."""
    if isinstance(exc, ReelstageError):
        return exc.exit_code, str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        full = disk_full(workdir, exc)
        return full.exit_code, str(full)
    if isinstance(exc, OSError):
        return EXIT_USAGE, f"cannot use the work folder {workdir}: {exc.strerror or exc} ({exc.filename or ''})"
    return EXIT_FAILED, f"internal error {type(exc).__name__}: {exc}"


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


class MovieRun:
    """The state of one movie while the library runs it."""

    def __init__(self, options: RunOptions, engine: Engine, display: Display, label: str = "") -> None:
        self.opt = options
        self.engine = engine
        self.display = display
        self.label = label
        self.workdir = options.workdir.resolve()
        self.run_id = new_run_id()
        self.ctx: MovieContext | None = None
        self.selection: Selection | None = None
        self._handles = MovieHandles()  # the lock, runner log and event log while open
        self._ended: dict[str, str] = {}  # stage → final status in this run (or "left" / "blocked")
        self._running: set[str] = set()
        self._queued: set[str] = set()  # handed to the library, waiting for resources
        self._reran: set[str] = set()
        self.failure: tuple[int, str] | None = None
        self.result: tuple[str, int, str | None] | None = None  # (status, exit code, error) once finished

    @property
    def name(self) -> str:
        return self.opt.input.name

    # -- opening -----------------------------------------------------------------------------

    def open(self, services: dict[str, Service] | None = None, gpu_ids: tuple[str, ...] = ()) -> None:
        """Lock, reap orphans, read the manifest, pre-flight. Raises ReelstageError (one line)."""
        opening = MovieOpening(
            self.opt, self.engine, self.display, self.label, self.workdir, self.run_id, self._handles
        )
        preparer = opening.before_lock(services, gpu_ids)
        opening.lock()
        try:
            self.ctx, self.selection = opening.open_locked(preparer)
            opening.announce(self.ctx)
        except BaseException:
            self.close()
            raise

    # -- deciding ----------------------------------------------------------------------------

    def advance(self) -> list[ReadyStage]:
        """Decide every stage whose dependencies have ended; return those to run (skips are recorded)."""
        ready: list[ReadyStage] = []
        if self.ctx is None or self.failure or self.ctx.stop:
            return ready
        prep, manifest = self.ctx.prep, self.ctx.recorder.manifest
        progressed = True
        while progressed:
            progressed = False
            for stage in prep.pipeline.stages:
                name = stage.name
                if name in self._ended or name in self._running or name in self._queued:
                    continue
                if name not in self.selection.selected:
                    self._ended[name] = "left"
                    progressed = True
                    continue
                deps = [self._ended.get(d) for d in stage.depends_on]
                if any(d is None for d in deps):
                    continue
                if any(d in ("failed", "blocked", "interrupted", "cancelled") for d in deps):
                    self._ended[name] = "blocked"
                    progressed = True
                    continue
                if stage.uses_input and (changed := self.ctx.input_changed()):
                    self.fail(EXIT_USAGE, changed)
                    return []
                facts = prep.facts(stage, manifest.stages)
                d = decide(stage, manifest.stage(name), facts, self.workdir, self._reran, name in self.selection.forced)
                if d.action == "skip":
                    self.ctx.recorder.stage_skipped_as_done(stage, len(prep.pipeline.stages), d.reason)
                    ensure_published(self.ctx, stage)
                    self._ended[name] = manifest.stage(name)["status"]
                    progressed = True
                    continue
                self._reran.add(name)
                need = need_of(prep.pipeline.services[stage.service], prep.gpu_used(stage))
                ready.append(ReadyStage(stage, d.reason, facts.key, need))
                self._queued.add(name)
        return ready

    def execution(self, ready: ReadyStage, grant: Grant) -> StageExecution:
        self._queued.discard(ready.stage.name)
        self._running.add(ready.stage.name)
        return StageExecution(self.ctx, ready.stage, grant, ready.reason, ready.resume_key)

    def stage_ended(self, stage: str, outcome: StageOutcome | BaseException) -> None:
        """Record what a worker reported; a critical failure stops new launches of this movie."""
        self._running.discard(stage)
        if isinstance(outcome, BaseException):
            self._ended[stage] = "failed"
            self.fail(*failure_of(outcome, self.workdir))
            log = self._handles.log
            if log and not isinstance(outcome, ReelstageError | OSError):
                log.info("internal_error", stage=stage, error=repr(outcome))
        else:
            self._ended[stage] = outcome.status
            if outcome.status == "failed":
                self.fail(outcome.exit_code, outcome.error or f"stage {stage} failed")

    def fail(self, code: int, error: str) -> None:
        if self.failure is None:
            self.failure = (code, error)

    def cancel_requested(self) -> bool:
        return (self.workdir / CANCEL_NAME).exists()

    @property
    def running(self) -> set[str]:
        return self._running

    def drop_queued(self) -> None:
        """The library forgot this movie's waiting stages (after a failure or a stop)."""
        self._queued.clear()

    @property
    def done(self) -> bool:
        """Nothing running, nothing waiting, and nothing more to decide."""
        if self.ctx is None:
            return True
        if self._running or self._queued:
            return False
        return bool(self.failure or self.ctx.stop) or len(self._ended) == len(self.ctx.prep.pipeline.stages)

    # -- finishing ---------------------------------------------------------------------------

    def finish(self) -> tuple[str, int, str | None]:
        """Finalize the manifest (even on a full disk), write the report, release the lock."""
        if self.result is not None:
            return self.result
        if self.ctx is None:
            code, error = self.failure or (EXIT_FAILED, None)
            self.result = ("failed", code, error)
            self.close()
            return self.result
        status, code, error = final_status(self.ctx, self.failure)
        record_finish(self.ctx, status, code, error)
        write_report(self.workdir, self._handles.log)
        if status == "completed":
            self.display.say(f"done: {self.workdir} (manifest.json, report.html)")
        self.result = (status, code, error)
        self.close()
        return self.result

    def close(self) -> None:
        self._handles.close()

    @property
    def manifest(self) -> Manifest | None:
        return self.ctx.recorder.manifest if self.ctx else None
