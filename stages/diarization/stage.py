"""diarization stage: who speaks when, from VAD segments and Resemblyzer speaker embeddings."""

from __future__ import annotations

import argparse
import json
import resource
import time
import wave
from pathlib import Path

import numpy as np
import pyannote_engine
from encoder import SAMPLE_RATE, VoiceEncoder
from reelstage_stage import (
    BadInput,
    ProgressThrottle,
    check_demuxed_wav,
    emit_info,
    emit_note,
    run_stage,
    write_json_atomic,
)
from turns import Span, cut_at_pauses, frame_energy, label_windows, merge_turns, split_segment

BATCH_WINDOWS = 32  # windows embedded per step (bounds memory, paces progress)
MIN_SEGMENT_S = 0.05  # shorter VAD segments carry no usable voice


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Arguments as config/pipeline.yaml passes them."""
    parser = argparse.ArgumentParser(prog="diarization", description=__doc__)
    parser.add_argument("--audio", required=True, type=Path, help="16 kHz mono 16-bit WAV")
    parser.add_argument("--vad", required=True, type=Path, help="silero_vad segments.json")
    parser.add_argument("--pyannote-vad", type=Path, help="pyannote_vad segments.json (optional)")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--max-speakers", type=int, default=8)
    parser.add_argument("--threshold", type=float, default=0.2, help="cosine distance to merge")
    parser.add_argument("--model-dir", type=Path, default=Path("/models/pyannote"))
    args = parser.parse_args(argv)
    if args.max_speakers < 1:
        raise BadInput("--max-speakers must be at least 1")
    if not 0.0 < args.threshold < 2.0:
        raise BadInput(f"--threshold {args.threshold} must be a cosine distance in (0, 2), e.g. 0.2")
    return args


def load_pauses(vad: Path) -> list[Span]:
    """The pauses inside speech segments silero_vad lists (none from an older segments.json)."""
    try:
        return sorted((float(p["start"]), float(p["end"])) for p in json.loads(vad.read_text()).get("pauses", []))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadInput(f"{vad} has unreadable pauses ({exc}): rerun the silero_vad stage") from None


def load_segments(vad: Path, pyannote_vad: Path | None) -> tuple[list[Span], Path]:
    """Speech segments from pyannote_vad when it ran, else from silero_vad."""
    path = pyannote_vad if pyannote_vad and pyannote_vad.is_file() else vad
    if not path.is_file():
        raise BadInput(f"VAD segments not found: {path}: run the silero_vad stage first")
    try:
        segments = [(float(s["start"]), float(s["end"])) for s in json.loads(path.read_text())["segments"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"{path} is not a VAD segments.json ({exc}): rerun the VAD stage") from None
    return sorted((s, e) for s, e in segments if e - s >= MIN_SEGMENT_S), path


def read_span(wav: wave.Wave_read, span: Span) -> np.ndarray:
    """The samples of [start, end) seconds as float32."""
    start = min(int(span[0] * SAMPLE_RATE), wav.getnframes())
    wav.setpos(start)
    data = wav.readframes(max(0, int(span[1] * SAMPLE_RATE) - start))
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def windows_of(segment: Span, samples: np.ndarray, pauses: list[Span], starts: list[float]) -> list[Span]:
    """A segment's windows: its speech between pauses, long stretches cut at their quietest points."""
    windows = []
    for piece in cut_at_pauses(segment, pauses, starts):
        a, b = (round((t - segment[0]) * SAMPLE_RATE) for t in piece)
        windows += split_segment(piece, frame_energy(samples[a:b], SAMPLE_RATE))
    return windows


def resemblyzer_turns(args: argparse.Namespace, segments: list[Span]) -> list[tuple[float, float, str]]:
    """Cut segments into windows, embed each, label them by speaker (S1, S2, ... in order)."""
    pauses = load_pauses(args.vad)
    pause_starts = [p[0] for p in pauses]
    progress = ProgressThrottle()
    progress(0.0, "loading the voice encoder")
    encoder = VoiceEncoder()
    total = sum(e - s for s, e in segments)
    spans: list[Span] = []
    embeddings: list[np.ndarray] = []
    pending: list[np.ndarray] = []
    done = 0.0
    with wave.open(str(args.audio), "rb") as wav:
        for k, segment in enumerate(segments):
            samples = read_span(wav, segment)
            for window in windows_of(segment, samples, pauses, pause_starts):
                a, b = (round((t - segment[0]) * SAMPLE_RATE) for t in window)
                if samples[a:b].size >= MIN_SEGMENT_S * SAMPLE_RATE:  # not past the audio's end
                    spans.append(window)
                    pending.append(samples[a:b])
            done += segment[1] - segment[0]
            if pending and (len(pending) >= BATCH_WINDOWS or k == len(segments) - 1):
                embeddings.append(encoder.embed_utterances(pending))
                pending = []
                progress(0.95 * done / total, f"embedded {len(spans)} windows")
    if not spans:
        return []
    durations = np.array([e - s for s, e in spans])
    labels = label_windows(np.concatenate(embeddings), durations, args.threshold, args.max_speakers)
    return [(s, e, f"S{label + 1}") for (s, e), label in zip(spans, labels.tolist(), strict=True)]


def pyannote_turns(args: argparse.Namespace) -> list[tuple[float, float, str]] | None:
    """Turns from a local pyannote pipeline when token, package and pipeline are all there."""
    reason = pyannote_engine.unavailable_reason(args.model_dir)
    if reason:
        if reason != "HF token not found":
            emit_note(f"pyannote diarization not used: {reason}")
        return None
    try:
        raw = pyannote_engine.diarize(args.audio, args.model_dir, args.max_speakers)
    except Exception as exc:  # an optional engine: fall back, and say why
        emit_note(f"pyannote diarization failed ({type(exc).__name__}: {exc}); used resemblyzer")
        return None
    names: dict[str, str] = {}
    for _, _, label in sorted(raw):
        names.setdefault(label, f"S{len(names) + 1}")
    return [(s, e, names[label]) for s, e, label in raw]


def main(argv: list[str]) -> None:
    """Write turns.json."""
    args = parse_args(argv)
    started = time.monotonic()
    segments, source = load_segments(args.vad, args.pyannote_vad)
    check_demuxed_wav(args.audio)
    raw = pyannote_turns(args)
    engine = "pyannote.audio" if raw is not None else "resemblyzer-numpy"
    if raw is None:
        raw = resemblyzer_turns(args, segments)
    speakers = list(dict.fromkeys(label for _, _, label in sorted(raw)))
    turns = merge_turns([(s, e) for s, e, _ in raw], [label for _, _, label in raw])
    write_json_atomic(
        args.out / "turns.json",
        {
            "engine": engine,
            "speakers": speakers,
            "turns": turns,
            "num_speakers": len(speakers),
            "vad": source.parent.name + "/" + source.name,
            "params": {"threshold": args.threshold, "max_speakers": args.max_speakers},
        },
    )
    emit_info(
        engine=engine,
        num_speakers=len(speakers),
        turns=len(turns),
        seconds=round(time.monotonic() - started, 2),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    ProgressThrottle()(1.0, f"{len(speakers)} speakers")


if __name__ == "__main__":
    run_stage(main)
