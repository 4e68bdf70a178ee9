"""A `many: true` output and a `param_rules:` refusal through the real `reelstage` CLI and Docker."""

from __future__ import annotations

import hashlib

import pytest
import yaml
from harness import labelled_containers, stage

pytestmark = pytest.mark.docker

TRACKS = {"path": "subtitles.*.srt", "kind": "text", "many": True, "publish": "{input_stem}.{match}.srt"}
RULES = [{"param": "langs", "each_in": ["{params.language}", "en"], "message": "only English translation"}]


def write(project, script: str) -> None:
    project.write([stage("subs", script, outputs={"tracks": TRACKS})], params={"language": "fr", "langs": ""})
    doc = yaml.safe_load(project.config.read_text())
    project.config.write_text(yaml.safe_dump({**doc, "param_rules": RULES}, sort_keys=False))


def folder_state(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".lock" not in p.name}


SCRIPT = "for l in $(echo {params.langs} | tr , ' '); do echo $l > {out}/subtitles.$l.srt; done"


def test_each_match_is_checked_recorded_and_published(project):
    write(project, SCRIPT)
    res = project.run("--set", "langs=fr,en")
    assert res.returncode == 0, res.stderr
    outputs = project.manifest()["stages"]["subs"]["outputs"]
    assert sorted(outputs) == ["tracks[en]", "tracks[fr]"]
    assert outputs["tracks[fr]"]["path"] == "01_subs/subtitles.fr.srt"
    for lang in ("fr", "en"):
        assert (project.workdir / f"in put's movie.{lang}.srt").read_text() == f"{lang}\n"
    # a published deliverable removed by hand comes back on the next run, without rerunning the stage
    (project.workdir / "in put's movie.en.srt").unlink()
    again = project.run("--set", "langs=fr,en")
    assert again.returncode == 0 and (project.workdir / "in put's movie.en.srt").exists()
    assert len(project.manifest()["stages"]["subs"]["attempts"]) == 1
    # a match modified after the run makes the stage rerun
    (project.workdir / "01_subs" / "subtitles.en.srt").write_text("changed\n")
    third = project.run("--set", "langs=fr,en")
    assert third.returncode == 0 and len(project.manifest()["stages"]["subs"]["attempts"]) == 2


def test_no_match_fails_the_stage(project):
    write(project, "true")
    res = project.run()
    assert res.returncode == 1
    assert "subtitles.*.srt matched no file, expected one or more" in res.stdout + res.stderr


def test_a_refused_value_exits_2_before_any_container_and_keeps_the_work_folder(project, docker_client):
    write(project, SCRIPT)
    assert project.run("--set", "langs=fr").returncode == 0
    before = folder_state(project.workdir)
    res = project.run("--set", "langs=fr,de")
    assert res.returncode == 2
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--set langs=fr,de: de cannot be produced (only English translation)" in lines[0]
    assert folder_state(project.workdir) == before  # manifest, events, outputs: untouched
    assert labelled_containers(docker_client, project.workdir) == []
