"""`reelstage stats`: per stage over every run under a root, like a Nextflow trace summary."""

from __future__ import annotations

import statistics
from pathlib import Path

from runner.errors import ManifestCorrupt
from runner.run.manifest import read_manifest
from runner.watch.progress import format_duration
from runner.watch.runs import find_workdirs


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def collect_stats(root: Path) -> dict:
    """{"movies": n, "stages": {name: {...}}} from every attempt recorded under `root`."""
    per_stage: dict[str, dict[str, list]] = {}
    order: list[str] = []
    movies = 0
    for workdir in find_workdirs(root):
        try:
            manifest = read_manifest(workdir) or {}
        except ManifestCorrupt:
            continue
        movies += 1
        media_s = (manifest.get("input") or {}).get("duration_s")
        for name in (manifest.get("pipeline") or {}).get("stages") or []:
            if name not in order:
                order.append(name)
            acc = per_stage.setdefault(name, {"durations": [], "rates": [], "failures": [], "memory": [], "cpu": []})
            for attempt in (manifest.get("stages") or {}).get(name, {}).get("attempts") or []:
                reason, duration = attempt.get("reason"), attempt.get("duration_s")
                if reason == "ok" and duration is not None:
                    acc["durations"].append(duration)
                    if media_s:
                        acc["rates"].append(duration / media_s)
                elif reason not in (None, "ok", "skipped"):
                    acc["failures"].append(reason)
                if attempt.get("peak_memory_bytes"):
                    acc["memory"].append(attempt["peak_memory_bytes"])
                if attempt.get("cpu_s") is not None:
                    acc["cpu"].append(attempt["cpu_s"])
    stages = {}
    for name in order:
        acc = per_stage[name]
        d = acc["durations"]
        stages[name] = {
            "count": len(d),
            "median_s": round(statistics.median(d), 3) if d else None,
            "p95_s": round(_p95(d), 3) if d else None,
            "s_per_media_s": round(statistics.median(acc["rates"]), 4) if acc["rates"] else None,
            "failures": len(acc["failures"]),
            "failure_reasons": sorted(set(acc["failures"])),
            "peak_memory_bytes": max(acc["memory"]) if acc["memory"] else None,
            "median_cpu_s": round(statistics.median(acc["cpu"]), 3) if acc["cpu"] else None,
        }
    return {"root": str(root), "movies": movies, "stages": stages}


def render_stats(table: dict) -> str:
    lines = [f"{table['movies']} movie(s) under {table['root']}",
             f"{'stage':<16}{'runs':>5}{'median':>9}{'p95':>9}{'s/media-s':>11}{'fail':>6}{'peak mem':>10}{'cpu s':>8}"]
    for name, s in table["stages"].items():
        mem = f"{s['peak_memory_bytes'] / 2**20:.0f} MiB" if s["peak_memory_bytes"] else "-"
        rate = f"{s['s_per_media_s']:.4f}" if s["s_per_media_s"] is not None else "-"
        cpu = f"{s['median_cpu_s']:.1f}" if s["median_cpu_s"] is not None else "-"
        median = format_duration(s["median_s"]) if s["median_s"] is not None else "-"
        p95 = format_duration(s["p95_s"]) if s["p95_s"] is not None else "-"
        lines.append(
            f"{name:<16}{s['count']:>5}{median:>9}{p95:>9}"
            f"{rate:>11}{s['failures']:>6}{mem:>10}{cpu:>8}"
        )
    return "\n".join(lines)
