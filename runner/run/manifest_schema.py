"""The shape of manifest.json (docs/contract.md §5), checked on every read.

A hand validator, not jsonschema: the shape is small, and importing jsonschema costs 80-260 ms per
command on the development machine, where a full resume takes 0.4 s. Every key a reader indexes is
checked for its type; unknown keys are allowed (newer writers may add some); status and reason
strings are not restricted to today's values for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any, str], str | None]  # (value, where) -> problem or None

_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true/false", list: "a list", dict: "an object"}


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    return _NAMES.get(type(value), type(value).__name__)


def scalar(*types: type) -> Check:
    def check(value: Any, where: str) -> str | None:
        ok = isinstance(value, types) and (bool in types or not isinstance(value, bool))
        wanted = " or ".join(_NAMES[t] for t in types)
        return None if ok else f"{where}: expected {wanted}, got {_describe(value)}"

    return check


def nullable(inner: Check) -> Check:
    def check(value: Any, where: str) -> str | None:
        return None if value is None else inner(value, where)

    return check


def any_value(value: Any, where: str) -> str | None:
    return None


def list_of(item: Check) -> Check:
    def check(value: Any, where: str) -> str | None:
        if not isinstance(value, list):
            return f"{where}: expected a list, got {_describe(value)}"
        for i, element in enumerate(value):
            if problem := item(element, f"{where}[{i}]"):
                return problem
        return None

    return check


def map_of(item: Check) -> Check:
    def check(value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where}: expected an object, got {_describe(value)}"
        for key, element in value.items():
            if problem := item(element, f"{where}.{key}"):
                return problem
        return None

    return check


def obj(required: dict[str, Check], optional: dict[str, Check] | None = None) -> Check:
    def check(value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where}: expected an object, got {_describe(value)}"
        for key, inner in required.items():
            if key not in value:
                return f"{where}.{key}: missing"
            if problem := inner(value[key], f"{where}.{key}"):
                return problem
        for key, inner in (optional or {}).items():
            if key in value and (problem := inner(value[key], f"{where}.{key}")):
                return problem
        return None

    return check


TEXT = scalar(str)
OPT_TEXT = nullable(TEXT)
INT = scalar(int)
NUMBER = scalar(int, float)
OPT_NUMBER = nullable(NUMBER)
OBJECT = scalar(dict)

ATTEMPT = obj(
    {},
    {
        "n": INT,
        "run_id": OPT_TEXT,
        "started_at": OPT_TEXT,
        "ended_at": OPT_TEXT,
        "duration_s": OPT_NUMBER,
        "exit_code": nullable(INT),
        "reason": OPT_TEXT,
        "container_id": OPT_TEXT,
        "error": OPT_TEXT,
    },
)
OUTPUT = obj({"path": TEXT}, {"size": INT, "mtime_ns": INT, "hash": OPT_TEXT})
PROGRESS = obj({}, {"fraction": OPT_NUMBER, "message": OPT_TEXT, "updated_at": OPT_TEXT})
STAGE = obj(
    {"status": TEXT, "attempts": list_of(ATTEMPT), "notes": list_of(any_value)},
    {
        "index": INT,
        "dir": TEXT,
        "critical": scalar(bool),
        "started_at": OPT_TEXT,
        "ended_at": OPT_TEXT,
        "duration_s": OPT_NUMBER,
        "image": OPT_TEXT,
        "image_id": OPT_TEXT,
        "outputs": map_of(OUTPUT),
        "progress": nullable(PROGRESS),
        "info": OBJECT,
        "error": OPT_TEXT,
        "resume_key": OPT_TEXT,
        "resume_parts": nullable(OBJECT),
    },
)
RUN = obj(
    {},
    {
        "run_id": OPT_TEXT,
        "started_at": OPT_TEXT,
        "ended_at": OPT_TEXT,
        "status": OPT_TEXT,
        "pid": nullable(INT),
        "host": OPT_TEXT,
        "argv": list_of(any_value),
    },
)
PIPELINE = obj(
    {"status": TEXT, "stages": list_of(TEXT), "runs": list_of(RUN)},
    {
        "completed_stages": list_of(TEXT),
        "next_stage": OPT_TEXT,
        "current_stage": OPT_TEXT,
        "started_at": OPT_TEXT,
        "ended_at": OPT_TEXT,
        "error": OPT_TEXT,
        "exit_code": nullable(INT),
    },
)
INPUT = obj(
    {},
    {
        "path": TEXT,
        "name": TEXT,
        "size": INT,
        "mtime": NUMBER,
        "mtime_ns": INT,
        "fingerprint": TEXT,
        "duration_s": OPT_NUMBER,
    },
)
MANIFEST = obj(
    {"schema_version": INT, "pipeline": PIPELINE, "stages": map_of(STAGE)},
    {
        "run_id": OPT_TEXT,
        "created_at": OPT_TEXT,
        "updated_at": OPT_TEXT,
        "workdir": TEXT,
        "config": map_of(OPT_TEXT),
        "input": INPUT,
    },
)


def manifest_problem(data: Any) -> str | None:
    """None when `data` has the manifest's shape, else the first problem (`where: what`)."""
    return MANIFEST(data, "manifest")
