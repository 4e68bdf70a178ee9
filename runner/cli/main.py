"""`reelstage` command line: parse, call, map errors to exit codes (0, 1, 2, 3, 130/143)."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from pathlib import Path

import click

from runner.errors import EXIT_USAGE, ReelstageError

DEFAULT_CONFIG = Path("config/pipeline.yaml")


def default_config() -> Path:
    """config/pipeline.yaml of the current folder, else the one of this checkout."""
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    beside = Path(__file__).resolve().parents[2] / DEFAULT_CONFIG
    return beside if beside.is_file() else DEFAULT_CONFIG


def _fail(message: str, code: int) -> None:
    click.echo(f"reelstage: {message}", err=True)
    sys.exit(code)


def _pairs(values: tuple[str, ...], flag: str) -> dict[str, str]:
    out = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint=flag)
        out[key.strip()] = value
    return out


def _guard(fn):
    """Turn ReelstageError into its one-line message and exit code (never a traceback)."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ReelstageError as exc:
            _fail(str(exc), exc.exit_code)

    return functools.update_wrapper(wrapper, fn)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reelstage")
def cli() -> None:
    """Movie in, subtitles out: each stage in its own container, resumable after any stop."""


def engine_options(fn):
    """--engine and --swarm-host, turned into `engine=` (built lazily: `plan` on a dead engine still says why)."""

    @click.option(
        "--engine",
        "engine_name",
        type=click.Choice(["local", "swarm"]),
        default=lambda: os.environ.get("REELSTAGE_ENGINE"),
        show_default="the pipeline's `engine:`, else $REELSTAGE_ENGINE, else local",
        help="Where stage containers run: this host's Docker engine, or a Docker Swarm.",
    )
    @click.option(
        "--swarm-host",
        envvar="REELSTAGE_SWARM_HOST",
        metavar="URL",
        help="Docker host of a swarm manager (unix://…, tcp://…, ssh://…) [$REELSTAGE_SWARM_HOST].",
    )
    @functools.wraps(fn)
    def wrapper(engine_name: str | None, swarm_host: str | None, **kwargs: object) -> None:
        from runner.engine import EngineError, make_engine
        from runner.pipeline.config import pipeline_engine

        options = kwargs.get("options")
        config = getattr(options, "config", None) or kwargs.get("config") or default_config()
        try:
            name = engine_name or pipeline_engine(Path(str(config))) or "local"
            engine = make_engine(name, host=swarm_host) if name == "swarm" else make_engine("local")
        except (EngineError, ReelstageError) as exc:
            _fail(str(exc), EXIT_USAGE)
        return fn(engine=engine, **kwargs)

    return wrapper


def run_selection(fn):
    """INPUT and the options that choose what runs (shared by `run` and `plan`), gathered into
    `options: RunOptions`; the command's own options stay keyword arguments."""

    @click.argument("input_path", metavar="INPUT")
    @click.option("--workdir", help="Work folder [out/<input stem>].")
    @click.option("--config", type=click.Path(dir_okay=False), help="Pipeline file [config/pipeline.yaml].")
    @click.option("--from", "from_stage", metavar="STAGE", help="Rerun STAGE and everything after it.")
    @click.option("--only", multiple=True, metavar="STAGE", help="Run only STAGE (repeatable).")
    @click.option("--force", multiple=True, metavar="STAGE", help="Rerun STAGE and what depends on it.")
    @click.option("--set", "params", multiple=True, metavar="KEY=VALUE", help="Override a pipeline parameter.")
    @click.option("--file", "files", multiple=True, metavar="KEY=PATH", help="Override a pipeline file.")
    @functools.wraps(fn)
    def wrapper(
        input_path: str,
        workdir: str | None,
        config: str,
        from_stage: str | None,
        only: tuple[str, ...],
        force: tuple[str, ...],
        params: tuple[str, ...],
        files: tuple[str, ...],
        **kwargs: object,
    ) -> None:
        from runner.run.options import RunOptions
        from runner.run.workdir import default_workdir

        inp = Path(input_path)
        options = RunOptions(
            input=inp,
            workdir=Path(workdir) if workdir else default_workdir(inp),
            config=Path(config) if config else default_config(),
            from_stage=from_stage,
            only=only,
            force=force,
            params=_pairs(params, "--set"),
            files={k: Path(v) for k, v in _pairs(files, "--file").items()},
        )
        return fn(options=options, **kwargs)

    return wrapper


def capacity_options(fn):
    """--cpus/--memory/--gpus: what the scheduler may use (default: detected)."""
    fn = click.option(
        "--gpus", metavar="IDS", help="GPU ids to use, e.g. 0,1 (default: what nvidia-smi lists; none for none)."
    )(fn)
    fn = click.option("--memory", metavar="SIZE", help="Memory the stages may reserve, e.g. 16g (default: all).")(fn)
    return click.option("--cpus", type=float, help="Cores the stages may reserve (default: detected).")(fn)


def make_capacity(cpus: float | None, memory: str | None, gpus: str | None, engine=None):
    """What the scheduler may use: this host (detected, or as told), or a cluster engine's nodes."""
    from runner.engine import EngineError
    from runner.errors import UsageError
    from runner.run.resources import cluster_capacity, detect_capacity

    try:
        if getattr(engine, "is_cluster", False) and cpus is None and memory is None and gpus is None:
            return cluster_capacity(engine.capacity(), engine.gpu_kind)
        return detect_capacity(cpus, memory, gpus)
    except EngineError as exc:
        raise UsageError(str(exc)) from exc
    except ValueError as exc:
        raise UsageError(f"--memory: {exc}" if "size" in str(exc) else str(exc)) from exc


@cli.command()
@run_selection
@engine_options
@click.option("--reset", is_flag=True, help="Start the work folder over (a corrupt manifest is kept aside).")
@click.option("--notify-url", metavar="URL", help="POST pipeline events as JSON to URL.")
@click.option("--progress-interval", default=30.0, show_default=True, help="Seconds between plain progress lines.")
@click.option("--min-free-ratio", default=2.0, show_default=True, help="Free disk needed, as a multiple of the input.")
@capacity_options
@_guard
def run(options, engine, reset: bool, notify_url: str | None, progress_interval: float, min_free_ratio: float,
        cpus: float | None, memory: str | None, gpus: str | None) -> None:
    """Run (or resume) the pipeline on INPUT."""
    from runner.run.library import run_one
    from runner.watch.display import make_display

    options.reset, options.notify_url = reset, notify_url
    options.min_free_ratio, options.progress_interval_s = min_free_ratio, progress_interval
    capacity = make_capacity(cpus, memory, gpus, engine)
    display = make_display(progress_interval)
    try:
        code, error = run_one(options, engine, display, capacity)
    finally:
        display.close()
    if code != 0 and error:
        _fail(error, code)
    sys.exit(code)


@cli.command()
@run_selection
@engine_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_guard
def plan(options, engine, as_json: bool) -> None:
    """Show, per stage, whether a run would skip or run it, and why. Runs nothing."""
    from runner.run.prepare import plan_only

    _prep, decisions = plan_only(options, engine)
    if as_json:
        click.echo(json.dumps([d.__dict__ for d in decisions], indent=2))
        return
    total = len(decisions)
    for i, d in enumerate(decisions, 1):
        click.echo(f"{i:2d}/{total} {d.stage:<16} {d.action:<5} {d.reason}")


@cli.command()
@click.argument("workdir", required=False, type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--watch", is_flag=True, help="Refresh every 2 s until the run ends.")
@click.option("--lines", default=5, show_default=True, help="Log lines of the current stage to show.")
@_guard
def status(workdir: str | None, as_json: bool, watch: bool, lines: int) -> None:
    """Show the state of a work folder (works while a run is active in another process)."""
    from runner.watch.status import collect_status, render_status, watch_status

    folder = _pick_workdir(workdir)
    if watch:
        watch_status(folder, lines)
        return
    info = collect_status(folder, lines)
    click.echo(json.dumps(info, indent=2) if as_json else render_status(info))


@cli.command()
@click.argument("workdir", required=False, type=click.Path(file_okay=False))
@engine_options
@_guard
def clean(workdir: str | None, engine) -> None:
    """Stop and remove containers left behind for a work folder (refused while a run holds it)."""
    from runner.run.lock import WorkdirLock
    from runner.run.options import workdir_labels
    from runner.run.workdir import clear_staging

    folder = _pick_workdir(workdir).resolve()
    with WorkdirLock(folder):
        removed = engine.remove_labelled(workdir_labels(folder))
        clear_staging(folder)
    click.echo(f"removed {len(removed)} container(s); cleared staging in {folder}")


def _pick_workdir(workdir: str | None) -> Path:
    """The given folder, or the most recently updated run under out/."""
    if workdir:
        folder = Path(workdir)
        if not (folder / "manifest.json").exists():
            raise ReelstageError(f"{folder} has no manifest.json: not a Reelstage work folder")
        return folder
    candidates = sorted(Path("out").glob("*/manifest.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not candidates:
        from runner.errors import UsageError

        raise UsageError("no work folder given and none under out/: give WORKDIR")
    return candidates[0].parent


def _register_optional_commands() -> None:
    """Commands of the watching side (logs, list, report, serve, stats) and of the library (batch, watch,
    cancel) live in their own modules."""
    from runner.cli import library, watch

    watch.register(cli, _pick_workdir, _guard)
    library.register(cli, _pick_workdir, _guard, _pairs, default_config, capacity_options, make_capacity,
                     engine_options)


def main() -> None:
    try:
        _main()
    except KeyboardInterrupt:  # Ctrl-C before the run's own signal handling is in place (or after it)
        _fail("interrupted", 130)


def _main() -> None:
    with contextlib.suppress(ImportError):
        _register_optional_commands()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except click.ClickException as exc:  # one line, like every other error, with where to look
        ctx = getattr(exc, "ctx", None)
        sub = ctx is not None and ctx.parent is not None
        command = f"reelstage {ctx.info_name} --help" if sub else "reelstage --help"
        _fail(f"{exc.format_message()} (see {command})", EXIT_USAGE)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
