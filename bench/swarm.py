"""Swarm engine numbers (needs root and the test cluster: make swarm-up, busybox image loaded):

- per-stage overhead: a no-op stage's round trip through SwarmEngine vs DockerEngine on this host,
  in paired rounds (same process, same moment), as a ratio;
- recovery from a lost node: a stage runs on a worker, the worker is killed; time until the engine
  reports the node lost, and until the retried stage has completed on another node.

    .venv/bin/python bench/swarm.py [--rounds 5] [--storage shared|staged] [--no-recovery]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from local_swarm import Cluster  # noqa: E402

from runner.engine import ContainerSpec, EngineError, Mount, make_engine  # noqa: E402

IMAGE = "reelstage-test/busybox:latest"


def timed(engine, spec: ContainerSpec) -> float:
    started = time.monotonic()
    result = engine.run(spec, lambda _: None)
    assert result.reason == "ok", result
    return time.monotonic() - started


def overhead(swarm, local, rounds: int, folder: Path) -> None:
    out = folder / "out"
    out.mkdir(exist_ok=True)
    spec = ContainerSpec(IMAGE, ("true",), mounts=(Mount(str(out), "/out", False),), labels={"io.reelstage.bench": "1"})
    timed(swarm, spec), timed(local, spec)  # warm-up
    pairs = [(timed(local, spec), timed(swarm, spec)) for _ in range(rounds)]
    loc, sw = [p[0] for p in pairs], [p[1] for p in pairs]
    ratios = sorted(s / loc for loc, s in pairs)
    print(
        f"no-op stage round trip, {rounds} paired rounds: local {statistics.median(loc):.2f} s,"
        f" swarm ({swarm.storage}) {statistics.median(sw):.2f} s, ratio {statistics.median(ratios):.1f}x"
        f" ({ratios[0]:.1f}-{ratios[-1]:.1f})"
    )


def recovery(swarm, cluster, folder: Path) -> None:
    import threading

    spec = ContainerSpec(
        IMAGE, ("sleep 30",), labels={"io.reelstage.bench": "recovery"}, placement=("node.role==worker",)
    )
    outcome: dict = {}

    def first():
        try:
            swarm.run(spec, lambda _: None)
        except EngineError as exc:
            outcome["error"], outcome["at"] = exc, time.monotonic()

    thread = threading.Thread(target=first)
    thread.start()
    victim = None
    while victim is None:
        for node in cluster.nodes[1 : cluster.count]:
            listing = node.docker("ps", "-q", "--filter", "label=io.reelstage.bench=recovery", check=False).stdout
            if listing.strip():
                victim = node
        time.sleep(0.1)
    killed = time.monotonic()
    victim.kill()
    thread.join()
    detected = outcome["at"] - killed
    retry = ContainerSpec(IMAGE, ("true",), labels={"io.reelstage.bench": "recovery"}, placement=("node.role==worker",))
    result = swarm.run(retry, lambda _: None)
    done = time.monotonic() - killed
    print(
        f"lost node {victim.name}: engine error after {detected:.1f} s ({outcome['error']});"
        f" a no-op retry completed on {result.node} {done:.1f} s after the kill"
    )
    cluster.restore()  # the killed node restarted (containerd, dockerd) and Ready and Active again
    print(
        f"lost node {victim.name}: back in the swarm (Ready, Active) {time.monotonic() - killed:.1f} s after the kill"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--storage", default="shared", choices=["shared", "staged"])
    parser.add_argument("--no-recovery", action="store_true")
    args = parser.parse_args()
    cluster = Cluster()
    info = json.loads((cluster.state / "nodes.json").read_text())
    swarm = make_engine("swarm", host=info["manager"], storage=args.storage, nodes=info["nodes"])
    local = make_engine("local")
    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    with tempfile.TemporaryDirectory() as tmp:
        overhead(swarm, local, args.rounds, Path(tmp))
        if not args.no_recovery:
            recovery(swarm, cluster, Path(tmp))
    print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
