"""The timeline report: one self-contained HTML file (inline CSS/JS, no network) per work folder."""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from runner.errors import UsageError
from runner.run.manifest import read_manifest, utc_now, write_text_atomic
from runner.watch.subtitle_review import review_section, speakers_section

REPORT_NAME = "report.html"
# attempt reason (contract §5) -> colour class of its Gantt bar
OUTCOMES = {
    "ok": "success",
    "skipped": "skipped",
    "exit_code": "failed",
    "verify_failed": "failed",
    "engine_error": "failed",
    "timeout": "timeout",
    "interrupted": "interrupted",
}


def asset(name: str) -> str:
    """A file of runner/watch/templates/."""
    return files("runner.watch").joinpath("templates", name).read_text(encoding="utf-8")


def script_json(data: object) -> str:
    """JSON that is safe inside a <script> element (no `</script>`, no `<!--`)."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    s = round(seconds)
    if s < 3600:
        return f"{s // 60} m {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} m"


def fmt_size(size: float | None) -> str:
    if size is None:
        return "–"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def fmt_time(iso: str | None) -> str:
    return iso.replace("T", " ").split(".")[0].rstrip("Z") + "Z" if iso else "–"


def stage_files(workdir: Path, stage: dict) -> list[Path]:
    """Files promoted into the stage's NN_<stage>/ folder, relative to the work folder.

    Symlinks count only when they stay inside that folder (the API serves nothing else).
    """
    folder = workdir / str(stage.get("dir") or "")
    if not stage.get("dir") or not folder.is_dir():
        return []
    real = folder.resolve()
    return sorted(p.relative_to(workdir) for p in folder.rglob("*") if p.is_file() and _inside(p, real))


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False


class Links:
    """Where the report's links point: the work folder's files, or the HTTP API (docs/api.md)."""

    def __init__(self, api: bool) -> None:
        self.api = api

    def log(self, stage: str) -> str:
        return f"logs/{quote(stage)}" if self.api else f"logs/{quote(stage)}.log"

    def output(self, rel: Path) -> str:
        return ("entities/" if self.api else "") + quote(rel.as_posix())


def _chip(kind: str, value: str | None) -> str:
    text = value or "pending"
    return f'<span class="chip {kind}-{escape(text)}">{escape(text)}</span>'


def _stage_rows(workdir: Path, manifest: dict, links: Links) -> str:
    rows = []
    for name, stage in sorted(manifest.get("stages", {}).items(), key=lambda kv: kv[1].get("index") or 0):
        attempts = stage.get("attempts") or []
        last = attempts[-1] if attempts else {}
        exits = ", ".join(
            f"{a.get('reason') or 'running'}" + (f" ({a['exit_code']})" if a.get("exit_code") not in (None, 0) else "")
            for a in attempts
        )
        notes = "".join(f"<li>{escape(str(n))}</li>" for n in stage.get("notes") or [])
        error = stage.get("error") or last.get("error")
        log = workdir / "logs" / f"{name}.log"
        log_link = f'<a href="{escape(links.log(name))}">log</a>' if log.is_file() else ""
        outputs = "<br>".join(
            f'<a href="{escape(links.output(rel))}">{escape(rel.as_posix())}</a>' for rel in stage_files(workdir, stage)
        )
        rows.append(
            f'<tr data-stage="{escape(name)}"><td class=num>{stage.get("index", "")}</td>'
            f"<td><b>{escape(name)}</b>{'' if stage.get('critical', True) else ' <span class=muted>(optional)</span>'}"
            f"</td><td>{_chip('s', stage.get('status'))}</td><td class=num>{fmt_duration(stage.get('duration_s'))}</td>"
            f"<td class=num>{len(attempts)}</td><td>{escape(exits) or '–'}</td>"
            f"<td>{f'<ul>{notes}</ul>' if notes else ''}"
            f"{f'<div class=err>{escape(str(error))}</div>' if error else ''}</td>"
            f"<td>{log_link}</td><td class=mono>{outputs}</td></tr>"
        )
    return "".join(rows)


def _attempt_rows(manifest: dict) -> str:
    rows = []
    attempts = [(name, a) for name, stage in manifest.get("stages", {}).items() for a in stage.get("attempts") or []]
    for name, a in sorted(attempts, key=lambda item: item[1].get("started_at") or ""):
        reason = a.get("reason") if a.get("ended_at") else "running"
        outcome = "running" if reason == "running" else OUTCOMES.get(str(reason), "failed")
        rows.append(
            f"<tr><td>{escape(name)}</td><td class=num>{escape(str(a.get('n', '')))}</td>"
            f"<td class=mono>{escape(str(a.get('run_id', '')))}</td><td class=num>{fmt_time(a.get('started_at'))}</td>"
            f"<td class=num>{fmt_time(a.get('ended_at'))}</td><td class=num>{fmt_duration(a.get('duration_s'))}</td>"
            f"<td class=num>{'–' if a.get('exit_code') is None else escape(str(a['exit_code']))}</td>"
            f'<td><span class="chip o-{outcome}">{escape(str(reason))}</span></td>'
            f"<td class=num>{fmt_size(a.get('peak_memory_bytes'))}</td>"
            f"<td class=num>{_cpu(a.get('cpu_s'))}</td>"
            f"<td>{escape(_placement(a))}</td>"
            f"<td class=err>{escape(str(a.get('error') or ''))}</td></tr>"
        )
    return "".join(rows)


def _cpu(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.1f} s"


def _placement(attempt: dict) -> str:
    """What the attempt held and where it ran: CPU reservation, GPU ids, node."""
    parts = []
    if attempt.get("cpus") is not None:
        parts.append(f"{attempt['cpus']:g} CPU")
    if attempt.get("gpus"):
        parts.append("GPU " + ",".join(map(str, attempt["gpus"])))
    if attempt.get("node"):
        parts.append(f"on {attempt['node']}")
    return ", ".join(parts) or "–"


def _run_rows(manifest: dict) -> str:
    return "".join(
        f"<tr><td class=mono>{escape(str(r.get('run_id', '')))}</td><td>{_chip('s', r.get('status'))}</td>"
        f"<td class=num>{fmt_time(r.get('started_at'))}</td><td class=num>{fmt_time(r.get('ended_at'))}</td>"
        f"<td>{escape(str(r.get('pid', '')))} @ {escape(str(r.get('host', '')))}</td>"
        f"<td class=mono>{escape(' '.join(map(str, r.get('argv') or [])))}</td></tr>"
        for r in (manifest.get("pipeline") or {}).get("runs") or []
    )


def render_report(workdir: Path, manifest: dict, api: bool = False) -> str:
    """The report page; `api=True` points its links at the HTTP API instead of the work folder."""
    links = Links(api)
    source = manifest.get("input") or {}
    pipeline = manifest.get("pipeline") or {}
    title = source.get("name") or workdir.name
    generated = utc_now()
    facts = [
        ("Input", escape(str(source.get("path", "–")))),
        ("Size", f"{fmt_size(source.get('size'))} <span class=muted>({source.get('size', '–')} bytes)</span>"),
        ("Duration", fmt_duration(source.get("duration_s"))),
        ("Fingerprint", f"<code>{escape(str(source.get('fingerprint', '–')))}</code>"),
        ("Work folder", escape(str(manifest.get("workdir", workdir)))),
        (
            "Status",
            _chip("s", pipeline.get("status"))
            + (
                f" <span class=muted>exit {escape(str(pipeline['exit_code']))}</span>"
                if pipeline.get("exit_code") is not None
                else ""
            ),
        ),
        (
            "Completed",
            f"{len(pipeline.get('completed_stages') or [])} of {len(pipeline.get('stages') or [])} stages"
            + (f", next: <b>{escape(str(pipeline['next_stage']))}</b>" if pipeline.get("next_stage") else ""),
        ),
        ("Started / ended", f"{fmt_time(pipeline.get('started_at'))} → {fmt_time(pipeline.get('ended_at'))}"),
    ]
    if pipeline.get("error"):
        facts.append(("Error", f"<span class=err>{escape(str(pipeline['error']))}</span>"))
    data = {"manifest": manifest, "outcomes": OUTCOMES, "now": manifest.get("updated_at") or generated}
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{escape(title)} · Reelstage report</title>
<style>{asset("style.css")}</style></head>
<body>
<div class="head"><h1>{escape(title)}</h1>{_chip("s", pipeline.get("status"))}
<span class="muted">run <code>{escape(str(manifest.get("run_id", "")))}</code> · updated
{fmt_time(manifest.get("updated_at"))}</span></div>
<section class="card"><h2>Input and pipeline</h2><dl class="facts">
{"".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)}</dl></section>
<section class="card"><h2>Timeline</h2><div id="gantt"></div>
<noscript>The timeline needs JavaScript; the tables below hold the same facts.</noscript></section>
{review_section(workdir, manifest)}{speakers_section(workdir, manifest)}
<section class="card"><h2>Stages</h2><table><thead><tr><th>#</th><th>stage</th><th>status</th><th>duration</th>
<th>attempts</th><th>exits</th><th>notes and errors</th><th>log</th><th>outputs</th></tr></thead>
<tbody>{_stage_rows(workdir, manifest, links)}</tbody></table></section>
<section class="card"><h2>Attempts</h2><table><thead><tr><th>stage</th><th>#</th><th>run</th><th>started</th>
<th>ended</th><th>duration</th><th>exit</th><th>reason</th><th>peak memory</th><th>CPU</th><th>held</th><th>error</th>
</tr></thead>
<tbody>{_attempt_rows(manifest)}</tbody></table></section>
<section class="card"><h2>Runs</h2><table><thead><tr><th>run</th><th>status</th><th>started</th><th>ended</th>
<th>process</th><th>command</th></tr></thead><tbody>{_run_rows(manifest)}</tbody></table></section>
<footer>Generated {fmt_time(generated)} by Reelstage.</footer>
<script id="report-data" type="application/json">{script_json(data)}</script>
<script>{asset("gantt.js")}
const reportData = JSON.parse(document.getElementById("report-data").textContent);
reelstageGantt(document.getElementById("gantt"), reportData.manifest, reportData.outcomes, Date.parse(reportData.now));
</script>
</body></html>
"""


def write_report(workdir: Path) -> Path:
    """Write `<workdir>/report.html` atomically (temp file + rename) and return its path."""
    manifest = read_manifest(workdir)
    if manifest is None:
        raise UsageError(f"{workdir} has no manifest.json: give a Reelstage work folder")
    target = workdir / REPORT_NAME
    write_text_atomic(target, render_report(workdir, manifest), durable=False)
    return target
