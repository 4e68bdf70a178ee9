"""Stages between the scheduler and their worker threads (runner/run/dispatch.py)."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

from runner.errors import EXIT_USAGE
from runner.run.context import StageOutcome
from runner.run.deciding import ReadyStage
from runner.run.dispatch import StageDispatch
from runner.run.resources import Capacity, Need, Pool
from runner.run.scheduler import Scheduler


class FakeMovie:
    """The part of MovieRun the dispatch uses; each stage's run returns `outcome` once `go` is set."""

    def __init__(self, workdir: Path, outcome: StageOutcome | BaseException) -> None:
        self.workdir = workdir
        self.ctx = SimpleNamespace(prep=SimpleNamespace(input_info={"size": 1000, "duration_s": 10.0}))
        self.go = threading.Event()
        self.outcome = outcome
        self.queued_dropped = 0
        self.failure: tuple[int, str] | None = None

    def execution(self, ready: ReadyStage, grant: object) -> SimpleNamespace:
        def run() -> StageOutcome:
            self.go.wait(10)
            if isinstance(self.outcome, BaseException):
                raise self.outcome
            return self.outcome

        return SimpleNamespace(run=run)

    def drop_queued(self) -> None:
        self.queued_dropped += 1

    def fail(self, code: int, error: str) -> None:
        self.failure = (code, error)


def ready(name: str, index: int, cpus: float = 1.0, disk: int = 0) -> ReadyStage:
    stage = SimpleNamespace(name=name, index=index, disk_bytes=lambda size, duration: disk)
    return ReadyStage(stage, "new", "key", Need(cpus=cpus))  # type: ignore[arg-type]


def dispatch(cpus: float) -> StageDispatch:
    return StageDispatch(Scheduler(Pool(Capacity(cpus=cpus, memory_bytes=2**30))))


def test_a_stage_runs_in_a_worker_and_its_end_comes_back_with_its_resources(tmp_path: Path) -> None:
    d = dispatch(cpus=1)
    movie = FakeMovie(tmp_path, StageOutcome("success"))
    d.submit(movie, ready("a", 1), priority=0)
    d.submit(movie, ready("b", 2), priority=0)
    picked = d.picked()
    assert [r.stage.name for _, r, _, _ in picked] == ["a"]  # one core: b waits
    for args in picked:
        d.launch(*args)
    assert d.busy
    ended: list[tuple[str, object]] = []
    d.collect(0.05, lambda m, stage, outcome: ended.append((stage, outcome)))
    assert ended == []  # still running
    movie.go.set()
    d.collect(10, lambda m, stage, outcome: ended.append((stage, outcome)))
    assert ended == [("a", StageOutcome("success"))] and not d.busy
    assert [r.stage.name for _, r, _, _ in d.picked()] == ["b"]  # a's core is back


def test_a_stage_that_raises_reports_the_exception(tmp_path: Path) -> None:
    d = dispatch(cpus=2)
    movie = FakeMovie(tmp_path, RuntimeError("bug"))
    movie.go.set()
    d.submit(movie, ready("a", 1), priority=0)
    for args in d.picked():
        d.launch(*args)
    ended: list = []
    d.collect(10, lambda m, stage, outcome: ended.append(outcome))
    assert len(ended) == 1 and isinstance(ended[0], RuntimeError)


def test_a_stage_the_disk_cannot_take_fails_its_movie_and_frees_its_reservation(tmp_path: Path) -> None:
    d = dispatch(cpus=1)
    movie = FakeMovie(tmp_path, StageOutcome("success"))
    d.submit(movie, ready("big", 1, disk=10**18), priority=0)
    for args in d.picked():
        d.launch(*args)
    assert not d.busy and movie.queued_dropped == 1
    assert movie.failure is not None and movie.failure[0] == EXIT_USAGE
    assert "not enough free space" in movie.failure[1] and "stage big" in movie.failure[1]
    assert d.scheduler.running == 0


def test_forgetting_a_movie_drops_only_its_waiting_stages(tmp_path: Path) -> None:
    d = dispatch(cpus=1)
    first, second = FakeMovie(tmp_path, StageOutcome("success")), FakeMovie(tmp_path, StageOutcome("success"))
    d.submit(first, ready("a", 1, cpus=2), priority=0)  # larger than the host: clamped, runs alone
    d.submit(second, ready("a", 1), priority=1)
    d.forget_waiting(first)
    assert first.queued_dropped == 1 and d.scheduler.waiting == 1
    assert [m for m, _, _, _ in d.picked()] == [second]
