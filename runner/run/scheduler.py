"""Which waiting stage attempts start now: priority order, only when their reservation fits.

Pure bookkeeping: it knows nothing of Docker, files or manifests. Jobs are ordered by `priority`
(the library gives earlier-admitted movies and earlier pipeline stages the lead, so movies finish
early rather than all at once). Smaller jobs may start past a bigger one that does not fit yet
(backfilling keeps the host busy), until that bigger job has waited `starve_after_s`: then nothing
passes it, so it gets the next resources that free up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from runner.run.resources import Grant, Need, Pool


@dataclass
class Job:
    """A stage attempt waiting for resources."""

    key: Hashable
    need: Need
    priority: tuple
    since: float = field(default_factory=time.monotonic)


class Scheduler:
    """Waiting jobs against one pool of resources."""

    def __init__(self, pool: Pool, starve_after_s: float = 120.0) -> None:
        self.pool = pool
        self.starve_after_s = starve_after_s
        self._waiting: list[Job] = []
        self._running: dict[Hashable, Grant] = {}

    def submit(self, job: Job) -> None:
        self._waiting.append(job)

    def pick(self, now: float | None = None) -> list[tuple[Job, Grant]]:
        """Start what fits, in priority order; hold back behind a starving job."""
        now = time.monotonic() if now is None else now
        started = []
        for job in sorted(self._waiting, key=lambda j: j.priority):
            if self.pool.fits(job.need):
                grant = self.pool.take(job.need)
                self._running[job.key] = grant
                started.append((job, grant))
            elif now - job.since >= self.starve_after_s:
                break
        for job, _ in started:
            self._waiting.remove(job)
        return started

    def release(self, key: Hashable) -> None:
        """A job ended: its resources go back to the pool."""
        grant = self._running.pop(key, None)
        if grant is not None:
            self.pool.give(grant)

    def drop_waiting(self, which: Callable[[Job], bool]) -> list[Job]:
        """Forget waiting jobs (a movie failed or was cancelled)."""
        dropped = [j for j in self._waiting if which(j)]
        self._waiting = [j for j in self._waiting if not which(j)]
        return dropped

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def running(self) -> int:
        return len(self._running)
