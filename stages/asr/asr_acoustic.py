"""How likely the audio makes a text: the model's own log-probability of each candidate, without any prompt.

Where the hinted and the plain pass disagree on a glossary name or a run of words, `asr_merge.merge` can
let the acoustics decide instead of spelling heuristics: each candidate text of the chunk is forced
through the decoder (CTranslate2's Whisper `align`, the call faster-whisper times words with) after the
start sequence alone, so a glossary name only wins where the audio supports it as well as the plain words.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Score = tuple[float, int, float]  # summed token log-probability given the audio, tokens, the same given silence


def _align(model: Any, tokenizer: Any, samples: np.ndarray, tokens: list[list[int]]) -> list[float]:
    """The summed log-probability of each token list, forced through the decoder after the start sequence."""
    import ctranslate2
    from faster_whisper.audio import pad_or_trim

    features = model.feature_extractor(samples)[..., :-1]
    frames = min(features.shape[-1], model.feature_extractor.nb_max_frames)
    encoded = np.asarray(model.encode(pad_or_trim(features)))
    batch = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.repeat(encoded, len(tokens), axis=0)))
    start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    results = model.model.align(batch, start, tokens, frames)
    return [float(np.log(np.clip(np.asarray(r.text_token_probs, dtype=np.float64), 1e-12, 1.0)).sum())
            for r in results]


def score_texts(model: Any, samples: np.ndarray, texts: list[str], language: str | None, prior: bool = True
                ) -> dict[str, Score]:
    """Each distinct text's (log-probability given the audio, tokens, log-probability given silence as long);
    without `prior` the last is 0.0 (half the cost: only the "pmi" metrics read it)."""
    from faster_whisper.tokenizer import Tokenizer

    texts = sorted({t for t in texts if t.strip()})
    if not texts or not samples.size:
        return {}
    multilingual = model.model.is_multilingual
    tokenizer = Tokenizer(model.hf_tokenizer, multilingual, task="transcribe",
                          language=(language or "en") if multilingual else None)
    tokens = [tokenizer.encode(" " + t.strip()) for t in texts]
    heard = _align(model, tokenizer, samples, tokens)
    prior = _align(model, tokenizer, np.zeros_like(samples), tokens) if prior else [0.0] * len(tokens)
    return {t: (h, len(k), p) for t, k, h, p in zip(texts, tokens, heard, prior, strict=True)}


PRIOR_METRICS = ("pmi", "pmi-mean")  # the metrics that read the log-probability given silence


def value(score: Score | list[float], metric: str) -> float:
    """A score as compared: "mean" log-probability per token, the "sum", or "pmi": the sum less the text's
    log-probability given silence (what the audio adds to the decoder's own liking for the words)."""
    total, tokens, prior = score
    if metric == "mean":
        return total / max(1, tokens)
    if metric == "pmi":
        return total - prior
    if metric == "pmi-mean":
        return (total - prior) / max(1, tokens)
    return total
