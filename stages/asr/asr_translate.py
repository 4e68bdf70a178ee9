"""English subtitles for non-English dialogue: Whisper's translate task over the transcription's chunks.

The second decode uses the same chunks (VAD spans merged) as the transcription, so the two tracks
cover the same speech. Word times of a translation are approximate (English words do not line up
with the foreign audio); they are kept inside the chunk and snapped into the speech spans, never
dropped, and srt_generation shapes the cues with the same rules as the dialogue's.

Each translated chunk is checkpointed like a transcribed one, in its own folder
(`<checkpoint>/translate-<lang>/`) and under a key that adds the task, the target and the source
language to the transcription's settings: a translation never reuses a transcription, nor the reverse.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asr_audio import WavChunks
from asr_chunks import Chunk, snap

if TYPE_CHECKING:
    from asr_checkpoint import ChunkStore

TRANSLATION_TARGET = "en"  # the only language Whisper translates into
# what the translate task adds to the transcription's decode options. Greedy at temperature 0 only: with
# the default fallback, speech Whisper understands badly (average log-probability below -1) is decoded
# again by sampling at up to 1.0, which gave different, mostly low-probability text on every run, and a
# whole track of it is dropped as hallucination (an empty English track). No 3-gram twice: translation
# of unclear speech loops ("my friend is my friend and my friend...").
TRANSLATE_OPTIONS: dict[str, Any] = {"temperature": 0.0, "no_repeat_ngram_size": 3}


def languages_to_translate(subtitle_languages: str, dialogue: str | None, english_only: bool) -> list[str]:
    """The subtitle languages this stage makes besides the dialogue's: ["en"] when English is asked for
    other dialogue, else []. Other languages are srt_generation's (Apertium pairs; the pipeline's param
    rule refuses those no pair gives before anything runs). ValueError when an English-only model would
    have to translate."""
    wanted = [v.strip().lower() for v in subtitle_languages.split(",") if v.strip()]
    others = [lang for lang in dict.fromkeys(wanted) if lang != dialogue and lang == TRANSLATION_TARGET]
    if others and english_only:
        raise ValueError("the chosen model is English-only: use a multilingual one (e.g. --set asr_model=base)")
    return others


def translation_store(checkpoint: Path | None, settings: dict[str, Any], target: str, source: str | None
                      ) -> ChunkStore:
    """The checkpoint of one translation: its own folder, keyed by the task, target and source language too."""
    from asr_checkpoint import ChunkStore
    folder = checkpoint / f"translate-{target}" if checkpoint is not None else None
    kept = {k: v for k, v in settings.items() if k != "hints"}  # the translate task takes no name hints
    return ChunkStore(folder, {**kept, "task": "translate", "target": target, "language": source,
                               "translate_options": TRANSLATE_OPTIONS})


def _translated_words(raw_segments: list[dict[str, Any]], chunk: Chunk, spans: list[tuple[float, float]]
                      ) -> list[dict[str, Any]]:
    """A chunk's translated words in file time, clipped to the chunk and snapped into speech (none dropped)."""
    words = []
    for seg in raw_segments:
        for w in seg["words"]:
            if not w["word"].strip():
                continue
            start = min(max(w["start"] + chunk.start, chunk.start), chunk.end)
            end = min(max(w["end"] + chunk.start, start), chunk.end)
            start, end = snap(start, end, spans)
            words.append({"start": round(start, 3), "end": round(max(end, start), 3), "word": w["word"].strip(),
                          "probability": round(float(w["probability"]), 4)})
    return words


def decode_translation(model: Any, samples: Any, source_language: str | None) -> dict[str, Any]:
    """The translate task's raw output for one chunk as plain JSON data (what the checkpoint stores)."""
    import numpy as np
    from asr_whisper import DECODE_OPTIONS, SILENCE_RMS, raw_segments

    if not samples.size or float(np.sqrt(np.mean(samples**2))) < SILENCE_RMS:
        return {"segments": []}
    options = {**DECODE_OPTIONS, **TRANSLATE_OPTIONS}
    found, _ = model.transcribe(samples, language=source_language, task="translate", **options)
    return {"segments": raw_segments(found)}  # every window: the translated words' times are approximate


def translate_chunks(
    model: Any,
    audio: WavChunks,
    chunks: list[Chunk],
    spans: list[tuple[float, float]],
    *,
    source_language: str | None,
    store: ChunkStore,
    on_chunk: Callable[[int, int], None],
    workers: int = 1,
) -> list[dict[str, Any]]:
    """English sentence segments (with approximate word times) for the speech in `chunks`.

    Chunks are read one at a time and decoded by `workers` threads; a chunk found in `store` is not
    decoded again, each decoded one is stored as soon as it is done."""
    from asr_whisper import sentences

    def decode(chunk: Chunk, key: str, pcm: bytes) -> dict[str, Any]:
        raw = decode_translation(model, WavChunks.samples(pcm), source_language)
        store.put(chunk.start, key, raw)
        return raw

    segments: list[dict[str, Any]] = []
    pending: deque[tuple[Chunk, Future[dict[str, Any]] | dict[str, Any]]] = deque()
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for chunk in [*chunks, None]:
            if chunk is not None:
                pcm = audio.pcm(chunk.start, chunk.end)
                key = store.key(chunk.start, chunk.end, WavChunks.digest(pcm))
                cached = store.get(chunk.start, key)
                pending.append((chunk, cached if cached is not None else pool.submit(decode, chunk, key, pcm)))
            while pending and (chunk is None or len(pending) > 2 * max(1, workers)):
                first, job = pending.popleft()
                raw = job.result() if isinstance(job, Future) else job
                segments.extend(sentences(_translated_words(raw["segments"], first, spans)))
                done += 1
                on_chunk(done, len(chunks))
    return segments


def translations_document(source_language: str | None, segments_by_language: dict[str, list]) -> dict[str, Any]:
    """translations.json: {"languages": {"en": {"source_language", "task", "segments"}}} ({} when none)."""
    return {"languages": {
        lang: {"source_language": source_language, "task": "translate", "timing": "approximate",
               "segments": segs}
        for lang, segs in segments_by_language.items()
    }}
