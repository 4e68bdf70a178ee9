"""Stage containers run with least privilege: no capabilities, no privilege gain, a bounded pid count.

Through the real CLI and engine: the live container's HostConfig is inspected, and stages try what
capabilities would allow (chown, a raw-socket ping, forking past the pid cap). A compose service's
`cap_add`, `security_opt` and `pids_limit` are honoured.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid

import docker.errors
import pytest
from harness import TEST_IMAGE, labelled_containers, stage

from runner.engine import ContainerSpec, Mount
from runner.engine.base import DEFAULT_PIDS_LIMIT
from runner.engine.docker_engine import DockerEngine

pytestmark = pytest.mark.docker

TRY_PRIVILEGED = (
    "touch /out/f; (chown 1:1 /out/f && echo chown-ok || echo chown-denied) > /out/chown.txt;"
    " (ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1 && echo ping-ok || echo ping-denied) > /out/ping.txt;"
    " grep -E '^(CapEff|NoNewPrivs)' /proc/self/status > /out/status.txt;"
    " sleep 2; echo ok > /out/out.txt"
)


def live_attrs(project, docker_client) -> tuple[dict, int]:
    proc = project.start()
    deadline = time.monotonic() + 30
    attrs = None
    while attrs is None and time.monotonic() < deadline:
        try:  # a container can go between listing and inspecting it: look again
            found = labelled_containers(docker_client, project.workdir)
            attrs = found[0].attrs if found else None
        except docker.errors.NotFound:
            pass
        time.sleep(0.05)
    assert attrs, "the stage container never appeared"
    code = proc.wait(timeout=60)
    attempts = [a["reason"] for a in project.manifest()["stages"]["probe"]["attempts"]]
    assert attempts == ["ok"], attempts
    return attrs, code


def read(project, name: str) -> str:
    return (project.workdir / "01_probe" / name).read_text().strip()


def test_default_stage_has_no_capabilities_no_new_privileges_and_a_pid_cap(project, docker_client):
    project.write([stage("probe", TRY_PRIVILEGED)])
    attrs, code = live_attrs(project, docker_client)
    assert code == 0
    host = attrs["HostConfig"]
    assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert host["PidsLimit"] == DEFAULT_PIDS_LIMIT
    # the runner's uid here is root (uid 0): only the dropped capabilities stop it
    assert read(project, "chown.txt") == "chown-denied"
    assert read(project, "ping.txt") == "ping-denied"
    status = dict(line.split(":\t") for line in read(project, "status.txt").splitlines())
    assert int(status["CapEff"], 16) == 0 and status["NoNewPrivs"] == "1"


def test_compose_cap_add_security_opt_and_pids_limit_are_honoured(project, docker_client):
    services = {
        "bb": {
            "image": TEST_IMAGE,
            "cap_add": ["CHOWN", "NET_RAW"],
            "security_opt": ["no-new-privileges:false"],
            "pids_limit": 20,
        }
    }
    project.write([stage("probe", TRY_PRIVILEGED)], services=services)
    attrs, code = live_attrs(project, docker_client)
    assert code == 0
    host = attrs["HostConfig"]
    assert host["CapDrop"] == ["ALL"] and sorted(host["CapAdd"]) == ["CHOWN", "NET_RAW"]
    assert "no-new-privileges:true" not in host["SecurityOpt"]
    assert host["PidsLimit"] == 20
    assert read(project, "chown.txt") == "chown-ok"


def test_forking_past_the_pid_cap_fails_inside_the_container(project, docker_client):
    services = {"bb": {"image": TEST_IMAGE, "pids_limit": 10}}
    script = "(for i in $(seq 30); do sleep 5 & done) 2> /out/fork.txt; echo ok > /out/out.txt"
    project.write([stage("probe", script)], services=services)
    res = project.run()
    assert res.returncode == 0, res.stderr
    assert "can't fork" in read(project, "fork.txt")


@pytest.mark.images
def test_a_real_stage_image_works_under_the_least_privilege_defaults(docker_client, tmp_path):
    """ffmpeg and Python in reelstage/demux run with no capabilities, no privilege gain, pids capped."""
    image = f"reelstage/demux:{os.environ.get('REELSTAGE_TAG', 'latest')}"
    try:
        docker_client.images.get(image)
    except docker.errors.ImageNotFound:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"image {image} not built (make images)")
    clip = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=2",
         "-f", "lavfi", "-i", "sine=f=440:d=2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-metadata:s:a:0", "language=eng", "-shortest", str(clip)],
        check=True,
    )  # fmt: skip
    out = tmp_path / "out"
    out.mkdir()
    name = f"reelstage-lp-{uuid.uuid4().hex[:8]}"
    spec = ContainerSpec(
        image=image,
        command=("--input", "/input/source.mp4", "--out", "/out", "--language", "en"),
        mounts=(Mount(str(clip), "/input/source.mp4", True), Mount(str(out), "/out", False)),
        env={"HOME": "/tmp"},
        user=f"{os.getuid()}:{os.getgid()}",
        name=name,
    )
    seen: dict = {}

    def watch() -> None:
        deadline = time.monotonic() + 60
        while not seen and time.monotonic() < deadline:
            try:
                seen.update(docker_client.containers.get(name).attrs["HostConfig"])
            except docker.errors.NotFound:
                time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    lines: list[str] = []
    result = DockerEngine(docker_client).run(spec, lines.append)
    watcher.join()
    assert result.reason == "ok", lines[-20:]
    assert seen["CapDrop"] == ["ALL"] and "no-new-privileges:true" in seen["SecurityOpt"]
    assert seen["PidsLimit"] == DEFAULT_PIDS_LIMIT
    assert (out / "audio.wav").stat().st_size > 16000 and (out / "media.json").is_file()
