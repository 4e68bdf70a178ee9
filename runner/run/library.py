"""The host-wide loop: every stage of every movie in flight, started when its reservation fits.

`run` is a library of one movie, `batch` a fixed list, `watch` a list that grows. Stage attempts run
in worker threads; this loop (the main thread) admits movies (admission.py), decides stages, starts
what the scheduler allows (dispatch.py), and hands each outcome back to its movie. A signal stops
everything: running containers are stopped within their grace and reaped by label (reaping.py), then
every movie is finalized.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator

from runner.engine import Engine, Interrupted
from runner.errors import EXIT_FAILED, ReelstageError
from runner.run.admission import MovieQueue
from runner.run.context import StageOutcome
from runner.run.dispatch import StageDispatch
from runner.run.movie import MovieRun, failure_of
from runner.run.options import RunOptions
from runner.run.reaping import Reaper
from runner.run.resources import Capacity, Pool, detect_capacity
from runner.run.scheduler import Scheduler
from runner.run.signals import exit_code, interrupt_on_signals
from runner.watch.display import Display

MovieFeed = Callable[[], list[MovieRun]]


@contextlib.contextmanager
def failing(movie: MovieRun) -> Iterator[None]:
    """What goes wrong with one movie's files (disk full, folder removed) fails that movie alone."""
    try:
        yield
    except (ReelstageError, OSError) as exc:
        movie.fail(*failure_of(exc, movie.workdir))


class Library:
    """Movies in flight (at most `jobs`), their stages on one pool of resources."""

    def __init__(
        self, engine: Engine, capacity: Capacity, display: Display, jobs: int = 1, poll_s: float = 0.5
    ) -> None:
        self.engine = engine
        self.display = display
        self.capacity = capacity
        self.scheduler = Scheduler(Pool(capacity))
        self.poll_s = poll_s
        self.movies = MovieQueue(capacity, jobs)
        self.dispatch = StageDispatch(self.scheduler)
        self.reaper = Reaper(engine)
        self._interrupted: tuple[str, int] | None = None

    def add(self, movie: MovieRun) -> None:
        self.movies.add(movie)

    @property
    def finished(self) -> list[MovieRun]:
        return self.movies.finished

    @property
    def idle(self) -> bool:
        return not (self.movies.pending or self.movies.active or self.dispatch.busy)

    @property
    def interrupted(self) -> tuple[str, int] | None:
        return self._interrupted

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
        self.movies.admit()
        self.reaper.reap_stopped(self.movies.active)
        for movie in list(self.movies.active):
            with failing(movie):
                self._tend(movie)
            if movie.failure or (movie.ctx is not None and movie.ctx.stop):
                self.dispatch.forget_waiting(movie)
            if movie.done:
                self.movies.finish(movie)
        for movie, ready, grant, key in self.dispatch.picked():
            with failing(movie):
                self.dispatch.launch(movie, ready, grant, key)

    def _tend(self, movie: MovieRun) -> None:
        if movie.cancel_requested() and movie.ctx is not None and not movie.ctx.stop:
            self._stop_movie(movie, "cancelled", "cancelled (reelstage cancel); rerun to resume", EXIT_FAILED)
        for ready in movie.advance():
            self.dispatch.submit(movie, ready, self.movies.priority(movie))

    def _collect(self, timeout: float) -> None:
        """Wait for the next stage to end (or the poll interval), then take every ended one."""
        self.dispatch.collect(timeout, _stage_ended)

    # -- stopping ----------------------------------------------------------------------------

    def _stop_movie(self, movie: MovieRun, status: str, reason: str, code: int) -> None:
        movie.ctx.stop.request(status, reason, code)
        self.dispatch.forget_waiting(movie)
        self.reaper.reap([movie])

    def _stop_everything(self, status: str, reason: str, code: int) -> None:
        active = self.movies.active
        for movie in active:
            if movie.ctx is not None:
                movie.ctx.stop.request(status, reason, code)
            self.dispatch.forget_waiting(movie)
        self.reaper.reap(active)
        longest = max((m.ctx.prep.pipeline.stage(s).grace_s for m in active if m.ctx for s in m.running),
                      default=5.0)
        deadline_s = longest + 30.0
        while self.dispatch.busy and deadline_s > 0:
            self._collect(1.0)
            self.reaper.reap_stopped(active)
            deadline_s -= 1.0
        self.reaper.reap(active)  # anything created in the window between the first reap and its start
        for movie in list(active):
            self.movies.finish(movie)
        self.movies.end_pending(status, code, reason)


def _stage_ended(movie: MovieRun, stage: str, outcome: StageOutcome | BaseException) -> None:
    with failing(movie):
        movie.stage_ended(stage, outcome)


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
