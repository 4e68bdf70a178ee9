"""End-to-end speed, memory and quality on a synthetic movie, on CPU: per-stage wall time, real-time factor
and peak memory, optionally against a baseline run of other images on the same movie in the same process,
and, for each ASR variant given, WER and ASR speed side by side.

    python bench/e2e.py                              the 45 s test movie
    python bench/e2e.py --minutes 120                a 2-hour movie (two voices, noise bed, music interludes)
    python bench/e2e.py --minutes 10 --baseline-tag speed-base   also run images reelstage/*:speed-base first
    python bench/e2e.py --variant faster-whisper:tiny.en --repeat-script 3
    python bench/e2e.py --minutes 120 --set asr_decode=fast   pipeline parameters for the main run

Images are reelstage/<stage>:$REELSTAGE_TAG (default latest). CPU s is the container's CPU time (cgroup
cpuacct), steadier than wall time when the machine is shared. Memory per stage, three ways:
  RSS     the stage's own peak resident set (ru_maxrss of the process and its children), from its `info`;
  anon    the container cgroup's anonymous memory (memory.stat total_rss / anon), sampled every 0.2 s;
  cgroup  the container cgroup's peak usage (memory.max_usage_in_bytes / memory.peak), which also counts
          the page cache of the files the stage read and wrote (reclaimable, not the stage's own memory).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
import srt  # noqa: E402
from moviegen import DEFAULT_SCRIPT, MovieTruth, make_long_movie, make_movie, wer  # noqa: E402

LABEL = "io.reelstage"
CGROUP_V1 = Path("/sys/fs/cgroup/memory/docker")
CGROUP_V2 = Path("/sys/fs/cgroup/system.slice")
CPUACCT_V1 = Path("/sys/fs/cgroup/cpuacct/docker")
WER_WINDOW_S = 600.0  # WER over the first 10 minutes (edit distance is quadratic in the word count)
MB = 1 << 20


class MemoryWatch(threading.Thread):
    """Sample the cgroups of one workdir's stage containers: peak usage and peak anonymous memory per stage."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(daemon=True)
        self.workdir = str(workdir)
        self.peak: dict[str, int] = {}
        self.anon: dict[str, int] = {}
        self.cpu_ns: dict[str, int] = {}
        self._stages: dict[str, str | None] = {}
        self._done = threading.Event()

    def run(self) -> None:
        import docker

        client = docker.from_env()
        while not self._done.wait(0.2):
            for cid, folder in _container_cgroups():
                if cid not in self._stages:
                    self._stages[cid] = _stage_of(client, cid, self.workdir)
                stage = self._stages[cid]
                if stage:
                    peak, anon = _read_cgroup(folder)
                    self.peak[stage] = max(self.peak.get(stage, 0), peak)
                    self.anon[stage] = max(self.anon.get(stage, 0), anon)
                    self.cpu_ns[stage] = max(self.cpu_ns.get(stage, 0), _read_cpu_ns(cid, folder))

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)


def _container_cgroups() -> list[tuple[str, Path]]:
    if CGROUP_V1.is_dir():
        return [(p.name, p) for p in CGROUP_V1.iterdir() if p.is_dir()]
    if CGROUP_V2.is_dir():
        return [(p.name[7:-6], p) for p in CGROUP_V2.glob("docker-*.scope")]
    return []


def _stage_of(client, cid: str, workdir: str) -> str | None:
    try:
        labels = client.api.inspect_container(cid)["Config"]["Labels"] or {}
    except Exception:
        return None
    return labels.get(f"{LABEL}.stage") if labels.get(f"{LABEL}.workdir") == workdir else None


def _read_cgroup(folder: Path) -> tuple[int, int]:
    """(peak usage incl. page cache, current anonymous memory) in bytes; 0 when gone."""
    try:
        if (folder / "memory.max_usage_in_bytes").exists():
            peak = int((folder / "memory.max_usage_in_bytes").read_text())
            key = "total_rss"
        else:
            peak = int((folder / "memory.peak").read_text())
            key = "anon"
        stat = dict(line.split() for line in (folder / "memory.stat").read_text().splitlines())
        return peak, int(stat.get(key, 0))
    except (OSError, ValueError):
        return 0, 0


def _read_cpu_ns(cid: str, folder: Path) -> int:
    """CPU time the container has used so far, in ns (cgroup v1 cpuacct.usage, v2 cpu.stat usage_usec)."""
    try:
        v1 = CPUACCT_V1 / cid / "cpuacct.usage"
        if v1.exists():
            return int(v1.read_text())
        stat = dict(line.split() for line in (folder / "cpu.stat").read_text().splitlines())
        return int(stat.get("usage_usec", 0)) * 1000
    except (OSError, ValueError):
        return 0


def load() -> str:
    """The 1/5/15-minute load averages (the machine is shared: say how busy it was)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(movie: Path, workdir: Path, glossary: Path, tag: str, *extra: str) -> tuple[float, int, MemoryWatch]:
    """One `reelstage run` with images of `tag`: (wall seconds, exit code, memory samples)."""
    cmd = [sys.executable, "-m", "runner", "run", str(movie), "--workdir", str(workdir),
           "--file", f"glossary={glossary}", *extra]
    env = {**os.environ, "REELSTAGE_TAG": tag, "PYTHONPATH": str(REPO)}
    watch = MemoryWatch(workdir)
    watch.start()
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t
    watch.stop()
    if proc.returncode != 0:
        print(f"[{tag}] run exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-400:]}")
    return elapsed, proc.returncode, watch


def srt_text(workdir: Path, until: float | None = None) -> str:
    paths = list(workdir.glob("*.en.srt"))
    if not paths:
        return ""
    cues = srt.parse(paths[0].read_text())
    return " ".join(c.content.replace("\n", " ").replace("- ", " ") for c in cues
                    if until is None or c.start.total_seconds() < until)


def window_wer(truth: MovieTruth, workdir: Path) -> float:
    until = min(truth.duration_s, WER_WINDOW_S)
    reference = " ".join(ln.text for ln in truth.lines if ln.start < until)
    return wer(reference, srt_text(workdir, until))


def stage_rows(workdir: Path, watch: MemoryWatch) -> dict[str, dict]:
    manifest = json.loads((workdir / "manifest.json").read_text())
    rows = {}
    for name in manifest["pipeline"]["stages"]:
        st = manifest["stages"].get(name, {})
        rows[name] = {"status": st.get("status", "-"), "s": st.get("duration_s") or 0.0,
                      "rss": (st.get("info") or {}).get("peak_rss_mb"),
                      "anon": watch.anon.get(name, 0) / MB, "cgroup": watch.peak.get(name, 0) / MB,
                      "cpu": watch.cpu_ns.get(name, 0) / 1e9}
    return rows


def _mb(value: float | None) -> str:
    return f"{value:7.0f}" if value else "      -"


def print_table(rows: dict[str, dict], total: float, media: float, base: dict[str, dict] | None,
                base_total: float | None) -> None:
    head = (f"{'stage':<15} {'status':<9} {'wall s':>8} {'RTF':>7} {'CPU s':>7} {'RSS MB':>7} {'anon MB':>7} "
            f"{'cgroup MB':>9}")
    if base:
        head += f" | {'base s':>8} {'speedup':>7} {'base CPU':>8} {'base RSS':>8} {'base cg':>7}"
    print(head)
    for name, r in rows.items():
        line = (f"{name:<15} {r['status']:<9} {r['s']:8.1f} {r['s'] / media:7.4f} {r['cpu']:7.1f} {_mb(r['rss'])} "
                f"{_mb(r['anon'])} {_mb(r['cgroup'])}  ")
        if base and name in base:
            b = base[name]
            ratio = f"{b['s'] / r['s']:6.2f}x" if r["s"] > 0 and b["s"] > 0 else "      -"
            line += f"| {b['s']:8.1f} {ratio} {b['cpu']:8.1f} {_mb(b['rss'] or b['anon'])}  {_mb(b['cgroup'])}"
        print(line)
    cpu = sum(r["cpu"] for r in rows.values())
    line = f"{'total (wall)':<15} {'':<9} {total:8.1f} {total / media:7.4f} {cpu:7.1f} {'':>7} {'':>7} {'':>9}  "
    if base_total and base:
        line += f"| {base_total:8.1f} {base_total / total:6.2f}x {sum(r['cpu'] for r in base.values()):8.1f}"
    print(line)


def make(args: argparse.Namespace, root: Path) -> tuple[Path, MovieTruth]:
    """The movie (reused from --movie-cache when there), its truth."""
    folder = Path(args.movie_cache) if args.movie_cache else root
    folder.mkdir(parents=True, exist_ok=True)
    name = f"bench {args.minutes:g} min.mp4" if args.minutes else f"bench movie x{args.repeat_script}.mp4"
    movie = folder / name
    truth_path = Path(f"{movie}.truth.json")
    if movie.is_file() and truth_path.is_file():
        return movie, MovieTruth.load(truth_path)
    t = time.perf_counter()
    if args.minutes:
        truth = make_long_movie(movie, args.minutes)
    else:
        truth = make_movie(movie, list(DEFAULT_SCRIPT) * args.repeat_script)
    print(f"generated {movie.name} in {time.perf_counter() - t:.1f} s")
    return movie, truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, help="a movie this long (noise bed, music interludes)")
    ap.add_argument("--repeat-script", type=int, default=1, help="without --minutes: repeat the dialogue N times")
    ap.add_argument("--baseline-tag", help="first run the same movie with reelstage/*:TAG images")
    ap.add_argument("--movie-cache", help="keep/reuse the generated movie in this folder")
    ap.add_argument("--variant", action="append", default=[], help="ENGINE:MODEL, e.g. faster-whisper:tiny.en")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="pipeline parameter for the main run, e.g. asr_decode=fast")
    args = ap.parse_args()
    tag = os.environ.get("REELSTAGE_TAG", "latest")
    root = Path(tempfile.mkdtemp(prefix="reelstage-e2e-"))
    try:
        movie, truth = make(args, root)
        glossary = root / "names.txt"
        glossary.write_text("\n".join(truth.glossary) + "\n")
        media = truth.duration_s
        print(f"synthetic movie: {media:.0f} s, {len(truth.lines)} lines; CPU only, {os.cpu_count()} cores; "
              f"load average at start {load()}")
        base = base_total = None
        if args.baseline_tag:
            base_dir = root / "work-baseline"
            base_total, _, base_watch = run(movie, base_dir, glossary, args.baseline_tag)
            base = stage_rows(base_dir, base_watch)
            print(f"baseline {args.baseline_tag}: WER (first {WER_WINDOW_S:.0f} s) "
                  f"{window_wer(truth, base_dir):.3f}; load average after {load()}")
        workdir = root / "work"
        total, _, watch = run(movie, workdir, glossary, tag, *(f for kv in args.set for f in ("--set", kv)))
        print(f"images {tag}: WER (first {WER_WINDOW_S:.0f} s) {window_wer(truth, workdir):.3f}; "
              f"load average after {load()}")
        print_table(stage_rows(workdir, watch), total, media, base, base_total)
        if args.variant:
            print(f"\n{'ASR engine:model':<32} {'WER':>6} {'asr s':>7} {'asr RTF':>8}")
        for variant in args.variant:
            engine, _, model = variant.partition(":")
            vdir = root / f"v-{engine}-{model}".replace("/", "_")
            shutil.copytree(workdir, vdir, symlinks=True, ignore=shutil.ignore_patterns(".lock*"))
            run(movie, vdir, glossary, tag, "--set", f"asr_engine={engine}", "--set", f"asr_model={model or 'auto'}")
            m = json.loads((vdir / "manifest.json").read_text())
            asr = m["stages"]["asr"]
            label = f"{asr['info'].get('engine', engine)}:{asr['info'].get('model', model)}"
            d = asr.get("duration_s") or 0.0
            print(f"{label:<32} {window_wer(truth, vdir):6.3f} {d:7.2f} {d / media:8.3f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
