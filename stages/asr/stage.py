"""asr stage: transcribe the VAD speech segments with faster-whisper, glossary names as hints.

Writes `transcript.json`: engine, model, device, language, segments with word timestamps, rtf.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
import wave
from importlib.metadata import version
from pathlib import Path
from typing import Any

from asr_audio import WavChunks
from asr_checkpoint import ChunkStore
from asr_chunks import make_chunks, parse_segments
from asr_decode import DECODE_PRESETS, DEFAULT_DECODE
from asr_gaps import parse_pauses
from asr_hints import MODES, Hints
from asr_models import resolve
from asr_translate import languages_to_translate, translate_chunks, translation_store, translations_document
from reelstage_stage import (
    BadInput,
    ProgressThrottle,
    emit_info,
    emit_note,
    run_stage,
    write_json_atomic,
)

ENGINES = ("auto", "faster-whisper", "pocketsphinx")
# chunks decoded at once on CPU, one core each (2 cores: 1.55-2x faster than one chunk on 2 threads, same
# text; bench/asr_batch.py)
MAX_CPU_WORKERS = 4


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="asr", description=__doc__)
    parser.add_argument("--audio", type=Path, required=True, help="16 kHz mono WAV")
    parser.add_argument("--vad", type=Path, required=True, help="segments.json of the VAD stage")
    parser.add_argument("--glossary", type=Path, help="glossary.json (initial_prompt, hotwords); optional")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--engine", default="auto", choices=ENGINES)
    parser.add_argument("--model", default="auto", help="auto, a model name (tiny.en, base, ...) or a folder")
    parser.add_argument("--language", default="en", help="ISO 639-1 code, or auto to detect")
    parser.add_argument("--model-dir", type=Path, default=Path("/models"))
    parser.add_argument("--hints", default="names", choices=MODES,
                        help="names: hints only where a name was heard (default); names-hotwords: the same without "
                             "the prompt; every-chunk: hints on every chunk")
    parser.add_argument("--decode", default=DEFAULT_DECODE, choices=sorted(DECODE_PRESETS),
                        help="decode settings: accurate (default: beam search of 5) or fast (beam 2, no temperature "
                             "fallback: 0.63-0.80 of the CPU, WER up 0.002-0.03; bench/asr_speed.py)")
    parser.add_argument("--checkpoint", type=Path,
                        help="folder kept across attempts: finished chunks are stored there and not decoded again")
    parser.add_argument("--subtitle-languages", default="", help="comma-separated; en from other dialogue: translate")
    parser.add_argument("--workers", type=int, default=0,
                        help="chunks decoded at once (0: one per core on CPU, at most 4; one on a GPU); with 1 a "
                             "run from scratch gives the same words every time (asr_whisper.SAMPLING_SEED)")
    args = parser.parse_args(argv)
    if args.workers < 0:
        parser.error("--workers must be 0 (one per core) or more")
    return args


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"{what} {path} not found: run the stage that makes it first") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"{what} {path} is not valid JSON ({exc}): rerun the stage that makes it") from None


def _hints(path: Path | None, mode: str) -> Hints:
    """initial_prompt, hotwords and names from glossary.json; empty hints when there is no glossary."""
    if path is None or not path.exists():
        emit_note("no glossary: transcribing without name hints")
        return Hints()
    data = _read_json(path, "glossary")
    if not isinstance(data, dict):
        raise BadInput(f"glossary {path} is not a JSON object: rerun pre_ner")
    hotwords = data.get("hotwords")
    if isinstance(hotwords, list):
        hotwords = ", ".join(str(h) for h in hotwords)
    names = [n.get("text") if isinstance(n, dict) else n for n in data.get("names") or []]
    return Hints(str(data.get("initial_prompt") or "") or None, str(hotwords or "") or None,
                 tuple(" ".join(str(n).split()) for n in names if n and str(n).strip()), mode)


def open_audio(path: Path) -> WavChunks:
    """The demuxed WAV, read a chunk at a time; BadInput when it is not 16 kHz mono 16-bit PCM."""
    try:
        return WavChunks(path)
    except (OSError, EOFError, wave.Error, ValueError) as exc:
        raise BadInput(f"cannot read audio {path} ({exc}): give a 16 kHz mono 16-bit WAV, as demux writes") from None


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    if args.engine == "pocketsphinx":
        raise BadInput("the pocketsphinx engine is not built into this image: use --set asr_engine=auto")
    if not args.audio.is_file():
        raise BadInput(f"audio {args.audio} not found: run demux first")
    language = None if args.language in ("", "auto") else args.language.lower()
    try:
        vad = _read_json(args.vad, "VAD segments")
        spans, pauses = parse_segments(vad), parse_pauses(vad)  # pauses: where a lone reply may hide
    except (ValueError, TypeError, KeyError) as exc:
        raise BadInput(f"VAD segments {args.vad} {exc}: rerun the VAD stage") from None
    try:
        chosen = resolve(args.model, args.model_dir, language)
        translating = languages_to_translate(args.subtitle_languages, language, chosen.english_only)  # [translate]
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    hints = _hints(args.glossary, args.hints)

    import asr_whisper  # heavy imports only once the input is known to be good

    started = time.monotonic()
    audio = open_audio(args.audio)
    duration = audio.duration
    device = asr_whisper.pick_device()
    if device.device == "cpu":
        emit_note("ran on CPU: no GPU")
    workers = args.workers or (1 if device.device == "cuda" else min(os.cpu_count() or 1, MAX_CPU_WORKERS))
    info = {"engine": "faster-whisper", "model": chosen.name, "model_source": chosen.source,
            "device": device.device, "compute_type": device.compute_type}
    emit_info(**info, engine_version=version("faster-whisper"), workers=workers,
              cpu_threads=asr_whisper.cpu_threads(workers))
    model = asr_whisper.load_model(chosen.path, device, workers)
    chunks = make_chunks(spans, duration)
    options = DECODE_PRESETS[args.decode]
    settings = {
        **info, "engine_version": version("faster-whisper"), "model_bytes": (chosen.path / "model.bin").stat().st_size,
        "language": language, "hints": [hints.mode, hints.initial_prompt, hints.hotwords, list(hints.names)],
        "decode": options, "cpu_threads": asr_whisper.cpu_threads(workers), "tail_s": asr_whisper.TAIL_S,
    }
    store = ChunkStore(args.checkpoint, settings)
    progress = ProgressThrottle(interval=0.5)
    share = 0.5 if translating else 1.0  # [translate] progress: transcription, then translation
    with audio:
        segments, detected, counts = asr_whisper.transcribe_chunks(
            model, audio, chunks, spans, language=language, hints=hints,
            on_chunk=lambda i, n: progress(i / n * share, f"chunk {i}/{n}"), store=store, workers=workers,
            options=options, pauses=pauses,
        )
        translations = {  # [translate] the same chunks, Whisper's translate task
            lang: translate_chunks(
                model, audio, chunks, spans, source_language=detected, workers=workers,
                store=translation_store(args.checkpoint, settings, lang, detected),
                on_chunk=lambda i, n: progress(share + i / n * (1 - share), f"translating {i}/{n}"),
            )
            for lang in languages_to_translate(args.subtitle_languages, detected, chosen.english_only)
        }
    write_json_atomic(args.out / "translations.json", translations_document(detected, translations))
    if not chunks:
        emit_note("no speech in the VAD segments: empty transcript")
    if args.checkpoint is not None:
        emit_note(f"asr: {store.reused} chunks reused from checkpoint, {len(chunks) - store.reused} transcribed")
    elapsed = time.monotonic() - started
    rtf = round(elapsed / max(duration, 1e-9), 4)
    write_json_atomic(args.out / "transcript.json", {
        **info, "model_path": str(chosen.path), "language": detected or language or "auto",
        "hints": {"initial_prompt": hints.initial_prompt, "hotwords": hints.hotwords, "names": list(hints.names),
                  "hinted_chunks": counts.hinted, "mended_chunks": counts.mended},
        "chunks": [{"start": c.start, "end": c.end} for c in chunks],
        "segments": segments, "duration_s": round(duration, 3), "rtf": rtf,
    })
    emit_info(segments=len(segments), chunks=len(chunks), hinted_chunks=counts.hinted, mended_chunks=counts.mended,
              rtf=rtf, chunks_reused=store.reused,
              peak_rss_mb=peak_rss_mb())
    progress(1.0, f"{len(segments)} segments")


if __name__ == "__main__":
    run_stage(main)
