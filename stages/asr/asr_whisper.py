"""Transcribe chunks of audio with faster-whisper; timestamps shifted back to the whole file."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from asr_chunks import Chunk, snap

SAMPLE_RATE = 16000
SILENCE_RMS = 1e-4  # a chunk quieter than this is digital silence: nothing to transcribe
# a sentence whose mean word probability is below this is a hallucination: measured 0.0001 for "Sound."
# in padding and 0.04 for the glossary prompt read back from noise; real speech here scored 0.24 or more
MIN_MEAN_PROBABILITY = 0.15
SENTENCE_ENDS = (".", "?", "!", "。", "？", "！")
TITLES = {"dr.", "mr.", "mrs.", "ms.", "st.", "prof.", "capt.", "lt.", "sgt.", "gen.", "col.", "jr.", "sr.", "mt."}


@dataclass(frozen=True)
class Device:
    """Where CTranslate2 runs."""

    device: str
    compute_type: str


def pick_device() -> Device:
    """CUDA float16 when a GPU is visible, else CPU int8."""
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        return Device("cuda", "float16")
    return Device("cpu", "int8")


def load_model(path: Path, device: Device) -> Any:
    """Load a local model folder (never a name: a name would go to the hub)."""
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(path),
        device=device.device,
        compute_type=device.compute_type,
        cpu_threads=os.cpu_count() or 0,
        local_files_only=True,
    )


def load_audio(path: Path) -> np.ndarray:
    """The file's audio as 16 kHz mono float32."""
    from faster_whisper import decode_audio

    return decode_audio(str(path), sampling_rate=SAMPLE_RATE)


def _words(segment: Any, offset: float, spans: list[tuple[float, float]]) -> list[dict[str, Any]]:
    """The segment's words in file time; words wholly outside the VAD speech are dropped (invented)."""
    words = []
    for w in segment.words or []:
        start, end = snap(w.start + offset, w.end + offset, spans)
        if w.word.strip() and any(s <= end and start <= e for s, e in spans):
            words.append({"start": round(start, 3), "end": round(end, 3), "word": w.word.strip(),
                          "probability": round(float(w.probability), 4)})
    return words


def _ends_sentence(word: str) -> bool:
    """A sentence ends here: final punctuation that is not a title ("Dr.") or an initial ("J.")."""
    return word.endswith(SENTENCE_ENDS) and word.lower() not in TITLES and not re.fullmatch(r"\w\.", word)


def sentences(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Split a run of words into segments at sentence ends; drop those unlikely to be speech."""
    segments, current = [], []
    for i, word in enumerate(words):
        current.append(word)
        if _ends_sentence(word["word"]) or i == len(words) - 1:
            if sum(w["probability"] for w in current) / len(current) >= MIN_MEAN_PROBABILITY:
                text = " ".join(w["word"] for w in current)
                segments.append({"start": current[0]["start"], "end": current[-1]["end"], "text": text,
                                 "words": current})
            current = []
    return segments


def transcribe_chunks(
    model: Any,
    audio: np.ndarray,
    chunks: list[Chunk],
    spans: list[tuple[float, float]],
    *,
    language: str | None,
    initial_prompt: str | None,
    hotwords: str | None,
    on_chunk: Callable[[int, int], None],
) -> tuple[list[dict[str, Any]], str | None]:
    """Transcribe each chunk on its own; return sentence segments with file-relative times and the language.

    Word edges in non-speech are snapped into the VAD `spans`, words wholly outside them dropped. The
    language is `language`, or when that is None the one detected in most of the speech.
    """
    segments: list[dict[str, Any]] = []
    detected: Counter[str] = Counter()
    for i, chunk in enumerate(chunks, 1):
        piece = audio[int(chunk.start * SAMPLE_RATE) : int(chunk.end * SAMPLE_RATE)]
        if piece.size and float(np.sqrt(np.mean(piece**2))) >= SILENCE_RMS:
            found, info = model.transcribe(
                piece,
                language=language,
                beam_size=5,
                word_timestamps=True,
                condition_on_previous_text=False,
                initial_prompt=initial_prompt or None,
                hotwords=hotwords or None,
                vad_filter=False,
            )
            detected[info.language] += chunk.end - chunk.start
            words = [w for seg in found for w in _words(seg, chunk.start, spans)]
            segments.extend(sentences(words))
        on_chunk(i, len(chunks))
    return segments, language or next((lang for lang, _ in detected.most_common(1)), None)
