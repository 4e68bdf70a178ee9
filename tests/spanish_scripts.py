"""English test dialogue with the Spanish meaning of each line, for the Apertium subtitle track.

Each line carries the concepts its Spanish translation must express, each as a set of acceptable words
(the forms a translation may choose). `TUNING` (the development set) is what the tests run and what their
thresholds were chosen on; `HELD_OUT` is measured apart (bench/translate_quality.py --apertium) and no
threshold is chosen on it.
"""

from __future__ import annotations

import re

from french_scripts import EN_FUNCTION, Line, _c

TUNING: tuple[Line, ...] = (
    ("ANNE", "Good morning doctor, are you awake?", 0.0, _c("buenos|buen", "días|mañana", "doctor|médico|doctora",
                                                          "despierto|despierta")),
    ("PAUL", "The storm arrives at the lake tonight.", 0.8, _c("tormenta|tempestad", "lago", "noche")),
    ("ANNE", "We must leave before the sun rises.", 0.9, _c("debemos|tenemos|hay", "salir|irnos|dejar|marcharnos",
                                                           "antes", "sol")),
    ("PAUL", "How many people are sick?", 0.8, _c("cuántas|cuántos|cuantas|cuantos", "personas|gente",
                                                  "enfermas|enfermos|enferma|enfermo")),
    ("ANNE", "Bring warm clothes and water.", 0.9, _c("trae|traiga|traed|traer|traigan", "ropa",
                                                      "caliente|calientes|cálida|cálidas|tibia|tibias", "agua")),
    ("PAUL", "My brother works at the hospital near the port.", 1.0, _c("hermano", "trabaja|trabajo", "hospital",
                                                                       "cerca", "puerto")),
)

HELD_OUT: tuple[Line, ...] = (
    ("ANNE", "The train leaves the station at eight o'clock.", 0.0, _c("tren", "sale|deja|parte", "estación",
                                                                      "ocho|8")),
    ("PAUL", "My sister likes to read books on Sundays.", 0.8, _c("hermana", "gusta|gustan|ama|encanta", "leer",
                                                                 "libros|libro", "domingos|domingo")),
    ("ANNE", "It is very cold in the mountains in winter.", 0.9, _c("frío|fría", "montañas|montaña", "invierno")),
    ("PAUL", "The cat sleeps on the kitchen table.", 0.8, _c("gato", "duerme|dormir", "mesa", "cocina")),
    ("ANNE", "We bought bread and cheese at the market.", 0.9, _c("compramos|compré|comprado", "pan", "queso",
                                                                 "mercado")),
    ("PAUL", "The children play in the garden after school.", 1.0, _c("niños|niñas|hijos|chicos",
                                                                     "juegan|jugar", "jardín", "después",
                                                                     "escuela|colegio")),
)

ES_FUNCTION = frozenset({"el", "la", "los", "las", "de", "del", "que", "y", "en", "un", "una", "es", "son", "por",
                         "con", "para", "al", "se", "no", "su", "mi", "mis", "lo", "le", "a", "muy"})


def words(text: str) -> list[str]:
    """Lower-case words, any script's letters."""
    return re.findall(r"[^\W\d_]+|\d+", text.lower())


def share(text: str, vocabulary: frozenset[str] | set[str]) -> float:
    """The fraction of the words of `text` in `vocabulary` (0 for no words)."""
    found = words(text)
    return sum(w in vocabulary for w in found) / len(found) if found else 0.0


def scores(lines: tuple[Line, ...], spanish: str, english: str) -> dict[str, float]:
    """How much of a Spanish track carries the meaning, is Spanish, is English, is the English track's words."""
    got = set(words(spanish))
    concepts = [group for *_, groups in lines for group in groups]
    found = sum(bool(group & got) for group in concepts)
    return {"concepts": found, "of": len(concepts), "recall": round(found / len(concepts), 3),
            "spanish_share": round(share(spanish, ES_FUNCTION), 3),
            "english_share": round(share(spanish, EN_FUNCTION - {"a", "no"}), 3),
            "copied_share": round(share(spanish, set(words(english)) - {"a", "no", "doctor", "hospital"}), 3),
            "words": len(words(spanish))}
