"""`many: true` outputs ({match} in publish) and `param_rules:` (pure logic: no Docker)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from runner.errors import ConfigError, UsageError
from runner.pipeline.compose import Service
from runner.pipeline.config import OutputSpec, load_pipeline
from runner.pipeline.names import NamePart, NameTemplate
from runner.pipeline.param_rules import check_param_rules, list_values
from runner.run.workdir import published_name, records_of, resolve_outputs


def name(*parts: tuple[str, str]) -> NameTemplate:
    """A publish name built by hand: ("text", "Film."), ("match", ""), ("ext", "")..."""
    return NameTemplate(tuple(NamePart(kind, text) for kind, text in parts))


SERVICES = {"bb": Service(name="bb", image="x/bb", buildable=False)}
TRACKS = {"path": "subtitles.*.srt", "kind": "srt", "many": True, "publish": "{input_stem}.{match}.srt"}


def load(tmp_path: Path, outputs: dict, **extra: object):
    path = tmp_path / "pipeline.yaml"
    stage = {"name": "srt", "service": "bb", "command": ["x"], "outputs": outputs}
    path.write_text(yaml.safe_dump({"version": 1, "stages": [stage], **extra}, sort_keys=False))
    return load_pipeline(path, "My Film.mkv", services=SERVICES)


def test_many_output_loads_with_match_left_for_each_file(tmp_path):
    spec = load(tmp_path, {"tracks": TRACKS}).stage("srt").outputs["tracks"]
    assert spec.many and str(spec.publish) == "My Film.{match}.srt"


@pytest.mark.parametrize(
    "spec,message",
    [
        ({"path": "subtitles.srt", "many": True}, "many: needs a glob in `path`"),
        ({"path": "a.*.srt", "many": "yes"}, "many: must be true or false"),
        ({"path": "a.*.srt", "publish": "{match}.srt"}, "{match} names each file of a `many: true` output only"),
    ],
)
def test_bad_many_declarations_are_refused(tmp_path, spec, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load(tmp_path, {"o": spec})


@pytest.mark.parametrize(
    "pattern,name,match",
    [("subtitles.*.srt", "subtitles.fr.srt", "fr"), ("sub_??.srt", "sub_en.srt", "en"),
     ("[ab]-*.txt", "a-x.y.txt", "a-x.y"), ("*", "all.txt", "all.txt")],
)
def test_match_is_the_name_less_the_literal_prefix_and_suffix(pattern, name, match):
    assert OutputSpec("o", pattern, "any").match_of(name) == match


def test_every_match_is_recorded_and_published_on_its_own(tmp_path):
    spec = OutputSpec(
        "tracks", "subtitles.*.srt", "srt", {"many": True}, name(("text", "Film."), ("match", ""), ("text", ".srt"))
    )
    assert resolve_outputs(tmp_path, spec) == ({}, "subtitles.*.srt matched no file, expected one or more")
    for lang in ("fr", "en"):
        (tmp_path / f"subtitles.{lang}.srt").write_text("x")
    (tmp_path / "subtitles.srt").write_text("x")  # not a match: the glob needs a middle part
    found, problem = resolve_outputs(tmp_path, spec)
    assert problem is None and sorted(found) == ["tracks[en]", "tracks[fr]"]
    assert published_name(spec, "tracks[fr]", found["tracks[fr]"]) == "Film.fr.srt"
    recorded = {"tracks[en]": {}, "tracks[fr]": {}, "tracksx": {}, "subtitles": {}}
    assert sorted(records_of(spec, recorded)) == ["tracks[en]", "tracks[fr]"]


def test_a_plain_glob_still_needs_exactly_one_match(tmp_path):
    spec = OutputSpec("video", "subtitled.*", "video", {}, name(("text", "Film.subtitled"), ("ext", "")))
    (tmp_path / "subtitled.mkv").write_text("x")
    found, problem = resolve_outputs(tmp_path, spec)
    assert problem is None and published_name(spec, "video", found["video"]) == "Film.subtitled.mkv"
    (tmp_path / "subtitled.mp4").write_text("x")
    assert resolve_outputs(tmp_path, spec)[1] == "subtitled.* matched 2 files, expected exactly one"


RULES = [{"param": "subs", "each_in": ["{params.language}", "en"], "message": "only English translation"}]


@pytest.mark.parametrize("subs", ["", "fr", "en,fr", " fr , en ", "en"])
def test_rule_accepts_listed_values_and_empty(subs):
    check_param_rules(RULES, {"language": "fr", "subs": subs}, "p.yaml")


def test_rule_refuses_with_one_line_naming_key_values_and_reason():
    with pytest.raises(UsageError) as err:
        check_param_rules(RULES, {"language": "fr", "subs": "fr,de,es"}, "p.yaml")
    msg = str(err.value)
    assert "\n" not in msg and err.value.exit_code == 2
    assert msg == ("--set subs=fr,de,es: de, es cannot be produced (only English translation); "
                   "allowed here: fr, en")


@pytest.mark.parametrize(
    "rules,where",
    [("x", "param_rules"), ([{"param": "nope", "each_in": ["en"]}], "param_rules[0].param"),
     ([{"param": "subs", "each_in": []}], "param_rules[0].each_in"),
     ([{"param": "subs", "each_in": ["{params.nope}"]}], "param_rules[0].each_in")],
)
def test_malformed_rules_are_config_errors(rules, where):
    with pytest.raises(ConfigError, match="p.yaml: " + re.escape(where)):
        check_param_rules(rules, {"language": "fr", "subs": ""}, "p.yaml")


PAIRED = [{**RULES[0], "pairs_of": "{params.language}", "pairs": {"en": ["es", "ca"], "fr": ["es", "ca"]},
           "message": "Whisper gives English, Apertium pairs the rest"}]


@pytest.mark.parametrize(("language", "subs"), [("en", "en,es,ca"), ("fr", "fr,en,es"), ("fr", "ca"), ("de", "de,en")])
def test_pairs_add_the_targets_of_the_other_parameters_value(language, subs):
    check_param_rules(PAIRED, {"language": language, "subs": subs}, "p.yaml")


@pytest.mark.parametrize(("language", "subs", "bad", "allowed"), [
    ("en", "en,de", "de", "en, es, ca"), ("de", "de,es", "es", "de, en"), ("fr", "fr,it,es", "it", "fr, en, es, ca")])
def test_pairs_refuse_a_target_the_pair_cannot_give_in_one_line(language, subs, bad, allowed):
    with pytest.raises(UsageError) as err:
        check_param_rules(PAIRED, {"language": language, "subs": subs}, "p.yaml")
    assert str(err.value) == (f"--set subs={subs}: {bad} cannot be produced (Whisper gives English, Apertium "
                              f"pairs the rest); allowed here: {allowed}")


@pytest.mark.parametrize(("extra", "where"), [
    ({"pairs": ["es"], "pairs_of": "{params.language}"}, "pairs"),
    ({"pairs": {"en": "es"}, "pairs_of": "{params.language}"}, "pairs"),
    ({"pairs": {"en": ["es"]}}, "pairs_of"), ({"pairs": {"en": ["es"]}, "pairs_of": "language"}, "pairs_of"),
    ({"pairs": {"en": ["es"]}, "pairs_of": "{params.nope}"}, "pairs_of")])
def test_malformed_pairs_are_config_errors(extra, where):
    with pytest.raises(ConfigError, match="p.yaml: " + re.escape(f"param_rules[0].{where}")):
        check_param_rules([{**RULES[0], **extra}], {"language": "en", "subs": ""}, "p.yaml")


def test_rules_run_when_the_pipeline_loads(tmp_path):
    outputs = {"o": {"path": "o.txt"}}
    with pytest.raises(UsageError, match="de cannot be produced"):
        path = tmp_path / "pipeline.yaml"
        stage = {"name": "srt", "service": "bb", "command": ["x"], "outputs": outputs}
        path.write_text(yaml.safe_dump({"version": 1, "params": {"language": "fr", "subs": ""},
                                        "param_rules": RULES, "stages": [stage]}))
        load_pipeline(path, "m.mkv", {"subs": "de"}, services=SERVICES)


def test_list_values_splits_on_commas():
    assert list_values(" fr, ,en ") == ["fr", "en"] and list_values("") == []
