"""What a work folder looks like after a trial: manifest shape, outputs, orphan containers."""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

import docker

SKIP_NAMES = {"manifest.json", "report.html", "events.jsonl"}
SKIP_DIRS = {"logs", ".staging"}
# measurements, not results: they differ between two runs of the same stage on the same input
VOLATILE_KEYS = {"rtf", "elapsed_s", "wall_s", "processing_s", "created_at", "generated_at"}


def _without_volatile(value):
    if isinstance(value, dict):
        return {k: _without_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


def content_hash(path: Path) -> str:
    """sha256 of a file's content; for JSON, of its content without measurement keys (VOLATILE_KEYS)."""
    data = path.read_bytes()
    if path.suffix == ".json":
        with contextlib.suppress(ValueError):
            data = json.dumps(_without_volatile(json.loads(data)), sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def load_manifest(workdir: Path) -> tuple[dict | None, str | None]:
    """(manifest, problem): problem when the file exists but is not a well-shaped manifest."""
    path = workdir / "manifest.json"
    if not path.exists():
        return None, None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return None, f"manifest.json unreadable ({exc})"
    if not isinstance(data, dict) or not isinstance(data.get("pipeline"), dict):
        return None, "manifest.json has no pipeline object"
    stages = data.get("stages")
    if not isinstance(stages, dict) or not all(isinstance(s, dict) for s in stages.values()):
        return None, "manifest.json stages are not objects"
    return data, None


def snapshot(workdir: Path) -> dict[str, str]:
    """sha256 of every deliverable: stage output folders and published files (not logs, staging, reports)."""
    found = {}
    if not workdir.is_dir():
        return found
    for path in sorted(workdir.rglob("*")):
        rel = path.relative_to(workdir)
        if not path.is_file() or rel.parts[0] in SKIP_DIRS or rel.name in SKIP_NAMES or rel.name.startswith("."):
            continue
        if rel.name.startswith("manifest.json"):
            continue
        found[str(rel)] = content_hash(path)
    return found


def differing(workdir: Path, baseline: dict[str, str]) -> list[str]:
    now = snapshot(workdir)
    return sorted(k for k in set(now) | set(baseline) if now.get(k) != baseline.get(k))


def half_outputs(workdir: Path, manifest: dict | None, baseline: dict[str, str]) -> list[str]:
    """Outputs a stage recorded as successful that are missing, of another size, or not what an
    uninterrupted run produced."""
    bad = []
    for name, stage in ((manifest or {}).get("stages") or {}).items():
        if not isinstance(stage, dict) or stage.get("status") != "success":
            continue
        for oname, rec in (stage.get("outputs") or {}).items():
            path = workdir / rec.get("path", "")
            if not path.is_file():
                bad.append(f"{name}.{oname} missing")
            elif rec.get("size") is not None and path.stat().st_size != rec["size"]:
                bad.append(f"{name}.{oname} size {path.stat().st_size} != recorded {rec['size']}")
            elif rec.get("path") in baseline and content_hash(path) != baseline[rec["path"]]:
                bad.append(f"{name}.{oname} differs from an uninterrupted run")
    return bad


def orphans(workdir: Path) -> list[str]:
    client = docker.from_env()
    try:
        found = client.containers.list(ignore_removed=True, all=True,
                                       filters={"label": f"io.reelstage.workdir={workdir.resolve()}"})
        return [c.name for c in found]
    finally:
        client.close()


def remove_orphans(workdir: Path) -> None:
    client = docker.from_env()
    try:
        for c in client.containers.list(ignore_removed=True, all=True,
                                        filters={"label": f"io.reelstage.workdir={workdir.resolve()}"}):
            c.remove(force=True)
    finally:
        client.close()


def has_traceback(*texts: str) -> bool:
    return any("Traceback (most recent call last)" in t for t in texts)
