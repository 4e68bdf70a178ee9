"""tmdb: file-name parsing, lookup against a local stand-in for the TMDB API, skip and error paths."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import RunImage

ROOT = Path(__file__).resolve().parents[2]
STAGE = ROOT / "stages" / "tmdb"
KEY = "k3y-s3cr3t-0123456789"
SEARCH = {"results": [
    {"id": 11, "title": "The Storm", "original_title": "The Storm", "release_date": "1987-05-01"},
    {"id": 42, "title": "The Storm", "original_title": "The Storm", "release_date": "2019-10-04"},
    {"id": 7, "title": "Storm Chasers", "original_title": "Storm Chasers", "release_date": "2019-01-01"},
]}
CREDITS = {"id": 42, "cast": [
    {"name": "Ana Ruiz", "character": "Doctor Elena Alvarez", "order": 1},
    {"name": "Tom Black", "character": "Captain Morrow (voice)", "order": 0},
    {"name": "Lee Park", "character": "Himself", "order": 2},
]}


class FakeTmdb(BaseHTTPRequestHandler):
    """Answers /search/movie and /movie/42/credits like TMDB; remembers every request."""

    requests: ClassVar[list[tuple[str, dict[str, list[str]]]]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        type(self).requests.append((url.path, query))
        if query.get("api_key") != [KEY]:
            body, code = {"status_message": "Invalid API key"}, 401
        elif url.path == "/3/search/movie":
            body, code = SEARCH, 200
        elif url.path == "/3/movie/42/credits":
            body, code = CREDITS, 200
        else:
            body, code = {"status_message": "not found"}, 404
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    FakeTmdb.requests.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeTmdb)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/3"
    httpd.shutdown()
    httpd.server_close()


def run(tmp_path: Path, name: str, key: str | None, url: str = "http://127.0.0.1:9/3"):
    env = {k: v for k, v in os.environ.items() if k != "TMDB_API_KEY"}
    env.update(PYTHONPATH=str(ROOT / "stages" / "common"), TMDB_API_URL=url)
    if key is not None:
        env["TMDB_API_KEY"] = key
    return subprocess.run([sys.executable, str(STAGE / "stage.py"), "--input-name", name, "--out",
                           str(tmp_path / "out"), "--language", "en"],
                          capture_output=True, text=True, env=env, timeout=60)


def test_lookup_writes_metadata_and_sends_the_key(tmp_path: Path, server: str) -> None:
    proc = run(tmp_path, "The.Storm.2019.1080p.WEB-DL.x264.mkv", KEY, server)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    meta = json.loads((tmp_path / "out" / "metadata.json").read_text())
    assert (meta["title"], meta["year"], meta["tmdb_id"]) == ("The Storm", 2019, 42)
    assert [c["name"] for c in meta["cast"]] == ["Tom Black", "Ana Ruiz", "Lee Park"]  # by billing order
    assert set(meta["cast"][0]) == {"name", "character", "order"}
    for name in ("Captain Morrow", "Morrow", "Doctor Elena Alvarez", "Elena", "Alvarez", "Ana Ruiz", "Ruiz"):
        assert name in meta["names"]
    assert not {"Himself", "Captain", "Doctor", "(voice)"} & set(meta["names"])
    (search_path, search), (credits_path, credits) = FakeTmdb.requests
    assert search_path == "/3/search/movie" and credits_path == "/3/movie/42/credits"
    assert search["query"] == ["The Storm"] and search["year"] == ["2019"] and search["language"] == ["en"]
    assert search["api_key"] == [KEY] and credits["api_key"] == [KEY]
    assert KEY not in proc.stdout + proc.stderr


def test_no_key_skips(tmp_path: Path) -> None:
    proc = run(tmp_path, "The Storm (2019).mp4", None)
    assert proc.returncode == 0
    assert json.loads(proc.stdout.strip()) == {"skip": "TMDB_API_KEY not set: metadata lookup skipped"}
    assert not (tmp_path / "out" / "metadata.json").exists()


def test_rejected_key_fails_in_one_line_without_the_key(tmp_path: Path, server: str) -> None:
    proc = run(tmp_path, "The Storm (2019).mp4", "wrong-key-987654", server)
    assert proc.returncode == 1
    error = json.loads(proc.stdout.strip().splitlines()[-1])["error"]
    assert error == "TMDB answered HTTP 401 for /search/movie: check TMDB_API_KEY"
    assert "wrong-key-987654" not in proc.stdout + proc.stderr


def test_unreachable_server_fails_clearly(tmp_path: Path) -> None:
    proc = run(tmp_path, "The Storm (2019).mp4", KEY, "http://127.0.0.1:9/3")
    assert proc.returncode == 1
    assert json.loads(proc.stdout.strip().splitlines()[-1])["error"].startswith("TMDB unreachable at")
    assert KEY not in proc.stdout + proc.stderr


def test_file_names_and_best_match() -> None:
    sys.path.append(str(ROOT / "stages" / "common"))  # reelstage_stage, if not installed
    spec = importlib.util.spec_from_file_location("tmdb_stage", STAGE / "stage.py")
    tmdb_stage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tmdb_stage)
    assert tmdb_stage.parse_name("My Movie (2019).mp4") == ("My Movie", 2019)
    assert tmdb_stage.parse_name("The.Matrix.1999.1080p.BluRay.x264.mkv") == ("The Matrix", 1999)
    assert tmdb_stage.best_match(SEARCH["results"], "The Storm", 1987)["id"] == 11
    assert tmdb_stage.best_match(SEARCH["results"], "Storm Chasers", None)["id"] == 7
    assert tmdb_stage.clean_character("Dr. Ann Lee / Narrator (voice)") == ["Dr. Ann Lee"]


@pytest.mark.docker
@pytest.mark.images
def test_image_skips_without_key_and_fails_cleanly_without_network(run_image: RunImage) -> None:
    args = ["--input-name", "The Storm (2019).mkv", "--out", "/out", "--language", "en"]
    proc, out = run_image("tmdb", args)
    assert proc.returncode == 0 and '"skip"' in proc.stdout
    proc, out = run_image("tmdb", args, env={"TMDB_API_KEY": KEY, "TMDB_API_URL": "https://api.themoviedb.org/3"})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "TMDB unreachable" in proc.stdout and KEY not in proc.stdout + proc.stderr
    assert not any(out.iterdir())
