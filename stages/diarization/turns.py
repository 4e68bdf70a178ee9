"""From speech segments to speaker turns: windows, clustering of their embeddings, merging."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

MAX_WINDOW_S = 3.0  # longer segments are cut into windows of MIN_WINDOW_S..MAX_WINDOW_S
MIN_WINDOW_S = 1.5
FRAME_S = 0.01  # energy frame used to find the pauses to cut at
SMOOTH_FRAMES = 10  # 100 ms moving average of the frame energy
MIN_SPEAKER_S = 3.0  # a cluster with less speech than this is a tentative speaker
# a tentative speaker merges with an established one up to SMALL_FACTOR times the threshold, with another
# tentative one up to SMALL_PAIR_FACTOR times (tuned on bench/speakers.py dev: one flite voice's two short
# clusters were 0.28 apart, a real speaker's one window 0.31 from the reader it answered)
SMALL_FACTOR = 1.3
SMALL_PAIR_FACTOR = 2.0
MERGE_GAP_S = 1.0  # same-speaker windows closer than this become one turn
CORE_S = 1.0  # windows at least this long are clustered; shorter ones (a one-word reply) join the nearest speaker

Span = tuple[float, float]


def cut_at_pauses(span: Span, pauses: list[Span], starts: list[float]) -> list[Span]:
    """The speech of `span` between the pauses inside it (`pauses` sorted, `starts` their start times):
    the VAD bridges pauses shorter than its min silence, and a quick reply hides behind one."""
    lo, hi = bisect_right(starts, span[0]), bisect_left(starts, span[1])
    inner = [p for p in pauses[lo:hi] if span[0] < p[0] and p[1] < span[1]]
    edges = [span[0], *(t for p in inner for t in p), span[1]]
    return [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if b > a]


def frame_energy(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Log energy per FRAME_S frame, smoothed over SMOOTH_FRAMES."""
    hop = int(sample_rate * FRAME_S)
    n = samples.size // hop
    frames = samples[: n * hop].reshape(n, hop).astype(np.float64)
    energy = np.log(np.mean(frames**2, axis=1) + 1e-10)
    if n < SMOOTH_FRAMES:
        return energy
    return np.convolve(energy, np.ones(SMOOTH_FRAMES) / SMOOTH_FRAMES, mode="same")


def split_segment(span: Span, energy: np.ndarray) -> list[Span]:
    """Cut a long segment at its quietest points (a speaker change often hides in a short
    pause the VAD bridged) until every window is at most MAX_WINDOW_S long."""
    start, end = span
    if end - start <= MAX_WINDOW_S:
        return [span]
    lo = int(MIN_WINDOW_S / FRAME_S)
    hi = min(len(energy), int((end - start - MIN_WINDOW_S) / FRAME_S))
    # the quietest point; the middle when the audio ends before the segment does
    cut = start + (lo + int(np.argmin(energy[lo:hi]))) * FRAME_S if hi > lo else (start + end) / 2
    k = round((cut - start) / FRAME_S)
    return split_segment((start, cut), energy[:k]) + split_segment((cut, end), energy[k:])


def cluster(embeddings: np.ndarray, durations: np.ndarray, threshold: float, max_speakers: int) -> np.ndarray:
    """Cluster ids 0..k-1 (in order of appearance) of L2-normalised window embeddings.

    Average-linkage clustering on cosine distance cut at `threshold`; then clusters are merged,
    closest centroids first, while their centroids are closer than `threshold` (SMALL_FACTOR times
    that when one holds under MIN_SPEAKER_S of speech, SMALL_PAIR_FACTOR times when both do: a short
    window's embedding is noisy) or while there are more than `max_speakers`.
    """
    if len(embeddings) < 2:
        return np.zeros(len(embeddings), dtype=int)
    tree = linkage(embeddings.astype(np.float64), method="average", metric="cosine")
    labels = fcluster(tree, t=threshold, criterion="distance")
    groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    while len(groups) > 1:
        centroids = np.stack([embeddings[g].mean(axis=0) for g in groups])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        small = np.array([durations[g].sum() < MIN_SPEAKER_S for g in groups])
        either, both = small[:, None] | small[None, :], small[:, None] & small[None, :]
        limit = threshold * np.where(both, SMALL_PAIR_FACTOR, np.where(either, SMALL_FACTOR, 1.0))
        ratio = (1.0 - centroids @ centroids.T) / limit
        np.fill_diagonal(ratio, np.inf)
        a, b = sorted(np.unravel_index(np.argmin(ratio), ratio.shape))
        if ratio[a, b] >= 1.0 and len(groups) <= max_speakers:
            break
        groups[a] = np.concatenate([groups[a], groups.pop(b)])
    ids = np.empty(len(embeddings), dtype=int)
    for i, group in enumerate(sorted(groups, key=lambda g: g.min())):  # windows are in time order
        ids[group] = i
    return ids


def label_windows(embeddings: np.ndarray, durations: np.ndarray, threshold: float, max_speakers: int
                  ) -> np.ndarray:
    """Speaker ids 0..k-1 in order of appearance: windows of CORE_S or longer are clustered (`cluster`),
    each shorter one goes to the speaker whose centroid is most similar (a short window's embedding is too
    noisy to found a speaker, yet clear enough to pick one of two)."""
    core = durations >= CORE_S
    if core.sum() < 2 or core.all():
        return cluster(embeddings, durations, threshold, max_speakers)
    labels = np.empty(len(embeddings), dtype=int)
    labels[core] = cluster(embeddings[core], durations[core], threshold, max_speakers)
    centroids = np.stack([embeddings[core][labels[core] == k].mean(axis=0) for k in range(labels[core].max() + 1)])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    labels[~core] = np.argmax(embeddings[~core] @ centroids.T, axis=1)
    order = {label: i for i, label in enumerate(dict.fromkeys(labels.tolist()))}
    return np.array([order[label] for label in labels.tolist()], dtype=int)


def merge_turns(spans: list[Span], labels: list[str]) -> list[dict]:
    """Consecutive windows of one speaker, at most MERGE_GAP_S apart, as one turn."""
    turns: list[dict] = []
    for (start, end), speaker in sorted(zip(spans, labels, strict=True)):
        last = turns[-1] if turns else None
        if last and last["speaker"] == speaker and start - last["end"] <= MERGE_GAP_S:
            last["end"] = round(max(last["end"], end), 3)
        else:
            turns.append({"start": round(start, 3), "end": round(end, 3), "speaker": speaker})
    return turns
