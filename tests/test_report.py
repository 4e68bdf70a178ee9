"""The timeline report: content, escaping, links, atomic write, and real rendering in headless Chromium."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from workdir_fixture import (
    ARTIFACTS,
    INPUT_NAME,
    WEIRD_OUTPUT,
    build_workdir,
    headless_chromium,
    needs_browser,
    save_page_screenshot,
)

from runner.errors import UsageError
from runner.watch.report import render_report, write_report

# (stage, outcome) of every attempt of the interrupted fixture, in stage order
EXPECTED_BARS = [
    ("demux", "success"),
    ("tmdb", "skipped"),
    ("pre_ner", "success"),
    ("silero_vad", "success"),
    ("pyannote_vad", "timeout"),
    ("diarization", "failed"),
    ("diarization", "success"),
    ("asr", "interrupted"),
]
EVIL = '</script><img src=x onerror="window.pwned=1"><b>&amp;'


class Links(HTMLParser):
    """Collects href/src attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key == "href" and value and tag == "a":
                self.hrefs.append(value)
            if key == "src" and value:
                self.srcs.append(value)


def _links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_report_is_written_atomically_and_self_contained(tmp_path: Path) -> None:
    workdir = build_workdir(tmp_path)
    path = write_report(workdir)
    assert path == workdir / "report.html"
    assert not list(workdir.glob(".report.html.*")), "temp file left behind"
    html = path.read_text(encoding="utf-8")
    links = _links(html)
    assert links.srcs == [], "no external resources"
    assert not [h for h in links.hrefs if "//" in h or h.startswith("/")], "links stay relative to the work folder"
    for href in links.hrefs:
        assert (workdir / unquote(href)).is_file(), href
    assert "logs/demux.log" in links.hrefs and "logs/asr.log" in links.hrefs
    assert "03_pre_ner/" + WEIRD_OUTPUT in [unquote(h) for h in links.hrefs]
    assert not [h for h in links.hrefs if ".staging" in h or "manifest" in h]
    assert "post_ner.log" not in html, "no link to a log that does not exist"
    for fact in (
        "700.0 MiB",
        "734003200",
        "1 h 30 m",
        "sha256-sampled:9f2c&lt;&amp;&gt;e1",
        "interrupted by SIGINT",
        "TMDB_API_KEY not set: no &lt;metadata&gt; &amp; no names",
        "timed out after 60 s",
        "exit_code (1), ok",
        "ran on CPU: no GPU",
        "20261123T150102Z-4f2a",
        "6 of 10 stages",
        "next: <b>asr</b>",
    ):
        assert fact in html, fact


def test_report_escapes_everything(tmp_path: Path) -> None:
    workdir = build_workdir(tmp_path)
    html = write_report(workdir).read_text(encoding="utf-8")
    for raw in ('"<Movie>"', "<i>", "<check>", "<ok>", "<metadata>"):
        assert raw not in html, raw
    assert "Tom &amp; Jerry&#x27;s &quot;&lt;Movie&gt;&quot;.mp4" in html
    data = html.split('<script id="report-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(data)["manifest"]["input"]["name"] == INPUT_NAME


def test_report_without_manifest_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no manifest\.json"):
        write_report(tmp_path)


def test_api_links_point_at_the_api(tmp_path: Path) -> None:
    workdir = build_workdir(tmp_path)
    manifest = json.loads((workdir / "manifest.json").read_text())
    hrefs = _links(render_report(workdir, manifest, api=True)).hrefs
    assert "logs/demux" in hrefs and "entities/01_demux/audio.wav" in hrefs


def _evil_workdir(tmp_path: Path) -> Path:
    workdir = build_workdir(tmp_path)
    manifest = json.loads((workdir / "manifest.json").read_text())
    manifest["input"]["name"] = EVIL
    manifest["stages"]["diarization"]["attempts"][0]["error"] = EVIL
    manifest["stages"]["demux"]["notes"].append(EVIL)
    (workdir / "manifest.json").write_text(json.dumps(manifest))
    return workdir


@needs_browser
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    plain = write_report(build_workdir(tmp_path / "plain"))
    evil = write_report(_evil_workdir(tmp_path / "evil"))
    with headless_chromium(tmp_path / "profile", height=1500) as browser:
        for report in (plain, evil):
            browser.get(report.as_uri())
            bars = browser.find_elements(By.CSS_SELECTOR, ".g-bar")
            assert [(b.get_attribute("data-stage"), b.get_attribute("data-outcome")) for b in bars] == EXPECTED_BARS
            for bar in bars:
                assert bar.rect["width"] > 1 and bar.rect["height"] > 1, bar.get_attribute("data-stage")
            lefts = [bar.rect["x"] for bar in bars]
            assert lefts == sorted(lefts), "attempts are laid out in time order"
            widths = {bar.get_attribute("data-stage"): bar.rect["width"] for bar in bars}
            assert widths["pyannote_vad"] > 3 * widths["pre_ner"], "60 s vs 11 s in the same run"
            assert widths["asr"] > 5 * widths["diarization"], "300 s vs 41 s in the same run"
            rows = browser.find_elements(By.CSS_SELECTOR, ".g-row[data-stage]")
            assert len(rows) == 10
            legend = browser.find_element(By.CSS_SELECTOR, ".g-legend").text
            for outcome in ("success", "skipped", "failed", "timeout", "interrupted", "running"):
                assert outcome in legend
            runs = browser.find_elements(By.CSS_SELECTOR, ".g-run")
            assert [r.get_attribute("data-run") for r in runs] == ["20261123T150102Z-4f2a", "20261123T160000Z-9b1c"]
            assert browser.execute_script("return window.pwned") is None
            errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
            assert errors == []
            if report == plain:
                save_page_screenshot(browser, ARTIFACTS / "report.png")
        assert EVIL in browser.find_element(By.TAG_NAME, "h1").text
        title = browser.find_element(By.CSS_SELECTOR, '.g-bar[data-stage="diarization"]').get_attribute("title")
        assert EVIL in title
