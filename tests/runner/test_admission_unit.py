"""Which movies a library holds (runner/run/admission.py): opened in order while places are free."""

from __future__ import annotations

from pathlib import Path

from runner.errors import EXIT_USAGE, UsageError
from runner.run.admission import MovieQueue
from runner.run.resources import Capacity


class FakeMovie:
    """The part of MovieRun the queue uses; `broken` movies cannot open."""

    def __init__(self, name: str, config: Path, broken: bool = False) -> None:
        self.name, self.broken = name, broken
        self.opt = type("Options", (), {"config": config})()
        self.workdir = config.parent
        self.failure: tuple[int, str] | None = None
        self.result: tuple[str, int, str | None] | None = None
        self.opened_with: tuple | None = None

    def open(self, services: dict | None, gpu_ids: tuple[str, ...]) -> None:
        if self.broken:
            raise UsageError(f"{self.name}: no such input")
        self.opened_with = (services, gpu_ids)

    def fail(self, code: int, error: str) -> None:
        self.failure = self.failure or (code, error)

    def finish(self) -> tuple[str, int, str | None]:
        self.result = ("failed", *self.failure) if self.failure else ("completed", 0, None)
        return self.result


def test_movies_open_in_order_while_places_are_free(tmp_path: Path) -> None:
    queue = MovieQueue(Capacity(cpus=2, memory_bytes=2**30, gpu_ids=("0",)), jobs=2)
    movies = [FakeMovie(n, tmp_path / "none.yaml") for n in "abc"]
    for movie in movies:
        queue.add(movie)
    queue.admit()
    assert queue.active == movies[:2] and list(queue.pending) == movies[2:]
    assert movies[0].opened_with == (None, ("0",))  # no readable pipeline file: no shared services
    assert queue.priority(movies[0]) < queue.priority(movies[1])
    queue.finish(movies[0])
    queue.admit()
    assert queue.active == movies[1:] and queue.finished == [movies[0]]
    assert queue.priority(movies[1]) < queue.priority(movies[2])


def test_a_movie_that_cannot_open_is_finished_with_its_error_and_frees_its_place(tmp_path: Path) -> None:
    queue = MovieQueue(Capacity(cpus=1, memory_bytes=2**30), jobs=0)  # at least one place
    broken, fine = FakeMovie("broken", tmp_path / "p.yaml", broken=True), FakeMovie("fine", tmp_path / "p.yaml")
    queue.add(broken)
    queue.add(fine)
    queue.admit()
    assert queue.finished == [broken] and broken.result == ("failed", EXIT_USAGE, "broken: no such input")
    assert queue.active == [fine]


def test_movies_never_opened_end_with_the_library(tmp_path: Path) -> None:
    queue = MovieQueue(Capacity(cpus=1, memory_bytes=2**30), jobs=1)
    movie = FakeMovie("late", tmp_path / "p.yaml")
    queue.add(movie)
    queue.end_pending("interrupted", 130, "interrupted by SIGINT")
    assert movie.result == ("interrupted", 130, "interrupted by SIGINT") and queue.finished == [movie]
    assert not queue.pending
