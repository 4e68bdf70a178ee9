"""GPU stages on a host told it has GPUs 0 and 1 get one distinct device each (no GPU needed).

A private dockerd finds a stand-in `nvidia-container-runtime-hook` on its PATH, so it registers its
NVIDIA device driver as it would on a GPU host: containers get the DeviceRequest we send, the driver
turns its device ids into NVIDIA_VISIBLE_DEVICES, and the stand-in hook lets them start. What is under
test is ours: the scheduler's device ids reaching the engine, never one GPU for two stages.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time

import pytest
from engine_daemon import running_dockerd
from harness import TEST_IMAGE, _env, stage

pytestmark = pytest.mark.docker

# stand-in for the NVIDIA prestart hook: reads the OCI state, changes nothing
HOOK = "#!/bin/sh\ncat >/dev/null\nexit 0\n"


@pytest.fixture(scope="module")
def gpu_dockerd(tmp_path_factory: pytest.TempPathFactory, busybox_image: str):
    bin_dir = tmp_path_factory.mktemp("fake-nvidia")
    hook = bin_dir / "nvidia-container-runtime-hook"
    hook.write_text(HOOK)
    hook.chmod(0o755)
    with running_dockerd(tmp_path_factory.mktemp("gpu-dockerd"), path_prepend=[bin_dir]) as daemon:
        yield daemon


def test_two_gpu_stages_get_distinct_device_ids(project, gpu_dockerd):
    gpu = {"resources": {"reservations": {"devices": [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]}}}
    services = {"bb": {"image": TEST_IMAGE, "deploy": gpu}}
    script = "sleep 3; echo $NVIDIA_VISIBLE_DEVICES > {out}/out.txt"
    project.write([stage("one", script, depends_on=[], gpu="required"),
                   stage("two", script, depends_on=[], gpu="required")], services=services)
    env = {**_env(), **gpu_dockerd.env()}
    seen: dict[str, list] = {}
    client = gpu_dockerd.client()
    done = threading.Event()

    def inspect_live() -> None:  # the DeviceRequest of each container while it runs
        while not done.is_set():
            for c in client.containers.list(ignore_removed=True,
                                            filters={"label": f"io.reelstage.workdir={project.workdir.resolve()}"}):
                seen[c.labels["io.reelstage.stage"]] = c.attrs["HostConfig"]["DeviceRequests"]
            time.sleep(0.2)

    watcher = threading.Thread(target=inspect_live, daemon=True)
    watcher.start()
    try:
        res = subprocess.run(project.args("--gpus", "0,1", "--cpus", "2"), capture_output=True, text=True,
                             timeout=120, cwd=project.root, env=env)
    finally:
        done.set()
        watcher.join(timeout=5)
    assert res.returncode == 0, res.stderr
    assert sorted(seen) == ["one", "two"]
    ids = [seen[n][0]["DeviceIDs"] for n in ("one", "two")]
    assert sorted(map(tuple, ids)) == [("0",), ("1",)] and all(seen[n][0]["Driver"] == "nvidia" for n in seen)
    m = json.loads((project.workdir / "manifest.json").read_text())
    assert sorted(m["stages"][n]["attempts"][-1]["gpus"][0] for n in ("one", "two")) == ["0", "1"]
    visible = sorted((project.workdir / d / "out.txt").read_text().strip() for d in ("01_one", "02_two"))
    assert visible == ["0", "1"]
    start = max(m["stages"][n]["started_at"] for n in ("one", "two"))
    end = min(m["stages"][n]["ended_at"] for n in ("one", "two"))
    assert start < end  # they ran at the same time, each on its own GPU


def test_one_gpu_means_gpu_stages_take_turns(project, gpu_dockerd):
    gpu = {"resources": {"reservations": {"devices": [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]}}}
    script = "sleep 2; echo $NVIDIA_VISIBLE_DEVICES > {out}/out.txt"
    project.write([stage("one", script, depends_on=[], gpu="required"),
                   stage("two", script, depends_on=[], gpu="required")],
                  services={"bb": {"image": TEST_IMAGE, "deploy": gpu}})
    res = subprocess.run(project.args("--gpus", "0", "--cpus", "2"), capture_output=True, text=True, timeout=120,
                         cwd=project.root, env={**_env(), **gpu_dockerd.env()})
    assert res.returncode == 0, res.stderr
    m = json.loads((project.workdir / "manifest.json").read_text())
    first, second = sorted((m["stages"][n] for n in ("one", "two")), key=lambda e: e["started_at"])
    assert second["started_at"] >= first["ended_at"]
    assert {(project.workdir / d / "out.txt").read_text().strip() for d in ("01_one", "02_two")} == {"0"}


