"""Where a hinted pass went off the speech, and how a decode from there is spliced back in.

With the glossary in its prompt, tiny.en sometimes derails part-way through a chunk: it stretches one word
over the rest of it ("Zabelle" over 7.4-23.9 s, held6-flite-forge-slow, then nothing), or its timestamps leap
over speech the plain pass heard (`jumps`: held11-espeak-saltworks). asr_merge then keeps
the plain words there (max_word_s), with their garbled names ("Zabble", "Quinn v."). Like a lone reply
(asr_gaps), the rest of the chunk is decoded again with the hints, from just before that word
(`derail_point`), and spliced in (`splice`); the merge guards the result as it guards any hinted pass.
Works on raw segments (chunk-relative times, as faster-whisper gives them and the checkpoint stores them).

Measured with bench/names_merge.py (stop 16, development with held6): held6-flite-forge-slow WER 0.414 ->
0.310 with 4 -> 9 of its 9 names right (one more invented); held6-espeak-forge-fast 0.552 -> 0.586, names
4 -> 7 of 9; no other clip changes. A pass that merely stops early (held4-espeak-quarry-fast: its words end
at 4.2 s, the plain pass's at 17.2 s) was tried as a derail too and rejected: decoded again there, the
clip went from 0.188 to 0.417 (the new hinted words read "Tovey, Hunter, Hunter, Hunter" over speech the
plain pass had right); stopping early loses nothing, as asr_merge keeps the plain run.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

# a word lasting longer is a derail (the longest word of the development decodes lasts 2.0 s); asr_merge's
# max_word_s counts a hinted word for at most this long
MAX_WORD_S = 2.0
REWIND_S = 0.2  # the decode again starts this long before the derail point
MIN_PROGRESS_S = 1.0  # a decode again that derails less than this much later is not tried once more
MAX_REDECODES = 2  # decodes again per chunk at most
JUMP_WORDS = 3  # plain words heard in a gap of the hinted pass that make it a jump (asr_merge's keep_run)


def _words(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [w for s in segments for w in s["words"] if w["word"].strip()]


def derail_point(hinted: list[dict[str, Any]], plain: list[dict[str, Any]] | None = None) -> float | None:
    """The chunk time from which the hinted pass (raw segments) went off the speech: the start of its first
    word lasting more than MAX_WORD_S, or the end of the word before its first jump (`jumps`, given the plain
    pass's raw segments), whichever comes first; None when it followed the speech."""
    words = _words(hinted)
    stretched = next((float(w["start"]) for w in words if w["end"] - w["start"] > MAX_WORD_S), None)
    jumped = jumps(words, _words(plain or []))
    found = [t for t in (stretched, jumped) if t is not None]
    return min(found) if found else None


def jumps(hinted: list[dict[str, Any]], plain: list[dict[str, Any]]) -> float | None:
    """Where the hinted words leap over speech: the end of the first word followed by a gap of more than
    MAX_WORD_S in which the plain pass heard JUMP_WORDS words or more (held11-espeak-saltworks: "Frank, the
    right man's" then, 22.6 s later at the chunk's end, "at Mount Ashford, Cracked in the Frost. Every single
    pen?" over the 55 words the plain pass heard). A pass that stops early is no jump (see the module's
    docstring); a pause without plain words neither."""
    for before, after in pairwise(hinted):
        gap = (float(before["end"]), float(after["start"]))
        if gap[1] - gap[0] > MAX_WORD_S and sum(
                gap[0] <= w["start"] and w["end"] <= gap[1] for w in plain) >= JUMP_WORDS:
            return gap[0]
    return None


def splice(hinted: list[dict[str, Any]], at: float, again: list[dict[str, Any]], shift: float
           ) -> list[dict[str, Any]]:
    """The hinted pass's segments up to `at` (its words starting before it), then the segments of the decode
    again (times `shift` later) from `at` on (their words whose middle is at or after it)."""
    head = [{"words": kept} for s in hinted if (kept := [w for w in s["words"] if w["start"] < at])]
    tail = []
    for s in again:
        moved = [{**w, "start": w["start"] + shift, "end": w["end"] + shift} for w in s["words"]]
        if kept := [w for w in moved if (w["start"] + w["end"]) / 2 >= at]:
            tail.append({"words": kept})
    return head + tail
