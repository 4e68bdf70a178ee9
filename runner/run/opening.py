"""Opening one movie's work folder for a run: checks before the lock, then under it orphans reaped,
the manifest opened, the stages prepared, disk space reserved, the run's logs and recorder set up."""

from __future__ import annotations

import contextlib
import errno
from dataclasses import dataclass
from pathlib import Path

from runner.engine import Engine, EngineError
from runner.errors import UsageError
from runner.pipeline.compose import Service
from runner.run.context import MovieContext, disk_full
from runner.run.lock import WorkdirLock
from runner.run.logs import RunLogger
from runner.run.manifest import Manifest, set_aside_corrupt
from runner.run.options import RunOptions, workdir_labels
from runner.run.preflight import check_before_lock
from runner.run.prepare import Preparer, Selection
from runner.run.recorder import Recorder
from runner.run.workdir import LOGS, clear_staging
from runner.watch.display import Display
from runner.watch.events import EventLog

CANCEL_NAME = ".cancel"
RESERVE_NAME = ".space-reserve"
RESERVE_BYTES = 1 << 20  # freed when the disk fills, so the final manifest can still be written


@dataclass
class MovieHandles:
    """What an open movie holds until it is closed: its work-folder lock, runner log and event log."""

    lock: WorkdirLock | None = None
    log: RunLogger | None = None
    events: EventLog | None = None

    def close(self) -> None:
        if self.events is not None:
            self.events.close()
            self.events = None
        if self.log is not None:
            self.log.close()
            self.log = None
        if self.lock is not None:
            with contextlib.suppress(OSError):
                self.lock.__exit__(None, None, None)
            self.lock = None


@dataclass
class MovieOpening:
    """The steps that open one movie's run; what they open goes into `handles`."""

    opt: RunOptions
    engine: Engine
    display: Display
    label: str
    workdir: Path
    run_id: str
    handles: MovieHandles

    def before_lock(self, services: dict[str, Service] | None, gpu_ids: tuple[str, ...]) -> Preparer:
        """Usage errors before the lock or the manifest is touched; the preparer's slow reads started."""
        check_before_lock(self.opt, self.workdir)
        preparer = Preparer(self.opt, self.engine, services, gpu_ids)
        preparer.prefetch()
        return preparer

    def lock(self) -> None:
        self.handles.lock = WorkdirLock(self.workdir)
        self.handles.lock.__enter__()

    def open_locked(self, preparer: Preparer) -> tuple[MovieContext, Selection]:
        """Orphans reaped, the manifest opened (or set aside with --reset), staging cleared, the stages
        prepared, space reserved, the event log and recorder set up: the movie's context."""
        log = self.handles.log = RunLogger(self.workdir / LOGS / "runner.jsonl", self.run_id)
        try:
            reaped = self.engine.remove_labelled(workdir_labels(self.workdir))
        except EngineError as exc:
            raise UsageError(str(exc)) from exc
        if reaped:
            self.display.say(f"removed {len(reaped)} container(s) left by an earlier run that died")
            log.info("orphans_removed", containers=reaped)
        if self.opt.reset:
            kept = set_aside_corrupt(self.workdir)
            if kept:
                self.display.say(f"--reset: previous manifest kept as {kept.name}; starting over")
        manifest = Manifest.open(self.workdir, self.run_id)
        clear_staging(self.workdir)
        (self.workdir / CANCEL_NAME).unlink(missing_ok=True)
        prep, selection = preparer.prepare(manifest.data, say=self.display.say)
        self._reserve_space()
        events = self.handles.events = EventLog(
            self.workdir, self.run_id, self.opt.notify_url or prep.pipeline.notify_url
        )
        recorder = Recorder(manifest, events, log, self.display, self.run_id, self.label)
        return MovieContext(self.workdir, self.opt.input, self.run_id, prep, recorder, self.engine), selection

    def announce(self, ctx: MovieContext) -> None:
        """The run's start recorded (manifest, events, display)."""
        prep = ctx.prep
        config = {"pipeline": str(prep.pipeline.path), "compose": str(prep.pipeline.compose_path)}
        ctx.recorder.pipeline_started(prep.input_info, config, prep.pipeline.stages, bool(self.opt.notify_url))

    def _reserve_space(self) -> None:
        """Keep 1 MiB aside (freed when the disk fills, so the final state can be written); on a disk too
        full for it, the run does not start (a partial reserve would eat the last bytes)."""
        path = self.workdir / RESERVE_NAME
        try:
            if not path.exists() or path.stat().st_size < RESERVE_BYTES:
                with open(path, "wb") as fh:
                    fh.write(b"\0" * RESERVE_BYTES)
        except OSError as exc:
            path.unlink(missing_ok=True)
            if exc.errno == errno.ENOSPC:  # nothing written yet: say so before the manifest is touched
                raise disk_full(self.workdir, exc) from exc
