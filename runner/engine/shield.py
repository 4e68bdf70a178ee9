"""Critical sections: a signal that comes inside one is deferred to its end.

A signal handler that raises (Interrupted) can land at almost any bytecode of the main thread, e.g.
after the engine created a container but before its handle was assigned: that container would be
lost. Blocking the signal with `pthread_sigmask` does not help in a threaded program (the kernel hands
the signal to another thread and Python still runs the handler in the main thread), so the runner's
handler calls `interrupt(signum)`, which only records the signal while a `critical()` block runs; the
block raises Interrupted when it ends, once its effect (a container created, removed, a manifest
written) is known to the caller.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from .base import Interrupted

_depth = 0
_pending: int | None = None


def interrupt(signum: int) -> None:
    """What a signal handler calls: raise Interrupted now, or at the end of the critical block."""
    global _pending
    if _depth > 0:
        if _pending is None:
            _pending = signum
        return
    raise Interrupted(signum)


def pending() -> int | None:
    """The signal waiting for the current critical block to end, if any."""
    return _pending


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """Run the block to its end whatever signal comes; re-raise it as Interrupted after. Signal
    handlers run in the main thread only, so elsewhere this is a plain block."""
    global _depth, _pending
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _pending is not None:
            signum, _pending = _pending, None
            raise Interrupted(signum)
