"""Load config/pipeline.yaml + compose.yaml into a validated, template-resolved Pipeline."""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml

from runner.errors import ConfigError, UsageError
from runner.pipeline import names as naming
from runner.pipeline import params as typed_params
from runner.pipeline.compose import Service, load_services
from runner.pipeline.names import CONTAINER_INPUT_DIR as CONTAINER_INPUT_DIR  # where the input is mounted
from runner.pipeline.names import NamePart, NameTemplate
from runner.pipeline.param_rules import check_param_rules
from runner.sizes import parse_size

CONTAINER_WORKDIR = "/work"
CONTAINER_OUT = "/out"
CONTAINER_CHECKPOINT = "/checkpoint"
CONTAINER_FILES = "/files"
OUTPUT_KINDS = {"any", "json", "wav", "video", "srt", "text"}
GPU_MODES = ("none", "optional", "required")
_TEMPLATE = re.compile(r"\{([A-Za-z_][\w.\-]*)\}")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

GpuMode = Literal["none", "optional", "required"]


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of transient engine errors (never of a stage's own failure)."""

    attempts: int = 3
    wait_s: float = 1.0


@dataclass(frozen=True)
class OutputSpec:
    """A declared output: a path (or glob) inside the stage folder and its content check."""

    name: str
    path: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    publish: NameTemplate | None = None  # resolved but for {ext}

    @property
    def is_glob(self) -> bool:
        return any(ch in self.path for ch in "*?[")

    def publish_name(self, ext: str, match: str = "") -> str | None:
        """The published file's name for a matched output with extension `ext` (fits NAME_MAX); `match`:
        what a `many` output's wildcards matched for this file."""
        return self.publish.render(ext, match=match) if self.publish is not None else None

    @property
    def many(self) -> bool:
        """`many: true`: a glob that must match one or more files, each checked and recorded on its own."""
        return bool(self.options.get("many"))

    def match_of(self, file_name: str) -> str:
        """The part of `file_name` the glob's wildcards matched: the name less the pattern's literal prefix
        and suffix (`subtitles.*.srt` and `subtitles.fr.srt` give `fr`)."""
        name_pattern = PurePosixPath(self.path).name
        cut = [i for i, ch in enumerate(name_pattern) if ch in "*?["]
        if not cut:
            return file_name
        prefix = name_pattern[: cut[0]]
        suffix = name_pattern[max(name_pattern.rfind("]"), cut[-1]) + 1 :]
        return file_name[len(prefix) : len(file_name) - len(suffix) if suffix else None]

    def record_key(self, file_name: str) -> str:
        """The manifest key of one match of a `many` output: `<output>[<match>]`."""
        return f"{self.name}[{self.match_of(file_name)}]"


MIN_FREE_BYTES = 64 * 2**20


@dataclass(frozen=True)
class DiskNeed:
    """Free disk a stage needs before it starts: a multiple of the input's size (`1.1x`), bytes per
    second of media (`64k/s`) or a fixed size (`500m`); never less than 64 MiB."""

    input_factor: float = 0.0
    per_media_s: float = 0.0
    fixed: int = 0

    @classmethod
    def parse(cls, text: object) -> DiskNeed:
        raw = str(text).strip()
        try:
            if raw.lower().endswith("x"):
                factor = raw[:-1].strip()
                if not re.fullmatch(r"\d+(?:\.\d+)?", factor):
                    raise ValueError(factor)
                return cls(input_factor=float(factor))
            if raw.lower().endswith("/s"):
                return cls(per_media_s=float(parse_size(raw[:-2])))
            return cls(fixed=parse_size(raw))
        except ValueError:
            raise ValueError(
                "use a multiple of the input (1.1x), bytes per media second (64k/s) or a size (500m)"
            ) from None

    def bytes_for(self, input_size: int, media_s: float | None) -> int:
        need = self.fixed + self.input_factor * input_size + self.per_media_s * (media_s or 0)
        return max(MIN_FREE_BYTES, int(need))


@dataclass(frozen=True)
class StageSpec:
    """One stage, fully resolved."""

    name: str
    index: int
    service: str
    command: tuple[str, ...]
    timeout_s: float
    grace_s: float
    critical: bool
    gpu: GpuMode
    depends_on: tuple[str, ...]
    outputs: dict[str, OutputSpec]
    retries: RetryPolicy
    uses_input: bool
    uses_files: tuple[str, ...]
    uses_checkpoint: bool = False  # `{checkpoint}` in its command: a folder kept across attempts
    disk: DiskNeed = field(default_factory=lambda: DiskNeed())

    @property
    def dirname(self) -> str:
        return f"{self.index:02d}_{self.name}"

    def disk_bytes(self, input_size: int, media_s: float | None) -> int:
        return self.disk.bytes_for(input_size, media_s)


@dataclass
class Pipeline:
    """The loaded pipeline: stages in order, their services, parameters and files."""

    path: Path
    compose_path: Path
    params: dict[str, str]
    files: dict[str, Path]
    stages: list[StageSpec]
    services: dict[str, Service]
    build_command: list[str] | None = None
    notify_url: str | None = None

    def stage(self, name: str) -> StageSpec:
        for st in self.stages:
            if st.name == name:
                return st
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [st.name for st in self.stages]

    def downstream(self, name: str) -> set[str]:
        """Every stage that depends, directly or not, on `name`."""
        found: set[str] = set()
        frontier = {name}
        while frontier:
            nxt = {st.name for st in self.stages if set(st.depends_on) & frontier} - found
            found |= nxt
            frontier = nxt
        return found


@dataclass(frozen=True)
class InputNames:
    """The names templates need about the input file."""

    name: str

    @property
    def stem(self) -> str:
        return naming.input_stem(self.name)

    @property
    def ext(self) -> str:
        return naming.input_ext(self.name)

    @property
    def container_path(self) -> str:
        return naming.container_input_path(self.name)


class _Loader:
    """Validation with errors that name the file, the stage and the field."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = str(path)

    def fail(self, where: str, problem: str) -> ConfigError:
        return ConfigError(self.file, where, problem)

    def read(self) -> dict:
        try:
            data = read_yaml(self.path)
        except FileNotFoundError as exc:
            raise self.fail("", "pipeline file not found (give --config FILE)") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else ""
            raise self.fail(where, f"not valid YAML ({getattr(exc, 'problem', exc)})") from exc
        if not isinstance(data, dict):
            raise self.fail("", "must be a mapping with a `stages:` list")
        if data.get("version", 1) != 1:
            raise self.fail("version", f"unsupported version {data.get('version')!r} (expected 1)")
        return data

    def number(self, where: str, value: Any, default: float) -> float:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(where, f"must be a positive number of seconds, got {value!r}")
        return float(value)


def _templated(
    text: str, values: dict[str, str], loader: _Loader, where: str, allowed_refs: set[str] | None = None
) -> tuple[str, set[str]]:
    """Replace `{key}` templates; return the text and the names used."""
    used: set[str] = set()

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            if key.startswith("stages.") and allowed_refs is not None:
                raise loader.fail(where, f"{{{key}}} is not an output of a stage this one depends on")
            raise loader.fail(where, f"unknown template {{{key}}}")
        used.add(key)
        return values[key]

    return _TEMPLATE.sub(sub, text), used


_INPUT_KEYS = {"input_name", "input_stem", "input_ext"}


def _name_template(raw: str, values: dict[str, str], loader: _Loader, where: str) -> NameTemplate:
    """A `publish:` name: the config's text and parameters fixed, the input's name and `{ext}` kept
    apart so they are never re-read as templates and the input's part can shrink to fit NAME_MAX."""
    if raw.startswith(".") or "/" in raw:
        raise loader.fail(where, "must be a plain file name (no /, not starting with a dot)")
    parts: list[NamePart] = []
    pos = 0
    for match in _TEMPLATE.finditer(raw):
        parts.append(NamePart("text", raw[pos : match.start()]))
        key = match.group(1)
        if key in ("ext", "match"):
            parts.append(NamePart(key))
        elif key in _INPUT_KEYS:
            parts.append(NamePart("input", values[key]))
        elif key in values:
            parts.append(NamePart("text", values[key]))
        else:
            raise loader.fail(where, f"unknown template {{{key}}}")
        pos = match.end()
    parts.append(NamePart("text", raw[pos:]))
    template = NameTemplate(tuple(p for p in parts if p.kind != "text" or p.text))
    if "/" in template.fixed or "\0" in template.fixed:
        raise UsageError(f"{loader.file}: {where}: a parameter puts a / in the file name {template}: change it")
    if naming.byte_len(template.fixed) > naming.NAME_MAX // 2:
        raise loader.fail(where, f"too long: keep the name's own text under {naming.NAME_MAX // 2} bytes")
    return template


def _is_long_option(previous: list[str]) -> bool:
    return bool(previous) and previous[0].startswith("--") and "=" not in previous[0] and previous[0] != "--"


def _ancestors(name: str, deps: dict[str, tuple[str, ...]]) -> set[str]:
    seen: set[str] = set()
    stack = list(deps.get(name, ()))
    while stack:
        cur = stack.pop()
        if cur not in seen:
            seen.add(cur)
            stack.extend(deps.get(cur, ()))
    return seen


def _check_cycles(deps: dict[str, tuple[str, ...]], loader: _Loader) -> None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 1:
            cycle = [*path[path.index(node) :], node]
            raise loader.fail(f"stages.{node}.depends_on", f"dependency cycle: {' -> '.join(cycle)}")
        if state.get(node) == 2:
            return
        state[node] = 1
        for dep in deps[node]:
            visit(dep, [*path, node])
        state[node] = 2

    for node in deps:
        visit(node, [])


def _parse_outputs(raw: Any, where: str, loader: _Loader) -> dict[str, dict]:
    if not isinstance(raw, dict) or not raw:
        raise loader.fail(where, "declare at least one output (name: {path, kind})")
    outs = {}
    for oname, spec in raw.items():
        owhere = f"{where}.{oname}"
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str) or not spec["path"]:
            raise loader.fail(owhere, "needs `path` (a file name inside the stage folder)")
        p = PurePosixPath(spec["path"])
        if p.is_absolute() or ".." in p.parts:
            raise loader.fail(f"{owhere}.path", "must be relative, inside the stage folder")
        kind = spec.get("kind", "any")
        if kind not in OUTPUT_KINDS:
            raise loader.fail(f"{owhere}.kind", f"unknown kind {kind!r} (one of {', '.join(sorted(OUTPUT_KINDS))})")
        many = spec.get("many", False)
        if not isinstance(many, bool):
            raise loader.fail(f"{owhere}.many", f"must be true or false, got {many!r}")
        if many and not any(ch in p.name for ch in "*?["):
            raise loader.fail(f"{owhere}.many", "needs a glob in `path` (e.g. subtitles.*.srt)")
        if "{match}" in str(spec.get("publish", "")) and not many:
            raise loader.fail(f"{owhere}.publish", "{match} names each file of a `many: true` output only")
        outs[oname] = spec
    return outs


def _disk(raw: object, where: str, loader: _Loader) -> DiskNeed:
    if raw is None:
        return DiskNeed()
    try:
        return DiskNeed.parse(raw)
    except ValueError as exc:
        raise loader.fail(where, f"{exc}, got {raw!r}") from exc


@functools.lru_cache(maxsize=16)
def _parsed(path: str, size: int, mtime_ns: int) -> Any:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def read_yaml(path: Path) -> Any:
    """A YAML file parsed once per content version (libyaml when present); callers get a fresh copy."""
    st = path.stat()
    return copy.deepcopy(_parsed(str(path.resolve()), st.st_size, st.st_mtime_ns))


ENGINES = ("local", "swarm")


def pipeline_engine(path: Path) -> str | None:
    """The pipeline's `engine:` (where its stages run), None when it names none or cannot be read
    (loading the pipeline reports that, with context)."""
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    name = data.get("engine") if isinstance(data, dict) else None
    if name is None:
        return None
    if name not in ENGINES:
        raise ConfigError(str(path), "engine", f"unknown engine {name!r} (one of {', '.join(ENGINES)})")
    return str(name)


def compose_path_of(path: Path) -> Path | None:
    """The compose file a pipeline file names (None if the pipeline file is unreadable)."""
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    return (path.resolve().parent / str(data.get("compose", "../compose.yaml"))).resolve()


def _params_and_files(
    data: dict, loader: _Loader, param_overrides: dict[str, str], file_overrides: dict[str, Path]
) -> tuple[dict[str, str], dict[str, Path]]:
    """Parameter values (typed, checked) and host files; `--set`/`--file` errors are UsageErrors."""
    specs = typed_params.parse_specs(data.get("params"), loader.fail)
    params = typed_params.resolve(specs, param_overrides, loader.file, UsageError)
    raw_files = data.get("files") or {}
    if not isinstance(raw_files, dict):
        raise loader.fail("files", "must be a mapping of key: path")
    files = {str(k): (loader.path.parent / str(v)).resolve() for k, v in raw_files.items()}
    for key, value in file_overrides.items():
        if key not in files:
            raise UsageError(f"--file {key}: unknown file key (files of {loader.file}: {', '.join(files) or 'none'})")
        if not value.is_file():
            why = "is not a file" if value.exists() else "does not exist"
            raise UsageError(f"--file {key}={value}: {why}; give an existing file")
        files[key] = value.resolve()
    return params, files


def check_request(
    path: Path,
    param_overrides: dict[str, str] | None = None,
    file_overrides: dict[str, Path] | None = None,
    stage_names: dict[str, list[str]] | None = None,
) -> None:
    """The user's request against the pipeline file, without compose or Docker: cheap enough to
    run before the lock and the manifest are touched. Raises ConfigError/UsageError.

    `stage_names` maps a flag (--from, --only, --force) to the stages it names."""
    path = path.resolve()
    loader = _Loader(path)
    data = loader.read()
    params, _files = _params_and_files(data, loader, param_overrides or {}, file_overrides or {})
    check_param_rules(data.get("param_rules"), params, loader.file)
    raw_stages = data.get("stages")
    known = [s.get("name") for s in raw_stages if isinstance(s, dict)] if isinstance(raw_stages, list) else []
    for flag, names in (stage_names or {}).items():
        for name in names:
            if known and name not in known:
                raise UsageError(f"{flag} {name}: no such stage (stages: {', '.join(map(str, known))})")


def load_pipeline(
    path: Path,
    input_name: str,
    param_overrides: dict[str, str] | None = None,
    file_overrides: dict[str, Path] | None = None,
    services: dict[str, Service] | None = None,
) -> Pipeline:
    """Load, validate and resolve the pipeline for one input file."""
    path = path.resolve()
    loader = _Loader(path)
    data = loader.read()
    names = InputNames(input_name)

    params, files = _params_and_files(data, loader, param_overrides or {}, file_overrides or {})
    check_param_rules(data.get("param_rules"), params, loader.file)

    compose_path = (path.parent / str(data.get("compose", "../compose.yaml"))).resolve()
    build_command = data.get("build_command")
    if build_command is not None:
        if (
            not isinstance(build_command, list)
            or not build_command
            or not all(isinstance(c, str) for c in build_command)
        ):
            raise loader.fail("build_command", "must be a non-empty list of strings (the program and its arguments)")
        if build_command[0].startswith("."):
            build_command = [str((path.parent / build_command[0]).resolve()), *build_command[1:]]
    if services is None:
        services = load_services(compose_path)

    defaults = data.get("defaults") or {}
    default_timeout = loader.number("defaults.timeout", defaults.get("timeout"), 3600.0)
    default_grace = loader.number("defaults.grace", defaults.get("grace"), 10.0)
    retry_raw = defaults.get("retries") or {}
    retries = RetryPolicy(attempts=int(retry_raw.get("attempts", 3)), wait_s=float(retry_raw.get("wait_s", 1.0)))
    if retries.attempts < 1:
        raise loader.fail("defaults.retries.attempts", "must be at least 1")

    raw_stages = data.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise loader.fail("stages", "must be a non-empty list of stages")

    # First pass: names, dependencies, outputs.
    order: list[str] = []
    deps: dict[str, tuple[str, ...]] = {}
    raw_by_name: dict[str, dict] = {}
    outputs_by_stage: dict[str, dict[str, dict]] = {}
    for i, raw in enumerate(raw_stages):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise loader.fail(f"stages[{i}]", "each stage needs a `name`")
        name = raw["name"]
        where = f"stages.{name}"
        if not _NAME.match(name):
            raise loader.fail(f"{where}.name", "use lower-case letters, digits and _")
        if name in raw_by_name:
            raise loader.fail(where, "duplicate stage name")
        dep_raw = raw.get("depends_on", [order[-1]] if order else [])
        if isinstance(dep_raw, str):
            dep_raw = [dep_raw]
        if not isinstance(dep_raw, list):
            raise loader.fail(f"{where}.depends_on", "must be a list of stage names")
        order.append(name)
        raw_by_name[name] = raw
        deps[name] = tuple(str(d) for d in dep_raw)
        outputs_by_stage[name] = _parse_outputs(raw.get("outputs"), f"{where}.outputs", loader)
    for name, dlist in deps.items():
        for dep in dlist:
            if dep not in raw_by_name:
                raise loader.fail(f"stages.{name}.depends_on", f"unknown stage {dep!r}")
    _check_cycles(deps, loader)
    for name, dlist in deps.items():
        for dep in dlist:
            if order.index(dep) > order.index(name):
                raise loader.fail(f"stages.{name}.depends_on", f"{dep!r} must come before {name!r} in the list")

    base_values = {
        "input": names.container_path,
        "input_name": names.name,
        "input_stem": names.stem,
        "input_ext": names.ext,
        "out": CONTAINER_OUT,
        "checkpoint": CONTAINER_CHECKPOINT,
        "workdir": CONTAINER_WORKDIR,
        **{f"params.{k}": v for k, v in params.items()},
        **{f"files.{k}": f"{CONTAINER_FILES}/{k}" for k in files},
    }
    dirnames = {name: f"{i + 1:02d}_{name}" for i, name in enumerate(order)}

    stages: list[StageSpec] = []
    for i, name in enumerate(order):
        raw = raw_by_name[name]
        where = f"stages.{name}"
        service = raw.get("service", name)
        if service not in services:
            raise loader.fail(f"{where}.service", f"no service {service!r} in {compose_path}")
        gpu = raw.get("gpu", "none")
        if gpu not in GPU_MODES:
            raise loader.fail(f"{where}.gpu", f"must be one of {', '.join(GPU_MODES)}, got {gpu!r}")
        command = raw.get("command", [])
        if not isinstance(command, list) or not all(isinstance(c, str | int | float) for c in command):
            raise loader.fail(f"{where}.command", "must be a list of strings")
        ancestors = _ancestors(name, deps)
        values = dict(base_values)
        for anc in ancestors:
            for oname, ospec in outputs_by_stage[anc].items():
                values[f"stages.{anc}.{oname}"] = f"{CONTAINER_WORKDIR}/{dirnames[anc]}/{ospec['path']}"
        used: set[str] = set()
        resolved_cmd = []
        for j, part in enumerate(command):
            text, u = _templated(str(part), values, loader, f"{where}.command[{j}]", ancestors)
            if u and text.startswith("-") and _is_long_option(resolved_cmd[-1:]):
                resolved_cmd[-1] = f"{resolved_cmd[-1]}={text}"  # a value such as "-x.mp4" is not an option
            else:
                resolved_cmd.append(text)
            used |= u
        outputs = {}
        for oname, ospec in outputs_by_stage[name].items():
            publish = ospec.get("publish")
            if publish is not None:
                publish = _name_template(str(publish), values, loader, f"{where}.outputs.{oname}.publish")
            options = {k: v for k, v in ospec.items() if k not in {"path", "kind", "publish"}}
            outputs[oname] = OutputSpec(oname, ospec["path"], ospec.get("kind", "any"), options, publish)
        stages.append(
            StageSpec(
                name=name,
                index=i + 1,
                service=service,
                command=tuple(resolved_cmd),
                timeout_s=loader.number(f"{where}.timeout", raw.get("timeout"), default_timeout),
                grace_s=loader.number(f"{where}.grace", raw.get("grace"), default_grace),
                critical=bool(raw.get("critical", True)),
                gpu=gpu,
                depends_on=deps[name],
                outputs=outputs,
                retries=retries,
                uses_input="input" in used,
                uses_checkpoint="checkpoint" in used,
                disk=_disk(raw.get("disk"), f"{where}.disk", loader),
                uses_files=tuple(sorted(k.split(".", 1)[1] for k in used if k.startswith("files."))),
            )
        )
    return Pipeline(
        path=path,
        compose_path=compose_path,
        params=params,
        files=files,
        stages=stages,
        services=services,
        build_command=build_command,
        notify_url=str(data["notify_url"]) if data.get("notify_url") else None,
    )
