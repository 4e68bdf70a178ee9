"""Transcribe chunks of audio with faster-whisper; timestamps shifted back to the whole file."""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from asr_audio import WavChunks
from asr_checkpoint import ChunkStore
from asr_chunks import Chunk, outside_speech, snap
from asr_decode import DECODE_PRESETS, DEFAULT_DECODE
from asr_gaps import CONTEXT_S, OVERLAP_S, kept, wordless
from asr_hints import Hints, suspects
from asr_merge import acoustic_scores, merge
from asr_rehint import MAX_REDECODES, MIN_PROGRESS_S, REWIND_S, derail_point, splice
from reelstage_stage.sentences import ends_sentence

SAMPLE_RATE = 16000
SILENCE_RMS = 1e-4  # a chunk quieter than this is digital silence: nothing to transcribe
# a sentence whose mean word probability is below this is a hallucination: measured 0.0001 for "Sound."
# in padding and 0.04 for the glossary prompt read back from noise; real speech here scored 0.24 or more
MIN_MEAN_PROBABILITY = 0.15
# a word outside the VAD speech is kept when it is alone there (at most MAX_OUTSIDE_RUN words in a row), at
# least this probable and this close to speech: a name heard at p=0.96 was dropped for a zero-length time in
# a 250 ms gap between two spans; a hallucinated loop in a gap had 7 words at p 0.5-0.98
KEEP_OUTSIDE_PROBABILITY = 0.5
NEAR_SPEECH_S = 0.5
MAX_OUTSIDE_RUN = 2
DECODE_OPTIONS = DECODE_PRESETS[DEFAULT_DECODE]  # what model.transcribe is asked by default
# a pass stops once its words reach this close to the end of the chunk's last VAD speech: faster-whisper
# would otherwise decode the silence after the last word as one more 30 s window (with hotwords nearly
# always), falling back up to temperature 1.0 there and inventing a word that the VAD filter then drops.
# 0.3 s = the VAD's 0.1 s padding after speech + 0.2 s for a word end timed early; set a priori
TAIL_S = 0.3


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


# Where a decode falls back to a higher temperature, CTranslate2 samples. Its generators are seeded once per
# worker thread, at that thread's first sample, from this seed (set before the model's threads exist): with one
# worker (the stage's --workers 1) a run from scratch gives the same words every time. With several workers,
# which thread's generator serves a decode varies from run to run, and a resumed run's later chunks find it at
# another point: there a chunk that falls back can come out otherwise.
SAMPLING_SEED = 0


def load_model(path: Path, device: Device, workers: int = 1) -> Any:
    """Load a local model folder (never a name: a name would go to the hub), its sampling seeded
    (SAMPLING_SEED).

    `workers` chunks can be decoded at once; on CPU the cores are shared out between them.
    """
    import ctranslate2
    from faster_whisper import WhisperModel

    ctranslate2.set_random_seed(SAMPLING_SEED)
    return WhisperModel(
        str(path),
        device=device.device,
        compute_type=device.compute_type,
        cpu_threads=cpu_threads(workers),
        num_workers=workers,
        local_files_only=True,
    )


def cpu_threads(workers: int) -> int:
    """CTranslate2 threads per worker: the cores shared out, at least one each."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


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


def speech_probability(word: dict[str, Any]) -> float:
    """How sure the recogniser was that speech is there: the word's probability or, for a word taken from
    the hinted pass, the plain pass's for what it heard at that time if higher (a glossary name comes out
    at p 0.00-0.13 from the prompt's prior: "Dunmere, Stock, Tagaine." was dropped over a plain pass at p
    0.3-0.9)."""
    return max(word["probability"], word.get("plain_probability", 0.0))


def sentences(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Split a run of words into segments at sentence ends; drop those unlikely to be speech."""
    segments, current = [], []
    for i, word in enumerate(words):
        current.append(word)
        if ends_sentence(word["word"]) or i == len(words) - 1:
            if sum(map(speech_probability, current)) / len(current) >= MIN_MEAN_PROBABILITY:
                text = " ".join(w["word"] for w in current)
                segments.append({"start": current[0]["start"], "end": current[-1]["end"], "text": text,
                                 "words": current})
            current = []
    return segments


def speech_end(spans: list[tuple[float, float]], offset: float, duration: float) -> float | None:
    """Where the last VAD speech inside [offset, offset + duration] ends, chunk-relative (None: none there)."""
    ends = [min(e, offset + duration) - offset for s, e in spans if s < offset + duration and e > offset]
    return max(ends) if ends else None


def _pass(model: Any, samples: np.ndarray, language: str | None, prompt: str | None = None,
          hotwords: str | None = None, options: dict[str, Any] | None = None, until: float | None = None
          ) -> dict[str, Any]:
    """One faster-whisper pass: its words as plain JSON data (chunk-relative times) and its language.

    Segments come from a generator that decodes one 30 s window at a time; once a segment's words reach
    `until` - TAIL_S (the end of the speech), no further window is asked for (see TAIL_S).
    """
    found, info = model.transcribe(
        samples, language=language, initial_prompt=prompt or None, hotwords=hotwords or None,
        **(DECODE_OPTIONS if options is None else options),
    )
    return {"language": info.language, "segments": raw_segments(found, until)}


def raw_segments(found: Any, until: float | None = None) -> list[dict[str, Any]]:
    """faster-whisper's segments as plain JSON data (their timed words), read from its generator up to
    `until` - TAIL_S when given (see TAIL_S)."""
    segments = []
    for seg in found:
        words = [{"start": float(w.start), "end": float(w.end), "word": str(w.word),
                  "probability": float(w.probability)} for w in seg.words or []]
        segments.append({"words": words})
        if until is not None and words and words[-1]["end"] >= until - TAIL_S:
            break
    return segments


def _file_words(raw_segments: list[dict[str, Any]], offset: float, spans: list[tuple[float, float]]
                ) -> list[dict[str, Any]]:
    """Words in file time from a pass's raw segments (see `_words`); a segment mostly outside the speech is
    dropped whole (`outside_speech`)."""
    words = []
    for seg in raw_segments:
        times = [t for w in seg["words"] for t in (w["start"], w["end"])]
        if times and outside_speech(min(times) + offset, max(times) + offset, spans):
            continue
        segment = SimpleNamespace(words=[SimpleNamespace(**w) for w in seg["words"]])
        words.extend(_words(segment, offset, spans))
    return words


def lone_replies(model: Any, samples: np.ndarray, offset: float, spans: list[tuple[float, float]],
                 pauses: list[tuple[float, float]], words: list[dict[str, Any]], language: str | None,
                 options: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Words for the speech between pauses that the chunk's pass left without any (see asr_gaps): each VAD
    segment holding such a stretch is decoded again on its own, and what falls in the stretch is kept."""
    gaps: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for stretch, span in wordless(spans, pauses, words, offset, offset + samples.size / SAMPLE_RATE):
        gaps.setdefault(span, []).append(stretch)
    found = []
    for (start, end), stretches in gaps.items():
        lo = max(0, int((start - CONTEXT_S - offset) * SAMPLE_RATE))
        hi = min(samples.size, int((end + CONTEXT_S - offset) * SAMPLE_RATE))
        alone = _pass(model, samples[lo:hi], language, options=options,
                      until=speech_end(spans, offset + lo / SAMPLE_RATE, (hi - lo) / SAMPLE_RATE))
        heard = _file_words(alone["segments"], offset + lo / SAMPLE_RATE, spans)
        for stretch in stretches:
            if words_in := kept(heard, stretch, words):
                found.append({"stretch": list(stretch), "words": words_in})
    return found


def hinted_pass(model: Any, samples: np.ndarray, language: str | None, hints: Hints,
                options: dict[str, Any] | None = None, until: float | None = None,
                plain: list[dict[str, Any]] | None = None) -> tuple[list[dict[str, Any]], int]:
    """The chunk decoded with the hints (raw segments), mended where it went off the speech (`mend_derails`,
    against the `plain` pass's raw segments), and how many times it was decoded again."""
    prompt = None if hints.mode == "names-hotwords" else hints.initial_prompt
    segments = _pass(model, samples, language, prompt, hints.hotwords, options, until)["segments"]
    return mend_derails(model, samples, segments, language, prompt, hints.hotwords, options, until, plain)


def mend_derails(model: Any, samples: np.ndarray, segments: list[dict[str, Any]], language: str | None,
                 prompt: str | None, hotwords: str | None, options: dict[str, Any] | None = None,
                 until: float | None = None, plain: list[dict[str, Any]] | None = None
                 ) -> tuple[list[dict[str, Any]], int]:
    """A hinted pass's raw `segments` where it went off the speech (asr_rehint; a jump over words the `plain`
    pass heard counts too) with the rest of the chunk decoded again with the same hints and spliced in, up to
    MAX_REDECODES times while that gets further; and how many times it was decoded again."""
    last, done = None, 0
    while done < MAX_REDECODES:
        at = derail_point(segments, plain)
        if at is None or (last is not None and at < last + MIN_PROGRESS_S):
            break
        lo = max(0, int((at - REWIND_S) * SAMPLE_RATE))
        if samples.size - lo < SAMPLE_RATE * MIN_PROGRESS_S:
            break
        shift = lo / SAMPLE_RATE
        again = _pass(model, samples[lo:], language, prompt, hotwords, options,
                      None if until is None else until - shift)["segments"]
        segments, last, done = splice(segments, at, again, shift), at, done + 1
    return segments, done


def decode_chunk(model: Any, samples: np.ndarray, offset: float, spans: list[tuple[float, float]], *,
                 language: str | None, hints: Hints, options: dict[str, Any] | None = None,
                 pauses: list[tuple[float, float]] | None = None) -> dict[str, Any]:
    """The model's raw output for one chunk, as plain JSON data (what the checkpoint stores).

    A plain pass; where it heard a glossary name, a hinted pass too, kept under "hinted" and merged
    in by `chunk_segments` (see asr_merge), with "mended" the times it was decoded again where it went off
    the speech (asr_rehint) and "scores" the acoustic scores of the candidate texts the merge judges
    (asr_merge.acoustic_scores); the speech between `pauses` it left without words decoded alone, under
    "lone" (see asr_gaps). `options` are model.transcribe's decode options (default DECODE_OPTIONS).
    `{"language": code or None when silent, "segments": [...]}`
    """
    if not samples.size or float(np.sqrt(np.mean(samples**2))) < SILENCE_RMS:
        return {"language": None, "segments": []}
    until = speech_end(spans, offset, samples.size / SAMPLE_RATE)
    if hints and hints.mode == "every-chunk":  # the former behaviour, kept for bench/names.py
        return _pass(model, samples, language, hints.initial_prompt, hints.hotwords, options, until)
    raw = _pass(model, samples, language, options=options, until=until)
    words = _file_words(raw["segments"], offset, spans)
    if pauses and (lone := lone_replies(model, samples, offset, spans, pauses, words, language, options)):
        raw["lone"] = lone
    if not hints or not (suspects(words, hints.names) if hints.names else words):
        return raw
    raw["hinted"], mended = hinted_pass(model, samples, language, hints, options, until, raw["segments"])
    if mended:
        raw["mended"] = mended
    scores = acoustic_scores(model, samples, words, _file_words(raw["hinted"], offset, spans), hints.names,
                             language or raw["language"])
    if scores is not None:
        raw["scores"] = scores
    return raw


def chunk_segments(raw: dict[str, Any], chunk: Chunk, spans: list[tuple[float, float]], hints: Hints
                   ) -> list[dict[str, Any]]:
    """Sentence segments in file time from one chunk's raw output (see `decode_chunk`)."""
    words = _file_words(raw["segments"], chunk.start, spans)
    if "hinted" in raw:
        words, _ = merge(words, _file_words(raw["hinted"], chunk.start, spans), hints.names, raw.get("scores"))
    for lone in raw.get("lone", []):  # a reply neither pass heard in the whole chunk
        a, b = lone["stretch"]
        if not any(min(b, w["end"]) - max(a, w["start"]) >= OVERLAP_S for w in words):
            words = sorted(words + lone["words"], key=lambda w: w["start"])
    return sentences(words)


@dataclass
class DecodeCounts:
    """Chunks decoded again with the glossary hints, and chunks whose hinted pass was mended (asr_rehint)."""

    hinted: int = 0
    mended: int = 0


def transcribe_chunks(
    model: Any,
    audio: WavChunks,
    chunks: list[Chunk],
    spans: list[tuple[float, float]],
    *,
    language: str | None,
    hints: Hints,
    on_chunk: Callable[[int, int], None],
    store: ChunkStore | None = None,
    workers: int = 1,
    options: dict[str, Any] | None = None,
    pauses: list[tuple[float, float]] | None = None,
) -> tuple[list[dict[str, Any]], str | None, DecodeCounts]:
    """Transcribe each chunk on its own; return sentence segments with file-relative times, the language
    and how many chunks were decoded a second time with the glossary hints (and mended: asr_rehint).

    Chunks are read from `audio` one at a time and decoded by `workers` threads (the model must have as
    many workers); a chunk found in `store` is not decoded again, and each decoded one is stored as soon
    as it is done. `options` are the decode options, `pauses` the VAD's pauses inside its segments (see
    `decode_chunk`). Word edges in non-speech are
    snapped into the VAD `spans` (see `_words`). The language is `language`, or when that is None the one
    detected in most of the speech.
    """
    store = store or ChunkStore(None, {})
    segments: list[dict[str, Any]] = []
    detected: Counter[str] = Counter()
    counts = DecodeCounts()

    def decode(chunk: Chunk, key: str, pcm: bytes) -> dict[str, Any]:
        raw = decode_chunk(model, WavChunks.samples(pcm), chunk.start, spans, language=language, hints=hints,
                           options=options, pauses=pauses)
        store.put(chunk.start, key, raw)
        return raw

    pending: deque[tuple[Chunk, Future[dict[str, Any]] | dict[str, Any]]] = deque()

    def finish_oldest() -> None:
        chunk, job = pending.popleft()
        raw = job.result() if isinstance(job, Future) else job
        if raw["language"]:
            detected[raw["language"]] += chunk.end - chunk.start
        counts.hinted += "hinted" in raw
        counts.mended += "mended" in raw
        segments.extend(chunk_segments(raw, chunk, spans, hints))
        on_chunk(len(chunks) - len(pending) - len(todo), len(chunks))

    todo = deque(chunks)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while todo:
            chunk = todo.popleft()
            pcm = audio.pcm(chunk.start, chunk.end)
            near = [(a, b) for a, b in [*spans, *(pauses or [])] if a < chunk.end + 1.0 and b > chunk.start - 1.0]
            key = store.key(chunk.start, chunk.end, f"{WavChunks.digest(pcm)}:{near}")
            cached = store.get(chunk.start, key)
            pending.append((chunk, cached if cached is not None else pool.submit(decode, chunk, key, pcm)))
            while len(pending) > 2 * max(1, workers) or (pending and not isinstance(pending[0][1], Future)):
                finish_oldest()
        while pending:
            finish_oldest()
    return segments, language or next((lang for lang, _ in detected.most_common(1)), None), counts
