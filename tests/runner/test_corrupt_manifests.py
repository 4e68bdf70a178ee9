"""Corrupt manifests of every shape, and stale temp files, through the real CLI against real Docker (issue 10)."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request

from harness import REELSTAGE, Project, one_clear_line, stage

CORRUPTIONS = {
    "random bytes": lambda m: os.urandom(512),
    "pipeline is 5": lambda m: json.dumps({**m, "pipeline": 5}).encode(),
    "a stage entry is a string": lambda m: json.dumps({**m, "stages": {**m["stages"], "alpha": "done"}}).encode(),
    "runs is null": lambda m: json.dumps({**m, "pipeline": {**m["pipeline"], "runs": None}}).encode(),
}


def _get(url: str) -> tuple[int, dict | list]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_corrupt_manifests_of_every_shape_point_to_reset_in_run_status_list_report_and_api(project: Project):
    from runner.watch.serve import make_server

    project.write([stage("alpha", "echo a > {out}/out.txt")])
    assert project.run().returncode == 0
    path = project.workdir / "manifest.json"
    good = json.loads(path.read_text())
    server = make_server(project.root, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/api/runs"
    try:
        for shape, corrupt in CORRUPTIONS.items():
            path.write_bytes(corrupt(good))
            for args in (
                project.args()[len(REELSTAGE) :],
                ["status", str(project.workdir)],
                ["status", str(project.workdir), "--json"],
                ["report", str(project.workdir)],
                ["logs", str(project.workdir)],
            ):
                res = project.cli(*args)
                line = one_clear_line(res)
                assert res.returncode == 2 and "--reset" in line, (shape, args, res.stderr)
            listing = project.cli("list", str(project.root), "--json")
            assert listing.returncode == 0, (shape, listing.stderr)
            (entry,) = json.loads(listing.stdout)
            assert entry["state"] == "corrupt" and "--reset" in entry["error"], shape
            code, body = _get(f"{base}/work/status")
            assert code == 409 and "--reset" in body["error"], (shape, body)
            code, body = _get(base)
            assert code == 200 and body[0]["state"] == "corrupt", shape
    finally:
        server.shutdown()
        server.server_close()
    res = project.run("--reset")
    assert res.returncode == 0, res.stderr
    assert len(list(project.workdir.glob("manifest.json.corrupt-*"))) >= 1


def test_stale_temp_files_of_a_killed_writer_are_removed_when_the_lock_is_taken(project: Project):
    project.write([stage("alpha", "echo a > {out}/out.txt")])
    assert project.run().returncode == 0
    stale = [project.workdir / ".manifest.json.k1ll3d.tmp", project.workdir / "..lock.json.k1ll3d.tmp"]
    for tmp in stale:
        tmp.write_text('{"half": ')
    status = project.cli("status", str(project.workdir))
    assert status.returncode == 0 and all(t.exists() for t in stale)  # a reader never removes anything
    assert project.run().returncode == 0
    assert not any(t.exists() for t in stale)
