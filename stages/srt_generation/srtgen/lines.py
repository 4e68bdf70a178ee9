"""Line breaking: where a cue (or a line) may be broken, and the best layout of a cue's words."""

from __future__ import annotations

from itertools import combinations, pairwise

from reelstage_stage.sentences import CLOSERS, ends_sentence

CONJUNCTIONS = frozenset({
    "and", "but", "or", "nor", "so", "yet", "because", "although", "though", "while", "whereas", "if", "unless",
    "until", "since", "when", "whenever", "where", "that", "which", "who", "whom", "whose", "than", "as",
})
PREPOSITIONS = frozenset({
    "to", "of", "in", "on", "at", "for", "with", "from", "by", "about", "into", "onto", "over", "under",
    "after", "before", "between", "through", "during", "without", "within", "against", "among", "across",
    "behind", "beyond", "near",
})
BINDING = frozenset({
    "a", "an", "the", "my", "your", "his", "her", "its", "our", "their", "this", "that", "these", "those",
    "some", "any", "no", "every", "i", "you", "he", "she", "we", "they", "it", "mr", "mrs", "ms", "dr", "is",
    "are", "was", "were", "be", "been", "am", "not", "very",
})
CLAUSE_END = (",", ";", ":", "—", "–")


def _bare(word: str) -> str:
    return word.strip(CLOSERS + "\"'(“‘«[").lower()


def _is_capitalised(word: str) -> bool:
    core = word.strip(CLOSERS + "\"'(“‘«[")
    return len(core) > 1 and core[0].isupper() and not core.startswith("I'")




def break_cost(before: str, after: str) -> float:
    """Cost of breaking between two words: 0 after a sentence, high inside a name or after an article."""
    tail = before.rstrip(CLOSERS)
    if ends_sentence(before):
        return 0.0
    if tail.endswith(CLAUSE_END):
        return 0.5
    if _is_capitalised(before) and _is_capitalised(after):
        return 10.0  # e.g. "Captain | Morrow"
    if _bare(before) in BINDING or _bare(before) in PREPOSITIONS or _bare(before) in CONJUNCTIONS:
        return 6.0  # keep "the", "to", "and"… with the word they introduce
    if _bare(after) in CONJUNCTIONS or _bare(after) in PREPOSITIONS:
        return 1.0
    return 3.0


def shape_cost(lengths: list[int]) -> float:
    """Prefer balanced lines, and a bottom-heavy pyramid (upper line shorter) over a top-heavy one."""
    mean = sum(lengths) / len(lengths)
    cost = sum((n - mean) ** 2 for n in lengths) / 50
    cost += sum(max(0, a - b) for a, b in pairwise(lengths)) * 0.04
    return cost


def break_lines(words: list[str], max_chars: int, max_lines: int) -> tuple[list[str], float] | None:
    """Best layout of `words` in at most `max_lines` lines of `max_chars`, with its cost; None if none fits.

    One line whenever the text fits on one line.
    """
    text = " ".join(words)
    if len(text) <= max_chars:
        return [text], 0.0
    best: tuple[list[str], float] | None = None
    for n_lines in range(2, min(max_lines, len(words)) + 1):
        for cuts in combinations(range(1, len(words)), n_lines - 1):
            bounds = (0, *cuts, len(words))
            lines = [" ".join(words[a:b]) for a, b in pairwise(bounds)]
            lengths = [len(line) for line in lines]
            if max(lengths) > max_chars:
                continue
            cost = sum(break_cost(words[c - 1], words[c]) for c in cuts) + shape_cost(lengths)
            if best is None or cost < best[1]:
                best = (lines, cost)
        if best is not None:
            return best
    return None


def dialogue_lines(runs: list[list[str]], max_chars: int, max_lines: int) -> list[str] | None:
    """Two speakers in one cue: one line per speaker, each with a leading hyphen; None if it does not fit."""
    if len(runs) != 2 or max_lines < 2:
        return None
    lines = ["- " + " ".join(run) for run in runs]
    return lines if all(len(line) <= max_chars for line in lines) else None
