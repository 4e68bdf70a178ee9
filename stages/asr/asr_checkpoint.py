"""Per-chunk checkpoints of the model's raw output, so a killed asr attempt resumes where it stopped.

One small JSON file per decoded chunk, written atomically (temp file, fsync, rename): a SIGKILL at any
instant leaves either the whole file or none. A file is reused only when its key matches: the chunk's
bounds, a digest of its samples, the VAD spans in and near it, and every setting that changes what the
model outputs (engine version, model, device, language, hints, decode options). Only the raw decode is
stored; word selection and sentence splitting run again on every attempt.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from reelstage_stage import write_json_atomic

FORMAT = 2  # bump when the stored result changes shape or meaning (2: hinted passes mended, asr_rehint)


class ChunkStore:
    """Finished chunks in `folder` (None: checkpointing off, nothing read or written)."""

    def __init__(self, folder: Path | None, settings: dict[str, Any]) -> None:
        self.folder = folder
        text = json.dumps({"format": FORMAT, **settings}, sort_keys=True, ensure_ascii=False)
        self._settings = hashlib.sha256(text.encode()).hexdigest()
        self.reused = 0
        self.stored = 0
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def key(self, start: float, end: float, digest: str) -> str:
        """The key of one chunk: its bounds, its audio and the settings."""
        return hashlib.sha256(f"{self._settings}:{start:.3f}:{end:.3f}:{digest}".encode()).hexdigest()[:32]

    def _path(self, start: float, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"chunk-{round(start * 1000):010d}-{key}.json"

    def get(self, start: float, key: str) -> dict[str, Any] | None:
        """The stored result of this chunk, or None (absent, unreadable, or another key)."""
        if self.folder is None:
            return None
        try:
            data = json.loads(self._path(start, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key or "result" not in data:
            return None
        self.reused += 1
        return data["result"]

    def put(self, start: float, key: str, result: dict[str, Any]) -> None:
        """Store one chunk's result (atomically)."""
        if self.folder is None:
            return
        write_json_atomic(self._path(start, key), {"key": key, "result": result})
        self.stored += 1
