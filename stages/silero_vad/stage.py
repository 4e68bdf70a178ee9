"""silero_vad stage: speech segments of the demuxed audio with the Silero VAD ONNX model."""

from __future__ import annotations

import argparse
import resource
import time
import wave
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import numpy as np
from reelstage_stage import (
    BadInput,
    ProgressThrottle,
    check_demuxed_wav,
    emit_info,
    run_stage,
    write_json_atomic,
)
from vad import SAMPLE_RATE, WINDOW, SileroVad, VadParams, pauses, speech_segments

CHUNK_FRAMES = WINDOW * 1875  # 60 s of audio read at a time


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Arguments as config/pipeline.yaml passes them."""
    parser = argparse.ArgumentParser(prog="silero_vad", description=__doc__)
    parser.add_argument("--audio", required=True, type=Path, help="16 kHz mono 16-bit WAV")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--min-speech-ms", type=int, default=250)
    parser.add_argument("--min-silence-ms", type=int, default=300)
    parser.add_argument("--speech-pad-ms", type=int, default=100)
    parser.add_argument("--min-pause-ms", type=int, default=100,
                        help="shortest pause inside a segment listed in `pauses` (for the diarization)")
    return parser.parse_args(argv)


def read_chunks(wav: wave.Wave_read, progress: ProgressThrottle) -> Iterator[np.ndarray]:
    """The samples as float32 chunks of CHUNK_FRAMES, reporting progress."""
    total = max(1, wav.getnframes())
    done = 0
    while data := wav.readframes(CHUNK_FRAMES):
        chunk = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
        done += chunk.size
        progress(0.99 * done / total, f"{done / SAMPLE_RATE:.0f}/{total / SAMPLE_RATE:.0f} s")
        yield chunk


def validate(args: argparse.Namespace) -> VadParams:
    """Check the parameters, raise BadInput on nonsense."""
    if not 0.0 < args.threshold < 1.0:
        raise BadInput(f"--threshold {args.threshold} must be between 0 and 1 (e.g. 0.5)")
    for name in ("min_speech_ms", "min_silence_ms", "speech_pad_ms", "min_pause_ms"):
        if getattr(args, name) < 0:
            raise BadInput(f"--{name.replace('_', '-')} must be >= 0")
    return VadParams(args.threshold, args.min_speech_ms, args.min_silence_ms, args.speech_pad_ms)


def main(argv: list[str]) -> None:
    """Run the VAD over the whole file and write segments.json."""
    args = parse_args(argv)
    params = validate(args)
    model_name = f"silero-vad {version('silero-vad')} (onnx)"
    started = time.monotonic()
    progress = ProgressThrottle()
    n_samples = check_demuxed_wav(args.audio)
    with wave.open(str(args.audio), "rb") as wav:
        model = SileroVad()
        probs = np.fromiter(model.probabilities(read_chunks(wav, progress)), dtype=np.float32)
    ranges = speech_segments(probs, n_samples, params)
    segments = [{"start": round(s / SAMPLE_RATE, 3), "end": round(e / SAMPLE_RATE, 3)} for s, e in ranges]
    inside = pauses(probs, n_samples, params, ranges, args.min_pause_ms)
    speech_s = round(sum(e - s for s, e in ranges) / SAMPLE_RATE, 3)
    duration_s = round(n_samples / SAMPLE_RATE, 3)
    write_json_atomic(
        args.out / "segments.json",
        {
            "model": model_name,
            "params": {
                "threshold": params.threshold,
                "neg_threshold": round(params.neg_threshold, 4),
                "min_speech_ms": params.min_speech_ms,
                "min_silence_ms": params.min_silence_ms,
                "speech_pad_ms": params.speech_pad_ms,
                "min_pause_ms": args.min_pause_ms,
            },
            "segments": segments,
            "pauses": [{"start": round(s / SAMPLE_RATE, 3), "end": round(e / SAMPLE_RATE, 3)} for s, e in inside],
            "speech_s": speech_s,
            "duration_s": duration_s,
        },
    )
    elapsed = time.monotonic() - started
    emit_info(
        engine="silero-vad-onnx",
        model=model_name,
        segments=len(segments),
        speech_s=speech_s,
        rtf=round(elapsed / max(duration_s, 1e-9), 4),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    progress(1.0, f"{len(segments)} speech segments")


if __name__ == "__main__":
    run_stage(main)
