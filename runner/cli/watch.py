"""Commands for watching runs: logs, list, report, serve (registered on the main CLI group)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from runner.errors import UsageError


def register(cli: click.Group, pick_workdir: Callable[[str | None], Path], guard: Callable) -> None:
    """Add the watching commands to `cli`."""

    @cli.command()
    @click.argument("workdir", required=False, type=click.Path(file_okay=False))
    @click.argument("stage", required=False)
    @click.option("-f", "--follow", is_flag=True, help="Keep printing new lines (like tail -f).")
    @click.option("-n", "--lines", default=50, show_default=True, help="How many last lines to print.")
    @guard
    def logs(workdir: str | None, stage: str | None, follow: bool, lines: int) -> None:
        """Print (or follow) a stage's log; default: the current or last stage."""
        from runner.run.manifest import read_manifest
        from runner.watch.runs import follow as follow_file
        from runner.watch.runs import tail_lines

        folder = pick_workdir(workdir)
        manifest = read_manifest(folder) or {}
        pipeline = manifest.get("pipeline", {})
        if stage is None:
            started = [n for n in pipeline.get("stages", []) if manifest["stages"].get(n, {}).get("attempts")]
            stage = pipeline.get("current_stage") or (started[-1] if started else None)
        if stage is None:
            raise UsageError(f"no stage has run yet in {folder}")
        path = folder / "logs" / f"{stage}.log"
        if not path.exists() and not follow:
            known = ", ".join(sorted(p.stem for p in (folder / "logs").glob("*.log"))) or "none"
            raise UsageError(f"no log for stage {stage!r} in {folder} (logs: {known})")
        for line in tail_lines(path, lines):
            click.echo(line)
        if follow:
            try:
                for line in follow_file(path):
                    click.echo(line)
            except KeyboardInterrupt:
                return

    @cli.command(name="list")
    @click.argument("root", required=False, default="out", type=click.Path(file_okay=False))
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @guard
    def list_(root: str, as_json: bool) -> None:
        """List the runs under ROOT (default out/) with their state."""
        from runner.watch.runs import list_runs

        runs = list_runs(Path(root))
        if as_json:
            click.echo(json.dumps(runs, indent=2))
            return
        if not runs:
            click.echo(f"no runs under {root}")
        for run in runs:
            state = run["state"] if run["state"] != "dead" else "dead (rerun to resume)"
            click.echo(
                f"{run['run']:<28} {state:<22} {run.get('completed', 0)}/{run.get('total', 0)} stages  "
                f"{run.get('current_stage') or '-':<16} {run.get('updated_at') or ''}"
            )

    @cli.command()
    @click.argument("workdir", required=False, type=click.Path(file_okay=False))
    @guard
    def report(workdir: str | None) -> None:
        """Write WORKDIR/report.html: a timeline of every attempt across resumes."""
        from runner.watch.report import write_report

        click.echo(str(write_report(pick_workdir(workdir))))

    @cli.command()
    @click.argument("root", required=False, default="out", type=click.Path(file_okay=False))
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback).")
    @click.option("--port", default=8765, show_default=True)
    @guard
    def serve(root: str, host: str, port: int) -> None:
        """Read-only HTTP API and dashboard over the runs under ROOT."""
        from runner.watch.serve import make_server

        try:
            server = make_server(Path(root), host, port)
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror}); try --port") from exc
        addr = server.server_address
        click.echo(f"serving {Path(root).resolve()} on http://{addr[0]}:{addr[1]}/ (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
