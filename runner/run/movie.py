"""One movie's run: opened under its work-folder lock, stages decided as their dependencies finish.

A stage is decided (skip or run) only once every stage it depends on has ended (deciding.py), so its
resume key sees final upstream outputs. Stages that may run are handed to the library as jobs; the library
starts them when their resources fit and reports back each outcome. After a critical failure no new
stage of this movie starts; stages already running finish (their work is kept for the resume).
"""

from __future__ import annotations

import errno
from pathlib import Path

from runner.engine import Engine
from runner.errors import EXIT_FAILED, EXIT_USAGE, ReelstageError
from runner.pipeline.compose import Service
from runner.run.attempt import StageExecution
from runner.run.context import MovieContext, StageOutcome, disk_full
from runner.run.deciding import ReadyStage, StageStates
from runner.run.finishing import final_status, record_finish, write_report
from runner.run.manifest import Manifest
from runner.run.opening import CANCEL_NAME, MovieHandles, MovieOpening
from runner.run.options import RunOptions, new_run_id
from runner.run.prepare import Selection
from runner.run.resources import Grant
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
        self.states = StageStates()
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
        if self.ctx is None or self.failure or self.ctx.stop:
            return []
        ready, changed = self.states.advance(self.ctx, self.selection, self.workdir)
        if changed:
            self.fail(EXIT_USAGE, changed)
            return []
        return ready

    def execution(self, ready: ReadyStage, grant: Grant) -> StageExecution:
        self.states.queued.discard(ready.stage.name)
        self.states.running.add(ready.stage.name)
        return StageExecution(self.ctx, ready.stage, grant, ready.reason, ready.resume_key)

    def stage_ended(self, stage: str, outcome: StageOutcome | BaseException) -> None:
        """Record what a worker reported; a critical failure stops new launches of this movie."""
        self.states.running.discard(stage)
        if isinstance(outcome, BaseException):
            self.states.ended[stage] = "failed"
            self.fail(*failure_of(outcome, self.workdir))
            log = self._handles.log
            if log and not isinstance(outcome, ReelstageError | OSError):
                log.info("internal_error", stage=stage, error=repr(outcome))
        else:
            self.states.ended[stage] = outcome.status
            if outcome.status == "failed":
                self.fail(outcome.exit_code, outcome.error or f"stage {stage} failed")

    def fail(self, code: int, error: str) -> None:
        if self.failure is None:
            self.failure = (code, error)

    def cancel_requested(self) -> bool:
        return (self.workdir / CANCEL_NAME).exists()

    @property
    def running(self) -> set[str]:
        return self.states.running

    def drop_queued(self) -> None:
        """The library forgot this movie's waiting stages (after a failure or a stop)."""
        self.states.queued.clear()

    @property
    def done(self) -> bool:
        """Nothing running, nothing waiting, and nothing more to decide."""
        if self.ctx is None:
            return True
        if self.states.running or self.states.queued:
            return False
        return bool(self.failure or self.ctx.stop) or len(self.states.ended) == len(self.ctx.prep.pipeline.stages)

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
