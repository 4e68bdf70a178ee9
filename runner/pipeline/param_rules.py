"""Cross-parameter rules of config/pipeline.yaml (`param_rules:`), checked when the pipeline loads, before
any container runs.

A rule constrains a comma-separated list parameter to values drawn from a fixed list and other
parameters, e.g. "each subtitle language is the dialogue language or en":

    param_rules:
      - param: subtitle_languages
        each_in: ["{params.language}", en]
        message: Whisper translates only into English

`pairs` adds values that depend on another parameter's value (`pairs_of`), e.g. the languages a
translation pair can give from the dialogue language:

      - param: subtitle_languages
        each_in: ["{params.language}", en]
        pairs_of: "{params.language}"
        pairs: {en: [es, ca], fr: [es, ca]}     # language=en allows en, es, ca; language=de only de, en

An empty value passes (the stage picks its default). A value outside the list ends the run before
anything starts: exit 2 with one line naming the `--set` key, the allowed values and the rule's message.
"""

from __future__ import annotations

import re
from typing import Any

from runner.errors import ConfigError, UsageError

_PARAM_REF = re.compile(r"^\{params\.([A-Za-z_][\w\-]*)\}$")


def list_values(value: str) -> list[str]:
    """The items of a comma-separated parameter, stripped, empty items dropped."""
    return [v.strip() for v in value.split(",") if v.strip()]


def _value(item: Any, params: dict[str, str], fail: Any, field: str) -> str:
    """A literal, or the value of the parameter a `{params.<key>}` names."""
    ref = _PARAM_REF.match(str(item))
    if ref is None:
        return str(item)
    if ref.group(1) not in params:
        raise fail(field, f"unknown parameter in {item!r}")
    return params[ref.group(1)]


def _paired(rule: dict, params: dict[str, str], fail: Any) -> list[str]:
    """The `pairs` targets for the value of `pairs_of` (none when the rule has no pairs)."""
    pairs = rule.get("pairs")
    if pairs is None:
        return []
    if not isinstance(pairs, dict) or not all(isinstance(v, list) for v in pairs.values()):
        raise fail("pairs", "must map a value of pairs_of to a list of values, e.g. {en: [es, ca]}")
    if not _PARAM_REF.match(str(rule.get("pairs_of", ""))):
        raise fail("pairs_of", "must name the parameter whose value picks the pairs, e.g. '{params.language}'")
    source = _value(rule["pairs_of"], params, fail, "pairs_of").strip()
    return [str(v) for v in pairs.get(source) or []]


def _allowed(rule: dict, params: dict[str, str], fail: Any) -> list[str]:
    allowed = [_value(item, params, fail, "each_in") for item in rule["each_in"]] + _paired(rule, params, fail)
    return list(dict.fromkeys(a.strip() for a in allowed))


def check_param_rules(raw: Any, params: dict[str, str], file: str) -> None:
    """Validate the rules' shape (ConfigError) and the parameters against them (UsageError, exit 2)."""
    if raw is None:
        return
    if not isinstance(raw, list):
        raise ConfigError(file, "param_rules", "must be a list of {param, each_in, pairs_of, pairs, message}")
    for i, rule in enumerate(raw):
        def fail(field: str, problem: str, i: int = i) -> ConfigError:
            return ConfigError(file, f"param_rules[{i}].{field}", problem)

        if not isinstance(rule, dict) or rule.get("param") not in params:
            raise fail("param", f"must name a parameter (known: {', '.join(params)})")
        if not isinstance(rule.get("each_in"), list) or not rule["each_in"]:
            raise fail("each_in", "must be a non-empty list of values or {params.<key>}")
        allowed = _allowed(rule, params, fail)
        key = rule["param"]
        bad = [v for v in list_values(params[key]) if v not in allowed]
        if bad:
            why = f" ({rule['message']})" if rule.get("message") else ""
            raise UsageError(
                f"--set {key}={params[key]}: {', '.join(bad)} cannot be produced{why}; "
                f"allowed here: {', '.join(allowed)}"
            )
