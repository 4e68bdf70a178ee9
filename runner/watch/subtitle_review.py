"""The report's subtitle sections: the review list (review.json) and who speaks when (speakers.json).

Both are outputs of a stage (srt_generation in the default pipeline), found by their output names in the
manifest, so the report needs no stage names. Absent or unreadable files give no section.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

MAX_STRETCHES = 2000  # a 2-hour movie has ~1,500 speaker turns: draw at most this many bars


def _output(workdir: Path, manifest: dict, name: str) -> dict[str, Any] | None:
    for stage in (manifest.get("stages") or {}).values():
        if stage.get("status") != "success":
            continue
        rel = ((stage.get("outputs") or {}).get(name) or {}).get("path")
        if not rel:
            continue
        path = (workdir / str(rel)).resolve()
        if not path.is_relative_to(workdir.resolve()):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None
    return None


def clock(seconds: float) -> str:
    """h:mm:ss.s (or m:ss.s under an hour): how an editor seeks in a player."""
    tenths = round(float(seconds) * 10)
    h, rest = divmod(tenths, 36000)
    m, rest = divmod(rest, 600)
    return (f"{h}:{m:02d}:" if h else f"{m}:") + f"{rest / 10:04.1f}"


def review_section(workdir: Path, manifest: dict) -> str:
    """The review list: the spots to check, most important first."""
    data = _output(workdir, manifest, "review")
    if data is None:
        return ""
    rows = "".join(
        f"<tr><td class=num>{clock(s.get('start', 0))}</td><td class=num>{escape(str(s.get('cue', '')))}</td>"
        f"<td class=mono>{escape(str(s.get('text', ''))).replace(chr(10), '<br>')}</td><td><ul>"
        + "".join(f"<li>{escape(str(r.get('kind', '')).replace('_', ' '))}: {escape(str(r.get('detail', '')))}</li>"
                  for r in s.get("reasons") or [])
        + "</ul></td></tr>"
        for s in data.get("spots") or [] if isinstance(s, dict))
    left = data.get("left_out") or 0
    summary = (f"{data.get('listed', 0)} spots to check (every bent rule, then at most {data.get('cap', '–')} "
               f"others){f', {left} less important left out' if left else ''}.")
    body = (f"<table><thead><tr><th>time</th><th>cue</th><th>text</th><th>why</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>") if rows else ""
    return f'<section class="card" id="review"><h2>Review list</h2><p>{escape(summary)}</p>{body}</section>'


def _bar(stretch: dict, duration: float) -> str:
    start, end = float(stretch.get("start", 0)), float(stretch.get("end", 0))
    left, width = 100 * start / duration, max(0.15, 100 * (end - start) / duration)
    return (f'<span title="{escape(clock(start))}–{escape(clock(end))}" style="position:absolute;left:{left:.3f}%;'
            f'width:{width:.3f}%;top:3px;bottom:3px;background:#4a7;border-radius:2px"></span>')


def speakers_section(workdir: Path, manifest: dict) -> str:
    """Who speaks when: one row per speaker, a bar for each stretch of their speech, and talk time."""
    data = _output(workdir, manifest, "speakers")
    if data is None or not data.get("speakers"):
        return ""
    stretches = [s for s in data.get("stretches") or [] if isinstance(s, dict)][:MAX_STRETCHES]
    duration = float((manifest.get("input") or {}).get("duration_s") or 0) or max(
        (float(s.get("end", 0)) for s in stretches), default=1.0) or 1.0
    rows = []
    for speaker in data["speakers"]:
        label = speaker.get("label")
        bars = "".join(_bar(s, duration) for s in stretches if s.get("label") == label)
        rows.append(
            f"<tr><td><b>{escape(str(speaker.get('name', label)))}</b>"
            f"{'' if speaker.get('name') == label else f' <span class=muted>({escape(str(label))})</span>'}</td>"
            f"<td class=num>{float(speaker.get('talk_s', 0)):.1f} s</td><td class=num>{speaker.get('words', 0)}</td>"
            f"<td class=num>{clock(speaker.get('first', 0))}</td>"
            f'<td style="width:55%"><div style="position:relative;height:18px;background:var(--line,#eee);'
            f'border-radius:3px">{bars}</div></td></tr>')
    unused = data.get("unused_names") or []
    note = (f"<p class=muted>Names given for labels nobody used: {escape(', '.join(map(str, unused)))}.</p>"
            if unused else "")
    return (f'<section class="card" id="speakers"><h2>Who speaks when</h2><table><thead><tr><th>speaker</th>'
            f"<th>talk time</th><th>words</th><th>first at</th><th>0 → {clock(duration)}</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{note}</section>")
