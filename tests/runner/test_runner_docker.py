"""The runner against a real Docker engine, with busybox stages."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import docker.errors
import pytest
from harness import TEST_IMAGE, build_busybox, labelled_containers, stage

pytestmark = pytest.mark.docker


def three_stages() -> list[dict]:
    return [
        stage("alpha", "echo alpha-{params.a} > {out}/out.txt"),
        stage("beta", "cat {stages.alpha.out} > {out}/out.txt; echo beta-{params.b} >> {out}/out.txt"),
        stage("gamma", "cat {stages.beta.out} > {out}/out.txt; echo gamma >> {out}/out.txt"),
    ]


def test_success_path_records_everything(project):
    project.write(
        [
            stage(
                "first",
                'echo \'{"progress": 0.5, "message": "half"}\'; echo \'{"note": "hello"}\';'
                ' echo \'{"info": {"engine": "sh"}}\'; echo one > {out}/out.txt',
                outputs={"out": {"path": "out.txt", "kind": "text", "publish": "{input_stem}.first.txt"}},
            ),
            stage("second", "cat {stages.first.out} {input} > {out}/out.txt"),
        ]
    )
    res = project.run()
    assert res.returncode == 0, res.stderr
    m = project.manifest()
    assert m["schema_version"] == 1
    assert m["pipeline"]["status"] == "completed"
    assert m["pipeline"]["completed_stages"] == ["first", "second"]
    assert m["pipeline"]["next_stage"] is None
    first = m["stages"]["first"]
    assert first["status"] == "success" and first["notes"] == ["hello"] and first["info"] == {"engine": "sh"}
    assert first["attempts"][0]["reason"] == "ok" and first["attempts"][0]["exit_code"] == 0
    assert first["image_id"].startswith("sha256:") and first["resume_key"].startswith("sha256:")
    assert first["outputs"]["out"]["path"] == "01_first/out.txt"
    assert (project.workdir / "01_first" / "out.txt").read_text() == "one\n"
    assert (project.workdir / "in put's movie.first.txt").read_text() == "one\n"
    # the input reached the container read-only, under its container path
    assert (project.workdir / "02_second" / "out.txt").read_text().startswith("one\nnot really a movie")
    assert "STAGE 1/2: first" in res.stdout and "STAGE 2/2: second" in res.stdout
    assert "half" in (project.workdir / "logs" / "first.log").read_text()
    events = [json.loads(line)["event"] for line in (project.workdir / "events.jsonl").read_text().splitlines()]
    assert events[0] == "pipeline.started" and events[-1] == "pipeline.completed"
    assert events.count("stage.completed") == 2
    assert not list((project.workdir / ".staging").glob("*"))


def test_critical_failure_finalizes_manifest_and_exits_1(project, docker_client):
    project.write(
        [*three_stages()[:1], stage("beta", "echo broken >&2; exit 7"), *three_stages()[2:]], params={"a": 1, "b": 1}
    )
    res = project.run()
    assert res.returncode == 1
    assert "stage beta failed" in res.stderr + res.stdout
    m = project.manifest()
    assert m["pipeline"]["status"] == "failed" and m["pipeline"]["exit_code"] == 1
    assert m["pipeline"]["completed_stages"] == ["alpha"] and m["pipeline"]["next_stage"] == "beta"
    assert m["stages"]["beta"]["status"] == "failed"
    assert m["stages"]["beta"]["attempts"][0]["reason"] == "exit_code"
    assert m["stages"]["beta"]["attempts"][0]["exit_code"] == 7
    assert m["stages"]["gamma"]["status"] == "pending"
    assert not (project.workdir / "02_beta").exists()
    assert labelled_containers(docker_client, project.workdir) == []


def test_optional_failure_is_skipped_and_pipeline_continues(project):
    project.write(
        [
            stage("alpha", "echo a > {out}/out.txt"),
            stage("maybe", "exit 3", critical=False),
            stage("omega", "echo o > {out}/out.txt", depends_on=["alpha"]),
        ]
    )
    res = project.run()
    assert res.returncode == 0, res.stderr
    m = project.manifest()
    assert m["stages"]["maybe"]["status"] == "skipped"
    assert any("optional stage failed" in n for n in m["stages"]["maybe"]["notes"])
    assert m["stages"]["omega"]["status"] == "success"
    assert m["pipeline"]["completed_stages"] == ["alpha", "maybe", "omega"]


def test_stage_requested_skip_is_recorded_with_its_note(project):
    project.write(
        [
            stage("alpha", "echo a > {out}/out.txt"),
            stage("token", 'echo \'{"skip": "HF token not found"}\'', critical=False),
        ]
    )
    assert project.run().returncode == 0
    m = project.manifest()
    assert m["stages"]["token"]["status"] == "skipped"
    assert m["stages"]["token"]["notes"] == ["HF token not found"]
    again = project.run()
    assert "token - skip" in again.stdout


def test_timeout_stops_and_removes_the_container(project, docker_client):
    project.write([stage("slow", "trap '' TERM; sleep 60; echo x > {out}/out.txt", timeout=2, grace=1)])
    started = time.monotonic()
    res = project.run()
    elapsed = time.monotonic() - started
    assert res.returncode == 1
    m = project.manifest()
    attempt = m["stages"]["slow"]["attempts"][0]
    assert attempt["reason"] == "timeout"
    assert "timed out after 2 s" in m["stages"]["slow"]["error"]
    assert elapsed < 2 + 1 + 10, elapsed
    assert labelled_containers(docker_client, project.workdir) == []


@pytest.mark.parametrize(
    "script,problem",
    [
        ("true", "out.txt is missing"),
        ("touch {out}/out.txt", "out.txt is empty"),
        ("echo '{{not json' > {out}/out.txt", "not valid JSON"),
    ],
)
def test_bad_output_is_verify_failed_and_never_promoted(project, script, problem):
    project.write([stage("produce", script, outputs={"out": {"path": "out.txt", "kind": "json"}})])
    res = project.run()
    assert res.returncode == 1
    st = project.manifest()["stages"]["produce"]
    assert st["attempts"][0]["reason"] == "verify_failed"
    assert problem in st["error"]
    assert not (project.workdir / "01_produce").exists()


def test_rerun_after_failure_skips_completed_stages(project):
    project.write(
        [
            stage("alpha", "echo a > {out}/out.txt"),
            stage("beta", "test {params.ok} = yes || exit 1; echo b > {out}/out.txt"),
        ],
        params={"ok": "no"},
    )
    assert project.run().returncode == 1
    alpha_mtime = (project.workdir / "01_alpha" / "out.txt").stat().st_mtime_ns
    res = project.run("--set", "ok=yes")
    assert res.returncode == 0, res.stderr
    assert "alpha - skip (up to date)" in res.stdout
    m = project.manifest()
    assert len(m["stages"]["alpha"]["attempts"]) == 1
    assert len(m["stages"]["beta"]["attempts"]) == 2
    assert (project.workdir / "01_alpha" / "out.txt").stat().st_mtime_ns == alpha_mtime
    assert len(m["pipeline"]["runs"]) == 2


def test_sigkill_mid_stage_then_rerun_reaps_orphan_and_redoes_stage(project, docker_client, tmp_path):
    stages = [
        stage("alpha", "echo a > {out}/out.txt"),
        stage("beta", "sleep 3; cat {stages.alpha.out} > {out}/out.txt; echo b >> {out}/out.txt"),
    ]
    project.write(stages)
    proc = project.start()
    project.wait_for(lambda m: m["stages"]["beta"]["status"] == "running" and m["stages"]["beta"]["attempts"])
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert len(labelled_containers(docker_client, project.workdir)) == 1  # the orphan outlived its runner
    # the stale lock of the dead runner does not block, the orphan is reaped, the stage is redone
    res = project.run()
    assert res.returncode == 0, res.stderr
    assert "removed 1 container(s) left by an earlier run" in res.stdout
    assert labelled_containers(docker_client, project.workdir) == []
    m = project.manifest()
    assert m["stages"]["beta"]["status"] == "success"
    assert len(m["stages"]["alpha"]["attempts"]) == 1
    killed_output = (project.workdir / "02_beta" / "out.txt").read_bytes()
    # final outputs identical to an uninterrupted run
    fresh = project.run("--reset", "--workdir", str(tmp_path / "fresh"))
    assert fresh.returncode == 0
    assert (tmp_path / "fresh" / "02_beta" / "out.txt").read_bytes() == killed_output


def test_second_concurrent_run_exits_3_naming_the_holder(project):
    project.write([stage("slow", "sleep 4; echo x > {out}/out.txt")])
    first = project.start()
    project.wait_for(lambda m: m["stages"]["slow"]["status"] == "running")
    second = project.run()
    assert second.returncode == 3
    assert f"pid {first.pid}" in second.stderr and "is in use by" in second.stderr
    assert first.wait(timeout=60) == 0


def test_changed_parameter_reruns_that_stage_and_downstream_only(project):
    project.write(three_stages(), params={"a": 1, "b": 1})
    assert project.run().returncode == 0
    plan = project.cli(
        "plan", str(project.input), "--config", str(project.config), "--workdir", str(project.workdir), "--set", "b=2"
    )
    assert plan.returncode == 0, plan.stderr
    lines = {line.split()[1]: line for line in plan.stdout.splitlines()}
    assert " skip " in lines["alpha"] and " run " in lines["beta"] and " run " in lines["gamma"]
    assert "command or parameters changed" in lines["beta"] and "upstream beta reruns" in lines["gamma"]
    res = project.run("--set", "b=2")
    assert res.returncode == 0
    m = project.manifest()
    assert [len(m["stages"][s]["attempts"]) for s in ("alpha", "beta", "gamma")] == [1, 2, 2]
    assert (project.workdir / "03_gamma" / "out.txt").read_text() == "alpha-1\nbeta-2\ngamma\n"


def test_rebuilt_image_reruns_its_stage_and_downstream_only(project, docker_client, tmp_path):
    tag = "reelstage-test/busybox-variant:latest"
    build_busybox(docker_client, tag, tmp_path / "ctx1", variant="1")
    project.write(
        [
            stage("alpha", "echo a > {out}/out.txt"),
            {**stage("beta", "cat {stages.alpha.out} > {out}/out.txt"), "service": "variant"},
            stage("gamma", "cat {stages.beta.out} > {out}/out.txt"),
        ],
        services={"bb": {"image": TEST_IMAGE}, "variant": {"image": tag}},
    )
    assert project.run().returncode == 0
    build_busybox(docker_client, tag, tmp_path / "ctx2", variant="2")
    res = project.run()
    assert res.returncode == 0
    assert "beta - run (image rebuilt)" in res.stdout
    m = project.manifest()
    assert [len(m["stages"][s]["attempts"]) for s in ("alpha", "beta", "gamma")] == [1, 2, 2]


def test_modified_output_is_detected_and_redone(project):
    project.write([stage("alpha", "echo a > {out}/out.txt")])
    assert project.run().returncode == 0
    out = project.workdir / "01_alpha" / "out.txt"
    os.utime(out, ns=(out.stat().st_atime_ns, out.stat().st_mtime_ns + 10_000_000_000))
    assert "alpha - skip" in project.run().stdout  # touched but same content: hash says still valid
    out.write_text("tampered\n")
    res = project.run()
    assert "was modified" in res.stdout and out.read_text() == "a\n"


def test_truncated_manifest_gives_clear_error_and_reset_recovers(project):
    project.write([stage("alpha", "echo a > {out}/out.txt")])
    assert project.run().returncode == 0
    path = project.workdir / "manifest.json"
    path.write_text(path.read_text()[:200])
    res = project.run()
    assert res.returncode == 2
    assert "manifest.json is corrupt" in res.stderr and "--reset" in res.stderr
    assert "Traceback" not in res.stderr
    status = project.cli("status", str(project.workdir))
    assert status.returncode == 2 and "--reset" in status.stderr
    res = project.run("--reset")
    assert res.returncode == 0
    assert list(project.workdir.glob("manifest.json.corrupt-*"))


def test_container_runs_as_invoking_user_without_network_input_read_only(project, docker_client):
    project.write(
        [
            stage(
                "inspect",
                "id -u > {out}/uid.txt; id -g > {out}/gid.txt; ls /sys/class/net > {out}/net.txt;"
                " (echo x >> {input} && echo writable || echo read-only) > {out}/input.txt;"
                " (touch /work/x && echo writable || echo read-only) > {out}/work.txt;"
                " sleep 5; echo ok > {out}/out.txt",
            )
        ]
    )
    proc = project.start()
    project.wait_for(lambda m: m["stages"]["inspect"]["status"] == "running")
    deadline = time.monotonic() + 20
    attrs = None
    while attrs is None and time.monotonic() < deadline:
        try:  # listed, then inspected: on a loaded host it may still be starting
            found = labelled_containers(docker_client, project.workdir)
            attrs = found[0].attrs if found else None
        except docker.errors.NotFound:
            attrs = None
    assert attrs is not None, "the stage's container was never seen running"
    assert proc.wait(timeout=60) == 0
    assert attrs["Config"]["User"] == f"{os.getuid()}:{os.getgid()}"
    assert attrs["HostConfig"]["NetworkMode"] == "none"
    assert attrs["HostConfig"]["Init"] is True
    mounts = {m["Destination"]: m for m in attrs["Mounts"]}
    assert mounts["/input/source.mp4"]["RW"] is False
    assert mounts["/work"]["RW"] is False and mounts["/out"]["RW"] is True
    out = project.workdir / "01_inspect"
    assert (out / "uid.txt").read_text().strip() == str(os.getuid())
    assert (out / "gid.txt").read_text().strip() == str(os.getgid())
    assert (out / "net.txt").read_text().split() == ["lo"]
    assert (out / "input.txt").read_text().strip().endswith("read-only")
    assert (out / "work.txt").read_text().strip().endswith("read-only")


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_container_records_interrupted(project, docker_client, sig, code):
    project.write([stage("slow", "sleep 30; echo x > {out}/out.txt", grace=2)])
    proc = project.start()
    project.wait_for(lambda m: m["stages"]["slow"]["status"] == "running" and m["stages"]["slow"]["attempts"])
    time.sleep(0.5)
    started = time.monotonic()
    proc.send_signal(sig)
    assert proc.wait(timeout=30) == code
    assert time.monotonic() - started < 2 + 8
    m = project.manifest()
    assert m["pipeline"]["status"] == "interrupted" and m["pipeline"]["next_stage"] == "slow"
    assert m["stages"]["slow"]["attempts"][-1]["reason"] == "interrupted"
    assert m["stages"]["slow"]["status"] == "interrupted"
    assert labelled_containers(docker_client, project.workdir) == []
    events = [json.loads(x)["event"] for x in (project.workdir / "events.jsonl").read_text().splitlines()]
    assert events[-1] == "pipeline.interrupted"


def test_stage_bad_input_exit_2_is_passed_through(project):
    project.write([stage("demux", 'echo \'{"error": "no audio stream in input: give a file with sound"}\'; exit 2')])
    res = project.run()
    assert res.returncode == 2
    assert "no audio stream in input: give a file with sound" in res.stderr + res.stdout


def test_gpu_required_without_gpu_fails_before_start_and_optional_notes_cpu(project, docker_client):
    gpu = {
        "image": TEST_IMAGE,
        "deploy": {
            "resources": {"reservations": {"devices": [{"driver": "nvidia", "count": "all", "capabilities": ["gpu"]}]}}
        },
    }
    project.write([{**stage("g", "echo x > {out}/out.txt", gpu="required"), "service": "gpu"}], services={"gpu": gpu})
    res = project.run()
    assert res.returncode == 2 and "requires a GPU" in res.stderr
    assert not (project.workdir / "manifest.json").exists() or project.manifest()["stages"].get("g", {}).get(
        "attempts"
    ) in (None, [])
    project.write([{**stage("g", "echo x > {out}/out.txt", gpu="optional"), "service": "gpu"}], services={"gpu": gpu})
    res = project.run()
    assert res.returncode == 0, res.stderr
    assert "ran on CPU: no GPU runtime on this host" in project.manifest()["stages"]["g"]["notes"]


def test_missing_input_is_a_clear_usage_error(project):
    project.write([stage("alpha", "echo a > {out}/out.txt")])
    project.input.unlink()
    res = project.run()
    assert res.returncode == 2
    assert res.stderr.strip().startswith("reelstage: input not found:")


def test_status_json_while_running_and_clean(project):
    project.write([stage("slow", 'echo \'{"progress": 0.25, "message": "quarter"}\'; sleep 4; echo x > {out}/out.txt')])
    proc = project.start()
    project.wait_for(lambda m: (m["stages"]["slow"].get("progress") or {}).get("fraction") == 0.25)
    res = project.cli("status", str(project.workdir), "--json")
    info = json.loads(res.stdout)
    assert info["alive"] is True and info["holder"]["pid"] == proc.pid
    assert info["current"]["stage"] == "slow" and info["current"]["fraction"] == 0.25
    assert proc.wait(timeout=60) == 0
    info = json.loads(project.cli("status", str(project.workdir), "--json").stdout)
    assert info["state"] == "completed" and info["alive"] is False
    assert project.cli("clean", str(project.workdir)).returncode == 0


def test_dead_runner_is_reported_by_status(project):
    project.write([stage("slow", "sleep 20; echo x > {out}/out.txt")])
    proc = project.start()
    project.wait_for(lambda m: m["stages"]["slow"]["status"] == "running")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    info = json.loads(project.cli("status", str(project.workdir), "--json").stdout)
    assert info["state"] == "dead" and "rerun" in info["advice"]
    project.cli("clean", str(project.workdir))


def test_secrets_never_reach_manifest_or_logs(project):
    secret = "s3cr3t-value-123"
    project.write(
        [stage("tok", "echo token is $HF_TOKEN; echo x > {out}/out.txt")],
        services={"bb": {"image": TEST_IMAGE, "environment": {"HF_TOKEN": "${HF_TOKEN:-}"}}},
    )
    env_before = os.environ.get("HF_TOKEN")
    os.environ["HF_TOKEN"] = secret
    try:
        res = project.run()
    finally:
        if env_before is None:
            os.environ.pop("HF_TOKEN")
        else:
            os.environ["HF_TOKEN"] = env_before
    assert res.returncode == 0, res.stderr
    everything = "".join(
        p.read_text(errors="replace")
        for p in Path(project.workdir).rglob("*")
        if p.is_file() and p.suffix in (".json", ".jsonl", ".log", ".html")
    )
    assert "token is ***" in (project.workdir / "logs" / "tok.log").read_text()
    assert secret not in everything + res.stdout + res.stderr


def test_events_in_order_with_progress_and_report_written_even_on_failure(project):
    project.write(
        [
            stage("alpha", 'for i in 1 2 3 4; do echo "{\\"progress\\": 0.$i}"; done; echo a > {out}/out.txt'),
            stage("maybe", 'echo \'{"skip": "nothing to do"}\'', critical=False),
            stage("omega", "exit 4"),
        ]
    )
    assert project.run().returncode == 1
    events = [json.loads(x) for x in (project.workdir / "events.jsonl").read_text().splitlines()]
    names = [(e["event"], e.get("stage")) for e in events]
    assert names[0] == ("pipeline.started", None)
    assert names[1] == ("stage.started", "alpha")
    assert ("stage.progress", "alpha") in names
    assert names.index(("stage.completed", "alpha")) < names.index(("stage.started", "maybe"))
    assert ("stage.skipped", "maybe") in names
    assert names[-2:] == [("stage.failed", "omega"), ("pipeline.failed", None)]
    assert all(e["run_id"] == events[0]["run_id"] and e["ts"] for e in events)
    report = (project.workdir / "report.html").read_text()  # written whatever the outcome
    assert "omega" in report and "exited with code 4" in report


def test_notify_url_receives_pipeline_events_and_a_dead_url_never_fails_the_run(project):
    import http.server
    import threading

    received: list[dict] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        project.write([stage("alpha", "echo a > {out}/out.txt")])
        res = project.run("--notify-url", f"http://127.0.0.1:{server.server_address[1]}/hook")
        assert res.returncode == 0, res.stderr
        assert [e["event"] for e in received] == ["pipeline.started", "pipeline.completed"]
    finally:
        server.shutdown()
    started = time.monotonic()
    res = project.run("--force", "alpha", "--notify-url", "http://127.0.0.1:9/unreachable")
    assert res.returncode == 0 and time.monotonic() - started < 30
