"""Read-only HTTP API and live dashboard over the work folders under a root (docs/api.md)."""

from __future__ import annotations

import re
import socket
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote

from runner.errors import ManifestCorrupt, UsageError
from runner.run.manifest import MANIFEST_NAME, read_manifest
from runner.watch.http_replies import ApiError, ReadOnlyHandler, mime
from runner.watch.report import OUTCOMES, asset, render_report, script_json, stage_files
from runner.watch.runs import list_runs, lock_holder, run_state, tail_lines

LOG_TAIL = 20
_RUN = r"/api/runs/(?P<run>[^/]+)"
ROUTES = [
    (re.compile(r"/"), "dashboard"),
    (re.compile(r"/api/runs"), "runs"),
    (re.compile(_RUN + r"/status"), "status"),
    (re.compile(_RUN + r"/entities"), "entities"),
    (re.compile(_RUN + r"/entities/(?P<path>.+)"), "entity"),
    (re.compile(_RUN + r"/report"), "report"),
    (re.compile(_RUN + r"/logs/(?P<stage>[^/]+)"), "log"),
]


class ReelstageServer(ThreadingHTTPServer):
    """Serves the runs under `root`; one thread per request."""

    daemon_threads = True

    def __init__(self, root: Path, address: tuple[str, int]) -> None:
        self.root = root.resolve()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)


def make_server(root: Path, host: str = "127.0.0.1", port: int = 0) -> ReelstageServer:
    """A server bound to host:port (0: any free port, see `.server_address`); call `.serve_forever()`."""
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder: give the folder holding the work folders (e.g. out/)")
    return ReelstageServer(root, (host, port))


class Handler(ReadOnlyHandler):
    """The API's routes (ROUTES → `_get_<name>`); every error is JSON."""

    server: ReelstageServer

    def _dispatch(self, head: bool) -> None:
        self._head = head
        raw_path, _, query = self.path.partition("?")
        try:
            for pattern, name in ROUTES:
                match = pattern.fullmatch(raw_path)
                if match:
                    getattr(self, f"_get_{name}")(query=parse_qs(query), **match.groupdict())
                    return
            raise ApiError(HTTPStatus.NOT_FOUND, f"no endpoint {raw_path}: see /api/runs and docs/api.md")
        except ApiError as exc:
            self._send_json({"error": str(exc)}, exc.status)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except OSError as exc:
            self.log_error("%s: %s", raw_path, exc)
            self._send_json({"error": f"cannot read it: {exc}"}, HTTPStatus.INTERNAL_SERVER_ERROR)

    # endpoints

    def _get_dashboard(self, query: dict) -> None:
        page = (
            asset("dashboard.html")
            .replace("{{STYLE}}", asset("style.css"))
            .replace("{{GANTT}}", asset("gantt.js"))
            .replace("{{OUTCOMES}}", script_json(OUTCOMES))
        )
        self._send_bytes(page.encode(), "text/html; charset=utf-8")

    def _get_runs(self, query: dict) -> None:
        self._send_json(list_runs(self.server.root))

    def _get_status(self, query: dict, run: str) -> None:
        workdir, manifest = self._run(run)
        holder = lock_holder(workdir)
        self._send_json(
            {
                "run": workdir.name,
                "workdir": str(workdir),
                "live": holder is not None,
                "state": run_state((manifest.get("pipeline") or {}).get("status"), holder is not None),
                "holder": holder,
                "manifest": manifest,
                "current": _current(workdir, manifest),
            }
        )

    def _get_entities(self, query: dict, run: str) -> None:
        workdir, manifest = self._run(run)
        entities = []
        for name, entry in sorted(manifest["stages"].items(), key=lambda kv: kv[1].get("index") or 0):
            for rel in stage_files(workdir, entry):
                info = (workdir / rel).stat()
                entities.append(
                    {
                        "stage": name,
                        "path": rel.as_posix(),
                        "size": info.st_size,
                        "mtime": info.st_mtime,
                        "type": mime(rel.name),
                    }
                )
        self._send_json(entities)

    def _get_entity(self, query: dict, run: str, path: str) -> None:
        workdir, manifest = self._run(run)
        self._send_file(_entity_path(workdir, manifest, unquote(path)))

    def _get_report(self, query: dict, run: str) -> None:
        workdir, manifest = self._run(run)
        self._send_bytes(render_report(workdir, manifest, api=True).encode(), "text/html; charset=utf-8")

    def _get_log(self, query: dict, run: str, stage: str) -> None:
        workdir, manifest = self._run(run)
        stage = unquote(stage)
        log = workdir / "logs" / f"{stage}.log"
        if stage not in manifest["stages"] or not log.is_file():
            raise ApiError(HTTPStatus.NOT_FOUND, f"no log for stage {stage!r} in run {run!r}")
        tail = query.get("tail", [""])[0]
        if not tail:
            self._send_file(log)
            return
        if not tail.isdigit():
            raise ApiError(HTTPStatus.BAD_REQUEST, "tail must be a number of lines, e.g. ?tail=50")
        text = "".join(line + "\n" for line in tail_lines(log, int(tail)))
        self._send_bytes(text.encode(), "text/plain; charset=utf-8")

    # helpers

    def _run(self, raw: str) -> tuple[Path, dict]:
        name = unquote(raw)
        if name in ("", ".", "..") or "/" in name or "\0" in name:
            raise ApiError(HTTPStatus.BAD_REQUEST, f"bad run name {name!r}: use a name from /api/runs")
        workdir = self.server.root / name
        if not (workdir / MANIFEST_NAME).is_file():
            raise ApiError(HTTPStatus.NOT_FOUND, f"no run {name!r} under {self.server.root}: see /api/runs")
        try:
            manifest = read_manifest(workdir)
        except ManifestCorrupt as exc:
            raise ApiError(HTTPStatus.CONFLICT, str(exc)) from exc
        assert manifest is not None
        return workdir, manifest


def _entity_path(workdir: Path, manifest: dict, rel: str) -> Path:
    """The file `rel` names, only inside a promoted NN_<stage>/ folder; refuses any way out."""
    parts = rel.split("/")
    if "\0" in rel or rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        raise ApiError(
            HTTPStatus.BAD_REQUEST,
            f"bad path {rel!r}: give a relative path inside an NN_<stage>/ folder, from /entities",
        )
    dirs = {entry.get("dir") for entry in manifest["stages"].values()}
    if parts[0] not in dirs or len(parts) < 2:
        raise ApiError(HTTPStatus.NOT_FOUND, f"{rel!r} is not inside a stage output folder: see /entities")
    try:
        base = (workdir / parts[0]).resolve()
        target = (workdir / rel).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise ApiError(HTTPStatus.NOT_FOUND, f"no output file {rel!r}: see /entities") from exc
    if not base.is_relative_to(workdir.resolve()) or not target.is_relative_to(base) or not target.is_file():
        raise ApiError(HTTPStatus.NOT_FOUND, f"no output file {rel!r}: see /entities")
    return target


def _current(workdir: Path, manifest: dict) -> dict | None:
    """The current stage (else the most recently started one): status, progress, last log lines."""
    stages = manifest["stages"]
    name = (manifest.get("pipeline") or {}).get("current_stage")
    if name not in stages:
        started = [(entry.get("started_at") or "", n) for n, entry in stages.items() if entry.get("started_at")]
        name = max(started)[1] if started else None
    if name is None:
        return None
    log = workdir / "logs" / f"{name}.log"
    entry = stages[name]
    return {
        "stage": name,
        "status": entry.get("status"),
        "progress": entry.get("progress"),
        "log_tail": tail_lines(log, LOG_TAIL) if log.is_file() else [],
    }
