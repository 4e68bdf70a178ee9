"""Commands for a movie library: batch, watch, cancel, stats (registered on the main CLI group)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from runner.errors import EXIT_FAILED, EXIT_OK, UsageError


def _library_options(fn):
    fn = click.option("--jobs", "-j", type=click.IntRange(1), default=2, show_default=True,
                      help="Movies in flight at once (their stages share the host's resources).")(fn)
    fn = click.option("--out", "out_root", default="out", show_default=True, type=click.Path(file_okay=False),
                      help="Root of the work folders (one per movie).")(fn)
    fn = click.option("--config", type=click.Path(dir_okay=False), help="Pipeline file [config/pipeline.yaml].")(fn)
    fn = click.option("--set", "params", multiple=True, metavar="KEY=VALUE", help="Override a pipeline parameter.")(fn)
    fn = click.option("--file", "files", multiple=True, metavar="KEY=PATH", help="Override a pipeline file.")(fn)
    return click.option("--progress-interval", default=60.0, show_default=True,
                        help="Seconds between plain progress lines.")(fn)


def register(cli: click.Group, pick_workdir: Callable, guard: Callable, pairs: Callable, default_config: Callable,
             capacity_options: Callable, make_capacity: Callable, engine_options: Callable) -> None:
    """Add the library commands to `cli`."""

    def movie_factory(config, params, files):
        from runner.run.options import RunOptions

        cfg = Path(config) if config else default_config()
        param_map = pairs(params, "--set")
        file_map = {k: Path(v) for k, v in pairs(files, "--file").items()}

        def make(inp: Path, workdir: Path, display, engine):
            from runner.run.movie import MovieRun

            options = RunOptions(input=inp, workdir=workdir, config=cfg, params=dict(param_map), files=dict(file_map))
            return MovieRun(options, engine, display, label=inp.stem[:24])

        return make

    @cli.command()
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
    @_library_options
    @capacity_options
    @engine_options
    @guard
    def batch(paths: tuple[Path, ...], engine, jobs: int, out_root: str, config: str | None, params, files,
              progress_interval: float, cpus, memory, gpus) -> None:
        """Run (or resume) every movie in PATHS (files, folders, or a text file of paths) on one scheduler."""
        from runner.run.library import Library
        from runner.run.sources import collect_inputs, workdirs_for
        from runner.watch.display import make_display

        inputs = collect_inputs(list(paths))
        workdirs = workdirs_for(inputs, Path(out_root))
        display = make_display(progress_interval)
        make = movie_factory(config, params, files)
        library = Library(engine, make_capacity(cpus, memory, gpus, engine), display, jobs=jobs)
        display.say(f"batch: {len(inputs)} movie(s), {jobs} in flight, on {library.capacity.describe()}")
        for inp in inputs:
            library.add(make(inp, workdirs[inp], display, engine))
        try:
            finished = library.run()
        finally:
            display.close()
        sys.exit(_summary(finished, library.interrupted))

    @cli.command()
    @click.argument("inbox", type=click.Path(file_okay=False, path_type=Path))
    @_library_options
    @click.option("--settle", default=10.0, show_default=True,
                  help="Seconds a file's size must stay unchanged before it is taken as complete.")
    @click.option("--poll", default=2.0, show_default=True, help="Seconds between scans of INBOX.")
    @click.option("--once", is_flag=True, help="Process what is in INBOX, then exit.")
    @capacity_options
    @engine_options
    @guard
    def watch(inbox: Path, engine, jobs: int, out_root: str, config: str | None, params, files,
              progress_interval: float, settle: float, poll: float, once: bool, cpus, memory, gpus) -> None:
        """Watch INBOX and subtitle every movie that lands in it (until SIGTERM or Ctrl-C).

        A movie is taken once it is completely written (size unchanged for --settle seconds; files named
        *.part are left until renamed). A restart resumes half-done movies and skips finished ones.
        """
        from runner.run.library import Library
        from runner.run.sources import Inbox, already_done, workdirs_for
        from runner.watch.display import make_display

        if not inbox.is_dir():
            raise UsageError(f"inbox {inbox} is not a folder: create it or give another")
        root = Path(out_root)
        display = make_display(progress_interval)
        make = movie_factory(config, params, files)
        capacity = make_capacity(cpus, memory, gpus, engine)
        library = Library(engine, capacity, display, jobs=jobs, poll_s=min(poll, 1.0))
        watcher = Inbox(inbox, settle_s=0.0 if once else settle)
        first = [True]

        def feed():
            found = watcher.poll()
            if once and first[0]:
                first[0] = False
                found = watcher.poll()  # a second look at once: nothing is still being written
            movies = []
            for inp, workdir in workdirs_for(found, root).items():
                if already_done(workdir, inp):
                    continue
                display.say(f"watch: {inp.name} → {workdir}")
                movies.append(make(inp, workdir, display, engine))
            return movies

        display.say(f"watching {inbox.resolve()} → {root.resolve()} ({library.capacity.describe()}); "
                    "SIGTERM or Ctrl-C stops cleanly")
        try:
            finished = library.run(feed=feed, keep_going=lambda: not once)
        finally:
            display.close()
        sys.exit(_summary(finished, library.interrupted))

    @cli.command()
    @click.argument("workdir", required=False, type=click.Path(file_okay=False, path_type=Path))
    @click.option("--all", "all_", is_flag=True, help="Cancel every live run under --root.")
    @click.option("--root", default="out", show_default=True, type=click.Path(file_okay=False, path_type=Path))
    @guard
    def cancel(workdir: Path | None, all_: bool, root: Path) -> None:
        """Stop a movie cleanly: its stages stop within their grace, recorded as cancelled; a rerun resumes."""
        from runner.run.lock import lock_holder
        from runner.run.movie import CANCEL_NAME
        from runner.watch.runs import find_workdirs

        if bool(workdir) == all_:
            raise UsageError("give one WORKDIR or --all")
        folders = find_workdirs(root) if all_ else [workdir]
        asked = 0
        for folder in folders:
            holder = lock_holder(folder)
            if holder is None:
                if not all_:
                    click.echo(f"{folder}: not running, nothing to cancel")
                continue
            (folder / CANCEL_NAME).write_text("cancel\n", encoding="utf-8")
            asked += 1
            click.echo(f"{folder}: cancel requested (pid {holder.get('pid', '?')}); it stops within the stages' grace")
        if all_:
            click.echo(f"cancel requested for {asked} run(s) under {root}")

    @cli.command()
    @click.argument("root", required=False, default="out", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @guard
    def stats(root: Path, as_json: bool) -> None:
        """Per stage over every run under ROOT: count, median/p95 duration, s per media-second, failures, peaks."""
        from runner.watch.stats import collect_stats, render_stats

        table = collect_stats(root)
        click.echo(json.dumps(table, indent=2) if as_json else render_stats(table))


def _summary(finished: list, interrupted: tuple[str, int] | None) -> int:
    """One line per movie that did not complete; the exit code of the whole library."""
    failed = [m for m in finished if not m.result or m.result[0] != "completed"]
    done = len(finished) - len(failed)
    for movie in failed:
        status, _code, error = movie.result or ("interrupted", 0, None)
        click.echo(f"reelstage: {movie.name}: {status}: {error or ''}".rstrip(": "), err=True)
    click.echo(f"{done} of {len(finished)} movie(s) completed" + (f", {len(failed)} not" if failed else ""))
    if interrupted:
        return interrupted[1]
    return EXIT_FAILED if failed else EXIT_OK
