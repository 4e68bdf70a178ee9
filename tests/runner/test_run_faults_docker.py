"""Hostile conditions during a run (real Docker): the disk fills, the work folder goes, the input changes."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from harness import labelled_containers, stage

pytestmark = pytest.mark.docker


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 96 MiB tmpfs (the tests run as root, like CI)."""
    mount = tmp_path / "small"
    mount.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(mount)], capture_output=True)
    if res.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def no_traceback(res: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout, res.stderr


def test_disk_filling_during_a_stage_is_one_line_exit_2_and_a_rerun_resumes(project, small_disk, docker_client):
    fill = "dd if=/dev/zero of={out}/fill bs=1M count=200 2>/dev/null; echo x > {out}/out.txt"
    project.write([stage("first", "echo 1 > {out}/out.txt"), stage("filler", fill)])
    workdir = small_disk / "work"
    res = project.run("--workdir", str(workdir))
    no_traceback(res)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "filled up during stage filler" in lines[0] and str(workdir) in lines[0]
    assert "MiB" in lines[0] and "free at least" in lines[0]


    manifest = json.loads((workdir / "manifest.json").read_text())
    assert manifest["pipeline"]["status"] == "failed" and "filled up" in manifest["pipeline"]["error"]
    assert manifest["stages"]["filler"]["attempts"][-1]["reason"] == "disk_full"
    assert labelled_containers(docker_client, workdir) == []
    # room again (a stage that needs less), and the rerun keeps the finished stage
    project.write([stage("first", "echo 1 > {out}/out.txt"), stage("filler", "echo small > {out}/out.txt")])
    again = project.run("--workdir", str(workdir))
    assert again.returncode == 0, again.stderr
    manifest = json.loads((workdir / "manifest.json").read_text())
    assert len(manifest["stages"]["first"]["attempts"]) == 1


def test_a_stage_that_would_not_fit_the_free_disk_is_refused_before_it_starts(project, small_disk):
    project.write([stage("first", "echo 1 > {out}/out.txt"), stage("big", "echo 2 > {out}/out.txt", disk="1g")])
    res = project.run("--workdir", str(small_disk / "work"))
    no_traceback(res)
    assert res.returncode == 2 and "not enough free space" in res.stderr and "for stage big" in res.stderr


@pytest.mark.parametrize("how", ["removed", "replaced"])
def test_work_folder_removed_or_replaced_while_running_stops_with_one_line(project, docker_client, how):
    project.write([stage("first", "echo 1 > {out}/out.txt"), stage("slow", "sleep 3; echo 2 > {out}/out.txt"),
                   stage("last", "cat {stages.slow.out} > {out}/out.txt")])
    proc = project.start()
    project.wait_for(lambda m: m["stages"]["slow"]["status"] == "running")
    shutil.rmtree(project.workdir)
    if how == "replaced":
        project.workdir.mkdir()
        (project.workdir / "keep.txt").write_text("the user's new folder\n")
    _out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    assert proc.returncode == 2
    assert err.strip().splitlines()[-1].startswith("reelstage: the work folder") and how in err
    if how == "replaced":  # the new folder is left alone
        assert sorted(p.name for p in project.workdir.iterdir() if not p.name.startswith(".")) == ["keep.txt"]
    time.sleep(0.5)
    assert labelled_containers(docker_client, project.workdir) == []


def test_input_replaced_while_running_stops_and_the_rerun_starts_over_from_the_first_reader(project):
    project.write(
        [
            stage("read", "md5sum < {input} > {out}/out.txt"),
            stage("slow", "sleep 3; echo s > {out}/out.txt"),
            stage("publish", "cat {stages.read.out} {input} > {out}/out.txt"),
        ]
    )
    proc = project.start()
    project.wait_for(lambda m: m["stages"]["slow"]["status"] == "running")
    project.input.write_bytes(b"a different movie, same path\n" * 50)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "changed while running" in err and "Traceback" not in err
    m = project.manifest()
    assert m["stages"]["publish"]["status"] == "pending"  # never muxed the new audio under the old subtitles
    again = project.run()
    assert again.returncode == 0, again.stderr
    m = project.manifest()
    assert len(m["stages"]["read"]["attempts"]) == 2  # redone: it read the old movie
    published = (project.workdir / "03_publish" / "out.txt").read_text()
    assert "a different movie" in published


def test_input_replaced_during_the_stage_that_reads_it_is_never_promoted(project):
    project.write([stage("reader", "sleep 3; cat {input} > {out}/out.txt")])
    proc = project.start()
    project.wait_for(lambda m: m["stages"]["reader"]["status"] == "running")
    project.input.write_bytes(b"replaced mid-stage\n" * 50)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "changed while running" in err
    m = project.manifest()
    assert m["stages"]["reader"]["attempts"][-1]["reason"] == "input_changed"
    assert not (project.workdir / "01_reader").exists()
