"""Builds realistic work folders (docs/contract.md §4–6) for the read-side tests, without Docker.

Two runs of one movie: run 1 fails at diarization after a skipped tmdb and a timed-out pyannote_vad;
run 2 resumes, passes diarization, then asr is interrupted (`state="interrupted"`), still running
(`state="running"`), or everything completes (`state="completed"`). Also a headless Chromium driver,
the mark of the tests that need it, and the folder their screenshots go to.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from runner.run.manifest import new_stage_entry

if TYPE_CHECKING:
    from selenium.webdriver import Chrome as WebDriver

STAGES = [
    "demux",
    "tmdb",
    "pre_ner",
    "silero_vad",
    "pyannote_vad",
    "diarization",
    "asr",
    "post_ner",
    "srt_generation",
    "mux",
]
NON_CRITICAL = {"tmdb", "pyannote_vad"}
RUN1, RUN2 = "20261123T150102Z-4f2a", "20261123T160000Z-9b1c"
T0 = datetime(2026, 11, 23, 15, 1, 2, tzinfo=UTC)
INPUT_NAME = 'Tom & Jerry\'s "<Movie>".mp4'
WEIRD_OUTPUT = "names \"<i>\" & 'co' #1.txt"

# stage, run, start offset (s), duration (s), reason, exit code, error
_ATTEMPTS: list[tuple[str, str, float, float, str, int | None, str | None]] = [
    ("demux", RUN1, 3, 30, "ok", 0, None),
    ("tmdb", RUN1, 34, 2, "skipped", 0, None),
    ("pre_ner", RUN1, 37, 11, "ok", 0, None),
    ("silero_vad", RUN1, 49, 49, "ok", 0, None),
    ("pyannote_vad", RUN1, 99, 60, "timeout", None, "timed out after 60 s"),
    ("diarization", RUN1, 160, 28, "exit_code", 1, "no speech segments in vad input: <check> & retry"),
    ("diarization", RUN2, 3600, 41, "ok", 0, None),
    ("asr", RUN2, 3642, 300, "interrupted", None, "interrupted by SIGINT"),
]
_COMPLETION = [
    ("asr", RUN2, 3960, 420, "ok", 0, None),
    ("post_ner", RUN2, 4381, 15, "ok", 0, None),
    ("srt_generation", RUN2, 4397, 8, "ok", 0, None),
    ("mux", RUN2, 4406, 35, "ok", 0, None),
]
_OUTPUTS = {
    "demux": {"audio.wav": b"RIFF....WAVEfmt fake-pcm", "media.json": b'{"duration": 61.2, "fps": 24}'},
    "pre_ner": {
        "glossary.json": b'{"names": ["Tom"], "initial_prompt": "", "hotwords": []}',
        WEIRD_OUTPUT: b"Tom\nJerry\n",
    },
    "silero_vad": {"segments.json": b'{"segments": [[0.5, 2.0]]}'},
    "diarization": {"turns.json": b'{"speakers": 2, "turns": []}'},
    "asr": {"transcript.json": b'{"engine": "faster-whisper", "segments": []}'},
    "post_ner": {"transcript.json": b'{"segments": []}', "entities.json": b'{"entities": [], "corrections": []}'},
    "srt_generation": {
        "subtitles.srt": b"1\n00:00:01,000 --> 00:00:02,000\nHello\n\n",
        "quality.json": b'{"cues": 1, "violations": [], "total_violations": 0}',
    },
    "mux": {"subtitled.mp4": b"\x00\x00\x00\x18ftypmp42 fake"},
}


def iso(offset_s: float) -> str:
    return (T0 + timedelta(seconds=offset_s)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_workdir(root: Path, state: str = "interrupted", name: str | None = None) -> Path:
    """Write a work folder under `root` (named after the input stem unless `name`) and return it."""
    assert state in ("interrupted", "running", "completed"), state
    workdir = root / (name or Path(INPUT_NAME).stem)
    workdir.mkdir(parents=True)
    (workdir / "logs").mkdir()
    attempts = list(_ATTEMPTS) + (_COMPLETION if state == "completed" else [])
    if state == "running":
        attempts[-1] = ("asr", RUN2, 3642, 0, "running", None, None)
    stages = {name: _stage_entry(i, name) for i, name in enumerate(STAGES, 1)}
    events: list[dict] = [{"ts": iso(0), "run_id": RUN1, "event": "pipeline.started"}]
    for stage, run_id, start, duration, reason, exit_code, error in attempts:
        entry = stages[stage]
        attempt = {
            "n": len(entry["attempts"]) + 1,
            "run_id": run_id,
            "started_at": iso(start),
            "ended_at": None if reason == "running" else iso(start + duration),
            "duration_s": None if reason == "running" else float(duration),
            "exit_code": exit_code,
            "reason": None if reason == "running" else reason,
            "container_id": f"c{start:.0f}",
            "error": error,
        }
        entry["attempts"].append(attempt)
        entry.update(
            started_at=iso(start),
            ended_at=attempt["ended_at"],
            duration_s=attempt["duration_s"],
            error=error,
            status=_stage_status(stage, reason),
        )
        events.append(
            {"ts": iso(start), "run_id": run_id, "event": "stage.started", "stage": stage, "attempt": attempt["n"]}
        )
        _write_log(workdir, stage, run_id, attempt["n"], reason, error)
        if reason == "ok":
            _write_outputs(workdir, entry, stage)
        if reason == "skipped":
            entry["notes"].append("TMDB_API_KEY not set: no <metadata> & no names")
        if reason == "running":
            entry["progress"] = {"fraction": 0.42, "message": "chunk 37/88", "updated_at": iso(start + 120)}
            events.append(
                {
                    "ts": iso(start + 120),
                    "run_id": run_id,
                    "event": "stage.progress",
                    "stage": stage,
                    "fraction": 0.42,
                    "message": "chunk 37/88",
                }
            )
        elif reason == "ok":
            events.append(
                {
                    "ts": attempt["ended_at"],
                    "run_id": run_id,
                    "event": "stage.completed",
                    "stage": stage,
                    "duration_s": attempt["duration_s"],
                }
            )
        else:
            events.append(
                {
                    "ts": attempt["ended_at"],
                    "run_id": run_id,
                    "event": "stage.failed",
                    "stage": stage,
                    "reason": reason,
                    "error": error,
                }
            )
    stages["demux"]["notes"].append("ran on CPU: no GPU")
    stages["demux"]["info"] = {"engine": "ffmpeg", "streams": 2}
    completed = [s for s in STAGES if stages[s]["status"] in ("success", "skipped")]
    last_end = max(iso(a[2] + a[3] + (120 if a[4] == "running" else 0)) for a in attempts)
    run2_status = {"interrupted": "interrupted", "running": "running", "completed": "completed"}[state]
    manifest = {
        "schema_version": 1,
        "run_id": RUN2,
        "created_at": iso(0),
        "updated_at": last_end,
        "workdir": str(workdir.resolve()),
        "config": {"pipeline": "/abs/config/pipeline.yaml", "compose": "/abs/compose.yaml"},
        "input": {
            "path": f"/movies/{INPUT_NAME}",
            "name": INPUT_NAME,
            "size": 734_003_200,
            "mtime": 1.7e9,
            "fingerprint": "sha256-sampled:9f2c<&>e1",
            "duration_s": 5412.3,
        },
        "pipeline": {
            "status": run2_status,
            "stages": STAGES,
            "completed_stages": completed,
            "next_stage": next((s for s in STAGES if s not in completed), None),
            "current_stage": "asr" if state == "running" else None,
            "started_at": iso(0),
            "ended_at": None if state == "running" else last_end,
            "error": {"interrupted": "interrupted by SIGINT", "running": None, "completed": None}[state],
            "exit_code": {"interrupted": 130, "running": None, "completed": 0}[state],
            "runs": [
                {
                    "run_id": RUN1,
                    "started_at": iso(0),
                    "ended_at": iso(188),
                    "status": "failed",
                    "pid": 4242,
                    "host": "box",
                    "argv": ["reelstage", "run", INPUT_NAME],
                },
                {
                    "run_id": RUN2,
                    "started_at": iso(3598),
                    "ended_at": None if state == "running" else last_end,
                    "status": run2_status,
                    "pid": 4343,
                    "host": "box",
                    "argv": ["reelstage", "run", INPUT_NAME],
                },
            ],
        },
        "stages": stages,
    }
    if state == "completed":
        (workdir / 'Tom & Jerry\'s "<Movie>".en.srt').write_bytes(_OUTPUTS["srt_generation"]["subtitles.srt"])
    (workdir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    (workdir / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    (workdir / ".staging").mkdir()
    (workdir / ".staging" / "secret.txt").write_text("not promoted")
    (workdir / ".lock").touch()
    return workdir


def _stage_entry(index: int, name: str) -> dict:
    entry = new_stage_entry(index, f"{index:02d}_{name}", name not in NON_CRITICAL)
    entry.update(image=f"reelstage/{name}:latest", image_id="sha256:abc")
    return entry


def _stage_status(stage: str, reason: str) -> str:
    if reason == "ok":
        return "success"
    if reason == "running":
        return "running"
    if reason == "skipped" or stage in NON_CRITICAL:
        return "skipped"
    return "failed"


def _write_log(workdir: Path, stage: str, run_id: str, n: int, reason: str, error: str | None) -> None:
    lines = [f"== attempt {n} of run {run_id} =="]
    lines += [f"{stage}: step {i} <ok> & fine" for i in range(1, 40)]
    lines.append(f"error: {error}" if error else f"{stage}: {reason}")
    with open(workdir / "logs" / f"{stage}.log", "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def _write_outputs(workdir: Path, entry: dict, stage: str) -> None:
    folder = workdir / entry["dir"]
    folder.mkdir(exist_ok=True)
    for file_name, data in _OUTPUTS.get(stage, {}).items():
        (folder / file_name).write_bytes(data)
        entry["outputs"][file_name.split(".")[0]] = {
            "path": f"{entry['dir']}/{file_name}",
            "size": len(data),
            "mtime": 1.7e9,
            "sha256": "00",
        }


def chromium_paths() -> tuple[str, str] | None:
    """(browser, driver) of Debian's chromium + chromium-driver, None when not installed."""
    browser = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


# make test installs Chromium; only a bare local pytest may lack it (never CI, where a skip would hide a gap)
needs_browser = pytest.mark.skipif(
    chromium_paths() is None and not os.environ.get("CI"), reason="apt-get install -y chromium chromium-driver"
)
ARTIFACTS = Path(__file__).parent / "artifacts"  # screenshots of the browser tests


@contextlib.contextmanager
def headless_chromium(profile: Path, width: int = 1400, height: int = 1000) -> Iterator[WebDriver]:
    """A Selenium WebDriver on headless Debian Chromium with no network chatter."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = chromium_paths()
    assert paths, "chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)"
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=paths[1]))
    try:
        yield driver
    finally:
        driver.quit()


def save_page_screenshot(browser: WebDriver, path: Path) -> None:
    """Screenshot of the whole page (the window grows to the document's height)."""
    width = browser.get_window_size()["width"]
    browser.set_window_size(width, browser.execute_script("return document.documentElement.scrollHeight") + 120)
    path.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(path))
