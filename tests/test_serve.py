"""The read-only HTTP API and dashboard, over real HTTP on a free port (no Docker)."""

from __future__ import annotations

import http.client
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest
import yaml
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
from runner.run.lock import WorkdirLock
from runner.watch.serve import ROUTES, make_server

STEM = Path(INPUT_NAME).stem
SECRET = "top secret outside the stage folders"


class Api:
    """Raw HTTP requests (paths are sent exactly as given, never normalised)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def json(self, path: str, status: int = 200) -> object:
        code, headers, body = self.request(path)
        assert code == status, (path, code, body)
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(body)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    root = tmp_path / "out"
    build_workdir(root, "interrupted")
    live = build_workdir(root, "running", name="live")
    build_workdir(root, "completed", name="done")
    (tmp_path / "secret.txt").write_text(SECRET)
    (live / "top-level.txt").write_text(SECRET)
    demux = live / "01_demux"
    (demux / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (demux / "manifest-link.json").symlink_to(live / "manifest.json")
    (demux / "up").symlink_to(live)
    (demux / "inside.json").symlink_to(demux / "media.json")
    (demux / "loop").symlink_to(demux / "loop")
    return root


@pytest.fixture()
def api(root: Path) -> Iterator[Api]:
    server = make_server(root)
    assert server.server_address[0] == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield Api(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_runs_lists_every_work_folder(api: Api, root: Path) -> None:
    runs = api.json("/api/runs")
    assert {r["run"] for r in runs} == {STEM, "live", "done"}
    with WorkdirLock(root / "live"):
        live = next(r for r in api.json("/api/runs") if r["run"] == "live")
    assert live["live"] and live["holder"]["pid"] == os.getpid() and live["current_stage"] == "asr"


def test_status_has_manifest_lock_and_current_stage(api: Api, root: Path) -> None:
    status = api.json("/api/runs/live/status")
    assert status["manifest"] == json.loads((root / "live" / "manifest.json").read_text())
    assert (status["live"], status["holder"]) == (False, None)
    current = status["current"]
    assert current["stage"] == "asr" and current["progress"]["fraction"] == 0.42
    assert len(current["log_tail"]) == 20 and current["log_tail"][-1] == "asr: running"
    with WorkdirLock(root / "live"):
        held = api.json("/api/runs/live/status")
    assert held["live"] and held["holder"]["pid"] == os.getpid()
    stopped = api.json(f"/api/runs/{quote(STEM)}/status")
    assert stopped["current"]["stage"] == "asr" and stopped["current"]["log_tail"][-1] == "error: interrupted by SIGINT"


def test_entities_list_only_promoted_outputs(api: Api) -> None:
    entities = api.json(f"/api/runs/{quote(STEM)}/entities")
    paths = [e["path"] for e in entities]
    assert paths == [
        "01_demux/audio.wav",
        "01_demux/media.json",
        "03_pre_ner/glossary.json",
        f"03_pre_ner/{WEIRD_OUTPUT}",
        "04_silero_vad/segments.json",
        "06_diarization/turns.json",
    ]
    assert entities[3]["stage"] == "pre_ner" and entities[3]["size"] == len(b"Tom\nJerry\n")
    assert all(isinstance(e["mtime"], float) for e in entities)
    live = [e["path"] for e in api.json("/api/runs/live/entities") if e["stage"] == "demux"]
    assert live == ["01_demux/audio.wav", "01_demux/inside.json", "01_demux/media.json"]


def test_entity_files_stream_with_their_mime_type(api: Api, root: Path) -> None:
    cases = [
        (STEM, "01_demux/media.json", "application/json"),
        (STEM, f"03_pre_ner/{WEIRD_OUTPUT}", "text/plain; charset=utf-8"),
        ("done", "09_srt_generation/subtitles.srt", "application/x-subrip"),
        ("done", "10_mux/subtitled.mp4", "video/mp4"),
        ("live", "01_demux/inside.json", "application/json"),
    ]
    for run, rel, mime in cases:
        status, headers, body = api.request(f"/api/runs/{quote(run)}/entities/{quote(rel)}")
        assert status == 200, (rel, body)
        assert headers["Content-Type"] == mime
        assert body == (root / run / rel).read_bytes()
        assert headers["Content-Length"] == str(len(body))
        assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, body = api.request("/api/runs/done/entities/09_srt_generation/subtitles.srt", method="HEAD")
    assert (status, body) == (200, b"") and int(headers["Content-Length"]) > 0


@pytest.mark.parametrize(
    "path",
    [
        "../manifest.json",
        "01_demux/../../live/manifest.json",
        "%2e%2e/manifest.json",
        "%2E%2E%2Fmanifest.json",
        "01_demux/%2e%2e/top-level.txt",
        "01_demux/..%2f..%2fsecret.txt",
        "/etc/passwd",
        "%2Fetc%2Fpasswd",
        "01_demux//etc/passwd",
        "./01_demux/audio.wav",
        "01_demux\\..\\manifest.json",
        "01_demux/%00.json",
        "01_demux/escape.txt",
        "01_demux/manifest-link.json",
        "01_demux/up/top-level.txt",
        "01_demux/up/manifest.json",
        "01_demux/loop",
        "01_demux",
        "01_demux/",
        "top-level.txt",
        "manifest.json",
        ".lock.json",
        "logs/asr.log",
        ".staging/secret.txt",
        "05_pyannote_vad/nothing.json",
    ],
)
def test_entity_paths_that_leave_the_stage_folders_are_refused(api: Api, path: str) -> None:
    status, headers, body = api.request(f"/api/runs/live/entities/{path}")
    assert status in (400, 404), (path, status)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body)["error"]
    assert SECRET.encode() not in body


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/../status",
        "/api/runs/%2e%2e/status",
        "/api/runs/nope/status",
        "/api/runs/%2Ftmp/status",
        "/api/runs/live/logs/..%2Fmanifest",
        "/api/nothing",
    ],
)
def test_bad_runs_and_endpoints_are_json_errors(api: Api, path: str) -> None:
    status, _, body = api.request(path)
    assert status in (400, 404) and json.loads(body)["error"]


def test_only_get_and_head(api: Api) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        status, headers, body = api.request("/api/runs", method=method)
        assert status == 405 and headers["Allow"] == "GET, HEAD" and "read-only" in json.loads(body)["error"]


def test_corrupt_manifest_is_reported(api: Api, root: Path) -> None:
    (root / "done" / "manifest.json").write_text("{torn")
    runs = {r["run"]: r for r in api.json("/api/runs")}
    assert runs["done"]["status"] == "corrupt"
    assert "--reset" in api.json("/api/runs/done/status", status=409)["error"]


def test_logs_and_report_endpoints(api: Api) -> None:
    status, headers, body = api.request("/api/runs/live/logs/asr?tail=2")
    assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body.decode().splitlines() == ["asr: step 39 <ok> & fine", "asr: running"]
    assert api.request("/api/runs/live/logs/asr?tail=x")[0] == 400
    assert api.request("/api/runs/live/logs/mux")[0] == 404
    base = f"/api/runs/{quote(STEM)}/report"
    status, headers, body = api.request(base)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    hrefs = [part.split('"')[0] for part in body.decode().split('<a href="')[1:]]
    assert len(hrefs) >= 12
    for href in hrefs:
        target = urljoin(base, href.replace("&amp;", "&").replace("&#x27;", "'"))
        assert api.request(target)[0] == 200, target


@needs_browser
def test_dashboard_shows_the_runs_live(api: Api, root: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with WorkdirLock(root / "live"), headless_chromium(tmp_path / "profile", height=1800) as browser:
        browser.get(f"http://127.0.0.1:{api.port}/")
        wait = WebDriverWait(browser, 15)
        wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".run .g-bar")) >= 20)
        cards = browser.find_elements(By.CSS_SELECTOR, ".run")
        assert [c.get_attribute("data-run") for c in cards] == ["done", STEM, "live"]
        chips = [c.find_element(By.CSS_SELECTOR, "[data-status]").text for c in cards]
        assert chips == ["completed", "interrupted", "running"]
        live = cards[2]
        assert "live: pid " + str(os.getpid()) in live.text and "asr 42% chunk 37/88" in live.text
        assert live.find_elements(By.CSS_SELECTOR, '.g-bar[data-outcome="running"]')
        for bar in browser.find_elements(By.CSS_SELECTOR, ".g-bar"):
            assert bar.rect["width"] > 1, bar.get_attribute("data-stage")
        assert "asr: running" in live.find_element(By.CSS_SELECTOR, ".log").text
        save_page_screenshot(browser, ARTIFACTS / "dashboard.png")
        manifest_path = root / "live" / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["pipeline"]["status"] = "failed"
        manifest["updated_at"] = "2026-11-23T17:00:00.000Z"
        manifest_path.write_text(json.dumps(manifest))
        started = time.monotonic()
        wait.until(lambda b: b.find_element(By.CSS_SELECTOR, '.run[data-run="live"] [data-status]').text == "failed")
        assert time.monotonic() - started < 6
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []


def test_missing_root_says_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a folder"):
        make_server(tmp_path / "nowhere")


def test_openapi_documents_every_endpoint() -> None:
    spec = yaml.safe_load((Path(__file__).parents[1] / "docs" / "openapi.yaml").read_text(encoding="utf-8"))
    assert spec["openapi"].startswith("3.1")
    documented = {re.sub(r"\{\w+\}", "x", path) for path in spec["paths"]}
    served = {re.sub(r"\(\?P<\w+>[^)]*\)", "x", pattern.pattern) for pattern, _ in ROUTES}
    assert documented == served
    import openapi_spec_validator as validator

    validator.validate(spec)
