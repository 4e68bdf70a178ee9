"""The runner's structured log (structlog JSON lines) and the per-stage container logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

import structlog


class RunLogger:
    """JSON lines in `<workdir>/logs/runner.jsonl`, one per event, bound to the run id."""

    def __init__(self, path: Path, run_id: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
        self._log = structlog.wrap_logger(
            structlog.PrintLogger(self._file),
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.processors.JSONRenderer(),
            ],
        ).bind(run_id=run_id)

    def info(self, event: str, **fields: Any) -> None:
        self._log.info(event, **fields)

    def close(self) -> None:
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
        self._file.close()
