"""Which movies a library holds: waiting, in flight (at most `jobs`), finished."""

from __future__ import annotations

import itertools
from collections import deque
from pathlib import Path

from runner.errors import ReelstageError
from runner.pipeline.compose import Service, load_services
from runner.pipeline.config import compose_path_of
from runner.run.movie import MovieRun, failure_of
from runner.run.resources import Capacity


class MovieQueue:
    """Movies in the order they came: opened when a place is free, finished once, in that order's priority."""

    def __init__(self, capacity: Capacity, jobs: int) -> None:
        self.capacity = capacity
        self.jobs = max(1, jobs)
        self.pending: deque[MovieRun] = deque()
        self.active: list[MovieRun] = []
        self.finished: list[MovieRun] = []
        self._order = itertools.count()
        self._priority: dict[int, int] = {}
        self._services: dict[Path, dict[str, Service]] = {}

    def add(self, movie: MovieRun) -> None:
        self.pending.append(movie)

    def priority(self, movie: MovieRun) -> int:
        """Lower first: the order in which the movie was admitted."""
        return self._priority[id(movie)]

    def admit(self) -> None:
        """Open waiting movies while fewer than `jobs` are in flight; one that cannot open is finished."""
        while self.pending and len(self.active) < self.jobs:
            movie = self.pending.popleft()
            self._priority[id(movie)] = next(self._order)
            try:
                movie.open(self._services_for(movie), self.capacity.gpu_ids)
            except (ReelstageError, OSError) as exc:
                movie.fail(*failure_of(exc, movie.workdir))
                movie.finish()
                self.finished.append(movie)
                continue
            self.active.append(movie)

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

    def finish(self, movie: MovieRun) -> None:
        """The movie is out of flight: finalized, even when its work folder is gone."""
        self.active.remove(movie)
        try:
            movie.finish()
        except (ReelstageError, OSError) as exc:  # e.g. the work folder vanished: say so, keep the others going
            code, message = failure_of(exc, movie.workdir)
            movie.result = ("failed", code, message if movie.failure is None else movie.failure[1])
            movie.close()
        self.finished.append(movie)

    def end_pending(self, status: str, code: int, reason: str) -> None:
        """The movies never opened end with the library's own end (a signal)."""
        while self.pending:
            movie = self.pending.popleft()
            movie.result = (status, code, reason)
            self.finished.append(movie)
