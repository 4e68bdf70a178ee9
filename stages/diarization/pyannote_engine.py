"""Optional pyannote.audio diarization from a pipeline folder the user provides (needs torch)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

PIPELINE_DIR = "speaker-diarization"  # <model-dir>/speaker-diarization/config.yaml


def pyannote_installed() -> bool:
    """True when `pyannote.audio` can be imported (without importing it: that loads torch)."""
    try:
        return importlib.util.find_spec("pyannote.audio") is not None
    except ModuleNotFoundError:  # no `pyannote` namespace at all
        return False


def unavailable_reason(model_dir: Path) -> str | None:
    """Why the pyannote engine cannot run here, or None when it can."""
    if not os.environ.get("HF_TOKEN"):
        return "HF token not found"
    if not pyannote_installed():
        return "pyannote.audio is not installed (build the image with --build-arg WITH_PYANNOTE=1)"
    if not (model_dir / PIPELINE_DIR / "config.yaml").is_file():
        return f"no pyannote pipeline in {model_dir / PIPELINE_DIR} (put its config.yaml and checkpoints there)"
    return None


def diarize(audio: Path, model_dir: Path, max_speakers: int) -> list[tuple[float, float, str]]:
    """(start, end, pyannote label) turns from the local pyannote diarization pipeline."""
    from pyannote.audio import Pipeline

    pipeline = Pipeline.from_pretrained(str(model_dir / PIPELINE_DIR / "config.yaml"))
    output = pipeline(str(audio), max_speakers=max_speakers)
    annotation = getattr(output, "speaker_diarization", output)  # pyannote 4 wraps the result
    return [
        (float(turn.start), float(turn.end), str(label)) for turn, _, label in annotation.itertracks(yield_label=True)
    ]
