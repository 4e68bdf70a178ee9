"""`reelstage batch` on generated movies through the real stage images: one broken file fails alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import srt
from moviegen import DEFAULT_SCRIPT, make_movie, make_text_file_named_mp4

pytestmark = [pytest.mark.docker, pytest.mark.images, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[1]


def test_batch_of_five_with_one_broken_file(tmp_path):
    library = tmp_path / "library"
    for i in range(4):  # four short movies, each its own lines of the dialogue
        make_movie(library / f"movie {i}.mp4", list(DEFAULT_SCRIPT[i : i + 3]))
    make_text_file_named_mp4(library / "broken.mp4")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO), "REELSTAGE_HISTORY": str(REPO / ".pytest_cache" / "history.json")}
    res = subprocess.run([sys.executable, "-m", "runner", "batch", str(library), "--out", str(out), "--jobs", "3",
                          "--progress-interval", "60"], capture_output=True, text=True, timeout=1800, cwd=REPO, env=env)
    assert res.returncode == 1, res.stderr
    assert "broken.mp4" in res.stderr and "4 of 5 movie(s) completed" in res.stdout
    for i in range(4):
        folder = out / f"movie {i}"
        assert json.loads((folder / "manifest.json").read_text())["pipeline"]["status"] == "completed"
        assert list(srt.parse((folder / f"movie {i}.en.srt").read_text()))
    # stages of different movies ran at the same time (one scheduler for the whole library)
    spans = []
    for i in range(4):
        stages = json.loads((out / f"movie {i}" / "manifest.json").read_text())["stages"]
        spans += [(s["started_at"], s["ended_at"], i) for s in stages.values() if s.get("started_at")]
    assert any(a[2] != b[2] and a[0] < b[1] and b[0] < a[1] for a in spans for b in spans)
