"""Everything known before the first container starts: pipeline, input facts, images, GPU; and `plan`."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from runner.engine import Engine, ImageMissing
from runner.errors import ReelstageError, UsageError
from runner.pipeline.compose import Service, load_services
from runner.pipeline.config import Pipeline, StageSpec, compose_path_of, load_pipeline
from runner.run.checks import media_duration
from runner.run.fingerprint import FileStat, cached_fingerprint, sampled_fingerprint
from runner.run.manifest import read_manifest
from runner.run.options import RunOptions
from runner.run.plan import Decision, StageFacts, decide, stage_facts
from runner.run.preflight import check_engine, check_free_space, check_gpu, check_input, check_workdir, ensure_images


@dataclass
class Prepared:
    """The facts a run decides and launches from."""

    pipeline: Pipeline
    input_info: dict
    file_fingerprints: dict[str, str]
    image_ids: dict[str, str]
    gpu_available: bool

    def gpu_used(self, stage: StageSpec) -> bool:
        return stage.gpu != "none" and self.gpu_available and bool(self.pipeline.services[stage.service].gpus)

    def facts(self, stage: StageSpec, manifest_stages: dict) -> StageFacts:
        return stage_facts(
            stage,
            self.pipeline,
            self.image_ids.get(stage.service, "<missing>"),
            self.input_info["fingerprint"],
            self.file_fingerprints,
            manifest_stages,
            self.gpu_used(stage),
        )


class Selection:
    """Which stages this invocation may run (`--only`) and must rerun (`--force`, `--from`)."""

    def __init__(self, options: RunOptions, pipeline: Pipeline) -> None:
        known = set(pipeline.names)
        for flag, names in (
            ("--from", [options.from_stage] if options.from_stage else []),
            ("--only", options.only),
            ("--force", options.force),
        ):
            for name in names:
                if name not in known:
                    raise UsageError(f"{flag} {name}: no such stage (stages: {', '.join(pipeline.names)})")
        self.selected = set(options.only) if options.only else set(pipeline.names)
        self.forced = set(options.force) | set(options.only)
        if options.from_stage:
            self.forced |= set(pipeline.names[pipeline.names.index(options.from_stage) :])


class Preparer:
    """Pre-flight for one movie: input, config, engine, work folder, disk, images, GPU."""

    def __init__(
        self,
        options: RunOptions,
        engine: Engine,
        services: dict[str, Service] | None = None,
        gpu_ids: tuple[str, ...] = (),
    ) -> None:
        self.opt = options
        self.gpu_ids = gpu_ids  # the host's GPUs as detected or told (--gpus): containers can have them
        self.engine = engine
        self.workdir = options.workdir.resolve()
        self._services: Future | None = None
        self._known_services = services
        self._duration: Future | None = None

    def prefetch(self) -> None:
        """Start the slow subprocesses early: resolving compose.yaml, and probing the input's duration
        unless the manifest already has it for this very file."""
        pool = ThreadPoolExecutor(2)
        compose = compose_path_of(self.opt.config)
        if self._known_services is None and compose is not None and compose.is_file():
            self._services = pool.submit(load_services, compose)
        try:
            known = (read_manifest(self.workdir) or {}).get("input") or {}
        except ReelstageError:
            known = {}
        stat = FileStat.of(self.opt.input)
        if not (known.get("size") == stat.size and known.get("mtime_ns") == stat.mtime_ns and "duration_s" in known):
            self._duration = pool.submit(media_duration, self.opt.input.resolve())
        pool.shutdown(wait=False)

    def load(self) -> Pipeline:
        services = self._known_services
        if self._services is not None:
            try:
                services = self._services.result()
            except ReelstageError:
                services = None  # load_pipeline reports it again, with context
        return load_pipeline(self.opt.config, self.opt.input.name, self.opt.params, self.opt.files, services)

    def input_info(self, previous: dict | None) -> dict:
        path = self.opt.input.resolve()
        same_file = bool(previous) and previous.get("path") == str(path)
        fp, recomputed = cached_fingerprint(path, previous if same_file else None)
        stat = FileStat.of(path)
        if same_file and not recomputed and "duration_s" in previous:
            duration = previous["duration_s"]
        else:  # None: not media (probed once per fingerprint)
            duration = self._duration.result() if self._duration is not None else media_duration(path)
        return {
            "path": str(path),
            "name": path.name,
            "size": stat.size,
            "mtime": stat.mtime_ns / 1e9,
            "mtime_ns": stat.mtime_ns,
            "fingerprint": fp,
            "duration_s": duration,
        }

    def prepare(
        self, previous_manifest: dict | None, build: bool = True, say: Callable[[str], None] = print
    ) -> tuple[Prepared, Selection]:
        """Raises UsageError with one line on any failed check."""
        check_input(self.opt.input)
        pipeline = self.load()
        selection = Selection(self.opt, pipeline)
        check_engine(self.engine)
        check_workdir(self.workdir)
        check_free_space(self.workdir, self.opt.input.stat().st_size, self.opt.min_free_ratio)
        names = [n for n in pipeline.names if n in selection.selected]
        if build:
            image_ids = ensure_images(self.engine, pipeline, names, say)
        else:
            image_ids = self._known_image_ids(pipeline, names)
        wants_gpu = any(pipeline.stage(n).gpu != "none" for n in names)
        gpu = (bool(self.gpu_ids) or self.engine.gpu_available()) if wants_gpu else False
        check_gpu(pipeline, names, gpu)
        files = {k: (sampled_fingerprint(p) if p.is_file() else "absent") for k, p in pipeline.files.items()}
        info = self.input_info((previous_manifest or {}).get("input"))
        return Prepared(pipeline, info, files, image_ids, gpu), selection

    def _known_image_ids(self, pipeline: Pipeline, names: list[str]) -> dict[str, str]:
        ids = {}
        for name in names:
            svc = pipeline.stage(name).service
            try:
                ids[svc] = self.engine.image_id(pipeline.services[svc].image)
            except ImageMissing:
                ids[svc] = "<missing>"
        return ids


def plan_decisions(prep: Prepared, selection: Selection, manifest_data: dict | None, workdir: Path) -> list[Decision]:
    """Per stage: skip or run, and why, as a run would decide them in pipeline order (nothing is run)."""
    stages = (manifest_data or {}).get("stages", {})
    reran: set[str] = set()
    decisions = []
    for stage in prep.pipeline.stages:
        if stage.name not in selection.selected:
            decisions.append(Decision(stage.name, "leave", "not selected by --only"))
            continue
        entry = stages.get(stage.name)
        d = decide(stage, entry, prep.facts(stage, stages), workdir, reran, stage.name in selection.forced)
        if d.action == "run":
            reran.add(stage.name)
        decisions.append(d)
    return decisions


def plan_only(options: RunOptions, engine: Engine) -> tuple[Prepared, list[Decision]]:
    """`reelstage plan`: the decisions, without taking the lock or running anything."""
    workdir = options.workdir.resolve()
    previous = read_manifest(workdir) if workdir.exists() else None
    prep, selection = Preparer(options, engine).prepare(previous, build=False)
    return prep, plan_decisions(prep, selection, previous, workdir)
