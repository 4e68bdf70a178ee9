"""Names derived from the input's file name (pure logic, no Docker)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from runner.errors import UsageError
from runner.pipeline.compose import Service
from runner.pipeline.config import load_pipeline
from runner.pipeline.names import NAME_MAX, byte_len, check_input_name, shorten, user_facing, workdir_name

SERVICES = {"bb": Service(name="bb", image="x/bb", buildable=False)}


def load(tmp_path: Path, name: str, publish: str = "{input_stem}.{params.lang}.srt", command=("x",)):
    stage = {
        "name": "a",
        "service": "bb",
        "command": list(command),
        "outputs": {"o": {"path": "o.srt", "publish": publish}},
    }
    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "params": {"lang": "en"}, "stages": [stage]}))
    return load_pipeline(path, name, services=SERVICES).stage("a")


def published(tmp_path: Path, name: str, ext: str = ".srt", publish: str = "{input_stem}.{params.lang}.srt") -> str:
    return load(tmp_path, name, publish).outputs["o"].publish_name(ext)


@pytest.mark.parametrize("name", ["a" * 251 + ".mp4", "é" * 125 + "x.mp4", "🎬" * 62 + "abc.mkv", "映" * 83 + "abc.ts"])
def test_names_from_a_255_byte_input_fit_and_are_stable(tmp_path, name):
    assert byte_len(name) == NAME_MAX
    first = published(tmp_path, name)
    assert byte_len(first) <= NAME_MAX and first.endswith(".en.srt") and first[-16] == "~"
    first.encode("utf-8")  # cut at a character boundary
    assert published(tmp_path, name) == first  # stable across runs
    assert byte_len(workdir_name(name)) <= NAME_MAX
    other = name[:-5] + "Z" + name[-4:]  # same long prefix, different name: different hash
    assert published(tmp_path, other) != first


def test_shorten_keeps_short_text_and_cuts_long_text_with_a_hash():
    assert shorten("short", 20) == "short"
    cut = shorten("ü" * 50, 20)
    assert byte_len(cut) <= 20 and cut.startswith("ü") and cut[-9] == "~"


def test_leading_dots_never_make_a_hidden_deliverable_nor_a_config_error(tmp_path):
    assert published(tmp_path, ".hidden movie.mp4") == "hidden movie.en.srt"
    assert workdir_name(".hidden movie.mp4") == "hidden movie"
    assert workdir_name("..two.mkv") == "two"


def test_a_leading_dot_written_in_the_pipeline_itself_is_still_refused(tmp_path):
    with pytest.raises(UsageError, match="publish: must be a plain file name"):
        load(tmp_path, "m.mp4", publish=".{input_stem}.srt")


@pytest.mark.parametrize(
    "name,expected",
    [
        ("50% {off} $HOME \\ back.mp4", "50% {off} $HOME \\ back.en.srt"),
        ("{ext}{params.lang}.mp4", "{ext}{params.lang}.en.srt"),
        ("-rf.mp4", "-rf.en.srt"),
    ],
)
def test_braces_in_the_input_name_are_never_read_as_templates(tmp_path, name, expected):
    assert published(tmp_path, name) == expected
    assert published(tmp_path, name, ".mkv", "{input_stem}{ext}") == name.rsplit(".", 1)[0] + ".mkv"


def test_a_value_starting_with_a_dash_is_attached_to_its_option(tmp_path):
    cmd = load(tmp_path, "-rf movie.mp4", command=["--name", "{input_name}", "-n", "{input_name}", "{input_name}"])
    assert cmd.command == ("--name=-rf movie.mp4", "-n", "-rf movie.mp4", "-rf movie.mp4")
    assert load(tmp_path, "movie.mp4", command=["--name", "{input_name}"]).command == ("--name", "movie.mp4")


@pytest.mark.parametrize("name", [".mp4", ".MKV", "..avi"])
def test_a_name_that_is_only_an_extension_is_refused_with_a_message_about_the_input(tmp_path, name):
    with pytest.raises(UsageError, match=rf"input '{name}' is only an extension.*rename it"):
        check_input_name(tmp_path / name)
    check_input_name(tmp_path / ".hidden")
    check_input_name(tmp_path / ".mp4 trailer.mp4")


def test_a_name_that_is_not_utf8_is_refused_with_a_clear_message(tmp_path):
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.mp4"))
    with pytest.raises(UsageError, match=r"not valid UTF-8.*rename"):
        check_input_name(path)


def test_stage_messages_name_the_users_file():
    user = Path("/home/me/Films/source.mp4 cut.mp4")
    text = "not a media file: source.mp4: ffprobe /input/source.mp4 failed; see /input/source.mp4.log"
    assert user_facing(text, user) == (
        f"not a media file: {user.name}: ffprobe {user} failed; see {user}.log"
    )
    assert user_facing("resource.mp4 and source.mp4x stay", user) == (
        "resource.mp4 and source.mp4x stay"
    )
    assert user_facing(None, user) is None
    assert user_facing("bad /input/source.bin", Path("odd.M P4")) == "bad odd.M P4"
