"""Critical blocks defer a signal's Interrupted to their end (pure logic, real signals)."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from runner.engine import Interrupted
from runner.engine.shield import critical, pending
from runner.run.signals import interrupt_on_signals, signals_blocked


def test_a_signal_inside_a_critical_block_is_raised_at_its_end():
    done = []
    with pytest.raises(Interrupted) as caught, interrupt_on_signals(), critical():
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler has run by now, and only recorded the signal
            pass
        assert pending() == signal.SIGTERM
        done.append("finished")
    assert done == ["finished"] and caught.value.signum == signal.SIGTERM
    assert pending() is None


def test_nested_blocks_raise_once_at_the_outermost_end():
    order = []
    with pytest.raises(Interrupted), interrupt_on_signals(), critical():
        with critical():
            os.kill(os.getpid(), signal.SIGINT)
            order.append("inner")
        order.append("outer")
    assert order == ["inner", "outer"]


def test_signals_blocked_defers_even_when_another_thread_takes_the_signal():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # a thread with the signal unblocked
    other.start()
    wrote = []
    try:
        with pytest.raises(Interrupted), interrupt_on_signals(), signals_blocked():
            # SIGTERM, not SIGHUP: under nohup SIGHUP stays ignored by design (interrupt_on_signals)
            killer = threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGTERM))
            killer.start()
            killer.join()  # sent; another thread takes it, and the main thread's handler only records it
            deadline = time.monotonic() + 10
            while pending() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert pending() == signal.SIGTERM
            wrote.append("final state")
    finally:
        stop.set()
        other.join()
    assert wrote == ["final state"]


def test_outside_the_main_thread_a_critical_block_defers_nothing():
    seen = []

    def body() -> None:
        with critical():
            seen.append(pending())

    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert seen == [None]
