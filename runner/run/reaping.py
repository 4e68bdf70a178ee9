"""Removing the containers of the movies a library stopped (cancelled, interrupted)."""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

from runner.engine import Engine, EngineError
from runner.run.movie import MovieRun
from runner.run.options import LABEL_PREFIX, workdir_labels

REAP_AGAIN_S = 2.0  # a stopped movie's containers are looked for again this often while its stages run


class Reaper:
    """Stops (within each stage's grace) and removes the containers of stopped movies, by label."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reaped_at: dict[int, float] = {}

    def reap(self, movies: list[MovieRun]) -> None:
        """Stop and remove the containers of these movies' runs, in parallel."""
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

    def reap_stopped(self, active: list[MovieRun]) -> None:
        """Reap a stopped movie again while its stages still run: a stage between its last stop check and
        the engine's create makes its container after the first reap, and would otherwise run to its end."""
        now = time.monotonic()
        again = [m for m in active if m.ctx is not None and m.ctx.stop and m.running
                 and now - self._reaped_at.get(id(m), 0.0) >= REAP_AGAIN_S]
        if again:
            self.reap(again)
