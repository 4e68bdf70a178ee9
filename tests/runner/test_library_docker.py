"""The scheduler against real Docker: parallel stages, resources, batch, watch, cancel, accounting."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from harness import REELSTAGE, TEST_IMAGE, _env, labelled_containers, stage

from runner.engine.docker_engine import DockerEngine
from runner.run.library import run_one
from runner.run.movie import CANCEL_NAME
from runner.run.options import RunOptions
from runner.run.resources import Capacity
from runner.watch.display import PlainDisplay

pytestmark = pytest.mark.docker


def _t(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def two_parallel_stages(seconds: int = 2) -> list[dict]:
    """left ∥ right, then join."""
    return [
        stage("left", f"sleep {seconds}; echo L > {{out}}/out.txt", depends_on=[]),
        stage("right", f"sleep {seconds}; echo R > {{out}}/out.txt", depends_on=[]),
        stage("join", "cat {stages.left.out} {stages.right.out} > {out}/out.txt", depends_on=["left", "right"]),
    ]


def test_independent_stages_overlap_and_the_manifest_stays_in_pipeline_order(project):
    project.write(two_parallel_stages())
    res = project.run("--cpus", "2")
    assert res.returncode == 0, res.stderr
    m = project.manifest()
    left, right = m["stages"]["left"], m["stages"]["right"]
    start = max(_t(left["started_at"]), _t(right["started_at"]))
    end = min(_t(left["ended_at"]), _t(right["ended_at"]))
    assert end - start > 1.0, "the two 2 s stages did not run at the same time"
    assert _t(m["stages"]["join"]["started_at"]) >= max(_t(left["ended_at"]), _t(right["ended_at"]))
    assert m["pipeline"]["completed_stages"] == ["left", "right", "join"]
    assert (project.workdir / "03_join" / "out.txt").read_text() == "L\nR\n"
    for name in ("left", "right"):  # resource accounting from the engine's stats
        attempt = m["stages"][name]["attempts"][-1]
        assert attempt["cpu_s"] is not None and attempt["peak_memory_bytes"] > 0


def test_one_core_runs_them_one_after_the_other(project):
    project.write(two_parallel_stages(1))
    assert project.run("--cpus", "1").returncode == 0
    m = project.manifest()
    first, second = sorted((m["stages"][n] for n in ("left", "right")), key=lambda e: e["started_at"])
    assert _t(second["started_at"]) >= _t(first["ended_at"]) - 0.05


def test_sigkill_while_two_stages_run_then_resume_loses_neither(project, docker_client):
    project.write(
        [
            stage("quick", "echo q > {out}/out.txt", depends_on=[]),
            stage("left", "sleep 4; echo L > {out}/out.txt", depends_on=["quick"]),
            stage("right", "sleep 4; echo R > {out}/out.txt", depends_on=["quick"]),
            stage("join", "cat {stages.left.out} {stages.right.out} > {out}/out.txt", depends_on=["left", "right"]),
        ]
    )
    proc = project.start("--cpus", "2")
    project.wait_for(lambda m: all(m["stages"][n]["status"] == "running" for n in ("left", "right")))
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    m = project.manifest()
    assert m["pipeline"]["next_stage"] == "left" and m["pipeline"]["completed_stages"] == ["quick"]
    res = project.run("--cpus", "2")
    assert res.returncode == 0, res.stderr
    assert labelled_containers(docker_client, project.workdir) == []
    m = project.manifest()
    assert [len(m["stages"][n]["attempts"]) for n in ("quick", "left", "right")] == [1, 2, 2]
    assert (project.workdir / "04_join" / "out.txt").read_text() == "L\nR\n"


def test_sigterm_while_two_stages_run_records_both_interrupted_and_leaves_no_container(project, docker_client):
    project.write(two_parallel_stages(30))
    proc = project.start("--cpus", "2")
    project.wait_for(lambda m: all(m["stages"][n]["attempts"] for n in ("left", "right")))
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    assert labelled_containers(docker_client, project.workdir) == []
    m = project.manifest()
    assert m["pipeline"]["status"] == "interrupted"
    assert [m["stages"][n]["status"] for n in ("left", "right")] == ["interrupted", "interrupted"]


def test_critical_failure_lets_the_running_sibling_finish_and_launches_nothing_new(project):
    project.write(
        [
            stage("slow", "sleep 3; echo s > {out}/out.txt", depends_on=[]),
            stage("broken", "exit 4", depends_on=[]),
            stage("after", "cat {stages.slow.out} > {out}/out.txt", depends_on=["slow", "broken"]),
        ]
    )
    res = project.run("--cpus", "2")
    assert res.returncode == 1 and "stage broken failed" in res.stderr
    m = project.manifest()
    assert m["stages"]["slow"]["status"] == "success"  # its work is kept for the resume
    assert m["stages"]["after"]["status"] == "pending" and m["pipeline"]["status"] == "failed"


def test_memory_limit_kill_is_recorded_as_oom(project):
    services = {"bb": {"image": TEST_IMAGE,
                       "deploy": {"resources": {"limits": {"memory": "20m"}}}}}
    project.write([stage("hungry", "dd if=/dev/zero of=/dev/null bs=64M count=1 && echo x > {out}/out.txt")],
                  services=services)
    res = project.run()
    assert res.returncode == 1
    entry = project.manifest()["stages"]["hungry"]
    assert entry["attempts"][-1]["reason"] == "oom"
    assert "out of memory" in entry["error"] and "limits.memory" in entry["error"]


def test_cpu_limit_from_compose_is_applied_to_the_container(project, docker_client):
    services = {"bb": {"image": TEST_IMAGE,
                       "deploy": {"resources": {"limits": {"cpus": "0.5", "memory": "64m"}}}}}
    project.write([stage("capped", "sleep 3; echo x > {out}/out.txt")], services=services)
    proc = project.start()
    project.wait_for(lambda m: m["stages"]["capped"]["attempts"])
    deadline = time.monotonic() + 10
    while not (found := labelled_containers(docker_client, project.workdir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    host = found[0].attrs["HostConfig"]
    assert host["NanoCpus"] == 500_000_000 and host["Memory"] == 64 * 2**20
    assert proc.wait(timeout=60) == 0


def write_movies(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        path = folder / name
        path.write_bytes((b"BROKEN" if "broken" in name else b"a fine movie ") * 200)
        paths.append(path)
    return paths


def library_cmd(project, *args: str) -> list[str]:
    return [*REELSTAGE, *args, "--config", str(project.config), "--out", str(project.root / "out")]


def checking_stages() -> list[dict]:
    return [
        stage("probe", "grep -q BROKEN {input} && { echo 'not a movie' >&2; exit 3; }; echo ok > {out}/out.txt",
              depends_on=[]),
        stage("work", "sleep 1; cat {stages.probe.out} > {out}/out.txt"),
    ]


def test_batch_runs_every_movie_and_one_broken_file_fails_alone(project):
    project.write(checking_stages())
    movies = write_movies(project.root / "lib", ["a.mp4", "b.mp4", "c broken.mp4", "d.mp4", "e.mkv"])
    res = subprocess.run(library_cmd(project, "batch", str(project.root / "lib"), "--jobs", "3", "--cpus", "2"),
                         capture_output=True, text=True, timeout=300, env=_env(), cwd=project.root)
    assert res.returncode == 1, res.stderr
    assert "c broken.mp4" in res.stderr and "4 of 5 movie(s) completed" in res.stdout
    out = project.root / "out"
    for movie in movies:
        state = json.loads((out / movie.stem / "manifest.json").read_text())["pipeline"]["status"]
        assert state == ("failed" if "broken" in movie.name else "completed")
    again = subprocess.run(library_cmd(project, "batch", *map(str, movies)), capture_output=True, text=True,
                           timeout=300, env=_env(), cwd=project.root)
    assert again.returncode == 1
    attempts = json.loads((out / "a" / "manifest.json").read_text())["stages"]["work"]["attempts"]
    assert len(attempts) == 1  # a rerun resumes: finished movies are not redone


def test_batch_bad_usage_exits_2(project):
    project.write(checking_stages())
    empty = project.root / "empty"
    empty.mkdir()
    res = subprocess.run(library_cmd(project, "batch", str(empty)), capture_output=True, text=True, timeout=60,
                         env=_env(), cwd=project.root)
    assert res.returncode == 2 and res.stderr.startswith("reelstage: no movies found")


def start_watcher(project, inbox: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(library_cmd(project, "watch", str(inbox), "--settle", "1.5", "--poll", "0.3", *extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=project.root)


def wait_manifest(path: Path, predicate, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = json.loads(path.read_text())
            if predicate(data):
                return data
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{path}: condition not reached")


def test_watch_waits_for_a_slow_copy_then_survives_its_own_sigkill(project, docker_client):
    project.write(
        [
            stage("measure", "wc -c < {input} > {out}/out.txt", depends_on=[]),
            stage("long", "sleep 6; cat {stages.measure.out} > {out}/out.txt"),
            stage("last", "cat {stages.long.out} > {out}/out.txt"),
        ]
    )
    inbox = project.root / "inbox"
    inbox.mkdir()
    watcher = start_watcher(project, inbox)
    try:
        movie = inbox / "slow copy.mp4"
        with open(movie, "wb") as fh:  # written over ~3 s, in pieces: never taken before it is whole
            for _ in range(6):
                fh.write(b"x" * 50_000)
                fh.flush()
                time.sleep(0.5)
        manifest = project.root / "out" / "slow copy" / "manifest.json"
        wait_manifest(manifest, lambda m: m["stages"]["long"]["status"] == "running")
        assert (project.root / "out" / "slow copy" / "01_measure" / "out.txt").read_text().strip() == "300000"
        watcher.send_signal(signal.SIGKILL)
        watcher.wait(timeout=10)
        watcher = start_watcher(project, inbox)
        data = wait_manifest(manifest, lambda m: m["pipeline"]["status"] == "completed")
        assert len(data["stages"]["measure"]["attempts"]) == 1  # finished stages are not redone
        assert len(data["stages"]["long"]["attempts"]) == 2
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 143
    finally:
        if watcher.poll() is None:
            watcher.kill()
    assert labelled_containers(docker_client, project.root / "out" / "slow copy") == []


def test_watch_sigterm_stops_running_stages_as_interrupted(project, docker_client):
    project.write([stage("long", "sleep 30; echo x > {out}/out.txt")])
    inbox = project.root / "inbox"
    write_movies(inbox, ["m.mp4"])
    watcher = start_watcher(project, inbox)
    manifest = project.root / "out" / "m" / "manifest.json"
    wait_manifest(manifest, lambda m: m["stages"]["long"]["attempts"])
    watcher.send_signal(signal.SIGTERM)
    assert watcher.wait(timeout=60) == 143
    data = json.loads(manifest.read_text())
    assert data["pipeline"]["status"] == "interrupted" and data["stages"]["long"]["status"] == "interrupted"
    assert labelled_containers(docker_client, project.root / "out" / "m") == []


def test_cancel_stops_a_movie_cleanly_and_a_rerun_resumes(project, docker_client):
    project.write([stage("first", "echo 1 > {out}/out.txt"), stage("long", "sleep 30; echo 2 > {out}/out.txt")])
    proc = project.start()
    project.wait_for(lambda m: m["stages"]["long"]["attempts"])
    res = project.cli("cancel", str(project.workdir))
    assert res.returncode == 0 and "cancel requested" in res.stdout
    assert proc.wait(timeout=60) == 1
    m = project.manifest()
    assert m["pipeline"]["status"] == "cancelled" and m["stages"]["long"]["status"] == "cancelled"
    assert labelled_containers(docker_client, project.workdir) == []
    project.write([stage("first", "echo 1 > {out}/out.txt"), stage("long", "echo 2 > {out}/out.txt")])
    assert project.run().returncode == 0
    m = project.manifest()
    assert len(m["stages"]["first"]["attempts"]) == 1 and m["pipeline"]["status"] == "completed"


def test_list_shows_running_stages_with_progress_and_stats_summarise(project):
    project.write(
        [
            stage("left", "for i in 1 2 3 4 5 6; do echo '{\"progress\": 0.'$i'}'; sleep 0.5; done; "
                          "echo L > {out}/out.txt", depends_on=[]),
            stage("right", "sleep 3; echo R > {out}/out.txt", depends_on=[]),
        ]
    )
    proc = project.start("--cpus", "2")
    project.wait_for(lambda m: (m["stages"]["left"].get("progress") or {}).get("fraction", 0) >= 0.2
                     and m["stages"]["right"]["status"] == "running")
    listed = json.loads(project.cli("list", str(project.root), "--json").stdout)
    run = next(r for r in listed if r["run"] == "work")
    assert {s["stage"] for s in run["current_stages"]} == {"left", "right"}
    assert any(s["fraction"] for s in run["current_stages"])
    assert proc.wait(timeout=60) == 0
    stats = json.loads(project.cli("stats", str(project.root), "--json").stdout)
    assert stats["movies"] == 1 and stats["stages"]["left"]["count"] == 1
    assert stats["stages"]["left"]["peak_memory_bytes"] > 0
    assert "left" in project.cli("stats", str(project.root)).stdout


def test_compose_resources_are_read(tmp_path):
    from runner.pipeline.compose import load_services

    (tmp_path / "compose.yaml").write_text(yaml.safe_dump({"services": {"a": {
        "image": "x", "deploy": {"resources": {"limits": {"cpus": "1.5", "memory": "2g"},
                                               "reservations": {"cpus": "0.5", "memory": "512m"}}}}}}))
    svc = load_services(tmp_path / "compose.yaml")["a"].resources
    assert (svc.cpu_limit, svc.memory_limit_bytes) == (1.5, 2 * 2**30)
    assert (svc.cpu_reservation, svc.memory_reservation_bytes) == (0.5, 512 * 2**20)


class CreateLateEngine(DockerEngine):
    """The real engine, held just before its create until the test lets it go: the window in which a stop
    used to miss a container (reaped before it existed, then left to run to its end)."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.release = threading.Event(), threading.Event()

    def run(self, spec, on_line):
        self.entered.set()
        self.release.wait(timeout=20)
        return super().run(spec, on_line)


def test_a_container_created_after_the_stop_is_reaped_too(project, docker_client):
    project.write([stage("long", "sleep 30; echo 2 > {out}/out.txt")])
    engine = CreateLateEngine()
    options = RunOptions(input=project.input, workdir=project.workdir, config=project.config, min_free_ratio=0)

    def cancel_inside_the_window() -> None:
        engine.entered.wait(timeout=30)
        (project.workdir / CANCEL_NAME).write_text("")
        time.sleep(1.5)  # the loop sees the cancel and reaps: nothing exists yet
        engine.release.set()

    threading.Thread(target=cancel_inside_the_window, daemon=True).start()
    started = time.monotonic()
    code, _error = run_one(options, engine, PlainDisplay(io.StringIO()), Capacity(cpus=2, memory_bytes=2**30))
    elapsed = time.monotonic() - started
    m = json.loads((project.workdir / "manifest.json").read_text())
    assert code == 1 and m["stages"]["long"]["status"] == "cancelled", m["stages"]["long"]
    assert elapsed < 15, f"the late container ran to its end: {elapsed:.1f} s"
    assert labelled_containers(docker_client, project.workdir) == []
