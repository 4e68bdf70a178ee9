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
from asr_hints import Hints, merge, suspects

SAMPLE_RATE = 16000
SILENCE_RMS = 1e-4  # a chunk quieter than this is digital silence: nothing to transcribe
# a sentence whose mean word probability is below this is a hallucination: measured 0.0001 for "Sound."
# in padding and 0.04 for the glossary prompt read back from noise; real speech here scored 0.24 or more
MIN_MEAN_PROBABILITY = 0.15
SENTENCE_ENDS = (".", "?", "!", "。", "？", "！")
# a word outside the VAD speech is kept when it is alone there (at most MAX_OUTSIDE_RUN words in a row), at
# least this probable and this close to speech: a name heard at p=0.96 was dropped for a zero-length time in
# a 250 ms gap between two spans; a hallucinated loop in a gap had 7 words at p 0.5-0.98
KEEP_OUTSIDE_PROBABILITY = 0.5
NEAR_SPEECH_S = 0.5
MAX_OUTSIDE_RUN = 2
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
    """The segment's words in file time, edges snapped into the VAD speech.

    Words wholly outside the speech are dropped as invented, except a lone clear word near the speech
    (`keep_outside`): Whisper gives a short last word a zero-length time in the gap after it. A run of
    several words outside the speech is a hallucination loop ("to able to able to able", p up to 0.98).
    A word without a leading space continues the previous one ("ill" + "-disposed") and is joined to it.
    """
    timed = []
    for w in segment.words or []:
        if w.word.strip():
            start, end = snap(w.start + offset, w.end + offset, spans)
            inside = any(s <= end and start <= e for s, e in spans)
            timed.append((w, start, end, inside))
    words: list[dict[str, Any]] = []
    for i, (w, start, end, inside) in enumerate(timed):
        text, probability = w.word.strip(), float(w.probability)
        if not inside:
            run = _outside_run(timed, i)
            if run > MAX_OUTSIDE_RUN or not keep_outside(start, end, probability, spans):
                continue
            start = end = nearest_edge(start, end, spans)
        if words and not w.word.startswith(" "):
            last = words[-1]
            last.update(word=last["word"] + text, end=round(max(end, last["end"]), 3),
                        probability=round(min(probability, last["probability"]), 4))
            continue
        words.append({"start": round(start, 3), "end": round(end, 3), "word": text,
                      "probability": round(probability, 4)})
    return words


def _outside_run(timed: list[tuple[Any, float, float, bool]], i: int) -> int:
    """How many consecutive words outside the speech the word at `i` belongs to."""
    lo = hi = i
    while lo > 0 and not timed[lo - 1][3]:
        lo -= 1
    while hi + 1 < len(timed) and not timed[hi + 1][3]:
        hi += 1
    return hi - lo + 1


def keep_outside(start: float, end: float, probability: float, spans: list[tuple[float, float]]) -> bool:
    """Whether a lone word outside the speech spans is kept: heard clearly and within NEAR_SPEECH_S of speech."""
    if probability < KEEP_OUTSIDE_PROBABILITY:
        return False
    return any(s - NEAR_SPEECH_S <= end and start <= e + NEAR_SPEECH_S for s, e in spans)


def nearest_edge(start: float, end: float, spans: list[tuple[float, float]]) -> float:
    """The speech span edge nearest to a word that lies outside every span."""
    middle = (start + end) / 2
    return min((edge for s, e in spans for edge in (s, e)), key=lambda edge: abs(edge - middle))


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


def _decode(model: Any, piece: np.ndarray, offset: float, spans: list[tuple[float, float]],
            language: str | None, prompt: str | None = None, hotwords: str | None = None
            ) -> tuple[list[dict[str, Any]], Any]:
    """One faster-whisper pass over a piece of audio: its words in file time, and the transcription info."""
    found, info = model.transcribe(
        piece,
        language=language,
        beam_size=5,
        word_timestamps=True,
        condition_on_previous_text=False,
        initial_prompt=prompt or None,
        hotwords=hotwords or None,
        vad_filter=False,
    )
    return [w for seg in found for w in _words(seg, offset, spans)], info


def transcribe_chunk(model: Any, piece: np.ndarray, offset: float, spans: list[tuple[float, float]],
                     language: str | None, hints: Hints) -> tuple[list[dict[str, Any]], Any, int]:
    """A chunk's words: a plain pass, and a hinted pass merged in only where the plain one heard a name.

    Returns the words, the transcription info and how many passes ran (1 or 2).
    """
    if hints and hints.mode == "every-chunk":  # the former behaviour, kept for bench/names.py
        words, info = _decode(model, piece, offset, spans, language, hints.initial_prompt, hints.hotwords)
        return words, info, 1
    words, info = _decode(model, piece, offset, spans, language)
    if not hints or not (suspects(words, hints.names) if hints.names else words):
        return words, info, 1
    prompt = None if hints.mode == "names-hotwords" else hints.initial_prompt
    hinted, _ = _decode(model, piece, offset, spans, language, prompt, hints.hotwords)
    merged, _ = merge(words, hinted, hints.names)
    return merged, info, 2


def transcribe_chunks(
    model: Any,
    audio: np.ndarray,
    chunks: list[Chunk],
    spans: list[tuple[float, float]],
    *,
    language: str | None,
    hints: Hints,
    on_chunk: Callable[[int, int], None],
) -> tuple[list[dict[str, Any]], str | None, int]:
    """Transcribe each chunk on its own; return sentence segments with file-relative times, the language
    and the number of chunks decoded a second time with the glossary hints.

    Word edges in non-speech are snapped into the VAD `spans` (see `_words`). The language is `language`,
    or when that is None the one detected in most of the speech.
    """
    segments: list[dict[str, Any]] = []
    detected: Counter[str] = Counter()
    hinted = 0
    for i, chunk in enumerate(chunks, 1):
        piece = audio[int(chunk.start * SAMPLE_RATE) : int(chunk.end * SAMPLE_RATE)]
        if piece.size and float(np.sqrt(np.mean(piece**2))) >= SILENCE_RMS:
            words, info, passes = transcribe_chunk(model, piece, chunk.start, spans, language, hints)
            hinted += passes - 1
            detected[info.language] += chunk.end - chunk.start
            segments.extend(sentences(words))
        on_chunk(i, len(chunks))
    return segments, language or next((lang for lang, _ in detected.most_common(1)), None), hinted
