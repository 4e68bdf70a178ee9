"""The host-wide loop: every stage of every movie in flight, started when its reservation fits.

`run` is a library of one movie, `batch` a fixed list, `watch` a list that grows. Stage attempts run
in worker threads; this loop (the main thread) admits movies, decides stages, starts what the
scheduler allows, and hands each outcome back to its movie. A signal stops everything: running
containers are stopped within their grace and reaped by label, then every movie is finalized.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from runner.engine import Engine, EngineError, Interrupted
from runner.errors import EXIT_FAILED, EXIT_USAGE, ReelstageError
from runner.pipeline.compose import Service, load_services
from runner.pipeline.config import compose_path_of
from runner.run.context import StageOutcome
from runner.run.movie import MovieRun, ReadyStage, failure_of
from runner.run.options import LABEL_PREFIX, RunOptions, workdir_labels
from runner.run.resources import Capacity, Grant, Pool, detect_capacity
from runner.run.scheduler import Job, Scheduler
from runner.run.signals import exit_code, interrupt_on_signals
from runner.watch.display import Display

MovieFeed = Callable[[], list[MovieRun]]
REAP_AGAIN_S = 2.0  # a stopped movie's containers are looked for again this often while its stages run


class Library:
    """Movies in flight (at most `jobs`), their stages on one pool of resources."""

    def __init__(
        self, engine: Engine, capacity: Capacity, display: Display, jobs: int = 1, poll_s: float = 0.5
    ) -> None:
        self.engine = engine
        self.display = display
        self.capacity = capacity
        self.scheduler = Scheduler(Pool(capacity))
        self.jobs = max(1, jobs)
        self.poll_s = poll_s
        self.finished: list[MovieRun] = []
        self._pending: deque[MovieRun] = deque()
        self._active: list[MovieRun] = []
        self._order = itertools.count()
        self._priority: dict[int, int] = {}
        self._ready: dict[tuple[int, str], tuple[MovieRun, ReadyStage]] = {}
        self._running: dict[tuple[int, str], MovieRun] = {}
        self._ended: queue.Queue[tuple[tuple[int, str], StageOutcome | BaseException]] = queue.Queue()
        self._services: dict[Path, dict[str, Service]] = {}
        self._interrupted: tuple[str, int] | None = None
        self._reaped_at: dict[int, float] = {}

    def add(self, movie: MovieRun) -> None:
        self._pending.append(movie)

    @property
    def idle(self) -> bool:
        return not (self._pending or self._active or self._running)

    # -- the loop ----------------------------------------------------------------------------

    def run(self, feed: MovieFeed | None = None, keep_going: Callable[[], bool] | None = None) -> list[MovieRun]:
        """Until every movie ended (and, with a feed, until `keep_going()` says stop)."""
        with interrupt_on_signals():
            try:
                while True:
                    if feed is not None:
                        for movie in feed():
                            self.add(movie)
                    self._step()
                    if self.idle and (keep_going is None or not keep_going()):
                        break
                    self._collect(self.poll_s)
            except Interrupted as exc:
                name = signal.Signals(exc.signum).name
                self._interrupted = (f"interrupted by {name}", exit_code(exc.signum))
                self._stop_everything("interrupted", f"interrupted by {name}", exit_code(exc.signum))
            finally:  # containers still being removed in the background (a late signal changes nothing now)
                settle = getattr(self.engine, "settle", None)
                if settle is not None:
                    with contextlib.suppress(Exception, Interrupted):
                        settle()
        return self.finished

    def _step(self) -> None:
        self._admit()
        self._reap_stopped()
        for movie in list(self._active):
            with self._failing(movie):
                self._tend(movie)
            if movie.failure or (movie.ctx is not None and movie.ctx.stop):
                self._forget_waiting(movie)
            if movie.done:
                self._finish(movie)
        for job, grant in self.scheduler.pick():
            movie, ready = self._ready.pop(job.key)
            with self._failing(movie):
                self._launch(movie, ready, grant, job.key)

    def _tend(self, movie: MovieRun) -> None:
        if movie.cancel_requested() and movie.ctx is not None and not movie.ctx.stop:
            self._stop_movie(movie, "cancelled", "cancelled (reelstage cancel); rerun to resume", EXIT_FAILED)
        for ready in movie.advance():
            key = (id(movie), ready.stage.name)
            self._ready[key] = (movie, ready)
            self.scheduler.submit(Job(key, ready.need, (self._priority[id(movie)], ready.stage.index)))

    @contextlib.contextmanager
    def _failing(self, movie: MovieRun) -> Iterator[None]:
        """What goes wrong with one movie's files (disk full, folder removed) fails that movie alone."""
        try:
            yield
        except (ReelstageError, OSError) as exc:
            movie.fail(*failure_of(exc, movie.workdir))

    def _admit(self) -> None:
        while self._pending and len(self._active) < self.jobs:
            movie = self._pending.popleft()
            self._priority[id(movie)] = next(self._order)
            try:
                movie.open(self._services_for(movie), self.capacity.gpu_ids)
            except (ReelstageError, OSError) as exc:
                movie.fail(*failure_of(exc, movie.workdir))
                movie.finish()
                self.finished.append(movie)
                continue
            self._active.append(movie)

    def _services_for(self, movie: MovieRun) -> dict[str, Service] | None:
        """compose.yaml is resolved once per file for the whole library."""
        path = compose_path_of(movie.opt.config)
        if path is None or not path.is_file():
            return None
        if path not in self._services:
            try:
                self._services[path] = load_services(path)
            except ReelstageError:
                return None  # the movie's own load reports it, with context
        return self._services[path]

    def _launch(self, movie: MovieRun, ready: ReadyStage, grant: Grant, key: tuple[int, str]) -> None:
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

    def _collect(self, timeout: float) -> None:
        """Wait for the next stage to end (or the poll interval), then take every ended one."""
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
            with self._failing(movie):
                movie.stage_ended(key[1], outcome)

    def _forget_waiting(self, movie: MovieRun) -> None:
        for job in self.scheduler.drop_waiting(lambda j: j.key[0] == id(movie)):
            self._ready.pop(job.key, None)
        movie.drop_queued()

    def _finish(self, movie: MovieRun) -> None:
        self._active.remove(movie)
        try:
            movie.finish()
        except (ReelstageError, OSError) as exc:  # e.g. the work folder vanished: say so, keep the others going
            code, message = failure_of(exc, movie.workdir)
            movie.result = ("failed", code, message if movie.failure is None else movie.failure[1])
            movie.close()
        self.finished.append(movie)

    # -- stopping ----------------------------------------------------------------------------

    def _stop_movie(self, movie: MovieRun, status: str, reason: str, code: int) -> None:
        movie.ctx.stop.request(status, reason, code)
        self._forget_waiting(movie)
        self._reap([movie])

    def _reap(self, movies: list[MovieRun]) -> None:
        """Stop (within each stage's grace) and remove the containers of these movies' runs, in parallel."""
        def reap(movie: MovieRun) -> None:
            labels = {**workdir_labels(movie.workdir), f"{LABEL_PREFIX}.run_id": movie.run_id}
            grace = max((movie.ctx.prep.pipeline.stage(s).grace_s for s in movie.running), default=5.0)
            with contextlib.suppress(EngineError):  # the engine is gone: the next run reaps them
                self.engine.remove_labelled(labels, grace_s=grace)

        started = [m for m in movies if m.ctx is not None]
        for movie in started:
            self._reaped_at[id(movie)] = time.monotonic()
        if started:
            with ThreadPoolExecutor(max(1, len(started))) as pool:
                list(pool.map(reap, started))

    def _reap_stopped(self) -> None:
        """Reap a stopped movie again while its stages still run: a stage between its last stop check and
        the engine's create makes its container after the first reap, and would otherwise run to its end."""
        now = time.monotonic()
        again = [m for m in self._active if m.ctx is not None and m.ctx.stop and m.running
                 and now - self._reaped_at.get(id(m), 0.0) >= REAP_AGAIN_S]
        if again:
            self._reap(again)

    def _stop_everything(self, status: str, reason: str, code: int) -> None:
        for movie in self._active:
            if movie.ctx is not None:
                movie.ctx.stop.request(status, reason, code)
            self._forget_waiting(movie)
        self._reap(self._active)
        longest = max((m.ctx.prep.pipeline.stage(s).grace_s for m in self._active if m.ctx for s in m.running),
                      default=5.0)
        deadline_s = longest + 30.0
        while self._running and deadline_s > 0:
            self._collect(1.0)
            self._reap_stopped()
            deadline_s -= 1.0
        self._reap(self._active)  # anything created in the window between the first reap and its start
        for movie in list(self._active):
            self._finish(movie)
        while self._pending:
            movie = self._pending.popleft()
            movie.result = (status, code, reason)
            self.finished.append(movie)

    @property
    def interrupted(self) -> tuple[str, int] | None:
        return self._interrupted


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


def run_one(
    options: RunOptions, engine: Engine, display: Display, capacity: Capacity | None = None
) -> tuple[int, str | None]:
    """`reelstage run`: a library of one movie. Returns (exit code, one-line error)."""
    library = Library(engine, capacity or detect_capacity(), display, jobs=1)
    movie = MovieRun(options, engine, display)
    library.add(movie)
    library.run()
    if movie.result is None:  # stopped by a signal before it opened
        reason, code = library.interrupted or ("interrupted", 130)
        return code, reason
    _status, code, error = movie.result
    return code, error
