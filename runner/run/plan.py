"""Decide per stage: skip (done and still valid) or run, and say why."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from runner.pipeline.config import Pipeline, StageSpec
from runner.run.fingerprint import FileStat, sampled_fingerprint

PART_LABELS = {
    "image": "image rebuilt",
    "command": "command or parameters changed",
    "environment": "environment changed",
    "mounts": "mounted volumes changed",
    "outputs": "declared outputs changed",
    "input": "input file changed",
    "files": "a pipeline file changed",
    "upstream": "an upstream stage's outputs changed",
    "gpu": "GPU setting changed",
}


@dataclass(frozen=True)
class Decision:
    stage: str
    action: str  # run | skip | leave (not selected by --only)
    reason: str


@dataclass
class StageFacts:
    """What the resume key of one stage is made of."""

    parts: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        blob = json.dumps(self.parts, sort_keys=True).encode()
        return "sha256:" + hashlib.sha256(blob).hexdigest()


def _h(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def stage_facts(
    stage: StageSpec,
    pipeline: Pipeline,
    image_id: str,
    input_fingerprint: str,
    file_fingerprints: dict[str, str],
    manifest_stages: dict[str, dict],
    gpu_used: bool,
) -> StageFacts:
    """The resume key's parts: image id, resolved command, environment (secrets only as set/unset),
    mounts, outputs, and fingerprints of everything the stage reads."""
    service = pipeline.services[stage.service]
    secrets = service.secret_env
    env = {k: ("<set>" if v else "<unset>") if k in secrets else v for k, v in service.env.items()}
    parts = {
        "image": image_id,
        "command": _h(stage.command),
        "environment": _h(env),
        "mounts": _h([(m.source, m.target, m.read_only) for m in service.mounts]),
        "outputs": _h({n: (o.path, o.kind, o.options) for n, o in stage.outputs.items()}),
        "input": input_fingerprint if stage.uses_input else "",
        "files": _h({k: file_fingerprints.get(k, "") for k in stage.uses_files}),
        "upstream": _h(
            {
                dep: {n: o.get("hash") for n, o in (manifest_stages.get(dep, {}).get("outputs") or {}).items()}
                for dep in stage.depends_on
            }
        ),
        "gpu": f"{stage.gpu}:{gpu_used}",
    }
    return StageFacts(parts)


def outputs_still_valid(workdir: Path, entry: dict) -> str | None:
    """None when every recorded output is intact: size+mtime first, a hash only when those changed."""
    outputs = entry.get("outputs") or {}
    if entry.get("status") == "success" and not outputs:
        return "no outputs recorded"
    for name, rec in outputs.items():
        path = workdir / rec["path"]
        try:
            stat = FileStat.of(path)
        except OSError:
            return f"output {name} ({rec['path']}) is missing"
        if stat.size == rec.get("size") and stat.mtime_ns == rec.get("mtime_ns"):
            continue
        if stat.size != rec.get("size") or sampled_fingerprint(path) != rec.get("hash"):
            return f"output {name} ({rec['path']}) was modified"
        rec["mtime_ns"] = stat.mtime_ns  # same content, touched: remember the new mtime
    return None


def decide(
    stage: StageSpec,
    entry: dict | None,
    facts: StageFacts,
    workdir: Path,
    upstream_reran: set[str],
    forced: bool,
) -> Decision:
    """Skip only what succeeded (or asked to be skipped), still verifies, and has an unchanged key."""
    if forced:
        return Decision(stage.name, "run", "forced")
    if not entry or entry.get("status") == "pending" or not entry.get("attempts"):
        return Decision(stage.name, "run", "never ran")
    status = entry.get("status")
    last_reason = (entry.get("attempts") or [{}])[-1].get("reason")
    if status == "failed" or (status == "skipped" and last_reason != "skipped"):
        return Decision(stage.name, "run", f"last attempt ended: {last_reason}")
    if status not in ("success", "skipped"):
        return Decision(stage.name, "run", f"last state was {status}")
    rerun_deps = sorted(set(stage.depends_on) & upstream_reran)
    if rerun_deps:
        return Decision(stage.name, "run", f"upstream {', '.join(rerun_deps)} reruns")
    old_parts = entry.get("resume_parts") or {}
    changed = [PART_LABELS[p] for p in PART_LABELS if old_parts.get(p) != facts.parts.get(p)]
    if changed:
        return Decision(stage.name, "run", "; ".join(changed))
    if status == "success" and (problem := outputs_still_valid(workdir, entry)):
        return Decision(stage.name, "run", problem)
    return Decision(stage.name, "skip", "up to date" if status == "success" else "skipped before, nothing changed")
