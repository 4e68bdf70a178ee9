"""The real `reelstage` CLI in a subprocess, as the end-to-end tests run it (secrets never passed on)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def reelstage(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "TMDB_API_KEY")}
    env["PYTHONPATH"] = str(REPO)
    env["REELSTAGE_HISTORY"] = str(REPO / ".pytest_cache" / "history.json")
    return subprocess.run([sys.executable, "-m", "runner", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=timeout)
