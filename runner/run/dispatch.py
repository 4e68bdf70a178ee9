"""Stages between the scheduler and their worker threads: waiting for resources, running, ended."""

from __future__ import annotations

import queue
import shutil
import threading
from collections.abc import Callable

from runner.errors import EXIT_USAGE
from runner.run.context import StageOutcome
from runner.run.deciding import ReadyStage
from runner.run.movie import MovieRun
from runner.run.resources import Grant
from runner.run.scheduler import Job, Scheduler

StageKey = tuple[int, str]  # (id of the movie, stage name)
StageEnded = Callable[[MovieRun, str, StageOutcome | BaseException], None]


class StageDispatch:
    """Every movie's stages waiting for their reservation, and those running in worker threads."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self._ready: dict[StageKey, tuple[MovieRun, ReadyStage]] = {}
        self._running: dict[StageKey, MovieRun] = {}
        self._ended: queue.Queue[tuple[StageKey, StageOutcome | BaseException]] = queue.Queue()

    @property
    def busy(self) -> bool:
        """Some stage runs in a worker thread."""
        return bool(self._running)

    def submit(self, movie: MovieRun, ready: ReadyStage, priority: int) -> None:
        """The stage waits for its reservation, after movies admitted earlier and earlier stages."""
        key = (id(movie), ready.stage.name)
        self._ready[key] = (movie, ready)
        self.scheduler.submit(Job(key, ready.need, (priority, ready.stage.index)))

    def picked(self) -> list[tuple[MovieRun, ReadyStage, Grant, StageKey]]:
        """The waiting stages the scheduler starts now, with what it granted them."""
        picked = []
        for job, grant in self.scheduler.pick():
            movie, ready = self._ready.pop(job.key)
            picked.append((movie, ready, grant, job.key))
        return picked

    def launch(self, movie: MovieRun, ready: ReadyStage, grant: Grant, key: StageKey) -> None:
        """Run the stage in a worker thread (its movie fails instead when the disk cannot take its outputs)."""
        problem = disk_problem(movie, ready)
        if problem:
            self.scheduler.release(key)
            movie.drop_queued()
            movie.fail(EXIT_USAGE, problem)
            return
        execution = movie.execution(ready, grant)
        self._running[key] = movie

        def work() -> None:
            try:
                outcome: StageOutcome | BaseException = execution.run()
            except BaseException as exc:  # reported to the loop; one movie's bug never stops the others
                outcome = exc
            self._ended.put((key, outcome))

        threading.Thread(target=work, name=f"stage-{ready.stage.name}", daemon=True).start()

    def collect(self, timeout: float, on_end: StageEnded) -> None:
        """Wait for the next stage to end (or the timeout), then hand every ended one to `on_end`."""
        try:
            items = [self._ended.get(timeout=timeout)]
        except queue.Empty:
            return
        while True:
            try:
                items.append(self._ended.get_nowait())
            except queue.Empty:
                break
        for key, outcome in items:
            movie = self._running.pop(key)
            self.scheduler.release(key)
            on_end(movie, key[1], outcome)

    def forget_waiting(self, movie: MovieRun) -> None:
        """Drop the movie's stages still waiting for resources (after a failure or a stop)."""
        for job in self.scheduler.drop_waiting(lambda j: j.key[0] == id(movie)):
            self._ready.pop(job.key, None)
        movie.drop_queued()


def disk_problem(movie: MovieRun, ready: ReadyStage) -> str | None:
    """A stage starts only when the work folder's disk can take its outputs (estimated from the input)."""
    need = ready.stage.disk_bytes(movie.ctx.prep.input_info.get("size") or 0,
                                  movie.ctx.prep.input_info.get("duration_s"))
    try:
        free = shutil.disk_usage(movie.workdir).free
    except OSError as exc:
        return f"cannot read the free space of {movie.workdir} ({exc.strerror})"
    if free >= need:
        return None
    return (
        f"not enough free space on the disk of {movie.workdir} for stage {ready.stage.name}: about "
        f"{need / 1e9:.2f} GB needed, {free / 1e9:.2f} GB free; free some space and rerun (finished stages are kept)"
    )
