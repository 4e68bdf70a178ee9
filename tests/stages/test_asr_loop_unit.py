"""The asr chunk loop without a model: order kept with parallel workers, checkpoints stored and reused."""

from __future__ import annotations

import random
import sys
import time
import wave
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "stages" / "asr"), str(ROOT / "stages" / "common")]

from asr_audio import WavChunks  # noqa: E402
from asr_checkpoint import ChunkStore  # noqa: E402
from asr_chunks import Chunk  # noqa: E402
from asr_hints import Hints  # noqa: E402
from asr_whisper import transcribe_chunks  # noqa: E402


class FakeModel:
    """Says "Chunk <n>." for a chunk whose first sample is n (out of order: random delays)."""

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(self, samples: np.ndarray, **_: object):
        self.calls += 1
        time.sleep(random.uniform(0, 0.02))
        n = round(float(samples[0]) * 32768)
        word = SimpleNamespace(start=0.1, end=0.5, word=f" Chunk{n}.", probability=0.9)
        return [SimpleNamespace(words=[word])], SimpleNamespace(language="en")


def make_wav(path: Path, chunks: list[Chunk]) -> Path:
    """Noise at a low level; the first sample of each chunk carries its number."""
    samples = (np.random.default_rng(0).standard_normal(16000 * 40) * 300).astype("<i2")
    for n, chunk in enumerate(chunks):
        samples[int(chunk.start * 16000)] = n
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(samples.tobytes())
    return path


def run(model: FakeModel, wav: Path, chunks: list[Chunk], store: ChunkStore | None, workers: int) -> list[str]:
    spans = [(c.start, c.end) for c in chunks]
    with WavChunks(wav) as audio:
        segments, language, _hinted = transcribe_chunks(model, audio, chunks, spans, language=None, hints=Hints(),
                                                        on_chunk=lambda i, n: None, store=store, workers=workers)
    assert language == "en"
    return [s["text"] for s in segments]


def test_parallel_workers_keep_chunk_order_and_checkpoints_are_reused(tmp_path: Path) -> None:
    chunks = [Chunk(i * 2.0, i * 2.0 + 1.5) for i in range(15)]
    wav = make_wav(tmp_path / "a.wav", chunks)
    expected = [f"Chunk{n}." for n in range(15)]
    assert run(FakeModel(), wav, chunks, None, 1) == expected
    model = FakeModel()
    store = ChunkStore(tmp_path / "ckpt", {"model": "fake"})
    assert run(model, wav, chunks, store, 3) == expected
    assert (model.calls, store.stored, store.reused) == (15, 15, 0)
    for path in sorted((tmp_path / "ckpt").glob("chunk-*.json"))[5:9]:
        path.unlink()  # as if the attempt had been killed with these four not done
    model, store = FakeModel(), ChunkStore(tmp_path / "ckpt", {"model": "fake"})
    assert run(model, wav, chunks, store, 2) == expected
    assert (model.calls, store.stored, store.reused) == (4, 4, 11)


def test_wav_chunks_reads_what_decode_audio_reads(tmp_path: Path) -> None:
    chunks = [Chunk(1.0, 2.5)]
    wav = make_wav(tmp_path / "a.wav", chunks)
    with WavChunks(wav) as audio:
        piece = audio.samples(audio.pcm(1.0, 2.5))
        assert audio.duration == 40.0 and piece.size == 24000 and piece.dtype == np.float32
        assert audio.pcm(39.0, 45.0) == audio.pcm(39.0, 40.0)  # clipped to the file
    from faster_whisper import decode_audio

    assert np.array_equal(decode_audio(str(wav), sampling_rate=16000)[16000:40000], piece)


class RecordingModel(FakeModel):
    """Keeps the decode options each call was given."""

    def __init__(self) -> None:
        super().__init__()
        self.options: list[dict[str, object]] = []

    def transcribe(self, samples: np.ndarray, **options: object):
        self.options.append(options)
        return super().transcribe(samples)


def test_decode_preset_reaches_every_transcribe_call(tmp_path: Path) -> None:
    import importlib.util

    from asr_decode import DECODE_PRESETS

    spec = importlib.util.spec_from_file_location("asr_stage", ROOT / "stages" / "asr" / "stage.py")
    stage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stage)

    chunks = [Chunk(i * 2.0, i * 2.0 + 1.5) for i in range(4)]
    wav = make_wav(tmp_path / "a.wav", chunks)
    base = ["--audio", "a.wav", "--vad", "v.json", "--out", "o"]
    assert stage.parse_args(base).decode == "accurate"
    assert DECODE_PRESETS[stage.parse_args([*base, "--decode", "fast"]).decode]["beam_size"] == 2
    model = RecordingModel()
    with WavChunks(wav) as audio:
        transcribe_chunks(model, audio, chunks, [(c.start, c.end) for c in chunks], language="en", hints=Hints(),
                          on_chunk=lambda i, n: None, workers=2, options=DECODE_PRESETS["fast"])
    assert len(model.options) == 4
    assert all(o["beam_size"] == 2 and o["temperature"] == 0.0 and o["word_timestamps"] for o in model.options)
    model = RecordingModel()
    with WavChunks(wav) as audio:
        transcribe_chunks(model, audio, chunks, [(c.start, c.end) for c in chunks], language="en", hints=Hints(),
                          on_chunk=lambda i, n: None)
    assert all(o["beam_size"] == 5 and "temperature" not in o for o in model.options)  # the default: accurate


class WindowedModel:
    """Yields one segment per 30 s window, lazily as faster-whisper does, and counts the windows decoded."""

    def __init__(self, word_ends: list[float]) -> None:
        self.word_ends = word_ends
        self.windows = 0

    def transcribe(self, samples: np.ndarray, **_: object):
        def windows():
            for end in self.word_ends:
                self.windows += 1
                yield SimpleNamespace(words=[SimpleNamespace(start=end - 0.4, end=end, word=" word.",
                                                             probability=0.9)])
        return windows(), SimpleNamespace(language="en")


def test_a_pass_stops_asking_for_windows_once_its_words_reach_the_end_of_the_speech() -> None:
    from asr_whisper import TAIL_S, _pass, speech_end

    samples = np.ones(16000 * 20, dtype=np.float32)
    spans = [(100.0, 104.0), (105.0, 112.5), (130.0, 140.0)]
    until = speech_end(spans, 100.0, 20.0)
    assert until == 12.5  # the span after the chunk does not count
    reached = WindowedModel([12.5 - TAIL_S + 0.05, 19.0])  # the second window would be the silence after
    assert len(_pass(reached, samples, "en", until=until)["segments"]) == 1 and reached.windows == 1
    short = WindowedModel([8.0, 12.4])  # the first window stopped early: the rest of the speech is decoded
    assert len(_pass(short, samples, "en", until=until)["segments"]) == 2 and short.windows == 2
    unbounded = WindowedModel([12.5, 19.0])
    assert len(_pass(unbounded, samples, "en")["segments"]) == 2 and unbounded.windows == 2
    assert speech_end(spans, 113.0, 10.0) is None
