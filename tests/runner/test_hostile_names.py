"""Hostile input names, through the real CLI against real Docker (issue 10)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from harness import REELSTAGE, Project, _env, one_clear_line, stage

NAME_MAX = 255
NAMES = {
    "255 bytes": "a" * 251 + ".mp4",
    "255 bytes, 2-byte characters": "é" * 125 + "x.mp4",
    "255 bytes, 4-byte characters": "🎬" * 62 + "abc.mkv",
    "leading dot": ".hidden movie.mp4",
    "percent braces dollar backslash": "50% {off} $HOME \\ back.mp4",
    "leading dash and a template": "-rf {input} movie.mp4",
    "{ext} and {input_stem} in the name": "{ext}{input_stem}.mp4",
}
# the stage prints its arguments, one per line; the published name is derived from the input's
ECHO_NAME = stage(
    "alpha",
    'printf \'%s\\n\' "$0" "$@" > {out}/out.txt',
    outputs={"out": {"path": "out.txt", "kind": "text", "publish": "{input_stem}.subtitled{ext}"}},
)
ECHO_NAME["command"] += ["--name", "{input_name}"]


def run_cli(root: Path, *args: str | bytes, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*REELSTAGE, *args], capture_output=True, text=True, timeout=timeout, cwd=root, env=_env())


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_any_file_name_runs_and_publishes_a_name_that_fits(project: Project, name: str):
    project.write([ECHO_NAME])
    movie = project.root / name
    movie.write_bytes(project.input.read_bytes())
    # no --workdir: the work folder's name is derived from the input's too
    res = run_cli(project.root, "run", str(movie), "--config", str(project.config), "--min-free-ratio", "0")
    assert res.returncode == 0, res.stderr
    (workdir,) = [p for p in (project.root / "out").iterdir() if p.is_dir()]
    assert not workdir.name.startswith(".") and len(workdir.name.encode()) <= NAME_MAX
    out = workdir / "01_alpha" / "out.txt"
    args = out.read_text(encoding="utf-8").splitlines()
    # the stage got the name whole, never read as an option nor as a template
    assert args[-2:] == ["--name", name] or args[-1] == f"--name={name}", args
    if name.startswith("-"):
        assert args[-1] == f"--name={name}"
    (published,) = [p for p in workdir.iterdir() if p.name.endswith(".subtitled.txt")]
    assert published.read_bytes() == out.read_bytes()
    assert not published.name.startswith(".") and len(published.name.encode()) <= NAME_MAX
    stem = name.rsplit(".", 1)[0].lstrip(".")
    if len(name.encode()) < 200:
        assert published.name == f"{stem}.subtitled.txt" and workdir.name == stem
    else:  # shortened with a stable hash suffix: a rerun finds the same names and skips
        assert "~" in published.name and "~" not in stem and published.name.startswith(stem[:20])
        again = run_cli(project.root, "run", str(movie), "--config", str(project.config), "--min-free-ratio", "0")
        assert again.returncode == 0 and "alpha - skip" in again.stdout, again.stderr
        assert [p.name for p in workdir.iterdir() if p.name.endswith(".subtitled.txt")] == [published.name]
    assert not list(workdir.glob(".*.tmp")) and not list(workdir.glob(".publish-*"))


def test_name_that_is_only_an_extension_gets_a_message_about_the_input(project: Project):
    project.write([ECHO_NAME])
    movie = project.root / ".mp4"
    movie.write_bytes(project.input.read_bytes())
    project.input = movie
    res = project.run()
    line = one_clear_line(res)
    assert res.returncode == 2 and "'.mp4'" in line and "rename" in line and "pipeline" not in line
    assert not project.workdir.exists()


def test_name_that_is_not_utf8_gets_a_clear_message(project: Project):
    project.write([ECHO_NAME])
    movie = os.path.join(os.fsencode(project.root), b"caf\xe9 latin-1.mp4")
    Path(os.fsdecode(movie)).write_bytes(project.input.read_bytes())
    res = subprocess.run(
        [
            *(a.encode() for a in REELSTAGE),
            b"run",
            movie,
            b"--config",
            os.fsencode(project.config),
            b"--workdir",
            os.fsencode(project.workdir),
            b"--min-free-ratio",
            b"0",
        ],
        capture_output=True,
        timeout=60,
        cwd=project.root,
        env=_env(),
    )
    stderr = res.stderr.decode("utf-8", "replace")
    assert res.returncode == 2 and "Traceback" not in stderr, stderr
    assert "not valid UTF-8" in stderr and "rename" in stderr
