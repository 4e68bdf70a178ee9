"""Finishing one movie's run: its final status, recorded even on a full disk, and its report."""

from __future__ import annotations

import errno
from pathlib import Path

from runner.errors import EXIT_OK, EXIT_USAGE
from runner.run.context import MovieContext
from runner.run.logs import RunLogger
from runner.run.opening import RESERVE_NAME


def final_status(ctx: MovieContext, failure: tuple[int, str] | None) -> tuple[str, int, str | None]:
    """(status, exit code, error): a stop request first, then an input that changed under the run, then
    the movie's first failure, else completed."""
    stop = ctx.stop
    if stop:
        return stop.status or "interrupted", stop.code, stop.reason
    if failure is None and (changed := ctx.input_changed()):
        return "failed", EXIT_USAGE, changed
    if failure:
        return "failed", failure[0], failure[1]
    return "completed", EXIT_OK, None


def record_finish(ctx: MovieContext, status: str, code: int, error: str | None) -> None:
    """The final state into the manifest and events; on a full disk the space reserve makes room for it."""
    try:
        ctx.recorder.pipeline_finished(status, code, error)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        (ctx.workdir / RESERVE_NAME).unlink(missing_ok=True)  # the reserve makes room for the final state
        ctx.recorder.pipeline_finished(status, code, error)


def write_report(workdir: Path, log: RunLogger | None) -> None:
    """report.html of the work folder; a report must never fail the run (its failure is logged)."""
    try:
        from runner.watch.report import write_report as write_html

        write_html(workdir)
    except Exception as exc:  # a report must never fail the run
        if log:
            log.info("report_failed", error=str(exc))
