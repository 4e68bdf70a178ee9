"""Turn SIGINT/SIGTERM/SIGHUP into an `Interrupted` exception, and shield critical writes from them."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from runner.engine import shield

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _raise_interrupted(signum: int, frame: object) -> None:
    for sig in HANDLED:  # a second signal must not interrupt the clean-up
        signal.signal(sig, signal.SIG_IGN)
    shield.interrupt(signum)  # raises Interrupted, or defers it to the end of a critical block


@contextlib.contextmanager
def interrupt_on_signals() -> Iterator[None]:
    """Within the block, a handled signal raises Interrupted (once); SIGHUP stays ignored under nohup."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for sig in HANDLED:
        previous[sig] = signal.getsignal(sig)
        if sig == signal.SIGHUP and previous[sig] == signal.SIG_IGN:
            continue
        signal.signal(sig, _raise_interrupted)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Hold the handled signals until the block is done (e.g. while the final state is written); a
    signal that came meanwhile is raised as Interrupted at its end. (A thread mask alone is not
    enough: in a threaded program another thread takes the signal and Python still runs the handler
    in the main thread, so the handler itself defers while a critical block runs.)"""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(HANDLED))
    try:
        with shield.critical():
            yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def exit_code(signum: int) -> int:
    """The shell's convention: 128 + the signal number (130 SIGINT, 143 SIGTERM, 129 SIGHUP)."""
    return 128 + signum
