"""French test dialogue with the English meaning of each line, for the translated subtitle track.

Each line carries the concepts its English translation must express, each as a set of acceptable
words (synonyms a translation may choose). `TUNING` (the development set) is what the end-to-end
test runs and what its thresholds were chosen on; `HELD_OUT` is measured apart (bench/translate_quality.py)
and no threshold is chosen on it. The scores below are shared by both.
"""

from __future__ import annotations

import re

# (speaker, French text, silence before the line in s, concepts of the English meaning)
Line = tuple[str, str, float, tuple[frozenset[str], ...]]


def _c(*groups: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(g.split("|")) for g in groups)


TUNING: tuple[Line, ...] = (
    ("ANNE", "Bonjour docteur, êtes-vous réveillé ?", 0.0, _c("hello|good|morning|hi", "doctor", "awake|up")),
    ("PAUL", "La tempête arrive sur le lac ce soir.", 0.8, _c("storm|tempest", "lake", "tonight|evening")),
    ("ANNE", "Nous devons partir avant le lever du soleil.", 0.9, _c("leave|go|depart", "before", "sunrise|sun")),
    ("PAUL", "Combien de personnes sont malades ?", 0.8, _c("how", "people|persons", "sick|ill")),
    ("ANNE", "Apportez des vêtements chauds et de l'eau.", 0.9, _c("bring|take", "clothes|clothing", "warm|hot",
                                                                   "water")),
    ("PAUL", "Mon frère travaille à l'hôpital près du port.", 1.0, _c("brother", "works|working|work",
                                                                     "hospital", "near|close", "port|harbor")),
)

HELD_OUT: tuple[Line, ...] = (
    ("ANNE", "Le train part de la gare à huit heures.", 0.0, _c("train", "leaves|departs|leave", "station",
                                                               "eight|8")),
    ("PAUL", "Ma sœur aime lire des livres le dimanche.", 0.8, _c("sister", "likes|loves|like|love|enjoys",
                                                                 "read|reading", "books|book", "sunday|sundays")),
    ("ANNE", "Il fait très froid dans la montagne en hiver.", 0.9, _c("cold", "mountain|mountains", "winter")),
    ("PAUL", "Le chat dort sur la table de la cuisine.", 0.8, _c("cat", "sleeps|sleeping|sleep", "table",
                                                                "kitchen")),
    ("ANNE", "Nous avons acheté du pain et du fromage au marché.", 0.9, _c("bought|buy|purchased", "bread",
                                                                          "cheese", "market")),
    ("PAUL", "Les enfants jouent dans le jardin après l'école.", 1.0, _c("children|kids|child", "play|playing",
                                                                        "garden|yard", "after", "school")),
)


def script(lines: tuple[Line, ...]) -> list[tuple[str, str, float]]:
    """The lines as a moviegen script (speaker, text, silence before)."""
    return [(speaker, text, gap) for speaker, text, gap, _ in lines]


def concept_recall(lines: tuple[Line, ...], english: str) -> tuple[int, int]:
    """(concepts found, concepts expected): a concept counts when any of its words is in `english`."""
    words = set(re.findall(r"[a-z0-9]+", english.lower()))
    concepts = [group for *_, groups in lines for group in groups]
    return sum(bool(group & words) for group in concepts), len(concepts)


EN_FUNCTION = frozenset({"the", "a", "an", "is", "are", "to", "of", "and", "you", "i", "we", "it", "in", "on", "at",
                         "my", "your", "what", "have", "for", "with", "this", "that", "not", "be", "do", "there",
                         "they", "he", "she", "me", "don't", "i'm", "it's", "how", "where"})
FR_FUNCTION = frozenset({"le", "la", "les", "de", "des", "du", "et", "est", "un", "une", "je", "nous", "vous", "il",
                         "elle", "dans", "sur", "pour", "avec", "ce", "qui", "que", "pas", "mon", "ma", "au", "aux"})


def words(text: str) -> list[str]:
    """Lower-case words (French letters and apostrophes kept)."""
    return re.findall(r"[a-z0-9àâçéèêëîïôûùüÿœæ']+", text.lower())


def share(text: str, vocabulary: frozenset[str] | set[str]) -> float:
    """The fraction of the words of `text` that are in `vocabulary` (0 for no words)."""
    found = words(text)
    return sum(w in vocabulary for w in found) / len(found) if found else 0.0


def scores(lines: tuple[Line, ...], english: str, french: str) -> dict[str, float]:
    """How much of a translated track is English, French, the French track's own words, and the meaning."""
    found, total = concept_recall(lines, english)
    return {"concepts": found, "of": total, "recall": round(found / total, 3),
            "english_share": round(share(english, EN_FUNCTION), 3),
            "french_share": round(share(english, FR_FUNCTION), 3),
            "copied_share": round(share(english, set(words(french))), 3), "words": len(words(english))}
