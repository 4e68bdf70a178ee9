"""Bad parameters, files and disks: refused before anything runs (real CLI, real Docker; issue 10)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from harness import Project, one_clear_line, stage

TYPED_PARAMS = {
    "max_cps": {"default": 20, "type": "number", "min": 5, "max": 40},
    "language": {"default": "en", "type": "language", "choices": ["en", "fr", "de"]},
    "plain": "as before",
}
BAD_REQUESTS = {
    "language=zz": (["--set", "language=zz"], ["language", "en, fr, de"]),
    "max_cps=-1": (["--set", "max_cps=-1"], ["max_cps", "5 to 40"]),
    "max_cps=fast": (["--set", "max_cps=fast"], ["max_cps", "not a number", "5 to 40"]),
    "unknown key": (["--set", "nope=1"], ["nope", "max_cps, language, plain"]),
    "missing --file": (["--file", "glossary=/nonexistent/glossary.txt"], ["glossary", "does not exist"]),
    "unknown stage": (["--from", "omega"], ["omega", "alpha"]),
}


def test_bad_parameters_exit_2_before_anything_runs_and_leave_a_good_run_untouched(project: Project):
    project.write(
        [stage("alpha", "echo {params.max_cps} {params.language} {params.plain} > {out}/out.txt")],
        params=TYPED_PARAMS,
        files={"glossary": "glossary.txt"},
    )
    assert project.run().returncode == 0
    assert (project.workdir / "01_alpha" / "out.txt").read_text() == "20 en as before\n"
    before = {p: p.read_bytes() for p in project.workdir.rglob("*") if p.is_file()}
    for case, (args, expected) in BAD_REQUESTS.items():
        res = project.run(*args)
        line = one_clear_line(res)
        assert res.returncode == 2, (case, res.stderr)
        for text in expected:
            assert text in line, (case, text, line)
        after = {p: p.read_bytes() for p in project.workdir.rglob("*") if p.is_file()}
        assert after == before, case  # not even the lock's holder file was rewritten
    assert project.manifest()["pipeline"]["status"] == "completed"


def test_good_typed_parameters_reach_the_command(project: Project):
    project.write([stage("alpha", "echo {params.max_cps} {params.language} > {out}/out.txt")], params=TYPED_PARAMS)
    res = project.run("--set", "max_cps=17", "--set", "language=fr")
    assert res.returncode == 0, res.stderr
    assert (project.workdir / "01_alpha" / "out.txt").read_text() == "17 fr\n"


def test_stage_error_names_the_users_file_not_the_containers(project: Project):
    project.write(
        [
            stage(
                "alpha",
                'test -r {input} && echo \'{"error": "not a media file: source.mp4 (ffprobe /input/source.mp4)"}\';'
                " exit 2",
            )
        ]
    )
    res = project.run()
    assert res.returncode == 2 and "Traceback" not in res.stderr
    line = res.stderr.strip().splitlines()[-1]
    assert f"not a media file: {project.input.name} (ffprobe {project.input})" in line, line
    assert "source.mp4" not in line
    error = project.manifest()["stages"]["alpha"]["error"]
    assert "source.mp4" not in error and project.input.name in error


@pytest.fixture
def full_disk(tmp_path: Path):
    """A 256 KiB tmpfs, filled to the last byte (needs root, as `make test` in CI has)."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        (mnt / "work").mkdir()
        try:
            with open(mnt / "filler", "wb") as fh:
                while True:
                    fh.write(b"\0" * 4096)
                    fh.flush()
        except OSError:  # ENOSPC: full
            pass
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_gives_the_space_message_before_the_lock_file_is_written(project: Project, full_disk: Path):
    project.write([stage("alpha", "echo a > {out}/out.txt")])
    workdir = full_disk / "work"
    res = project.cli(
        "run",
        str(project.input),
        "--config",
        str(project.config),
        "--workdir",
        str(workdir),
        "--min-free-ratio",
        "2",
    )
    line = one_clear_line(res)
    assert res.returncode == 2 and "free" in line and str(workdir) in line, line
    assert list(workdir.iterdir()) == []
