"""Runner overhead: a 10-stage no-op pipeline through `reelstage run`, against a bare Docker-SDK loop
over the same containers and a shell loop of `docker compose run --rm`, in the same process tree.
Also the time of a full resume (every stage skipped) with a 2 GB input.

    .venv/bin/python bench/overhead.py [--reps 5] [--stages 10] [--big-gb 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "runner"))
from harness import TEST_IMAGE, build_busybox  # noqa: E402

from runner.pipeline.compose import compose_command  # noqa: E402

NOOP = "echo ok > {out}/out.txt"


def write_project(root: Path, stages: int) -> Path:
    (root / "compose.yaml").write_text(yaml.safe_dump({"services": {"bb": {"image": TEST_IMAGE}}}))
    doc = {
        "version": 1,
        "compose": "compose.yaml",
        "stages": [
            {"name": f"s{i:02d}", "service": "bb", "command": [NOOP], "outputs": {"out": {"path": "out.txt"}}}
            for i in range(stages)
        ],
    }
    path = root / "pipeline.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def reelstage(config: Path, movie: Path, workdir: Path) -> float:
    cmd = [
        str(REPO / ".venv" / "bin" / "reelstage"),
        "run",
        str(movie),
        "--config",
        str(config),
        "--workdir",
        str(workdir),
        "--min-free-ratio",
        "0",
    ]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


BARE_LOOP = """
import os, sys, docker
from docker.types import Mount
root, stages, image, script = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
client = docker.from_env()
os.makedirs(root, exist_ok=True)
for i in range(stages):
    out = os.path.join(root, f"bare{i}")
    os.makedirs(out, exist_ok=True)
    c = client.containers.create(
        image, [script], network_mode="none", init=True, user=f"{os.getuid()}:{os.getgid()}",
        environment={"HOME": "/tmp"}, labels={"io.reelstage.workdir": root, "io.reelstage.stage": str(i)},
        cap_drop=["ALL"], security_opt=["no-new-privileges:true"], pids_limit=512,
        mounts=[Mount("/work", root, type="bind", read_only=True), Mount("/out", out, type="bind")])
    c.start()
    c.wait()
    c.logs()
    c.remove(force=True)
"""


def bare_sdk(stages: int, root: Path) -> float:
    """The least a runner must do, as its own Python process like `reelstage run`: the same containers
    (mounts, labels, user, init, no network, no capabilities, no-new-privileges, a pids limit), created,
    started, waited for, logs read, removed."""
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", BARE_LOOP, str(root), str(stages), TEST_IMAGE, NOOP.replace("{out}", "/out")], check=True
    )
    return time.perf_counter() - t


def compose_loop(root: Path, stages: int) -> float:
    compose = " ".join(compose_command())
    script = "; ".join(
        f"{compose} -f compose.yaml run --rm -T -v {root}/c{i}:/out bb '{NOOP.replace('{out}', '/out')}' >/dev/null"
        for i in range(stages)
    )
    t = time.perf_counter()
    subprocess.run(["bash", "-c", f"set -e; {script}"], check=True, cwd=root)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--stages", type=int, default=10)
    ap.add_argument("--big-gb", type=float, default=2.0)
    args = ap.parse_args()
    client = docker.from_env()
    # as installed for a user: byte-compiled (this sandbox sets PYTHONDONTWRITEBYTECODE)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "runner")], check=True, capture_output=True)
    root = Path(tempfile.mkdtemp(prefix="reelstage-bench-"))
    try:
        build_busybox(client, TEST_IMAGE, root / "ctx")
        config = write_project(root, args.stages)
        movie = root / "movie.mp4"
        movie.write_bytes(os.urandom(1 << 20))
        times: dict[str, list[float]] = {"reelstage run": [], "bare SDK loop": [], "compose run loop": []}
        reelstage(config, movie, root / "warm")  # warm caches once
        bare_sdk(1, root / "warm-bare")
        for rep in range(args.reps):
            times["reelstage run"].append(reelstage(config, movie, root / f"w{rep}"))
            times["bare SDK loop"].append(bare_sdk(args.stages, root / f"b{rep}"))
            times["compose run loop"].append(compose_loop(root, args.stages))
        base = statistics.median(times["bare SDK loop"])
        print(f"{args.stages} no-op stages, {args.reps} repetitions, medians:")
        for name, values in times.items():
            med = statistics.median(values)
            every = ", ".join(f"{v:.2f}" for v in values)
            print(f"  {name:<18} {med:6.2f} s  {med / base:5.2f}x bare SDK   (all: {every})")

        paired = [r / b for r, b in zip(times["reelstage run"], times["bare SDK loop"], strict=True)]
        print(
            f"  paired ratio reelstage/bare per repetition: median {statistics.median(paired):.2f}x "
            f"(min {min(paired):.2f}, max {max(paired):.2f})"
        )

        big = root / "big.mkv"
        chunk = os.urandom(16 << 20)
        with open(big, "wb") as fh:
            for _ in range(int(args.big_gb * 1024 / 16)):
                fh.write(chunk)
        first = reelstage(config, big, root / "big")
        resumes = [reelstage(config, big, root / "big") for _ in range(args.reps)]
        print(
            f"{args.big_gb:g} GB input: first run {first:.2f} s; full resume (all {args.stages} skipped) "
            f"median {statistics.median(resumes):.2f} s (all: {', '.join(f'{v:.2f}' for v in resumes)})"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
