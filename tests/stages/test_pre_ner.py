"""pre_ner: glossary.json from TMDB metadata and a user glossary (either may be absent)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunImage

ROOT = Path(__file__).resolve().parents[2]
STAGE = ROOT / "stages" / "pre_ner" / "stage.py"
METADATA = {
    "title": "The Storm", "year": 2019, "tmdb_id": 42,
    "cast": [{"name": "Tom Black", "character": "Captain Morrow", "order": 0},
             {"name": "Ana Ruiz", "character": "Doctor Elena Alvarez", "order": 1}],
    "names": ["Captain Morrow", "Morrow", "Doctor Elena Alvarez", "Elena", "Alvarez", "Tom Black", "Tom",
              "Black", "Ana Ruiz", "Ana", "Ruiz"],
}
USER = """# places and people the recogniser should know
Lake Tessaly | place
Port Kessel | place

captain morrow
Doctor Alvarez   # how she is called
"""


def run(tmp_path: Path, metadata: object | None, user: str | None, language: str = "en"):
    meta_path, user_path = tmp_path / "metadata.json", tmp_path / "glossary.txt"
    if metadata is not None:
        meta_path.write_text(json.dumps(metadata))
    if user is not None:
        user_path.write_text(user, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common")}
    proc = subprocess.run([sys.executable, str(STAGE), "--metadata", str(meta_path), "--user-glossary",
                           str(user_path), "--language", language, "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=60)
    out = tmp_path / "out" / "glossary.json"
    return proc, json.loads(out.read_text()) if out.exists() else None


def test_user_names_first_then_tmdb_deduplicated_with_kinds(tmp_path: Path) -> None:
    proc, glossary = run(tmp_path, METADATA, USER)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = [(n["text"], n["source"], n["kind"]) for n in glossary["names"]]
    assert names[:4] == [("Lake Tessaly", "user", "place"), ("Port Kessel", "user", "place"),
                         ("captain morrow", "user", "other"), ("Doctor Alvarez", "user", "other")]
    texts = [n["text"].casefold() for n in glossary["names"]]
    assert len(texts) == len(set(texts))  # "Captain Morrow" from TMDB dropped as a duplicate
    kinds = {n["text"]: n["kind"] for n in glossary["names"] if n["source"] == "tmdb"}
    assert kinds["Elena"] == "character" and kinds["Doctor Elena Alvarez"] == "character"
    assert kinds["Ana Ruiz"] == "person" and kinds["Ruiz"] == "person"


def test_prompt_and_hotwords_carry_the_names(tmp_path: Path) -> None:
    _, glossary = run(tmp_path, METADATA, USER)
    prompt = glossary["initial_prompt"]
    assert prompt.startswith("Names in this film: Lake Tessaly, Port Kessel, captain morrow, Doctor Alvarez")
    assert prompt.endswith(".") and len(prompt) <= 200
    assert "Doctor Elena Alvarez" in prompt and ", Elena," not in prompt  # parts of longer names left out
    assert prompt.index("Doctor Elena Alvarez") < prompt.index("Tom Black")  # characters before actors
    assert glossary["hotwords"].startswith("Lake Tessaly, Port Kessel")


def test_prompt_stays_under_200_characters_with_many_names(tmp_path: Path) -> None:
    many = "\n".join(f"Person Number{i:02d}" for i in range(40))
    _, glossary = run(tmp_path, None, many, language="fr")
    assert glossary["initial_prompt"].startswith("Noms dans ce film : Person Number00, ")
    assert len(glossary["initial_prompt"]) <= 200 and glossary["initial_prompt"].endswith(".")
    assert len(glossary["names"]) == 40


def test_no_names_still_writes_a_valid_glossary(tmp_path: Path) -> None:
    proc, glossary = run(tmp_path, None, None)
    assert proc.returncode == 0
    assert glossary["names"] == [] and glossary["hotwords"] == "" and glossary["initial_prompt"] == ""
    assert '{"note": "no names: no TMDB metadata and no user glossary"}' in proc.stdout


def test_only_metadata(tmp_path: Path) -> None:
    _, glossary = run(tmp_path, METADATA, None)
    assert {n["source"] for n in glossary["names"]} == {"tmdb"}
    assert glossary["initial_prompt"].startswith("Names in this film: Captain Morrow, Doctor Elena Alvarez")


def test_bad_user_kind_exits_2(tmp_path: Path) -> None:
    proc, glossary = run(tmp_path, None, "Lake Tessaly | lake\n")
    assert proc.returncode == 2 and glossary is None
    assert json.loads(proc.stdout.splitlines()[-1])["error"].startswith("user glossary line 1: kind 'lake'")


@pytest.mark.docker
@pytest.mark.images
def test_image_runs_as_user_without_network(run_image: RunImage, tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text(json.dumps(METADATA))
    proc, out = run_image("pre_ner", ["--metadata", "/input/metadata.json", "--user-glossary", "/files/glossary",
                                      "--language", "en", "--out", "/out"],
                          files={"metadata.json": tmp_path / "metadata.json"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    glossary = json.loads((out / "glossary.json").read_text())
    assert glossary["initial_prompt"].startswith("Names in this film: Captain Morrow")
