"""What the fault suite runs against: the busybox test pipeline (fast) or the real movie pipeline."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import docker
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "runner"))
sys.path.insert(0, str(REPO / "tests"))

from harness import TEST_IMAGE, build_busybox  # noqa: E402

# A movie-like chain: read the input, then three stages each reading the one before; the last
# one's output is published. Each writes progressively with pauses, so kills land mid-write.
BUSYBOX_STAGES = [
    ("demux", [], "sleep 0.3; head -c 65536 {input} | md5sum > {out}/audio.txt; echo demuxed >> {out}/audio.txt",
     "audio.txt"),
    ("vad", ["demux"], "sleep 0.2; cat {stages.demux.out} > {out}/vad.txt; sleep 0.2; echo vad >> {out}/vad.txt",
     "vad.txt"),
    ("asr", ["vad"], "cat {stages.vad.out} > {out}/words.txt; for w in one two three four five six; do"
     " echo $w >> {out}/words.txt; sleep 0.1; done", "words.txt"),
    ("srt", ["asr"], "sleep 0.2; cat {stages.asr.out} > {out}/subs.srt", "subs.srt"),
]  # fmt: skip


def busybox_pipeline() -> dict:
    stages = []
    for name, deps, script, path in BUSYBOX_STAGES:
        out = {"path": path, "kind": "text"}
        if name == "srt":
            out["publish"] = "{input_stem}.en.srt"
        stages.append({"name": name, "service": "bb", "depends_on": deps, "command": [script], "outputs": {"out": out}})
    return {
        "version": 1,
        "compose": "compose.yaml",
        "params": {"language": "en"},
        "files": {"glossary": "glossary.txt"},
        "defaults": {"timeout": 120, "grace": 2, "retries": {"attempts": 2, "wait_s": 0.2}},
        "stages": stages,
    }


@dataclass
class Target:
    """A pipeline, an input movie for it, and how to call `reelstage` on them."""

    kind: str
    root: Path
    config: Path
    input: Path
    stage_names: list[str]
    glossary: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    run_timeout_s: float = 600.0
    runner_root: Path = REPO  # the checkout whose `runner` package is under test

    def argv(
        self, workdir: Path, *extra: str, input: Path | str | None = None, config: Path | None = None
    ) -> list[str]:
        return [
            sys.executable, "-m", "runner", "run", str(input if input is not None else self.input),
            "--config", str(config or self.config), "--workdir", str(workdir), "--progress-interval", "5", *extra,
        ]  # fmt: skip

    def full_env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "TMDB_API_KEY")}
        env.update(PYTHONPATH=str(self.runner_root), REELSTAGE_HISTORY=str(self.root / "history.json"))
        env.update(**self.env, **extra)
        return env

    def start(self, workdir: Path, *extra: str, **kw) -> subprocess.Popen:
        return subprocess.Popen(
            self.argv(workdir, *extra, **kw), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=self.root, env=self.full_env(), start_new_session=True,
        )  # fmt: skip

    def run(self, workdir: Path, *extra: str, timeout: float | None = None, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.argv(workdir, *extra, **kw), capture_output=True, text=True, cwd=self.root, env=self.full_env(),
            timeout=timeout or self.run_timeout_s,
        )  # fmt: skip


def busybox_target(root: Path) -> Target:
    root.mkdir(parents=True, exist_ok=True)
    client = docker.from_env()
    build_busybox(client, TEST_IMAGE, root / "bbctx")
    (root / "compose.yaml").write_text(yaml.safe_dump({"services": {"bb": {"image": TEST_IMAGE}}}))
    config = root / "pipeline.yaml"
    config.write_text(yaml.safe_dump(busybox_pipeline(), sort_keys=False))
    movie = root / "movie.mp4"
    movie.write_bytes(os.urandom(200_000))
    return Target("busybox", root, config, movie, [s[0] for s in BUSYBOX_STAGES], run_timeout_s=120)


def movie_target(root: Path) -> Target:
    from moviegen import make_movie

    if not os.environ.get("REELSTAGE_TAG"):
        raise SystemExit("faults: set REELSTAGE_TAG to the stage images' tag for the movie pipeline")
    root.mkdir(parents=True, exist_ok=True)
    movie = root / "movie.mp4"
    truth = make_movie(movie)
    glossary = root / "names.txt"
    glossary.write_text("\n".join(truth.glossary) + "\n")
    config = REPO / "config" / "pipeline.yaml"
    doc = yaml.safe_load(config.read_text())
    names = [s["name"] for s in doc["stages"]]
    return Target("movie", root, config, movie, names, glossary=glossary, run_timeout_s=1800)


def make_target(kind: str, root: Path) -> Target:
    return busybox_target(root) if kind == "busybox" else movie_target(root)


def wait_or_kill(proc: subprocess.Popen, timeout: float) -> tuple[str, str, bool]:
    """(stdout, stderr, hung): a process that does not end in time is killed and reported as a hang."""
    try:
        out, err = proc.communicate(timeout=timeout)
        return out, err, False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return out, err, True


def sleep_until(proc: subprocess.Popen, seconds: float) -> bool:
    """Sleep up to `seconds`; False if the process ended first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        time.sleep(min(0.005, max(0.0, deadline - time.monotonic())))
    return proc.poll() is None
