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


def ends_sentence(word: str) -> bool:
    """True when the word closes a sentence: final punctuation that is not a title's or an initial's."""
    core = word.strip().rstrip(CLOSERS)
    if not core.endswith(SENTENCE_ENDS):
        return False
    if core.endswith(".") and not core.endswith(".."):
        bare = core[:-1].lstrip(OPENERS).lower()
        if bare in TITLES or (len(bare) == 1 and bare.isalpha()):
            return False
    return True
