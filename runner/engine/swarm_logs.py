"""A swarm service's log, live: follow it while the task runs, then fetch it once to fill any gap."""

from __future__ import annotations

import contextlib
import socket
import threading

import docker

from .base import LineSink
from .lines import LineSplitter


class ServiceLog:
    """Streams a service's stdout and stderr (from whatever node runs its task) into a line sink.

    A followed service log does not end when the task ends (the manager keeps the subscription
    open), so `finish()` stops following and reads the whole log once, passing on only the lines
    the live stream had not delivered yet.
    """

    def __init__(self, api: docker.APIClient, service_id: str, sink: LineSink) -> None:
        self.api = api
        self.service_id = service_id
        self.splitter = LineSplitter(sink)
        self.lock = threading.Lock()
        self.closed = False
        self.response = None
        self.thread = threading.Thread(target=self._follow, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _open(self, follow: bool):
        params = {"follow": follow, "stdout": True, "stderr": True, "tail": "all", "details": False}
        return self.api._get(self.api._url("/services/{0}/logs", self.service_id), params=params, stream=True)

    def _follow(self) -> None:
        with contextlib.suppress(Exception):
            response = self._open(follow=True)
            with self.lock:
                if self.closed:
                    response.close()
                    return
                self.response = response
            for chunk in self.api._multiplexed_response_stream_helper(response):
                with self.lock:
                    if self.closed:
                        return
                    self.splitter.feed(chunk)

    def _fetch_whole(self, timeout_s: float) -> bytes | None:
        """The whole log, or None if it cannot be read within `timeout_s` (the manager waits for the
        task's node to send it, which an unreachable node never does)."""
        got: list[bytes] = []

        def fetch() -> None:
            with contextlib.suppress(Exception):
                response = self._open(follow=False)
                got.append(b"".join(self.api._multiplexed_response_stream_helper(response)))

        fetcher = threading.Thread(target=fetch, daemon=True)
        fetcher.start()
        fetcher.join(timeout_s)
        return got[0] if got else None

    def finish(self) -> None:
        """Stop following; deliver what the live stream missed (when the node can still be read)."""
        with self.lock:
            self.closed = True
            if self.response is not None:  # shutting the socket down wakes the reading thread
                with contextlib.suppress(Exception):
                    raw = self.api._get_raw_response_socket(self.response)
                    getattr(raw, "_sock", raw).shutdown(socket.SHUT_RDWR)
        self.thread.join(timeout=2)
        if self.response is not None:
            with contextlib.suppress(Exception):
                self.response.close()
        whole = self._fetch_whole(timeout_s=5.0)
        if whole is None:  # the node cannot be read (gone, cut off): what was streamed is all there is
            self.splitter.close()
            return
        lines = whole.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        tail = lines[-1]
        missing = lines[self.splitter.emitted : -1]
        for line in missing:
            self.splitter.sink(line.decode("utf-8", errors="replace"))
        if tail and len(lines) - 1 >= self.splitter.emitted:
            self.splitter.sink(tail.decode("utf-8", errors="replace"))
        self.splitter.buffer = b""
