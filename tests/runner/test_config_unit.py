"""Pipeline loading and validation (pure logic: services given directly, no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from workdir_fixture import STAGES as MOVIE_STAGES  # the movie pipeline's stages, in order

from runner.errors import ConfigError, UsageError
from runner.pipeline.compose import Service
from runner.pipeline.config import load_pipeline

SERVICES = {"bb": Service(name="bb", image="x/bb", buildable=False)}


def write(tmp_path: Path, stages: list[dict], **extra: object) -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "stages": stages, **extra}, sort_keys=False))
    return path


def load(path: Path, name: str = "My Film (2019).mkv", **kw: object):
    return load_pipeline(path, name, services=SERVICES, **kw)


def st(name: str, **kw: object) -> dict:
    return {"name": name, "service": "bb", "command": ["x"], "outputs": {"o": {"path": "o.txt"}}, **kw}


def test_templates_resolve_at_load_time(tmp_path):
    path = write(
        tmp_path,
        [
            st("demux", outputs={"audio": {"path": "audio.wav", "kind": "wav"}}),
            st(
                "asr",
                command=[
                    "--in",
                    "{stages.demux.audio}",
                    "--lang",
                    "{params.lang}",
                    "{input}",
                    "{input_name}",
                    "{out}",
                    "{files.gloss}",
                ],
                outputs={"t": {"path": "t.json", "kind": "json", "publish": "{input_stem}.{params.lang}.srt"}},
            ),
        ],
        params={"lang": "en"},
        files={"gloss": "g.txt"},
    )
    p = load(path, param_overrides={"lang": "fr"})
    asr = p.stage("asr")
    assert asr.command == (
        "--in",
        "/work/01_demux/audio.wav",
        "--lang",
        "fr",
        "/input/source.mkv",
        "My Film (2019).mkv",
        "/out",
        "/files/gloss",
    )
    assert asr.depends_on == ("demux",) and asr.uses_input and asr.uses_files == ("gloss",)
    assert asr.outputs["t"].publish_name(".srt") == "My Film (2019).fr.srt"
    assert asr.dirname == "02_asr"
    assert p.downstream("demux") == {"asr"}


@pytest.mark.parametrize(
    "stages,message",
    [
        ([st("a", depends_on=["b"]), st("b", depends_on=["a"])], "dependency cycle: a -> b -> a"),
        ([st("a", depends_on=["nope"])], "stages.a.depends_on: unknown stage 'nope'"),
        ([st("a", command=["{params.missing}"])], "stages.a.command[0]: unknown template {params.missing}"),
        (
            [st("a"), st("b", depends_on=[], command=["{stages.a.o}"])],
            "stages.b.command[0]: {stages.a.o} is not an output of a stage this one depends on",
        ),
        ([st("a", service="ghost")], "stages.a.service: no service 'ghost'"),
        ([st("a", gpu="maybe")], "stages.a.gpu: must be one of none, optional, required"),
        ([st("a", timeout=-1)], "stages.a.timeout: must be a positive number"),
        ([st("a", outputs={"o": {"path": "../escape"}})], "stages.a.outputs.o.path: must be relative"),
        ([st("a", outputs={"o": {"path": "x", "kind": "mp5"}})], "stages.a.outputs.o.kind: unknown kind 'mp5'"),
        ([st("a", outputs={})], "stages.a.outputs: declare at least one output"),
        ([st("a"), st("a")], "stages.a: duplicate stage name"),
    ],
)
def test_bad_config_names_file_stage_and_field(tmp_path, stages, message):
    path = write(tmp_path, stages)
    with pytest.raises(ConfigError) as err:
        load(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_invalid_yaml_reports_line(tmp_path):
    path = tmp_path / "pipeline.yaml"
    path.write_text("version: 1\nstages:\n  - name: a\n   bad: [\n")
    with pytest.raises(ConfigError, match=r"line \d+: not valid YAML"):
        load(path)


def test_build_command_and_notify_url_are_read(tmp_path):
    path = write(tmp_path, [st("a")], build_command=["./build.sh", "--all"], notify_url="http://127.0.0.1:9/h")
    p = load(path)
    assert p.build_command == [str(tmp_path / "build.sh"), "--all"]
    assert p.notify_url == "http://127.0.0.1:9/h"


def test_unknown_override_is_refused(tmp_path):
    path = write(tmp_path, [st("a")], params={"lang": "en"})
    with pytest.raises(UsageError, match="--set nope: unknown parameter"):
        load(path, param_overrides={"nope": "1"})


def test_odd_input_names_get_a_safe_container_path(tmp_path):
    path = write(tmp_path, [st("a", command=["{input}", "{input_name}"])])
    p = load(path, name='it\'s "odd" $(rm -rf).M P4')
    assert p.stage("a").command == ("/input/source.bin", 'it\'s "odd" $(rm -rf).M P4')


def test_the_shipped_movie_pipeline_loads(tmp_path):
    repo = Path(__file__).resolve().parents[2]
    services = {name: Service(name=name, image=f"reelstage/{name}:latest", buildable=True) for name in MOVIE_STAGES}
    p = load_pipeline(repo / "config" / "pipeline.yaml", "movie.mp4", services=services)
    assert p.names == MOVIE_STAGES
    assert not p.stage("tmdb").critical and not p.stage("pyannote_vad").critical
    assert p.stage("asr").gpu == "optional"
    assert p.build_command and p.build_command[0].endswith("scripts/build-images.sh")
