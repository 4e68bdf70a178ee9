"""Typed parameters in pipeline.yaml and the checks on `--set`/`--file` (pure logic, no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from runner.errors import ConfigError, UsageError
from runner.pipeline.compose import Service
from runner.pipeline.config import check_request, load_pipeline

SERVICES = {"bb": Service(name="bb", image="x/bb", buildable=False)}
REPO_PIPELINE = Path(__file__).resolve().parents[2] / "config" / "pipeline.yaml"


def pipeline_file(tmp_path: Path, params: object, files: dict | None = None) -> Path:
    stage = {"name": "a", "service": "bb", "command": ["{params.x}"], "outputs": {"o": {"path": "o.txt"}}}
    doc = {"version": 1, "params": params, "stages": [stage], **({"files": files} if files else {})}
    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def command_with(tmp_path: Path, spec: object, value: str | None = None) -> str:
    path = pipeline_file(tmp_path, {"x": spec})
    overrides = {"x": value} if value is not None else {}
    return load_pipeline(path, "m.mp4", overrides, services=SERVICES).stage("a").command[0]


def test_plain_form_accepts_any_text_as_before(tmp_path):
    assert command_with(tmp_path, 0.5) == "0.5"
    assert command_with(tmp_path, 0.5, "anything at all") == "anything at all"


@pytest.mark.parametrize(
    "spec,good,bad,message",
    [
        (
            {"default": 20, "type": "number", "min": 5, "max": 40},
            ["5", "17.5", "40", "1e1"],
            ["-1", "4.99", "41", "fast", "nan", "inf", ""],
            "a number from 5 to 40",
        ),
        ({"default": 8, "type": "integer", "min": 1}, ["1", "12"], ["0", "2.5", "two"], "an integer of at least 1"),
        (
            {"default": "auto", "type": "choice", "choices": ["auto", "fast"]},
            ["fast"],
            ["slow", "AUTO"],
            "one of auto, fast",
        ),
        ({"default": "en", "type": "language"}, ["fr", "yue"], ["zz1", "EN", "english", ""], "language code"),
        ({"default": "en", "type": "language", "choices": ["en", "fr"]}, ["fr"], ["zz", "de"], "one of en, fr"),
    ],
)
def test_typed_values_are_checked_naming_the_key_and_what_is_allowed(tmp_path, spec, good, bad, message):
    assert command_with(tmp_path, spec) == str(spec["default"])
    for value in good:
        assert command_with(tmp_path, spec, value) == value
    for value in bad:
        with pytest.raises(UsageError, match=rf"^--set x={value}: .*x must be .*{message}") as info:
            command_with(tmp_path, spec, value)
        assert not isinstance(info.value, ConfigError)  # the user's mistake, not the pipeline file's


def test_a_long_list_of_choices_is_summarised_with_where_to_find_it(tmp_path):
    codes = [f"a{chr(97 + i)}" for i in range(20)]
    path = pipeline_file(tmp_path, {"x": {"default": "aa", "type": "language", "choices": codes}})
    with pytest.raises(UsageError) as info:
        check_request(path, {"x": "ab1"})
    text = str(info.value)
    assert "one of 20 language codes (aa, ab," in text and "params.x.choices in" in text
    assert len(text) < 300


def test_close_matches_are_suggested(tmp_path):
    with pytest.raises(UsageError, match="did you mean faster-whisper"):
        command_with(tmp_path, {"default": "auto", "type": "choice", "choices": ["auto", "faster-whisper"]}, "whisper")


@pytest.mark.parametrize(
    "spec,where",
    [
        ({"default": 50, "type": "number", "min": 5, "max": 40}, "params.x.default"),
        ({"default": 1, "type": "float"}, "params.x.type"),
        ({"default": 1, "type": "number", "min": "low"}, "params.x.min"),
        ({"default": 1, "type": "number", "min": 5, "max": 1}, "params.x"),
        ({"default": "a", "type": "choice"}, "params.x.choices"),
        ({"default": "a", "type": "choice", "choices": ["a", False]}, "params.x.choices"),
        ({"type": "string"}, "params.x.default"),
        ({"default": "a", "typo": 1}, "params.x"),
        ({"default": "a", "min": 1}, "params.x.min"),
        (["a", "b"], "params.x"),
    ],
)
def test_bad_parameter_declarations_are_config_errors_naming_the_field(tmp_path, spec, where):
    with pytest.raises(ConfigError, match=rf"pipeline.yaml: {where}: "):
        command_with(tmp_path, spec)


def test_missing_or_unknown_file_override_is_refused(tmp_path):
    path = pipeline_file(tmp_path, {"x": 1}, files={"glossary": "absent-is-fine.txt"})
    check_request(path)  # a pipeline's own optional file may be absent
    with pytest.raises(UsageError, match=r"--file glossary=.*missing.txt: does not exist"):
        check_request(path, file_overrides={"glossary": tmp_path / "missing.txt"})
    with pytest.raises(UsageError, match=r"--file glossary=.*: is not a file"):
        check_request(path, file_overrides={"glossary": tmp_path})
    with pytest.raises(UsageError, match=r"--file other: unknown file key .*glossary"):
        check_request(path, file_overrides={"other": tmp_path / "pipeline.yaml"})
    check_request(path, file_overrides={"glossary": tmp_path / "pipeline.yaml"})


def test_unknown_stage_in_selection_is_refused_before_anything(tmp_path):
    path = pipeline_file(tmp_path, {"x": 1})
    with pytest.raises(UsageError, match=r"--only omega: no such stage \(stages: a\)"):
        check_request(path, stage_names={"--only": ["omega"]})


def test_the_shipped_pipeline_declares_types_that_refuse_the_issues_values():
    check_request(REPO_PIPELINE, {"language": "fr", "max_cps": "17", "asr_engine": "pocketsphinx"})
    for key, value, allowed in [
        ("language", "zz", "language codes"),
        ("language", "jw", "language codes"),  # Whisper's own code for Javanese: mux could not tag it
        ("max_cps", "-1", "from 5 to 40"),
        ("max_cps", "fast", "from 5 to 40"),
        ("max_speakers", "0", "from 1 to 50"),
        ("vad_threshold", "2", "number from"),
    ]:
        with pytest.raises(UsageError, match=rf"--set {key}={value}: .*{allowed}"):
            check_request(REPO_PIPELINE, {key: value})
    assert yaml.safe_load(REPO_PIPELINE.read_text())["params"]["language"]["choices"].count("no") == 1
