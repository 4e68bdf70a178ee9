"""The runner's structured log (JSON lines) and the per-stage container logs."""

from __future__ import annotations

import contextlib
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO


class RunLogger:
    """JSON lines in `<workdir>/logs/runner.jsonl`, one per event, bound to the run id.

    The same records structlog's JSONRenderer wrote here before (event, level, timestamp, run_id and
    the fields), written directly: importing structlog (it pulls in asyncio and rich) cost more
    than a whole resume is allowed to take.
    """

    def __init__(self, path: Path, run_id: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
        self._run_id = run_id
        self._lock = threading.Lock()

    def info(self, event: str, **fields: Any) -> None:
        stamp = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        record = {"run_id": self._run_id, **fields, "event": event, "level": "info", "timestamp": stamp}
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with self._lock, contextlib.suppress(OSError, ValueError):  # a full disk or a closed log: never fatal
            self._file.write(line)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the last lines may not fit on a full disk
            self._file.close()


class StageLog:
    """A stage's container output, line-buffered so `tail -f` follows it; secret values redacted."""

    def __init__(self, path: Path, secret_values: list[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
        self._secrets = sorted(secret_values, key=len, reverse=True)

    def redact(self, line: str) -> str:
        for value in self._secrets:
            line = line.replace(value, "***")
        return line

    def header(self, text: str) -> None:
        self._file.write(f"===== {text} =====\n")

    def write(self, line: str) -> None:
        self._file.write(self.redact(line) + "\n")

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the last lines may not fit on a full disk
            self._file.close()
