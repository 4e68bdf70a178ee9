"""Containers the Docker engine removes after their attempt: in the background, or once it answers again."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

from .shield import critical

if TYPE_CHECKING:
    import docker

    from .docker_attempt import DockerAttempt


class ContainerRemovals:
    """Removals running in the background, and the leftovers an engine loss kept us from removing."""

    def __init__(self) -> None:
        self.leftovers: set[str] = set()
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[Future] = []

    def remover_for(self, attempt: DockerAttempt) -> Callable[[Callable[[], None]], None]:
        """The `remove_later` of one attempt: its removal runs in the pool, a leftover is kept."""
        def remove_later(remove: Callable[[], None]) -> None:
            def work() -> None:
                remove()
                self.keep_leftover(attempt)

            self._pending.append(self._remover().submit(work))

        return remove_later

    def keep_leftover(self, attempt: DockerAttempt) -> None:
        if attempt.leftover:
            self.leftovers.add(attempt.leftover)

    def remove_leftovers(self, client: docker.DockerClient) -> None:
        """Once the engine answers again: remove what it could not remove before."""
        from .docker_cleanup import remove_by_name

        for name in list(self.leftovers):
            with critical():
                if remove_by_name(client, name):
                    self.leftovers.discard(name)

    def settle(self, timeout_s: float) -> None:
        """Wait for the containers being removed in the background."""
        pending, self._pending = self._pending, []
        if pending:
            wait(pending, timeout=timeout_s)

    def _remover(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(2, thread_name_prefix="container-remove")
        return self._pool
