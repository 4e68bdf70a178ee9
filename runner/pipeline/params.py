"""Typed pipeline parameters: `params:` entries with a type and a range, checked before anything runs.

Two forms in pipeline.yaml (docs/contract.md §1):
    max_lines: 2                                               plain: any string
    max_cps: {default: 20, type: number, min: 5, max: 40}      typed
Types: string, number, integer, choice (needs `choices`), language (a code, from `choices` when given).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PARAM_TYPES = ("string", "number", "integer", "choice", "language")
SPEC_KEYS = {"default", "type", "min", "max", "choices", "description"}
_INTEGER = re.compile(r"[+-]?\d+")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_SHOWN_CHOICES = 12


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: its default (as given to commands) and what values it accepts."""

    name: str
    default: str
    type: str = "string"
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()

    def allowed(self, where: str = "") -> str:
        """What the parameter accepts, in words (for error messages)."""
        if self.type in ("number", "integer"):
            noun = "an integer" if self.type == "integer" else "a number"
            if self.min is not None and self.max is not None:
                return f"{noun} from {self.min:g} to {self.max:g}"
            if self.min is not None:
                return f"{noun} of at least {self.min:g}"
            if self.max is not None:
                return f"{noun} of at most {self.max:g}"
            return noun
        if self.choices:
            if len(self.choices) <= _SHOWN_CHOICES:
                return f"one of {', '.join(self.choices)}"
            noun = "language codes" if self.type == "language" else "values"
            listed = f"; listed under params.{self.name}.choices in {where}" if where else ""
            return f"one of {len(self.choices)} {noun} ({', '.join(self.choices[:8])}, …{listed})"
        if self.type == "language":
            return "a 2- or 3-letter lower-case language code (ISO 639)"
        return "any text"

    def problem(self, value: str) -> str | None:
        """None when `value` is allowed, else why not (without the key)."""
        if self.type in ("number", "integer"):
            if self.type == "integer" and not _INTEGER.fullmatch(value.strip()):
                return "not an integer"
            try:
                number = float(value)
            except ValueError:
                return "not a number"
            if not math.isfinite(number):
                return "not a finite number"
            if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
                return "out of range"
            return None
        if self.type == "language" and not self.choices and not _LANGUAGE.fullmatch(value):
            return "not a language code"
        if self.choices and value not in self.choices:
            near = difflib.get_close_matches(value.lower(), self.choices, n=3, cutoff=0.6)
            return "not allowed" + (f" (did you mean {' or '.join(near)}?)" if near else "")
        return None


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _text(value: Any) -> str:
    return str(value)


def parse_specs(raw: Any, fail: Callable[[str, str], Exception]) -> dict[str, ParamSpec]:
    """`params:` of pipeline.yaml → specs; `fail(where, problem)` builds the error to raise."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail("params", "must be a mapping of name: default (or name: {default, type, ...})")
    specs = {}
    for key, value in raw.items():
        name = str(key)
        where = f"params.{name}"
        if isinstance(value, list):
            raise fail(where, "must be a value or a mapping {default, type, min, max, choices}")
        if not isinstance(value, dict):
            specs[name] = ParamSpec(name, str(value))  # the plain form, as before: any text
            continue
        specs[name] = _typed_spec(name, value, where, fail)
    return specs


def _typed_spec(name: str, value: dict, where: str, fail: Callable[[str, str], Exception]) -> ParamSpec:
    unknown = set(map(str, value)) - SPEC_KEYS
    if unknown:
        raise fail(where, f"unknown key(s) {', '.join(sorted(unknown))} (use {', '.join(sorted(SPEC_KEYS))})")
    if "default" not in value or not _scalar(value["default"]):
        raise fail(f"{where}.default", "give the default value (a string or number)")
    kind = value.get("type", "string")
    if kind not in PARAM_TYPES:
        raise fail(f"{where}.type", f"unknown type {kind!r} (one of {', '.join(PARAM_TYPES)})")
    bounds = {}
    for bound in ("min", "max"):
        if value.get(bound) is None:
            continue
        if kind not in ("number", "integer"):
            raise fail(f"{where}.{bound}", f"only for type number or integer, not {kind}")
        if isinstance(value[bound], bool) or not isinstance(value[bound], int | float):
            raise fail(f"{where}.{bound}", f"must be a number, got {value[bound]!r}")
        bounds[bound] = float(value[bound])
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        raise fail(where, f"min {bounds['min']:g} is above max {bounds['max']:g}")
    choices = value.get("choices")
    if choices is not None and (
        kind not in ("choice", "language", "string") or not isinstance(choices, list) or not choices
    ):
        raise fail(f"{where}.choices", "must be a non-empty list, for type choice, language or string")
    if any(isinstance(c, bool) or not _scalar(c) for c in choices or ()):
        raise fail(f"{where}.choices", "each choice must be text (quote yes/no/on/off: YAML reads them as true/false)")
    if kind == "choice" and not choices:
        raise fail(f"{where}.choices", "type choice needs a list of choices")
    spec = ParamSpec(
        name, _text(value["default"]), kind, bounds.get("min"), bounds.get("max"), tuple(map(_text, choices or ()))
    )
    if (problem := spec.problem(spec.default)) is not None:
        raise fail(f"{where}.default", f"{spec.default!r} is {problem}: must be {spec.allowed()}")
    return spec


def resolve(
    specs: dict[str, ParamSpec], overrides: dict[str, str], config: str, fail: Callable[[str], Exception]
) -> dict[str, str]:
    """The parameter values: defaults, then `--set` overrides, each checked against its spec."""
    values = {name: spec.default for name, spec in specs.items()}
    for key, value in overrides.items():
        spec = specs.get(key)
        if spec is None:
            known = ", ".join(specs) or "none"
            raise fail(f"--set {key}: unknown parameter (parameters of {config}: {known})")
        if (problem := spec.problem(value)) is not None:
            raise fail(f"--set {key}={value}: {problem}; {key} must be {spec.allowed(config)}")
        values[key] = value
    return values
