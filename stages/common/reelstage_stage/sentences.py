"""Where a sentence ends in recognised text, one rule for every stage: asr cuts its segments there and
srt_generation its cues, so a title ("Dr. Alvarez") or an initial ("J. Smith") is never a sentence end in
one stage and not in the other."""

from __future__ import annotations

# abbreviated titles Whisper writes before a name (lower case, without the full stop)
TITLES = frozenset({"dr", "mr", "mrs", "ms", "st", "prof", "capt", "lt", "sgt", "gen", "col", "jr", "sr", "mt",
                    "insp", "rev", "fr", "ft"})
SENTENCE_ENDS = (".", "?", "!", "…", "。", "？", "！")
CLOSERS = "\"')]»”’"  # may follow the final punctuation: `"Stop!"`
OPENERS = "\"'(“‘«["


def _initials(bare: str) -> bool:
    """Whether a word without its final full stop is an initial ("j") or initials ("c.d", "j.r.r")."""
    return all(len(part) == 1 and part.isalpha() for part in bare.split("."))


def ends_sentence(word: str) -> bool:
    """True when the word closes a sentence: final punctuation that is not a title's or initials' ("Dr.",
    "J.", "C.D. Barrak"; so "in the U.S." does not end one either: a cue may run on, a name is never cut)."""
    core = word.strip().rstrip(CLOSERS)
    if not core.endswith(SENTENCE_ENDS):
        return False
    if core.endswith(".") and not core.endswith(".."):
        bare = core[:-1].lstrip(OPENERS).lower()
        if bare in TITLES or _initials(bare):
            return False
    return True
