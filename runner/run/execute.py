"""Run a pipeline in a work folder: plan, execute each stage, verify, promote, record."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import tenacity

from runner.engine import ContainerSpec, Engine, EngineError, ImageMissing, Interrupted, Mount, RunResult
from runner.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, ReelstageError, UsageError
from runner.pipeline.compose import load_services
from runner.pipeline.config import (
    CONTAINER_FILES,
    CONTAINER_OUT,
    CONTAINER_WORKDIR,
    InputNames,
    Pipeline,
    StageSpec,
    compose_path_of,
    load_pipeline,
)
from runner.run.checks import CheckContext, media_duration, verify_output
from runner.run.fingerprint import FileStat, cached_fingerprint, sampled_fingerprint
from runner.run.lock import WorkdirLock
from runner.run.logs import RunLogger, StageLog
from runner.run.manifest import Manifest, read_manifest, set_aside_corrupt, utc_now
from runner.run.plan import Decision, StageFacts, decide, stage_facts
from runner.run.preflight import check_engine, check_free_space, check_gpu, check_input, check_workdir, ensure_images
from runner.run.signals import exit_code, interrupt_on_signals, signals_blocked
from runner.run.workdir import (
    LOGS,
    clear_staging,
    is_published,
    new_staging_dir,
    promote,
    publish,
    resolve_output,
)
from runner.watch.display import Display, PlainDisplay
from runner.watch.events import EventLog
from runner.watch.progress import EtaEstimator, History, parse_line

LABEL_PREFIX = "io.reelstage"


@dataclass
class RunOptions:
    """What the user asked for."""

    input: Path
    workdir: Path
    config: Path
    from_stage: str | None = None
    only: tuple[str, ...] = ()
    force: tuple[str, ...] = ()
    reset: bool = False
    params: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    notify_url: str | None = None
    min_free_ratio: float = 2.0
    progress_interval_s: float = 30.0


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def workdir_labels(workdir: Path) -> dict[str, str]:
    return {f"{LABEL_PREFIX}.workdir": str(workdir)}


@dataclass
class Prepared:
    """Everything known before the first container starts."""

    pipeline: Pipeline
    input_info: dict
    file_fingerprints: dict[str, str]
    image_ids: dict[str, str]
    gpu_available: bool


class Runner:
    """One invocation of `reelstage run` (or `plan`) on one work folder."""

    def __init__(self, options: RunOptions, engine: Engine, display: Display | None = None) -> None:
        self.opt = options
        self.engine = engine
        self.display = display or PlainDisplay()
        self.workdir = options.workdir.resolve()
        self.run_id = new_run_id()
        self.manifest: Manifest | None = None
        self.events: EventLog | None = None
        self.log: RunLogger | None = None
        self.history = History()
        self._reran: set[str] = set()
        self._services: Future | None = None
        self._duration: Future | None = None

    # -- preparation -------------------------------------------------------------------

    def _prefetch(self) -> None:
        """Start the slow subprocesses early: resolving compose.yaml, and probing the input's
        duration unless the manifest already has it for this very file."""
        pool = ThreadPoolExecutor(2)
        compose = compose_path_of(self.opt.config)
        if compose is not None and compose.is_file():
            self._services = pool.submit(load_services, compose)
        try:
            known = (read_manifest(self.workdir) or {}).get("input") or {}
        except ReelstageError:
            known = {}
        stat = FileStat.of(self.opt.input)
        if not (known.get("size") == stat.size and known.get("mtime_ns") == stat.mtime_ns and "duration_s" in known):
            self._duration = pool.submit(media_duration, self.opt.input.resolve())
        pool.shutdown(wait=False)

    def _load(self) -> Pipeline:
        services = None
        if self._services is not None:
            try:
                services = self._services.result()
            except ReelstageError:
                services = None  # load_pipeline reports it again, with context
        return load_pipeline(self.opt.config, self.opt.input.name, self.opt.params, self.opt.files, services)

    def _validate_selection(self, pipeline: Pipeline) -> None:
        known = set(pipeline.names)
        for flag, names in (
            ("--from", [self.opt.from_stage] if self.opt.from_stage else []),
            ("--only", self.opt.only),
            ("--force", self.opt.force),
        ):
            for name in names:
                if name not in known:
                    raise UsageError(f"{flag} {name}: no such stage (stages: {', '.join(pipeline.names)})")

    def selected(self, pipeline: Pipeline) -> list[str]:
        """Stages this invocation may run (all, or --only's)."""
        return list(self.opt.only) if self.opt.only else pipeline.names

    def forced(self, pipeline: Pipeline) -> set[str]:
        forced = set(self.opt.force) | set(self.opt.only)
        if self.opt.from_stage:
            forced |= set(pipeline.names[pipeline.names.index(self.opt.from_stage) :])
        return forced

    def _input_info(self, previous: dict | None) -> dict:
        path = self.opt.input.resolve()
        same_file = bool(previous) and previous.get("path") == str(path)
        fp, recomputed = cached_fingerprint(path, previous if same_file else None)
        stat = FileStat.of(path)
        unchanged = same_file and not recomputed and "duration_s" in previous
        if unchanged:
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

    def _file_fingerprints(self, pipeline: Pipeline) -> dict[str, str]:
        return {
            key: (sampled_fingerprint(path) if path.is_file() else "absent") for key, path in pipeline.files.items()
        }

    def prepare(self, previous_manifest: dict | None, build: bool = True) -> Prepared:
        """Pre-flight: input, config, engine, work folder, disk, images, GPU. Raises UsageError."""
        check_input(self.opt.input)
        pipeline = self._load()
        self._validate_selection(pipeline)
        check_engine(self.engine)
        check_workdir(self.workdir)
        check_free_space(self.workdir, self.opt.input.stat().st_size, self.opt.min_free_ratio)
        names = self.selected(pipeline)
        if build:
            image_ids = ensure_images(self.engine, pipeline, names, self.display.say)
        else:
            image_ids = {}
            for name in names:
                svc = pipeline.stage(name).service
                try:
                    image_ids[svc] = self.engine.image_id(pipeline.services[svc].image)
                except ImageMissing:
                    image_ids[svc] = "<missing>"
        wants_gpu = any(pipeline.stage(n).gpu != "none" for n in names)
        gpu = self.engine.gpu_available() if wants_gpu else False
        check_gpu(pipeline, names, gpu)
        return Prepared(
            pipeline=pipeline,
            input_info=self._input_info((previous_manifest or {}).get("input")),
            file_fingerprints=self._file_fingerprints(pipeline),
            image_ids=image_ids,
            gpu_available=gpu,
        )

    # -- planning ------------------------------------------------------------------------

    def facts(self, prep: Prepared, stage: StageSpec, manifest_stages: dict) -> StageFacts:
        return stage_facts(
            stage,
            prep.pipeline,
            prep.image_ids.get(stage.service, "<missing>"),
            prep.input_info["fingerprint"],
            prep.file_fingerprints,
            manifest_stages,
            self._gpu_used(prep, stage),
        )

    @staticmethod
    def _gpu_used(prep: Prepared, stage: StageSpec) -> bool:
        return stage.gpu != "none" and prep.gpu_available and bool(prep.pipeline.services[stage.service].gpus)

    def plan(self, prep: Prepared, manifest_data: dict | None) -> list[Decision]:
        """Per stage: skip or run, and why (nothing is run)."""
        stages = (manifest_data or {}).get("stages", {})
        selected = set(self.selected(prep.pipeline))
        forced = self.forced(prep.pipeline)
        reran: set[str] = set()
        decisions = []
        for stage in prep.pipeline.stages:
            if stage.name not in selected:
                decisions.append(Decision(stage.name, "leave", "not selected by --only"))
                continue
            d = decide(
                stage,
                stages.get(stage.name),
                self.facts(prep, stage, stages),
                self.workdir,
                reran,
                stage.name in forced,
            )
            if d.action == "run":
                reran.add(stage.name)
            decisions.append(d)
        return decisions

    # -- the run -------------------------------------------------------------------------

    def run(self) -> int:
        """Run the pipeline; returns the exit code."""
        check_input(self.opt.input)
        check_workdir(self.workdir)
        self._prefetch()
        with WorkdirLock(self.workdir):
            self.log = RunLogger(self.workdir / LOGS / "runner.jsonl", self.run_id)
            try:
                return self._run_locked()
            finally:
                self.log.close()

    def _open_manifest(self) -> Manifest:
        if self.opt.reset:
            kept = set_aside_corrupt(self.workdir)
            if kept:
                self.display.say(f"--reset: previous manifest kept as {kept.name}; starting over")
            clear_staging(self.workdir)
        return Manifest.open(self.workdir, self.run_id)

    def _run_locked(self) -> int:
        check_engine(self.engine)
        try:
            reaped = self.engine.remove_labelled(workdir_labels(self.workdir))
        except EngineError as exc:
            raise UsageError(str(exc)) from exc
        if reaped:
            self.display.say(f"removed {len(reaped)} container(s) left by an earlier run that died")
            self.log.info("orphans_removed", containers=reaped)
        self.manifest = manifest = self._open_manifest()
        clear_staging(self.workdir)
        prep = self.prepare(manifest.data)
        pipeline = prep.pipeline
        manifest.data["input"] = prep.input_info
        manifest.data["config"] = {"pipeline": str(pipeline.path), "compose": str(pipeline.compose_path)}
        manifest.sync_stages([(s.name, s.index, s.dirname, s.critical) for s in pipeline.stages])
        manifest.pipeline["runs"].append(
            {
                "run_id": self.run_id,
                "started_at": utc_now(),
                "ended_at": None,
                "status": "running",
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "argv": sys.argv,
            }
        )
        manifest.data["run_id"] = self.run_id
        manifest.set_pipeline(
            status="running", started_at=utc_now(), ended_at=None, error=None, exit_code=None, current_stage=None
        )
        self.events = EventLog(self.workdir, self.run_id, self.opt.notify_url or pipeline.notify_url)
        self.events.emit("pipeline.started", input=prep.input_info["name"], stages=pipeline.names)
        self.log.info("pipeline_started", workdir=str(self.workdir), input=prep.input_info["path"])
        # The handlers stay ours (ignoring repeats after the first signal) until the final state is written.
        with interrupt_on_signals():
            try:
                code, error = self._run_stages(prep)
                status = "completed" if code == EXIT_OK else "failed"
            except Interrupted as exc:
                code = exit_code(exc.signum)
                status, error = "interrupted", f"interrupted by {signal.Signals(exc.signum).name}"
                self.events.emit("pipeline.interrupted", signal=signal.Signals(exc.signum).name)
            self._finish(status, code, error)
        return code

    def _finish(self, status: str, code: int, error: str | None) -> None:
        manifest = self.manifest
        with signals_blocked():  # the final state must never be half-written
            manifest.pipeline["runs"][-1].update(ended_at=utc_now(), status=status)
            manifest.set_pipeline(status=status, ended_at=utc_now(), error=error, exit_code=code, current_stage=None)
            if status == "completed":
                self.events.emit("pipeline.completed")
            elif status == "failed":
                self.events.emit("pipeline.failed", error=error)
            self.log.info("pipeline_finished", status=status, exit_code=code, error=error)
            self.events.close()
            self._write_report()
        if status == "completed":
            self.display.say(f"done: {self.workdir} (manifest.json, report.html)")

    def _write_report(self) -> None:
        try:
            from runner.watch.report import write_report
        except ImportError:
            return
        try:
            write_report(self.workdir)
        except Exception as exc:  # a report must never fail the run
            self.log.info("report_failed", error=str(exc))

    def _run_stages(self, prep: Prepared) -> tuple[int, str | None]:
        pipeline, manifest = prep.pipeline, self.manifest
        selected = set(self.selected(pipeline))
        forced = self.forced(pipeline)
        total = len(pipeline.stages)
        for stage in pipeline.stages:
            if stage.name not in selected:
                continue
            facts = self.facts(prep, stage, manifest.stages)
            decision = decide(stage, manifest.stage(stage.name), facts, self.workdir, self._reran, stage.name in forced)
            self.log.info("stage_decision", stage=stage.name, action=decision.action, reason=decision.reason)
            if decision.action == "skip":
                self.display.banner(stage.index, total, stage.name, f"skip ({decision.reason})")
                self.events.emit("stage.skipped", stage=stage.name, reason=decision.reason, cached=True)
                self._ensure_published(prep, stage)
                continue
            self.display.banner(stage.index, total, stage.name, f"run ({decision.reason})")
            self._reran.add(stage.name)
            outcome = self._run_stage(prep, stage)
            if outcome is not None:
                return outcome
        return EXIT_OK, None

    # -- one stage -----------------------------------------------------------------------

    def _container_spec(self, prep: Prepared, stage: StageSpec, staging: Path) -> ContainerSpec:
        service = prep.pipeline.services[stage.service]
        mounts = [Mount(str(self.workdir), CONTAINER_WORKDIR, True), Mount(str(staging), CONTAINER_OUT, False)]
        if stage.uses_input:
            mounts.append(Mount(str(self.opt.input.resolve()), InputNames(self.opt.input.name).container_path, True))
        for key in stage.uses_files:
            host = prep.pipeline.files[key]
            if host.is_file():
                mounts.append(Mount(str(host), f"{CONTAINER_FILES}/{key}", True))
        for m in service.mounts:  # compose creates missing bind sources; so do we
            if not Path(m.source).exists():
                Path(m.source).mkdir(parents=True, exist_ok=True)
        mounts.extend(service.mounts)
        return ContainerSpec(
            image=service.image,
            command=stage.command,
            mounts=tuple(mounts),
            env={"HOME": "/tmp", **service.env},
            user=f"{os.getuid()}:{os.getgid()}",
            network=service.network_mode or "none",
            gpus=service.gpus if self._gpu_used(prep, stage) else (),
            labels={
                **workdir_labels(self.workdir),
                f"{LABEL_PREFIX}.run_id": self.run_id,
                f"{LABEL_PREFIX}.stage": stage.name,
            },
            timeout_s=stage.timeout_s,
            grace_s=stage.grace_s,
            cpu_limit=service.resources.cpu_limit,
            memory_limit_bytes=service.resources.memory_limit_bytes,
            cpu_reservation=service.resources.cpu_reservation,
            memory_reservation_bytes=service.resources.memory_reservation_bytes,
            placement=service.placement,
        )

    def _mark_running(self, prep: Prepared, stage: StageSpec, notes: list[str]) -> None:
        """The stage's entry as it starts: fresh outputs, progress, notes and error."""
        self.manifest.set_stage(
            stage.name,
            status="running",
            started_at=utc_now(),
            ended_at=None,
            duration_s=None,
            image=prep.pipeline.services[stage.service].image,
            image_id=prep.image_ids.get(stage.service),
            outputs={},
            progress=None,
            notes=notes,
            info={},
            error=None,
            resume_key=None,
            resume_parts=None,
        )
        self.manifest.set_pipeline(current_stage=stage.name)

    def _run_stage(self, prep: Prepared, stage: StageSpec) -> tuple[int, str | None] | None:
        """Run one stage (retrying engine errors); None to go on, or (exit code, error) to stop."""
        manifest = self.manifest
        name = stage.name
        service = prep.pipeline.services[stage.service]
        notes: list[str] = []
        if stage.gpu != "none" and not self._gpu_used(prep, stage):  # only `optional` gets here (pre-flight)
            why = "no GPU runtime on this host" if not prep.gpu_available else "its compose service reserves no GPU"
            notes.append(f"ran on CPU: {why}")
        with manifest.batch():
            self._mark_running(prep, stage, notes)
        media_s = prep.input_info.get("duration_s")
        eta = EtaEstimator(prior_s=self.history.expected_s(name, media_s))
        self.display.stage_running(name, eta)
        started = time.monotonic()
        secret_values = [v for v in service.secret_env.values() if len(v) >= 4]
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(stage.retries.attempts),
            wait=tenacity.wait_exponential(multiplier=stage.retries.wait_s, max=30),
            retry=tenacity.retry_if_exception(lambda e: isinstance(e, EngineError) and not isinstance(e, ImageMissing)),
            reraise=True,
        )
        collected: dict = {}
        try:
            for attempt_ctl in retrying:
                with attempt_ctl:
                    collected = self._attempt(prep, stage, eta, secret_values, media_s)
        except EngineError as exc:
            collected = {"result": None, "reason": "engine_error", "error": str(exc)}
        except Interrupted as exc:
            result = exc.args[1] if len(exc.args) > 1 else None
            attempt = manifest.stage(name)["attempts"][-1]
            with manifest.batch():
                self._close_attempt(
                    name, attempt, result, "interrupted", f"interrupted by {signal.Signals(exc.signum).name}"
                )
                manifest.set_stage(
                    name,
                    status="failed",
                    ended_at=utc_now(),
                    duration_s=round(time.monotonic() - started, 3),
                    error="interrupted",
                )
            self.display.stage_done(name, "interrupted", time.monotonic() - started)
            raise
        duration = round(time.monotonic() - started, 3)
        return self._conclude(prep, stage, collected, duration)

    def _attempt(
        self, prep: Prepared, stage: StageSpec, eta: EtaEstimator, secrets_: list[str], media_s: float | None
    ) -> dict:
        """One container run: stream its log, parse the protocol, verify and stage outputs."""
        manifest, name = self.manifest, stage.name
        n = len(manifest.stage(name)["attempts"]) + 1
        staging = new_staging_dir(self.workdir, stage.dirname, self.run_id, n)
        attempt = {
            "n": n,
            "run_id": self.run_id,
            "started_at": utc_now(),
            "ended_at": None,
            "duration_s": None,
            "exit_code": None,
            "reason": None,
            "container_id": None,
            "node": None,
            "error": None,
        }
        manifest.add_attempt(name, attempt)
        self.events.emit("stage.started", stage=name, attempt=n)
        self.log.info("stage_started", stage=name, attempt=n, image=prep.pipeline.services[stage.service].image)
        state: dict = {"skip": None, "error": None, "notes": [], "info": {}}
        stage_log = StageLog(self.workdir / LOGS / f"{name}.log", secrets_)
        stage_log.header(f"attempt {n} of run {self.run_id} at {utc_now()}")
        last_event = [0.0]

        def on_line(line: str) -> None:
            stage_log.write(line)
            msg = parse_line(line, media_s)
            if msg is None:
                return
            if msg.kind == "progress":
                eta.observe(msg.value)
                self.display.progress(name, msg.value, msg.message)
                if manifest.set_progress(name, msg.value, msg.message) or msg.value >= 1.0:
                    now = time.monotonic()
                    if now - last_event[0] >= 5.0 or msg.value >= 1.0:
                        last_event[0] = now
                        self.events.emit("stage.progress", stage=name, fraction=msg.value, message=msg.message)
            elif msg.kind == "note":
                state["notes"].append(msg.value)
            elif msg.kind == "info":
                state["info"].update(msg.value)
            elif msg.kind in ("skip", "error"):
                state[msg.kind] = msg.value

        spec = self._container_spec(prep, stage, staging)
        try:
            result = self.engine.run(spec, on_line)
        except EngineError as exc:
            stage_log.close()
            attempt["node"] = exc.node
            self._close_attempt(name, attempt, None, "engine_error", str(exc))
            raise
        except Interrupted:
            stage_log.close()
            raise
        stage_log.close()
        attempt["container_id"] = result.container_id
        return {"result": result, "staging": staging, **state}

    def _close_attempt(
        self, name: str, attempt: dict, result: RunResult | None, reason: str, error: str | None
    ) -> None:
        attempt.update(
            ended_at=utc_now(),
            duration_s=round(result.duration_s, 3) if result else None,
            exit_code=result.exit_code if result else None,
            container_id=result.container_id if result else attempt.get("container_id"),
            reason=reason,
            error=error,
        )
        if result is not None:
            attempt.update(node=result.node, peak_memory_bytes=result.peak_memory_bytes, cpu_s=result.cpu_s)
        self.manifest.save()

    def _verify(self, prep: Prepared, stage: StageSpec, staging: Path) -> tuple[dict, str | None]:
        ctx = CheckContext(input_duration_s=prep.input_info.get("duration_s"))
        found = {}
        for oname, ospec in stage.outputs.items():
            path, problem = resolve_output(staging, ospec)
            if problem is None:
                problem = verify_output(path, ospec.kind, ospec.options, ctx)
            if problem:
                return found, f"output {oname}: {problem}"
            found[oname] = path
        return found, None

    def _conclude(self, prep: Prepared, stage: StageSpec, got: dict, duration: float) -> tuple[int, str | None] | None:
        """Classify the attempt, verify and promote, record the stage: one manifest write."""
        entry = self.manifest.stage(stage.name)
        notes = entry["notes"] + got.get("notes", [])
        with self.manifest.batch():
            return self._conclude_batched(prep, stage, got, duration, entry, entry["attempts"][-1], notes)

    def _conclude_batched(
        self, prep: Prepared, stage: StageSpec, got: dict, duration: float, entry: dict, attempt: dict, notes: list[str]
    ) -> tuple[int, str | None] | None:
        manifest, name = self.manifest, stage.name
        result: RunResult | None = got.get("result")
        info = got.get("info", {})
        status, reason, error = "failed", None, got.get("error")
        exit_code = EXIT_FAILED
        if result is None:
            reason = "engine_error"
        elif result.reason == "timeout":
            reason, error = "timeout", f"timed out after {stage.timeout_s:g} s (container stopped and removed)"
        elif result.exit_code != 0:
            reason = "exit_code"
            error = error or f"exited with code {result.exit_code}; see logs/{name}.log"
            if result.exit_code == EXIT_USAGE:
                exit_code = EXIT_USAGE
        elif got.get("skip"):
            status, reason = "skipped", "skipped"
            notes.append(got["skip"])
        else:
            outputs, problem = self._verify(prep, stage, got["staging"])
            if problem:
                reason, error = "verify_failed", problem
            else:
                status, reason, error = "success", "ok", None
                self._promote(prep, stage, outputs)
        if reason != "engine_error" or attempt.get("reason") is None:
            self._close_attempt(name, attempt, result, reason, error)
        if status == "failed" and not stage.critical:
            status = "skipped"
            notes.append(f"optional stage failed ({reason}): {error}")
        changes = {
            "status": status,
            "ended_at": utc_now(),
            "duration_s": duration,
            "notes": notes,
            "info": info,
            "error": error if status != "success" else None,
            "progress": None,
        }
        if status in ("success", "skipped"):
            facts = self.facts(prep, stage, manifest.stages)  # upstream outputs are final now
            changes.update(resume_key=facts.key, resume_parts=facts.parts)
        manifest.set_stage(name, **changes)
        self.display.stage_done(name, status, duration, error or (notes[-1] if status == "skipped" else ""))
        if status == "success":
            self.history.record(name, duration, prep.input_info.get("duration_s"))
            self.events.emit("stage.completed", stage=name, duration_s=duration)
        elif status == "skipped":
            self.events.emit("stage.skipped", stage=name, reason=notes[-1] if notes else reason)
        else:
            self.events.emit("stage.failed", stage=name, reason=reason, error=error)
        self.log.info("stage_finished", stage=name, status=status, reason=reason, error=error, duration_s=duration)
        if status == "failed":
            return exit_code, f"stage {name} failed: {error}"
        return None

    def _promote(self, prep: Prepared, stage: StageSpec, outputs: dict[str, Path]) -> None:
        staging_dir = next(iter(outputs.values())).parent if outputs else None
        final = self.workdir / stage.dirname
        records = {}
        for oname, path in outputs.items():
            rel = path.relative_to(staging_dir) if staging_dir else Path(path.name)
            final_path = final / rel
            records[oname] = (final_path, path)
        # hash before the move (same inode after it), then promote atomically
        recorded = {}
        for oname, (final_path, path) in records.items():
            st = FileStat.of(path)
            recorded[oname] = {
                "path": str(final_path.relative_to(self.workdir)),
                "size": st.size,
                "mtime_ns": st.mtime_ns,
                "hash": sampled_fingerprint(path),
            }
        if staging_dir is not None:
            promote(staging_dir, final)
        self.manifest.set_stage(stage.name, save=False, outputs=recorded)
        self._ensure_published(prep, stage)

    def _ensure_published(self, prep: Prepared, stage: StageSpec) -> None:
        entry = self.manifest.stage(stage.name)
        for oname, ospec in stage.outputs.items():
            rec = (entry.get("outputs") or {}).get(oname)
            if not ospec.publish or not rec:
                continue
            source = self.workdir / rec["path"]
            target = self.workdir / ospec.publish.replace("{ext}", source.suffix)
            if source.exists() and not is_published(source, target):
                publish(source, target)
                self.display.say(f"  wrote {target}")


def plan_only(options: RunOptions, engine: Engine) -> tuple[Prepared, list[Decision]]:
    """`reelstage plan`: the decisions, without taking the lock or running anything."""
    runner = Runner(options, engine)
    previous = read_manifest(options.workdir.resolve()) if options.workdir.exists() else None
    prep = runner.prepare(previous, build=False)
    return prep, runner.plan(prep, previous)


__all__ = ["Prepared", "ReelstageError", "RunOptions", "Runner", "plan_only"]
