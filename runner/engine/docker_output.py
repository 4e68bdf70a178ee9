"""A running container's log stream and its exit, each read by a thread of its own."""

from __future__ import annotations

import contextlib
import threading

from .base import LineSink
from .lines import LineSplitter


class ContainerOutput:
    """The log lines of a container (from its first byte) and its exit code, as they come."""

    def __init__(self, on_line: LineSink) -> None:
        self.splitter = LineSplitter(on_line)
        self.reader: threading.Thread | None = None
        self.exited = threading.Event()
        self.outcome: dict = {}  # "code": the exit status, or "error": what the wait raised

    def attach(self, container) -> None:
        """Attach before the start (logs from the first byte) and read in the background."""
        stream = container.attach(stdout=True, stderr=True, stream=True, logs=True)
        self.reader = threading.Thread(target=self._pump, args=(stream,), name="container-log", daemon=True)
        self.reader.start()

    def wait_for_exit(self, container) -> None:
        """Wait for the exit in the background; `exited` is set when it comes (or the wait failed)."""
        threading.Thread(target=self._wait, args=(container,), name="container-wait", daemon=True).start()

    def drain(self, wait_s: float = 10.0) -> None:
        """Let the reader take the last bytes, then flush the last partial line."""
        if self.reader is not None:
            self.reader.join(timeout=wait_s)
        self.splitter.close()

    def _pump(self, stream) -> None:
        with contextlib.suppress(Exception):
            for chunk in stream:
                self.splitter.feed(chunk)

    def _wait(self, container) -> None:
        try:
            self.outcome["code"] = container.wait()["StatusCode"]
        except BaseException as exc:  # reported to the main thread
            self.outcome["error"] = exc
        finally:
            self.exited.set()
