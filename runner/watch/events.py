"""Append-only events.jsonl, and optional POSTs of pipeline-level events (never blocking the run)."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any

from runner.run.manifest import utc_now

EVENTS_NAME = "events.jsonl"
PIPELINE_EVENTS = {"pipeline.started", "pipeline.completed", "pipeline.failed", "pipeline.interrupted"}


class Notifier:
    """POSTs JSON to a URL from a background thread, with bounded retries; drops on failure."""

    def __init__(self, url: str, attempts: int = 3, timeout_s: float = 5.0) -> None:
        self.url = url
        self.attempts = attempts
        self.timeout_s = timeout_s
        self._queue: queue.Queue[dict | None] = queue.Queue(maxsize=100)
        self._thread = threading.Thread(target=self._work, name="notifier", daemon=True)
        self._thread.start()

    def send(self, event: dict) -> None:
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(event)

    def close(self, wait_s: float = 5.0) -> None:
        """Flush what is queued, waiting at most `wait_s`."""
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            return
        self._thread.join(timeout=wait_s)

    def _work(self) -> None:
        import urllib.request  # only runs that notify pay for it

        while (event := self._queue.get()) is not None:
            body = json.dumps(event).encode()
            for attempt in range(self.attempts):
                try:
                    req = urllib.request.Request(
                        self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
                    )
                    with urllib.request.urlopen(req, timeout=self.timeout_s):
                        break
                except Exception:  # any failure: retry a few times, then give up silently
                    time.sleep(min(2.0, 0.5 * 2**attempt))


class EventLog:
    """Writes one JSON object per line; each write is a single append."""

    def __init__(self, workdir: Path, run_id: str, notify_url: str | None = None) -> None:
        self.path = workdir / EVENTS_NAME
        self.run_id = run_id
        self.notifier = Notifier(notify_url) if notify_url else None
        self._lock = threading.Lock()

    def emit(self, event: str, **fields: Any) -> dict:
        record = {"ts": utc_now(), "run_id": self.run_id, "event": event, **fields}
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        with self._lock, contextlib.suppress(OSError):  # an event that cannot be written never stops a run
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        if self.notifier and event in PIPELINE_EVENTS:
            self.notifier.send(record)
        return record

    def close(self) -> None:
        if self.notifier:
            self.notifier.close()


def read_events(workdir: Path) -> list[dict]:
    """Every event, skipping a torn last line."""
    try:
        lines = (workdir / EVENTS_NAME).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    events = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events
