"""Recording one movie's state: each transition is one manifest write, plus its event, log and display line.

Thread-safe (attempts of several stages record at the same time): the manifest serialises writes.
"""

from __future__ import annotations

import time

from runner.engine import RunResult
from runner.pipeline.config import StageSpec
from runner.run.logs import RunLogger
from runner.run.manifest import Manifest, utc_now
from runner.run.records import attempt_entry, close_attempt, run_entry, stage_start
from runner.watch.display import Display
from runner.watch.events import EventLog
from runner.watch.progress import History


class Recorder:
    """The only way the run loop changes a movie's manifest, events, log and display."""

    def __init__(
        self, manifest: Manifest, events: EventLog, log: RunLogger, display: Display, run_id: str, label: str = ""
    ) -> None:
        self.manifest = manifest
        self.events = events
        self.log = log
        self.display = display
        self.run_id = run_id
        self.label = label  # prefixes display names when several movies share one display
        self.history = History()
        self._running: set[str] = set()

    def shown(self, stage: str) -> str:
        return f"{self.label}/{stage}" if self.label else stage

    # -- pipeline --------------------------------------------------------------------------

    def pipeline_started(self, input_info: dict, config: dict, stages: list[StageSpec], notify: bool) -> None:
        m = self.manifest
        with m.batch():
            m.data["input"] = input_info
            m.data["config"] = config
            m.sync_stages([(s.name, s.index, s.dirname, s.critical) for s in stages])
            m.pipeline["runs"].append(run_entry(self.run_id))
            m.data["run_id"] = self.run_id
            m.set_pipeline(
                status="running", started_at=utc_now(), ended_at=None, error=None, exit_code=None, current_stage=None
            )
        self.events.emit("pipeline.started", input=input_info["name"], stages=[s.name for s in stages])
        self.log.info("pipeline_started", workdir=str(m.workdir), input=input_info["path"])

    def _running_changed(self) -> None:
        """`current_stages`: the stages running now, in pipeline order (`current_stage` is the first);
        written with the transition that changed them."""
        order = self.manifest.pipeline["stages"]
        running = [n for n in order if n in self._running]
        self.manifest.pipeline.update(current_stage=running[0] if running else None, current_stages=running)

    def stage_left(self, stage: str) -> None:
        """The stage is no longer running (recorded with its final entry)."""
        self._running.discard(stage)
        self._running_changed()

    def pipeline_finished(self, status: str, code: int, error: str | None) -> None:
        m = self.manifest
        with m.batch():
            m.pipeline["runs"][-1].update(ended_at=utc_now(), status=status)
            m.set_pipeline(
                status=status, ended_at=utc_now(), error=error, exit_code=code, current_stage=None, current_stages=[]
            )
        event = {"completed": "pipeline.completed", "failed": "pipeline.failed"}.get(status, f"pipeline.{status}")
        self.events.emit(event, **({"error": error} if status == "failed" else {}))
        self.log.info("pipeline_finished", status=status, exit_code=code, error=error)

    # -- stages ----------------------------------------------------------------------------

    def stage_skipped_as_done(self, stage: StageSpec, total: int, reason: str) -> None:
        self.log.info("stage_decision", stage=stage.name, action="skip", reason=reason)
        self.display.banner(stage.index, total, self.shown(stage.name), f"skip ({reason})")
        self.events.emit("stage.skipped", stage=stage.name, reason=reason, cached=True)

    def stage_started(self, stage: StageSpec, total: int, reason: str, image: str, image_id: str | None,
                      notes: list[str]) -> None:
        """The stage's entry as it starts: fresh outputs, progress, notes and error."""
        self.log.info("stage_decision", stage=stage.name, action="run", reason=reason)
        self.display.banner(stage.index, total, self.shown(stage.name), f"run ({reason})")
        self._running.add(stage.name)
        self._running_changed()
        self.manifest.set_stage(stage.name, **stage_start(image, image_id, notes))

    def attempt_opened(self, stage: str, image: str, extra: dict | None = None) -> dict:
        n = len(self.manifest.stage(stage)["attempts"]) + 1
        attempt = attempt_entry(n, self.run_id, extra)
        self.manifest.add_attempt(stage, attempt)
        self.events.emit("stage.started", stage=stage, attempt=n)
        self.log.info("stage_started", stage=stage, attempt=n, image=image)
        return attempt

    def attempt_closed(
        self, attempt: dict, result: RunResult | None, reason: str, error: str | None, save: bool = True,
        node: str | None = None,
    ) -> None:
        """`node`: the cluster node involved when there is no result (an engine error naming it)."""
        close_attempt(attempt, result, reason, error, node)
        if save:
            self.manifest.save()

    def progress(self, stage: str, fraction: float, message: str, last_event: list[float]) -> None:
        self.display.progress(self.shown(stage), fraction, message)
        if self.manifest.set_progress(stage, fraction, message) or fraction >= 1.0:
            now = time.monotonic()
            if now - last_event[0] >= 5.0 or fraction >= 1.0:
                last_event[0] = now
                self.events.emit("stage.progress", stage=stage, fraction=fraction, message=message)

    def stage_finished(
        self, stage: str, status: str, reason: str | None, error: str | None, duration: float, media_s: float | None
    ) -> None:
        """Events, log, display and history of a stage whose final entry was just written."""
        notes = self.manifest.stage(stage).get("notes") or []
        detail = error or (notes[-1] if status == "skipped" and notes else "")
        self.display.stage_done(self.shown(stage), status, duration, detail or "")
        if status == "success":
            self.history.record(stage, duration, media_s)
            self.events.emit("stage.completed", stage=stage, duration_s=duration)
        elif status == "skipped":
            self.events.emit("stage.skipped", stage=stage, reason=notes[-1] if notes else reason)
        elif status in ("interrupted", "cancelled"):
            self.events.emit(f"stage.{status}", stage=stage)
        else:
            self.events.emit("stage.failed", stage=stage, reason=reason, error=error)
        self.log.info("stage_finished", stage=stage, status=status, reason=reason, error=error, duration_s=duration)
