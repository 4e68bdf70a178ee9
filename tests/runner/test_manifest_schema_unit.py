"""The manifest's shape check on read, and the removal of stale temp files (pure logic, no Docker)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.errors import ManifestCorrupt
from runner.run.manifest import Manifest, read_manifest, remove_stale_temp_files


def good_manifest(tmp_path: Path) -> dict:
    m = Manifest.open(tmp_path, "r1")
    m.sync_stages([("alpha", 1, "01_alpha", True)])
    m.pipeline["runs"].append(
        {
            "run_id": "r1",
            "started_at": "t",
            "ended_at": None,
            "status": "running",
            "pid": 1,
            "host": "h",
            "argv": ["reelstage"],
        }
    )
    m.stage("alpha")["attempts"].append({"n": 1, "run_id": "r1", "exit_code": 0, "reason": "ok"})
    m.save()
    return json.loads((tmp_path / "manifest.json").read_text())


@pytest.mark.parametrize(
    "corrupt,where",
    [
        (lambda m: bytes(range(256)) * 4, "not UTF-8"),
        (lambda m: b"[1, 2]", "not a Reelstage manifest"),
        (lambda m: b'{"a": ' * 100000, "corrupt"),
        (lambda m: json.dumps({**m, "pipeline": 5}).encode(), "manifest.pipeline: expected an object, got an integer"),
        (
            lambda m: json.dumps({**m, "stages": {"alpha": "done"}}).encode(),
            "manifest.stages.alpha: expected an object",
        ),
        (
            lambda m: json.dumps({**m, "pipeline": {**m["pipeline"], "runs": None}}).encode(),
            "manifest.pipeline.runs: expected a list, got null",
        ),
        (
            lambda m: json.dumps({**m, "stages": {"alpha": {**m["stages"]["alpha"], "attempts": [3]}}}).encode(),
            r"manifest.stages.alpha.attempts\[0\]: expected an object",
        ),
        (
            lambda m: json.dumps({**m, "pipeline": {**m["pipeline"], "status": None}}).encode(),
            "manifest.pipeline.status: expected a string",
        ),
        (lambda m: json.dumps({**m, "input": {"size": "big"}}).encode(), "manifest.input.size: expected an integer"),
    ],
)
def test_every_corrupt_shape_is_a_manifest_error_pointing_to_reset(tmp_path, corrupt, where):
    good = good_manifest(tmp_path)
    assert read_manifest(tmp_path) == good
    (tmp_path / "manifest.json").write_bytes(corrupt(good))
    with pytest.raises(ManifestCorrupt, match=where) as info:
        read_manifest(tmp_path)
    assert "--reset" in str(info.value)


def test_unknown_keys_and_new_status_words_are_accepted(tmp_path):
    good = good_manifest(tmp_path)
    good["stages"]["alpha"].update(status="interrupted", future_field={"x": 1})
    good["pipeline"]["scheduler"] = "v2"
    (tmp_path / "manifest.json").write_text(json.dumps(good))
    assert read_manifest(tmp_path) == good


def test_stale_temp_files_are_removed_and_nothing_else(tmp_path):
    keep = [tmp_path / "manifest.json", tmp_path / ".report.html.x.tmp", tmp_path / "a.tmp"]
    stale = [tmp_path / ".manifest.json.abc.tmp", tmp_path / "..lock.json.abc.tmp", tmp_path / ".publish-1.tmp"]
    for path in keep + stale:
        path.write_text("x")
    assert sorted(remove_stale_temp_files(tmp_path)) == sorted(stale)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stale)
