"""One stage of one movie, in a worker thread: attempts (engine errors retried), verify, promote, record.

It knows nothing about other stages or movies: the library decides when it starts and what it holds.
The container it runs in is built by `container.py`, the verdict on an attempt by `outcome.py`,
promotion by `promotion.py`, and the stage's final entry by `stage_end.py`.
"""

from __future__ import annotations

import errno
import os
import time

from runner.engine import EngineError, ImageMissing
from runner.pipeline.config import StageSpec
from runner.run.container import container_spec
from runner.run.context import MovieContext, StageOutcome, disk_full
from runner.run.logs import StageLog
from runner.run.manifest import utc_now
from runner.run.outcome import AttemptEnd
from runner.run.protocol import AttemptListener
from runner.run.resources import Grant
from runner.run.stage_end import conclude, record_stopped
from runner.run.workdir import LOGS, new_staging_dir
from runner.watch.progress import EtaEstimator

# how long a retry after an engine error waits for the engine to answer again (a dockerd restart)
ENGINE_WAIT_S = float(os.environ.get("REELSTAGE_ENGINE_WAIT_S", "120"))


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
        self.media_s = ctx.prep.input_info.get("duration_s")
        self._next_attempt: dict | None = None  # opened with the stage's start, used by the first attempt

    def run(self) -> StageOutcome:
        ctx, stage = self.ctx, self.stage
        notes = []
        if stage.gpu != "none" and not ctx.prep.gpu_used(stage):  # only `optional` gets here (pre-flight)
            why = "no GPU runtime on this host" if not ctx.prep.gpu_available else "its compose service reserves no GPU"
            notes.append(f"ran on CPU: {why}")
        image = ctx.prep.pipeline.services[stage.service].image
        with ctx.recorder.manifest.batch():  # the stage's start and its first attempt: one write
            ctx.recorder.stage_started(stage, len(ctx.prep.pipeline.stages), self.reason, image,
                                       ctx.prep.image_ids.get(stage.service), notes)
            self._next_attempt = self._open_attempt()
        eta = EtaEstimator(prior_s=ctx.recorder.history.expected_s(stage.name, self.media_s))
        ctx.recorder.display.stage_running(ctx.recorder.shown(stage.name), eta)
        started = time.monotonic()
        try:
            end = self._attempts(eta)
            return conclude(ctx, stage, end, round(time.monotonic() - started, 3), self.media_s)
        except _Interrupting:
            return record_stopped(ctx, stage, round(time.monotonic() - started, 3), self.media_s)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise disk_full(ctx.workdir, exc) from exc
            ctx.recorder.manifest.check_workdir()  # raises WorkdirGone when that is the cause
            raise

    def _attempts(self, eta: EtaEstimator) -> AttemptEnd:
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
            return AttemptEnd(error=str(exc))
        raise AssertionError("unreachable")

    def _attempt(self, eta: EtaEstimator) -> AttemptEnd:
        """One container run: stream its log, parse the protocol; outputs land in a fresh staging folder."""
        ctx, name = self.ctx, self.stage.name
        if ctx.stop:
            raise _Interrupting()
        attempt, self._next_attempt = self._next_attempt or self._open_attempt(), None
        end = AttemptEnd(staging=new_staging_dir(ctx.workdir, self.stage.dirname, ctx.run_id, attempt["n"]),
                         attempt=attempt)
        service = ctx.prep.pipeline.services[self.stage.service]
        secrets = [v for v in service.secret_env.values() if len(v) >= 4]
        stage_log = StageLog(ctx.workdir / LOGS / f"{name}.log", secrets)
        stage_log.header(f"attempt {attempt['n']} of run {ctx.run_id} at {utc_now()}")
        listener = AttemptListener(name, stage_log, end, ctx.recorder, eta, self.media_s)
        try:
            spec = container_spec(ctx, self.stage, self.grant, end.staging, self.resume_key)
            end.result = ctx.engine.run(spec, listener)
        except EngineError as exc:
            node = getattr(exc, "node", None)
            if ctx.stop:  # the run's own stop removed the container (or cluster service) under it
                ctx.recorder.attempt_closed(attempt, None, ctx.stop.status or "interrupted", ctx.stop.reason, node=node)
                raise _Interrupting() from exc
            ctx.recorder.attempt_closed(attempt, None, "engine_error", str(exc), node=node)
            raise
        finally:
            stage_log.close()
        attempt["container_id"] = end.result.container_id
        if ctx.stop:
            ctx.recorder.attempt_closed(attempt, end.result, ctx.stop.status or "interrupted", ctx.stop.reason)
            raise _Interrupting()
        return end

    def _open_attempt(self) -> dict:
        extra: dict = {"cpus": self.grant.cpus}  # what the scheduler held for it
        if self.grant.gpu_ids:
            extra["gpus"] = list(self.grant.gpu_ids)
        image = self.ctx.prep.pipeline.services[self.stage.service].image
        return self.ctx.recorder.attempt_opened(self.stage.name, image, extra)
