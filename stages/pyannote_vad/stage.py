"""pyannote_vad stage (optional): speech segments from a local pyannote.audio VAD pipeline.

Runs only with an HF token, pyannote.audio in the image (build arg WITH_PYANNOTE=1) and the
pipeline in <model-dir>/voice-activity-detection/; otherwise it is skipped with a note saying
what is missing. The token itself is never printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
import wave
from importlib.metadata import version
from pathlib import Path
from typing import Any

from reelstage_stage import (
    BadInput,
    ProgressThrottle,
    emit_info,
    emit_note,
    run_stage,
    skip,
    write_json_atomic,
)

PIPELINE_DIR = "voice-activity-detection"
BUILD_HINT = (
    "docker build --build-arg WITH_PYANNOTE=1 --secret id=ca_bundle,src=$PIP_CERT "
    "-f stages/pyannote_vad/Dockerfile -t reelstage/pyannote_vad:latest ."
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Arguments as config/pipeline.yaml passes them."""
    parser = argparse.ArgumentParser(prog="pyannote_vad", description=__doc__)
    parser.add_argument("--audio", required=True, type=Path, help="16 kHz mono WAV")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--model-dir", type=Path, default=Path("/models/pyannote"))
    return parser.parse_args(argv)


def pyannote_installed() -> bool:
    """True when `pyannote.audio` can be imported (checked without importing torch)."""
    try:
        return importlib.util.find_spec("pyannote.audio") is not None
    except ModuleNotFoundError:  # no `pyannote` namespace at all
        return False


def require_engine(model_dir: Path) -> Path:
    """The pipeline's config.yaml, or skip saying what is missing."""
    if not os.environ.get("HF_TOKEN"):
        skip("HF token not found")
    if not pyannote_installed():
        skip(f"pyannote.audio is not installed in this image: build it with `{BUILD_HINT}`")
    config = model_dir / PIPELINE_DIR / "config.yaml"
    if not config.is_file():
        skip(
            f"no pyannote VAD pipeline in {config.parent}: put the pipeline's config.yaml "
            "(pointing at local checkpoint files) and its checkpoints there"
        )
    return config


def duration_s(path: Path) -> float:
    """Length of the WAV in seconds, or BadInput."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except FileNotFoundError:
        raise BadInput(f"audio file not found: {path}: run the demux stage first") from None
    except (wave.Error, EOFError) as exc:
        raise BadInput(f"{path} is not a PCM WAV file ({exc}): give the demux stage's audio.wav") from None


def run_pipeline(config: Path, audio: Path) -> list[tuple[float, float]]:
    """Speech regions found by the local pyannote pipeline (on the GPU when there is one)."""
    import torch
    from pyannote.audio import Pipeline

    pipeline = Pipeline.from_pretrained(str(config))
    if torch.cuda.is_available():
        pipeline.to(torch.device("cuda"))
    else:
        emit_note("ran on CPU: no GPU")
    progress = ProgressThrottle()

    def hook(
        step: str, _artifact: Any, file: Any = None, total: int | None = None, completed: int | None = None
    ) -> None:
        if total and completed is not None:
            progress(0.95 * completed / total, step)

    annotation = pipeline(str(audio), hook=hook)
    return [(float(s.start), float(s.end)) for s in annotation.get_timeline().support()]


def main(argv: list[str]) -> None:
    """Write segments.json (same shape as silero_vad's) or skip."""
    args = parse_args(argv)
    config = require_engine(args.model_dir)
    total = duration_s(args.audio)
    started = time.monotonic()
    regions = run_pipeline(config, args.audio)
    segments = [{"start": round(s, 3), "end": round(e, 3)} for s, e in regions]
    model = f"pyannote.audio {version('pyannote.audio')} ({config.parent.name})"
    write_json_atomic(
        args.out / "segments.json",
        {
            "model": model,
            "params": {"pipeline": str(config)},
            "segments": segments,
            "speech_s": round(sum(e - s for s, e in regions), 3),
            "duration_s": round(total, 3),
        },
    )
    emit_info(
        engine="pyannote.audio",
        model=model,
        segments=len(segments),
        rtf=round((time.monotonic() - started) / max(total, 1e-9), 4),
    )
    ProgressThrottle()(1.0, f"{len(segments)} speech segments")


if __name__ == "__main__":
    run_stage(main)
