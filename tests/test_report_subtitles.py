"""The report's review list and who-speaks-when sections, read from srt_generation's outputs."""

from __future__ import annotations

import json
from pathlib import Path

from workdir_fixture import build_workdir

from runner.run.manifest import read_manifest
from runner.watch.report import render_report
from runner.watch.subtitle_review import clock

EVIL = '</script><img src=x onerror="window.pwned=1">'


def _with_outputs(tmp_path: Path, review: object, speakers: object) -> tuple[Path, dict]:
    workdir = build_workdir(tmp_path, state="completed")
    manifest = read_manifest(workdir)
    stage = manifest["stages"]["srt_generation"]
    for name, data in (("review", review), ("speakers", speakers)):
        path = workdir / stage["dir"] / f"{name}.json"
        path.write_text(json.dumps(data) if not isinstance(data, str) else data)
        stage["outputs"][name] = {"path": f"{stage['dir']}/{name}.json", "size": path.stat().st_size}
    return workdir, manifest


def test_review_list_and_speaker_timeline_are_shown_escaped(tmp_path: Path) -> None:
    review = {"spots": [{"cue": 412, "start": 3725.46, "end": 3727.0, "text": "Too fast\n" + EVIL,
                         "reasons": [{"kind": "bend", "detail": "cps 23.1 against 20"},
                                     {"kind": "unsure_word", "detail": "Tessaly (probability 0.31)"}]}],
              "listed": 1, "candidates": 40, "left_out": 39, "cap": 20}
    speakers = {"speakers": [{"label": "S1", "name": "Captain " + EVIL, "talk_s": 61.5, "words": 180, "first": 1.0},
                             {"label": "S2", "name": "S2", "talk_s": 20.0, "words": 50, "first": 4.0}],
                "stretches": [{"label": "S1", "start": 1.0, "end": 3.0}, {"label": "S2", "start": 4.0, "end": 5.0}],
                "unused_names": ["S9"]}
    workdir, manifest = _with_outputs(tmp_path, review, speakers)
    html = render_report(workdir, manifest)
    assert "Review list" in html and "1:02:05.5" in html and "cps 23.1 against 20" in html
    assert "39 less important left out" in html and "at most 20 others" in html
    assert "Who speaks when" in html and "61.5 s" in html and "(S1)" in html and "S9" in html
    assert EVIL not in html and "&lt;/script&gt;" in html
    assert html.index("Review list") < html.index("Who speaks when") < html.index("<h2>Stages")


def test_no_section_without_or_with_broken_outputs(tmp_path: Path) -> None:
    workdir, manifest = _with_outputs(tmp_path, "{not json", [1, 2])
    html = render_report(workdir, manifest)
    assert "Review list" not in html and "Who speaks when" not in html


def test_clock_reads_like_a_player() -> None:
    assert [clock(0), clock(59.96), clock(61.25), clock(3725.46)] == ["0:00.0", "1:00.0", "1:01.2", "1:02:05.5"]
