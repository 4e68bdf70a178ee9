"""Turning a container's byte stream into text lines (shared by the engines)."""

from __future__ import annotations

import threading

from .base import LineSink


class LineSplitter:
    """Turns a byte stream into text lines (keeps a partial last line until its end comes); fed by a
    reader thread, closed by another."""

    def __init__(self, sink: LineSink) -> None:
        self.sink = sink
        self.buffer = b""
        self.emitted = 0  # complete lines handed to the sink
        self._lock = threading.Lock()

    def feed(self, chunk: bytes) -> None:
        with self._lock:
            self.buffer += chunk
            *lines, self.buffer = self.buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            self.emitted += len(lines)
        for line in lines:
            self.sink(line.decode("utf-8", errors="replace"))

    def close(self) -> None:
        with self._lock:
            rest, self.buffer = self.buffer, b""
        if rest:
            self.sink(rest.decode("utf-8", errors="replace"))
