"""Speech for the audio stage tests: flite utterances as 16 kHz mono samples, spoken scripts with their
true timings, and WAV files of them."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

SR = 16000


def flite(voice: str, text: str, tmp: Path) -> np.ndarray:
    """One utterance as 16 kHz int16 samples, trimmed to where the voice really is."""
    raw, wav = tmp / f"{voice}.raw.wav", tmp / f"{voice}.wav"
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(raw)], check=True)
    subprocess.run(["sox", str(raw), "-r", str(SR), "-c", "1", "-b", "16", str(wav)], check=True)
    with wave.open(str(wav)) as fh:
        x = np.frombuffer(fh.readframes(fh.getnframes()), dtype="<i2")
    loud = np.flatnonzero(np.abs(x.astype(np.int32)) > 0.02 * np.abs(x).max())
    return x[loud[0] : loud[-1] + 1]


def spoken(script: list[tuple[str, str, float]], tmp: Path) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """Each (voice, text, gap): `gap` seconds of silence, then the utterance; 1 s of silence at the end.
    Returns the samples and the truth [(start, end, voice)]."""
    parts, truth, t = [], [], 0.0
    for voice, text, gap in script:
        utt = flite(voice, text, tmp)
        parts += [np.zeros(int(gap * SR), dtype=np.int16), utt]
        t += int(gap * SR) / SR
        truth.append((t, t + utt.size / SR, voice))
        t += utt.size / SR
    parts.append(np.zeros(SR, dtype=np.int16))
    return np.concatenate(parts), truth


def write_wav(path: Path, samples: np.ndarray) -> None:
    """16 kHz mono 16-bit PCM."""
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(SR)
        fh.writeframes(samples.astype("<i2").tobytes())
