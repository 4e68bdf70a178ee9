"""One stage of one movie, in a worker thread: attempts (engine errors retried), verify, promote, record.

It knows nothing about other stages or movies: the library decides when it starts and what it holds.
"""

from __future__ import annotations

import errno
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from runner.engine import ContainerSpec, Engine, EngineError, GpuRequest, ImageMissing, Mount, RunResult
from runner.errors import EXIT_FAILED, EXIT_USAGE, ReelstageError
from runner.pipeline.config import (
    CONTAINER_CHECKPOINT,
    CONTAINER_FILES,
    CONTAINER_OUT,
    CONTAINER_WORKDIR,
    MIN_FREE_BYTES,
    InputNames,
    StageSpec,
)
from runner.pipeline.names import user_facing
from runner.run.checks import CheckContext, verify_output
from runner.run.fingerprint import FileStat, sampled_fingerprint
from runner.run.logs import StageLog
from runner.run.manifest import utc_now
from runner.run.options import LABEL_PREFIX, workdir_labels
from runner.run.prepare import Prepared
from runner.run.recorder import Recorder
from runner.run.resources import Grant
from runner.run.workdir import (
    LOGS,
    drop_checkpoint,
    is_published,
    new_staging_dir,
    open_checkpoint,
    promote,
    publish,
    published_name,
    records_of,
    resolve_outputs,
)
from runner.watch.progress import EtaEstimator, parse_line

FULL_DISK_BYTES = 4 * 2**20  # less free space than this after a failed stage: the stage filled the disk
# how long a retry after an engine error waits for the engine to answer again (a dockerd restart)
ENGINE_WAIT_S = float(os.environ.get("REELSTAGE_ENGINE_WAIT_S", "120"))


class DiskFull(ReelstageError):
    """The work folder's file system filled up during the run."""

    exit_code = EXIT_USAGE


def disk_full(workdir: Path, exc: OSError, need_bytes: int = MIN_FREE_BYTES) -> DiskFull:
    return DiskFull(
        f"the disk of {workdir} is full ({exc.strerror}); free at least {need_bytes / 2**20:.0f} MiB "
        "(or give --workdir on a larger disk) and rerun: finished stages are kept"
    )


class Stop:
    """A movie's stop request (signal or cancel), seen by its running stages."""

    def __init__(self) -> None:
        self.status: str | None = None  # interrupted | cancelled
        self.reason: str | None = None
        self.code = EXIT_FAILED  # the movie's exit code (128 + signal number when interrupted)
        self._lock = threading.Lock()

    def request(self, status: str, reason: str, code: int) -> None:
        with self._lock:
            if self.status is None:
                self.status, self.reason, self.code = status, reason, code

    def __bool__(self) -> bool:
        return self.status is not None


@dataclass
class StageOutcome:
    """How a stage ended, and the pipeline's exit code if that ends the movie."""

    status: str  # success | skipped | failed | interrupted | cancelled
    exit_code: int = 0
    error: str | None = None


@dataclass
class MovieContext:
    """What every stage of one movie needs."""

    workdir: Path
    input: Path
    run_id: str
    prep: Prepared
    recorder: Recorder
    engine: Engine
    stop: Stop = field(default_factory=Stop)
    input_stat: tuple[int, int, int] = field(init=False)

    def __post_init__(self) -> None:
        st = self.input.stat()
        self.input_stat = (st.st_size, st.st_mtime_ns, st.st_ino)

    def input_changed(self) -> str | None:
        """A message when the input file is no longer the one this run started with."""
        try:
            st = self.input.stat()
        except OSError as exc:
            return f"the input {self.input} disappeared while running ({exc.strerror}); restore it and rerun"
        if (st.st_size, st.st_mtime_ns, st.st_ino) != self.input_stat:
            return (
                f"the input {self.input} changed while running; rerun to start over from the first stage "
                "that reads it (subtitles of one file are never muxed into another)"
            )
        return None

    def labels(self, stage: str) -> dict[str, str]:
        return {
            **workdir_labels(self.workdir),
            f"{LABEL_PREFIX}.run_id": self.run_id,
            f"{LABEL_PREFIX}.stage": stage,
        }


class _Interrupting(Exception):
    """The movie was asked to stop while this stage ran."""


class StageExecution:
    """Runs one stage to its final state."""

    def __init__(self, ctx: MovieContext, stage: StageSpec, grant: Grant, reason: str, resume_key: str) -> None:
        self.ctx = ctx
        self.stage = stage
        self.grant = grant
        self.reason = reason
        self.resume_key = resume_key
        self.service = ctx.prep.pipeline.services[stage.service]
        self.media_s = ctx.prep.input_info.get("duration_s")
        self._next_attempt: dict | None = None  # opened with the stage's start, used by the first attempt

    # -- the stage ---------------------------------------------------------------------------

    def run(self) -> StageOutcome:
        ctx, stage = self.ctx, self.stage
        notes = []
        if stage.gpu != "none" and not ctx.prep.gpu_used(stage):  # only `optional` gets here (pre-flight)
            why = "no GPU runtime on this host" if not ctx.prep.gpu_available else "its compose service reserves no GPU"
            notes.append(f"ran on CPU: {why}")
        total = len(ctx.prep.pipeline.stages)
        image_id = ctx.prep.image_ids.get(stage.service)
        with ctx.recorder.manifest.batch():  # the stage's start and its first attempt: one write
            ctx.recorder.stage_started(stage, total, self.reason, self.service.image, image_id, notes)
            self._next_attempt = self._open_attempt()
        eta = EtaEstimator(prior_s=ctx.recorder.history.expected_s(stage.name, self.media_s))
        ctx.recorder.display.stage_running(ctx.recorder.shown(stage.name), eta)
        started = time.monotonic()
        try:
            got = self._attempts(eta)
            return self._conclude(got, round(time.monotonic() - started, 3))
        except _Interrupting:
            return self._stopped(round(time.monotonic() - started, 3))
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise disk_full(ctx.workdir, exc) from exc
            ctx.recorder.manifest.check_workdir()  # raises WorkdirGone when that is the cause
            raise

    def _attempts(self, eta: EtaEstimator) -> dict:
        """Attempts until one ends without an engine error (retried per policy)."""
        import tenacity

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.stage.retries.attempts),
            wait=tenacity.wait_exponential(multiplier=self.stage.retries.wait_s, max=30),
            retry=tenacity.retry_if_exception(
                lambda e: isinstance(e, EngineError) and not isinstance(e, ImageMissing) and not self.ctx.stop
            ),
            before_sleep=lambda _state: self.ctx.engine.wait_until_available(ENGINE_WAIT_S),  # dockerd restarting
            reraise=True,
        )
        try:
            for attempt_ctl in retrying:
                with attempt_ctl:
                    return self._attempt(eta)
        except EngineError as exc:
            if self.ctx.stop:
                raise _Interrupting() from exc
            return {"result": None, "reason": "engine_error", "error": str(exc)}
        raise AssertionError("unreachable")

    def _attempt(self, eta: EtaEstimator) -> dict:
        """One container run: stream its log, parse the protocol; outputs land in a fresh staging folder."""
        ctx, name = self.ctx, self.stage.name
        if ctx.stop:
            raise _Interrupting()
        attempt, self._next_attempt = self._next_attempt or self._open_attempt(), None
        staging = new_staging_dir(ctx.workdir, self.stage.dirname, ctx.run_id, attempt["n"])
        state: dict = {"skip": None, "error": None, "notes": [], "info": {}, "attempt": attempt}
        secrets = [v for v in self.service.secret_env.values() if len(v) >= 4]
        stage_log = StageLog(ctx.workdir / LOGS / f"{name}.log", secrets)
        stage_log.header(f"attempt {attempt['n']} of run {ctx.run_id} at {utc_now()}")
        last_event = [0.0]

        def on_line(line: str) -> None:
            stage_log.write(line)
            msg = parse_line(line, self.media_s)
            if msg is None:
                return
            if msg.kind == "progress":
                eta.observe(msg.value)
                ctx.recorder.progress(name, msg.value, msg.message, last_event)
            elif msg.kind == "note":
                state["notes"].append(msg.value)
            elif msg.kind == "info":
                state["info"].update(msg.value)
            elif msg.kind in ("skip", "error"):
                state[msg.kind] = msg.value

        try:
            result = ctx.engine.run(self._container_spec(staging), on_line)
        except EngineError as exc:
            node = getattr(exc, "node", None)
            if ctx.stop:  # the run's own stop removed the container (or cluster service) under it
                ctx.recorder.attempt_closed(attempt, None, ctx.stop.status or "interrupted", ctx.stop.reason, node=node)
                raise _Interrupting() from exc
            ctx.recorder.attempt_closed(attempt, None, "engine_error", str(exc), node=node)
            raise
        finally:
            stage_log.close()
        attempt["container_id"] = result.container_id
        if ctx.stop:
            ctx.recorder.attempt_closed(attempt, result, ctx.stop.status or "interrupted", ctx.stop.reason)
            raise _Interrupting()
        return {"result": result, "staging": staging, **state}

    def _open_attempt(self) -> dict:
        extra: dict = {"cpus": self.grant.cpus}  # what the scheduler held for it
        if self.grant.gpu_ids:
            extra["gpus"] = list(self.grant.gpu_ids)
        return self.ctx.recorder.attempt_opened(self.stage.name, self.service.image, extra)

    def _container_spec(self, staging: Path) -> ContainerSpec:
        ctx, stage, service = self.ctx, self.stage, self.service
        mounts = [Mount(str(ctx.workdir), CONTAINER_WORKDIR, True), Mount(str(staging), CONTAINER_OUT, False)]
        if stage.uses_input:
            mounts.append(Mount(str(ctx.input.resolve()), InputNames(ctx.input.name).container_path, True))
        if stage.uses_checkpoint:
            folder = open_checkpoint(ctx.workdir, stage.dirname, self.resume_key)
            mounts.append(Mount(str(folder), CONTAINER_CHECKPOINT, False))
        for key in stage.uses_files:
            host = ctx.prep.pipeline.files[key]
            if host.is_file():
                mounts.append(Mount(str(host), f"{CONTAINER_FILES}/{key}", True))
        for m in service.mounts:  # compose creates missing bind sources; so do we
            if not Path(m.source).exists():
                Path(m.source).mkdir(parents=True, exist_ok=True)
        mounts.extend(service.mounts)
        gpus: tuple[GpuRequest, ...] = ()
        if ctx.prep.gpu_used(stage):
            gpus = service.gpus
            if self.grant.gpu_ids:  # the scheduler's devices: never two stages on one GPU
                first = service.gpus[0]
                gpus = (GpuRequest(first.driver, -1, self.grant.gpu_ids, first.capabilities),)
        return ContainerSpec(
            image=service.image,
            command=stage.command,
            mounts=tuple(mounts),
            env={"HOME": "/tmp", **service.env},
            user=f"{os.getuid()}:{os.getgid()}",
            network=service.network_mode or "none",
            gpus=gpus,
            labels=ctx.labels(stage.name),
            timeout_s=stage.timeout_s,
            grace_s=stage.grace_s,
            cpu_limit=service.resources.cpu_limit,
            memory_limit_bytes=service.resources.memory_limit_bytes,
            cpu_reservation=service.resources.cpu_reservation,
            memory_reservation_bytes=service.resources.memory_reservation_bytes,
            placement=service.placement,  # a cluster places the task itself (constraints, reservations, GPUs)
            **service.hardening(),
        )

    # -- the outcome -------------------------------------------------------------------------

    def _classify(self, got: dict) -> tuple[str, str | None, str | None, int, dict[str, Path]]:
        """(status, reason, error, exit code, verified outputs) of the attempt that ended."""
        stage, service = self.stage, self.service
        result: RunResult | None = got.get("result")
        error = user_facing(got.get("error"), self.ctx.input)  # the user's file, not /input/source<ext>
        if result is None:
            return "failed", "engine_error", error, EXIT_FAILED, {}
        if result.reason == "timeout":
            why = f"timed out after {stage.timeout_s:g} s (container stopped and removed)"
            return "failed", "timeout", why, EXIT_FAILED, {}
        if result.reason == "oom":
            limit = (service.resources.memory_limit_bytes or 0) / 2**20
            why = (f"out of memory: the kernel killed it at its {limit:.0f} MiB limit; raise "
                   f"deploy.resources.limits.memory of service {stage.service} in compose.yaml")
            return "failed", "oom", why, EXIT_FAILED, {}
        if stage.uses_input and (changed := self.ctx.input_changed()):
            return "failed", "input_changed", changed, EXIT_USAGE, {}
        if result.exit_code != 0 and (full := self._filled_disk(got["staging"])):
            return "failed", "disk_full", full, EXIT_USAGE, {}
        if result.exit_code != 0:
            error = error or f"exited with code {result.exit_code}; see logs/{stage.name}.log"
            return "failed", "exit_code", error, EXIT_USAGE if result.exit_code == EXIT_USAGE else EXIT_FAILED, {}
        if got.get("skip"):
            return "skipped", "skipped", None, 0, {}
        outputs, problem = self._verify(got["staging"])
        if problem:
            return "failed", "verify_failed", problem, EXIT_FAILED, {}
        return "success", "ok", None, 0, outputs

    def _filled_disk(self, staging: Path) -> str | None:
        """When a failed stage left the work folder's disk (nearly) full, that is the cause to report;
        its partial output is removed so the final state can be written."""
        try:
            if shutil.disk_usage(self.ctx.workdir).free > FULL_DISK_BYTES:
                return None
            written = sum(f.stat().st_size for f in staging.rglob("*") if f.is_file())
        except OSError:
            return None
        shutil.rmtree(staging, ignore_errors=True)
        return (
            f"the disk of {self.ctx.workdir} filled up during stage {self.stage.name} (it had written "
            f"{written / 2**20:.0f} MiB): free at least that much more, or give --workdir on a larger disk, "
            "and rerun; finished stages are kept"
        )

    def _conclude(self, got: dict, duration: float) -> StageOutcome:
        """Verify and promote, then record the stage's final entry in one manifest write."""
        ctx, name, manifest = self.ctx, self.stage.name, self.ctx.recorder.manifest
        entry = manifest.stage(name)
        notes = entry["notes"] + got.get("notes", [])
        if got.get("skip"):
            notes.append(got["skip"])
        status, reason, error, code, outputs = self._classify(got)
        with manifest.batch():
            if status == "success":
                self._promote(outputs)
            if got.get("attempt") is not None:
                ctx.recorder.attempt_closed(got["attempt"], got.get("result"), reason, error, save=False)
            if status == "failed" and not self.stage.critical:
                status = "skipped"
                notes.append(f"optional stage failed ({reason}): {error}")
            changes = {
                "status": status,
                "ended_at": utc_now(),
                "duration_s": duration,
                "notes": notes,
                "info": got.get("info", {}),
                "error": error if status != "success" else None,
                "progress": None,
            }
            if status in ("success", "skipped"):
                facts = ctx.prep.facts(self.stage, manifest.stages)  # upstream outputs are final now
                changes.update(resume_key=facts.key, resume_parts=facts.parts)
            ctx.recorder.stage_left(name)
            manifest.set_stage(name, **changes)
        if status == "success":
            drop_checkpoint(ctx.workdir, self.stage.dirname)
        ctx.recorder.stage_finished(name, status, reason, error, duration, self.media_s)
        if status == "failed":
            return StageOutcome("failed", code, f"stage {name} failed: {error}")
        return StageOutcome(status)

    def _stopped(self, duration: float) -> StageOutcome:
        ctx, name = self.ctx, self.stage.name
        status = ctx.stop.status or "interrupted"
        with ctx.recorder.manifest.batch():
            ctx.recorder.stage_left(name)
            ctx.recorder.manifest.set_stage(
                name, status=status, ended_at=utc_now(), duration_s=duration, error=ctx.stop.reason, progress=None
            )
        ctx.recorder.stage_finished(name, status, status, ctx.stop.reason, duration, self.media_s)
        return StageOutcome(status, error=ctx.stop.reason)

    def _verify(self, staging: Path) -> tuple[dict[str, Path], str | None]:
        check = CheckContext(input_duration_s=self.media_s)
        found = {}
        for oname, ospec in self.stage.outputs.items():
            paths, problem = resolve_outputs(staging, ospec)
            for path in paths.values():
                problem = problem or verify_output(path, ospec.kind, ospec.options, check)
            if problem:
                return found, f"output {oname}: {problem}"
            found.update(paths)
        return found, None

    def _promote(self, outputs: dict[str, Path]) -> None:
        """Hash before the move (same inode after it), then promote the staging folder atomically."""
        workdir = self.ctx.workdir
        staging_dir = next(iter(outputs.values())).parent if outputs else None
        final = workdir / self.stage.dirname
        recorded = {}
        for oname, path in outputs.items():
            rel = path.relative_to(staging_dir) if staging_dir else Path(path.name)
            st = FileStat.of(path)
            recorded[oname] = {
                "path": str((final / rel).relative_to(workdir)),
                "size": st.size,
                "mtime_ns": st.mtime_ns,
                "hash": sampled_fingerprint(path),
            }
        if staging_dir is not None:
            promote(staging_dir, final)
        self.ctx.recorder.manifest.set_stage(self.stage.name, save=False, outputs=recorded)
        ensure_published(self.ctx, self.stage)


def ensure_published(ctx: MovieContext, stage: StageSpec) -> None:
    """Hard-link the stage's deliverables into the work folder root (again, if they went missing)."""
    entry = ctx.recorder.manifest.stage(stage.name)
    for ospec in stage.outputs.values():
        for key, rec in records_of(ospec, entry.get("outputs") or {}).items():
            source = ctx.workdir / rec["path"]
            name = published_name(ospec, key, source)
            if name is None:
                continue
            target = ctx.workdir / name
            if source.exists() and not is_published(source, target):
                publish(source, target)
                ctx.recorder.display.say(f"  wrote {target}")
