"""Silero VAD (the ONNX model shipped in the `silero-vad` wheel) run with onnxruntime + numpy.

The audio is streamed window by window; only the per-window speech probabilities (one float
per 32 ms) are kept, so memory stays small for a movie of any length.
"""

from __future__ import annotations

import importlib.util
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
WINDOW = 512  # samples per probability at 16 kHz
CONTEXT = 64  # samples of the previous window the model sees


def model_path() -> Path:
    """Locate `silero_vad/data/silero_vad.onnx` without importing the package (it imports torch)."""
    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the silero-vad package is not installed")
    for location in spec.submodule_search_locations:
        path = Path(location) / "data" / "silero_vad.onnx"
        if path.is_file():
            return path
    raise FileNotFoundError("silero_vad.onnx not found in the silero-vad package")


class SileroVad:
    """Stateful Silero model: feed 512-sample windows in order, get speech probabilities."""

    def __init__(self, path: Path | None = None) -> None:
        import onnxruntime

        opts = onnxruntime.SessionOptions()
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(path or model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._sr = np.array(SAMPLE_RATE, dtype=np.int64)
        self.reset()

    def reset(self) -> None:
        """Forget the audio seen so far."""
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, CONTEXT), dtype=np.float32)

    def __call__(self, window: np.ndarray) -> float:
        """Speech probability of the next 512-sample float32 window."""
        x = np.concatenate([self._context, window.reshape(1, WINDOW)], axis=1)
        prob, self._state = self._session.run(None, {"input": x, "state": self._state, "sr": self._sr})
        self._context = x[:, -CONTEXT:]
        return float(prob[0][0])

    def probabilities(self, chunks: Iterable[np.ndarray]) -> Iterator[float]:
        """Probabilities for a stream of float32 chunks (any lengths); the last window is zero-padded."""
        pending = np.zeros(0, dtype=np.float32)
        for chunk in chunks:
            pending = np.concatenate([pending, chunk]) if pending.size else chunk
            usable = pending.size - pending.size % WINDOW
            for start in range(0, usable, WINDOW):
                yield self(pending[start : start + WINDOW])
            pending = pending[usable:]
        if pending.size:
            yield self(np.pad(pending, (0, WINDOW - pending.size)))


@dataclass(frozen=True)
class VadParams:
    """Segmentation parameters (the reference `get_speech_timestamps` semantics)."""

    threshold: float = 0.5
    min_speech_ms: int = 250
    min_silence_ms: int = 100
    speech_pad_ms: int = 30

    @property
    def neg_threshold(self) -> float:
        """Exit threshold while in speech (hysteresis)."""
        return max(self.threshold - 0.15, 0.01)


def speech_segments(probs: np.ndarray, n_samples: int, params: VadParams) -> list[tuple[int, int]]:
    """Turn per-window probabilities into padded (start, end) sample ranges, as Silero does."""
    min_speech = SAMPLE_RATE * params.min_speech_ms / 1000
    min_silence = SAMPLE_RATE * params.min_silence_ms / 1000
    pad = SAMPLE_RATE * params.speech_pad_ms / 1000
    speeches: list[list[int]] = []
    start: int | None = None
    temp_end = 0
    for i, prob in enumerate(probs):
        cur = WINDOW * i
        if prob >= params.threshold and temp_end:
            temp_end = 0
        if prob >= params.threshold and start is None:
            start = cur
            continue
        if start is not None and prob < params.neg_threshold:
            if not temp_end:
                temp_end = cur
            if cur - temp_end < min_silence:
                continue
            if temp_end - start > min_speech:
                speeches.append([start, temp_end])
            start, temp_end = None, 0
    if start is not None and n_samples - start > min_speech:
        speeches.append([start, n_samples])

    for i, speech in enumerate(speeches):
        if i == 0:
            speech[0] = int(max(0, speech[0] - pad))
        if i == len(speeches) - 1:
            speech[1] = int(min(n_samples, speech[1] + pad))
            continue
        nxt = speeches[i + 1]
        gap = nxt[0] - speech[1]
        if gap < 2 * pad:
            speech[1] += int(gap // 2)
            nxt[0] = int(max(0, nxt[0] - gap // 2))
        else:
            speech[1] = int(min(n_samples, speech[1] + pad))
            nxt[0] = int(max(0, nxt[0] - pad))
    return [(s, e) for s, e in speeches]



def pauses(probs: np.ndarray, n_samples: int, params: VadParams, segments: list[tuple[int, int]],
           min_pause_ms: int) -> list[tuple[int, int]]:
    """Silences of at least `min_pause_ms` inside `segments` (sample ranges, unpadded).

    The segments bridge silences shorter than `params.min_silence_ms`; a speaker change often hides in
    such a pause (a one-word reply 0.3 s after a question), so the diarization stage cuts there."""
    fine = speech_segments(probs, n_samples, VadParams(params.threshold, 0, min_pause_ms, 0))
    starts = [s for s, _ in segments]
    inside = []
    for (_, start), (end, _) in pairwise(fine):
        k = bisect_right(starts, (start + end) // 2) - 1
        if k >= 0 and segments[k][0] < start and end < segments[k][1]:
            inside.append((start, end))
    return inside
