"""Resemblyzer's GE2E voice encoder in numpy: mel front end, 3-layer LSTM, linear, ReLU, L2 norm.

Same computation as `resemblyzer.VoiceEncoder.embed_utterance` (librosa mel spectrogram,
1.6 s partial utterances at 1.3 per second, mean of the partial embeddings), with the weights
read from the `pretrained.pt` the Resemblyzer wheel ships, without torch or librosa.
"""

from __future__ import annotations

import importlib.util
from functools import cached_property
from pathlib import Path

import numpy as np
import torch_legacy

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
PARTIAL_FRAMES = 160  # 1.6 s
NORM_DBFS = -30.0


def weights_path() -> Path:
    """Locate `resemblyzer/pretrained.pt` without importing the package (it imports torch)."""
    spec = importlib.util.find_spec("resemblyzer")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "pretrained.pt"
        if path.is_file():
            return path
    raise FileNotFoundError("resemblyzer/pretrained.pt not found: install Resemblyzer==0.1.4 --no-deps")


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    """Slaney mel scale (librosa's default, htk=False)."""
    f = np.asarray(f, dtype=np.float64)
    mel = f / (200.0 / 3)
    log = f >= 1000.0
    return np.where(log, 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0), mel)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)), m * (200.0 / 3))


def mel_filterbank() -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40), Slaney-normalised: [40, 201]."""
    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
    return weights.astype(np.float32)


def mel_spectrogram(wav: np.ndarray, filters: np.ndarray) -> np.ndarray:
    """Power mel spectrogram [frames, 40] as librosa.feature.melspectrogram (center, zero pad)."""
    padded = np.pad(wav.astype(np.float32), N_FFT // 2)
    n_frames = 1 + (padded.size - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(
        padded, shape=(n_frames, N_FFT), strides=(padded.strides[0] * HOP, padded.strides[0])
    )
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return (power.astype(np.float32) @ filters.T).astype(np.float32)


def partial_starts(n_samples: int, rate: float = 1.3, min_coverage: float = 0.75) -> list[int]:
    """Frame offsets of the 1.6 s partial utterances (VoiceEncoder.compute_partial_slices)."""
    n_frames = int(np.ceil((n_samples + 1) / HOP))
    step = int(np.round((SAMPLE_RATE / rate) / HOP))
    starts = list(range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step))
    coverage = (n_samples - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP)
    if coverage < min_coverage and len(starts) > 1:
        starts.pop()
    return starts


def normalize_volume(wav: np.ndarray) -> np.ndarray:
    """Raise (never lower) the level to -30 dBFS, as resemblyzer.preprocess_wav does."""
    rms = np.sqrt(np.mean(np.square(wav, dtype=np.float64)))
    if rms <= 0:
        return wav
    change = NORM_DBFS - 20 * np.log10(rms)
    return wav * np.float32(10 ** (change / 20)) if change > 0 else wav


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class VoiceEncoder:
    """256-d speaker embeddings of 16 kHz float32 waveforms."""

    def __init__(self, path: Path | None = None) -> None:
        state = torch_legacy.load(path or weights_path())["model_state"]
        self.layers = [
            (
                state[f"lstm.weight_ih_l{k}"].T.copy(),
                state[f"lstm.weight_hh_l{k}"].T.copy(),
                state[f"lstm.bias_ih_l{k}"] + state[f"lstm.bias_hh_l{k}"],
            )
            for k in range(3)
        ]
        self.linear_w = state["linear.weight"].T.copy()
        self.linear_b = state["linear.bias"]

    @cached_property
    def filters(self) -> np.ndarray:
        return mel_filterbank()

    def forward(self, mels: np.ndarray) -> np.ndarray:
        """Embeddings [B, 256] of a batch of partial mel spectrograms [B, 160, 40]."""
        x = mels.astype(np.float32)
        h = np.zeros((x.shape[0], 0), dtype=np.float32)
        for w_ih, w_hh, bias in self.layers:
            gates_x = x @ w_ih + bias
            hidden = w_hh.shape[0]
            h = np.zeros((x.shape[0], hidden), dtype=np.float32)
            c = np.zeros_like(h)
            outputs = np.empty((x.shape[0], x.shape[1], hidden), dtype=np.float32)
            for t in range(x.shape[1]):
                g = gates_x[:, t] + h @ w_hh
                i, f = _sigmoid(g[:, :hidden]), _sigmoid(g[:, hidden : 2 * hidden])
                cell, o = np.tanh(g[:, 2 * hidden : 3 * hidden]), _sigmoid(g[:, 3 * hidden :])
                c = f * c + i * cell
                h = o * np.tanh(c)
                outputs[:, t] = h
            x = outputs
        raw = np.maximum(h @ self.linear_w + self.linear_b, 0.0)
        return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)

    def partial_mels(self, wav: np.ndarray) -> np.ndarray:
        """The [n, 160, 40] partial spectrograms of one utterance (volume-normalised). An utterance shorter
        than one partial is repeated to fill it: zero padding leaves the LSTM's last state to the silence
        (a 0.2 s "No." then matched both voices alike; repeated, it matches its speaker)."""
        if 0 < wav.size < PARTIAL_FRAMES * HOP:
            wav = np.resize(wav, PARTIAL_FRAMES * HOP)
        starts = partial_starts(wav.size)
        needed = (starts[-1] + PARTIAL_FRAMES) * HOP
        wav = np.pad(normalize_volume(wav), (0, max(0, needed - wav.size)))
        mel = mel_spectrogram(wav, self.filters)
        return np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts])

    def embed_utterances(self, wavs: list[np.ndarray], batch: int = 64) -> np.ndarray:
        """One L2-normalised embedding per waveform: the mean of its partial embeddings."""
        parts = [self.partial_mels(w) for w in wavs]
        owners = np.repeat(np.arange(len(parts)), [p.shape[0] for p in parts])
        stacked = np.concatenate(parts) if parts else np.zeros((0, PARTIAL_FRAMES, N_MELS), np.float32)
        partial = np.concatenate(
            [self.forward(stacked[i : i + batch]) for i in range(0, len(stacked), batch)]
            or [np.zeros((0, 256), np.float32)]
        )
        sums = np.zeros((len(wavs), partial.shape[1]), dtype=np.float64)
        np.add.at(sums, owners, partial)
        return (sums / np.linalg.norm(sums, axis=1, keepdims=True)).astype(np.float32)
