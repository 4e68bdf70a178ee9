"""Read the demuxed WAV a chunk at a time: memory stays at one chunk, whatever the movie's length."""

from __future__ import annotations

import hashlib
import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000


class WavChunks:
    """Random access to a 16 kHz mono 16-bit WAV (what demux writes) as float32 pieces."""

    def __init__(self, path: Path) -> None:
        self._wav = wave.open(str(path), "rb")  # noqa: SIM115 (closed by close() / the context manager)
        shape = (self._wav.getframerate(), self._wav.getnchannels(), self._wav.getsampwidth())
        if shape != (SAMPLE_RATE, 1, 2):
            self._wav.close()
            raise ValueError(f"is {shape[0]} Hz, {shape[1]} channel(s), {8 * shape[2]}-bit, not 16 kHz mono 16-bit")
        self.frames = self._wav.getnframes()

    @property
    def duration(self) -> float:
        return self.frames / SAMPLE_RATE

    def pcm(self, start: float, end: float) -> bytes:
        """The raw little-endian 16-bit samples of [start, end) seconds (clipped to the file)."""
        first = min(int(start * SAMPLE_RATE), self.frames)
        self._wav.setpos(first)
        return self._wav.readframes(max(0, min(int(end * SAMPLE_RATE), self.frames) - first))

    @staticmethod
    def samples(pcm: bytes) -> np.ndarray:
        """float32 in [-1, 1), as faster_whisper.decode_audio gives for the same file."""
        return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0

    @staticmethod
    def digest(pcm: bytes) -> str:
        """A short fingerprint of a chunk's samples (a checkpoint is reused only for the same audio)."""
        return hashlib.blake2b(pcm, digest_size=12).hexdigest()

    def close(self) -> None:
        self._wav.close()

    def __enter__(self) -> WavChunks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
