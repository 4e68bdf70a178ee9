"""Numbers as they may have been spoken: Whisper writes digits ("410 cell" for "Fort Anselm"), so a guard
that compares how words sound must read a number the ways it can be said before comparing.

`readings("410 cell")` gives "four hundred ten cell", "four ten cell" and "four one zero cell" (English).
"""

from __future__ import annotations

import itertools
import re

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
           "nine": "ninth", "twelve": "twelfth"}
NUMBER = re.compile(r"(\d[\d,]*)(st|nd|rd|th|s)?", re.I)
MAX_READINGS = 27  # at most this many texts per span (three readings of three numbers)


def cardinal(n: int) -> str:
    """English words for 0 <= n < 1,000,000 ("four hundred ten"); digits beyond that."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    if n < 1000:
        return ONES[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + cardinal(n % 100))
    if n < 1_000_000:
        return cardinal(n // 1000) + " thousand" + ("" if n % 1000 == 0 else " " + cardinal(n % 1000))
    return " ".join(ONES[int(d)] for d in str(n))


def _ordinal(words: str) -> str:
    head, _, last = words.rpartition(" ")
    last = ORDINAL.get(last, last[:-1] + "ieth" if last.endswith("y") else last + "th")
    return f"{head} {last}".strip()


def spoken_forms(digits: str, suffix: str = "") -> list[str]:
    """The ways a written number may have been said: as a cardinal, in pairs of digits ("four ten",
    "nineteen eighty"), digit by digit; "4th" as "fourth"."""
    n = int(digits)
    forms = [cardinal(n)]
    if 100 <= n < 10_000 and len(digits) in (3, 4):
        split = len(digits) - 2
        head, tail = int(digits[:split]), int(digits[split:])
        if tail:
            forms.append(f"{cardinal(head)} {'oh ' + ONES[tail] if digits[split] == '0' else cardinal(tail)}")
        elif head % 10:  # 1900: nineteen hundred
            forms.append(f"{cardinal(head)} hundred")
    if len(digits) > 1:
        forms.append(" ".join(ONES[int(d)] for d in digits))
    if suffix.lower() in ("st", "nd", "rd", "th"):
        forms = [_ordinal(f) for f in forms]
    elif suffix.lower() == "s":
        forms = [f + "s" for f in forms]
    return list(dict.fromkeys(forms))


def readings(text: str) -> list[str]:
    """`text` with each number spelled each way it may have been said (the text itself when it has none)."""
    parts = NUMBER.split(text)  # text, digits, suffix, text, digits, suffix, ..., text
    if len(parts) == 1:
        return [text]
    choices: list[list[str]] = []
    for i in range(0, len(parts), 3):
        choices.append([parts[i]])
        if i + 1 < len(parts):
            digits = parts[i + 1].replace(",", "")
            choices.append([f" {f} " for f in spoken_forms(digits, parts[i + 2] or "")] if digits else [parts[i + 1]])
    out = ["".join(c) for c in itertools.islice(itertools.product(*choices), MAX_READINGS)]
    return [" ".join(t.split()) for t in out]
