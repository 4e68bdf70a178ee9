"""Turning a container's byte stream into text lines (shared by the engines)."""

from __future__ import annotations

from .base import LineSink


class LineSplitter:
    """Turns a byte stream into text lines (keeps a partial last line until its end comes)."""

    def __init__(self, sink: LineSink) -> None:
        self.sink = sink
        self.buffer = b""
        self.emitted = 0  # complete lines handed to the sink

    def feed(self, chunk: bytes) -> None:
        self.buffer += chunk
        *lines, self.buffer = self.buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        for line in lines:
            self.emitted += 1
            self.sink(line.decode("utf-8", errors="replace"))

    def close(self) -> None:
        if self.buffer:
            self.sink(self.buffer.decode("utf-8", errors="replace"))
            self.buffer = b""
