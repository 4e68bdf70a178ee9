"""The hinted pass of a chunk, guarded by its plain pass: take names from the glossary without side effects.

The hinted pass is the transcript (the names prime the recogniser: words around them come out better too),
except where it left out a run of words (`left_out`: fewer words leaving the time empty), or brought in a
glossary name that sounds like nothing the plain pass heard (asr_hints.heard): there the plain words stay,
unless the acoustics disagree (acoustic "agree": asr_acoustic scores the chunk's text with the span plain
and hinted, without a prompt; the plain words stay only where both say so, for a name not heard only where
the acoustics score them clearly better, `invented_margin`; letting the acoustics decide alone was measured
worse), and where it read the glossary back (`reads_back`) or wrote a glossary name where the plain pass wrote
another one (`_renames`): there the plain words stay whatever the acoustics say (a loop scores well). A name
word the hinted pass wrote unsure over a word the plain pass was sure of gives way to the plain words there
(`doubted`: the spoken non-glossary "Lake Orwell" came out "Lake Oriel").
Words the hinted pass wrote are marked "hinted", so that post_ner leaves alone a capitalised one that is no
glossary word (the recogniser saw the glossary and chose another name) or a lowercase dictionary word, and a
glossary name it chose over other plain words carries them ("heard_plain") for the review list. A glossary
name word both passes wrote keeps the plain spelling, with the hinted pass's capital beside it ("name_case")
for post_ner to weigh.
`MergeSettings` holds the merge's settings; STAGE is the stage's, and bench/names_merge.py passes the
alternatives they name (`dataclasses.replace`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from asr_acoustic import PRIOR_METRICS, Score, score_texts, value
from asr_hints import MERGE_RATIO, SPELL_NUMBERS, heard, letters, new_name_parts, word_key
from asr_rehint import MAX_WORD_S


@dataclass(frozen=True)
class MergeSettings:
    """How the merge guards the hinted pass; the defaults are the stage's (STAGE)."""

    keep_run: int = 3  # a run of this many words only the plain pass has is kept (the hinted pass stopped early)
    # ... when the hinted words there cover less than this share of the plain words' time (None: always): a pass
    # that stopped early leaves the time empty; fewer words over the same time are another reading of it (the
    # plain "No sample has knocked her family and I've seen" for the hinted "Nurse Amsel, Doctor Fairweather,
    # Seam,"). 0.3, 0.5 and 0.7 gave the same results on dev; 0.5 set a priori.
    left_out_cover: float | None = 0.5
    # ... a word counting for at most this long there (None: its whole time): a pass that derails stretches a
    # word over the speech it skipped ("Zabelle" over 7.4-23.9 s, then nothing: held6-flite-forge-slow, POST HOC
    # on the sixth part's one run). The longest word of the development part's decodes lasts 2.0 s.
    max_word_s: float | None = MAX_WORD_S  # the bound asr_rehint decodes a hinted pass again beyond
    # A disagreement where the hinted pass reads the glossary back stays plain (`reads_back`: a prompt read back
    # over speech it did not follow, "Vosk, Vosk, Quenby, Fort Calloway, Vosk, Quenby, ..." for 50 plain words:
    # held6-espeak-forge-fast, POST HOC on the sixth part's one run), whatever the acoustics say and however
    # many plain words it replaces (stop 17, held8-flite-caravan: "Perpetua" 34 times over 7 plain words, which
    # the acoustics preferred). False: off.
    read_back: bool = True
    # The confidence guard: a glossary name word the hinted pass writes with a probability below unsure_name
    # where the plain pass heard, at the same time, a word with a probability of at least sure_plain is not
    # taken (the spoken non-glossary "Lake Orwell": plain "late or well." p 0.99, hinted "Lake Oriel." p 0.02).
    # doubt "word": that word alone is replaced by the plain words heard there ("at Lake or well."); "span": the
    # whole disagreement stays plain ("late or well."). sure_plain None: off.
    sure_plain: float | None = 0.95
    unsure_name: float = 0.05
    doubt: str = "word"
    # Who may overrule spelling where it keeps plain words (asr_acoustic, `merge`'s judge): "agree" the acoustics
    # (a span stays plain only where they agree), "decide" the acoustics alone, None nobody. Chosen on dev.
    acoustic: str | None = "agree"
    # A glossary name the hinted pass brought in that sounds like nothing heard there (`_invents`): "span" keeps
    # the whole disagreement plain, "word" replaces only that name's words by the plain words heard at their time,
    # None takes it anyway (no name guard: measured worse)
    invented: str | None = "span"
    # How much better (metric) the acoustics must score such a span plain for it to stay plain, with acoustic
    # "agree": the plain pass is the same model's own best reading without the prompt, so the scores lean
    # towards it
    invented_margin: float = 0.2
    metric: str = "mean"  # how `merge` compares candidate texts by their acoustic scores (asr_acoustic.value)
    # Words both passes wrote are marked "hinted" too: the hinted pass chose them with the glossary in front of
    # it, so post_ner leaves such a name alone (both wrote the spoken "Lake Harlow"; post_ner made it the
    # glossary's "Lake Marlow": held4-flite-quarry-slow). False: only words taken from the hinted pass are marked.
    mark_agreed: bool = True
    merge_ratio: float = MERGE_RATIO  # a name brought in must sound this similar to words heard (asr_hints.heard)
    spell_numbers: bool = SPELL_NUMBERS  # `heard` reads digits the ways they may have been said ("410" "four ten")


STAGE = MergeSettings()


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["end"] > b["start"] and a["start"] < b["end"]


def doubted(word: dict[str, Any], old: list[dict[str, Any]], settings: MergeSettings = STAGE) -> bool:
    """Whether the hinted pass wrote `word` unsure (p < unsure_name) over a word the plain pass `old` was
    sure of (p >= sure_plain) at the same time (the confidence guard; never when sure_plain is None). A plain
    word Whisper gave no duration is not placed in the audio, so it proves nothing ("lot" at p 0.98 over
    5.6-5.6 s took "Ottway?" away: held3-espeak-mill-slow)."""
    sure = settings.sure_plain
    return sure is not None and word["probability"] < settings.unsure_name and any(
        o["probability"] >= sure and o["end"] > o["start"] and _overlaps(o, word) for o in old)


def _heard(part: str, old: list[dict[str, Any]], settings: MergeSettings) -> bool:
    """Whether the plain pass `old` heard something like the glossary name `part` (asr_hints.heard)."""
    return heard(part, old, settings.merge_ratio, settings.spell_numbers)


def _unheard(parts: list[str], old: list[dict[str, Any]], settings: MergeSettings) -> list[str]:
    """The glossary name parts the hinted pass brought in (`parts`) that sound like nothing in `old`."""
    return [p for p in parts if not old or not _heard(p, old, settings)]


def _doubted_names(old: list[dict[str, Any]], new: list[dict[str, Any]], parts: list[str],
                   settings: MergeSettings) -> list[int]:
    """Indexes in `new` of the glossary name words it brings in (`parts`) that the plain pass doubts
    (`doubted`)."""
    keys = {letters(p) for p in parts}
    return [j for j, w in enumerate(new) if letters(w["word"]) in keys and doubted(w, old, settings)]


def _unheard_names(old: list[dict[str, Any]], new: list[dict[str, Any]], parts: list[str],
                   settings: MergeSettings) -> list[int]:
    """Indexes in `new` of the words of glossary names it brings in (`parts`) that sound like nothing in
    `old`."""
    keys = {letters(w) for p in _unheard(parts, old, settings) for w in p.split()}
    return [j for j, w in enumerate(new) if letters(w["word"]) in keys]


def _invents(old: list[dict[str, Any]], new: list[dict[str, Any]], parts: list[str], settings: MergeSettings
             ) -> bool:
    """Whether the hinted words `new`, where the plain pass heard `old`, bring in (`parts`) a glossary name
    not heard (with invented "span"; or, with doubt "span", one the plain pass doubts)."""
    if settings.invented == "span" and _unheard(parts, old, settings):
        return True
    return settings.doubt == "span" and bool(_doubted_names(old, new, parts, settings))


def _marked(word: dict[str, Any], old: list[dict[str, Any]], name_words: set[str]) -> dict[str, Any]:
    """A word taken from the hinted pass, marked "hinted" (post_ner leaves the names it chose alone), with
    what the plain pass `old` heard at its time: the highest probability there ("plain_probability": the
    evidence of speech asr_whisper.sentences weighs, a name's own being the prompt's) and, for a glossary
    name word (`name_words`), its words when they differ ("heard_plain": post_ner lists the choice beside
    its own corrections, for the review list)."""
    there = [o for o in old if _overlaps(o, word)]
    out = {**word, "hinted": True}
    if there:
        out["plain_probability"] = max(o["probability"] for o in there)
        said = " ".join(o["word"] for o in there)
        if letters(word["word"]) in name_words and letters(said) != letters(word["word"]):
            out["heard_plain"] = said
    return out


def _replaced(old: list[dict[str, Any]], new: list[dict[str, Any]], parts: list[str], settings: MergeSettings
              ) -> set[int]:
    """Indexes in `new` of the name words the plain words heard at their time replace: with doubt "word" the
    doubted ones, with invented "word" the unheard ones."""
    doubts = set(_doubted_names(old, new, parts, settings)) if settings.doubt == "word" else set()
    if settings.invented == "word":
        doubts |= set(_unheard_names(old, new, parts, settings))
    return doubts


def _undoubted(old: list[dict[str, Any]], new: list[dict[str, Any]], parts: list[str], settings: MergeSettings
               ) -> list[dict[str, Any]]:
    """`new` marked (`_marked`), each name word `_replaced` picks replaced by the plain words heard at its
    time."""
    doubts = _replaced(old, new, parts, settings)
    name_words = {letters(w) for p in parts for w in p.split()}
    out: list[dict[str, Any]] = []
    used: set[int] = set()
    for j, w in enumerate(new):
        if j not in doubts:
            out.append(_marked(w, old, name_words))
            continue
        for i, o in enumerate(old):
            if i not in used and _overlaps(o, w):
                used.add(i)
                out.append(o)
    return out


def _agreed(plain: dict[str, Any], hinted: dict[str, Any], name_words: frozenset[str]) -> dict[str, Any]:
    """A word both passes wrote, marked "hinted", in the plain pass's spelling; where the hinted pass gave a
    glossary name word (`name_words`) the capital the plain pass did not ("patience", "Patience"), with that
    spelling as "name_case": whether the word is the name or the common word ("I Hope the storm") is a matter
    of syntax, and post_ner reads the sentence (ner_case)."""
    out = {**plain, "hinted": True}
    said, chosen = _core(plain["word"]), _core(hinted["word"])
    if (said and chosen != said and chosen.lower() == said and chosen[:1].isupper()
            and letters(chosen) in name_words):
        out["name_case"] = chosen
    return out


def _core(word: str) -> str:
    """The word without the punctuation around it."""
    return re.sub(r"^\W+|\W+$", "", word)


def _plain_case(plain: dict[str, Any], hinted: dict[str, Any]) -> dict[str, Any]:
    """The hinted word (its punctuation fits the hinted text around it) in the plain pass's case."""
    word = hinted["word"]
    if plain["word"].lower() == plain["word"] and word.lower() != word:
        word = word.lower()
    kept = {key: plain[key] for key in ("hinted", "name_case") if key in plain}  # what both passes wrote
    return {**hinted, "word": word, **kept}


Opcode = tuple[str, int, int, int, int]


def _opcodes(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[Opcode]:
    a, b = [word_key(w["word"]) for w in first], [word_key(w["word"]) for w in second]
    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


@dataclass(frozen=True)
class Aligned:
    """The plain pass `first` and the hinted pass `second` aligned word by word (difflib opcodes), with the
    glossary name parts the hinted words of each opcode bring in (asr_hints.new_name_parts, computed once per
    opcode for every guard; none where both passes agree) and, where they bring some in, those its plain
    words spell that they drop."""

    first: list[dict[str, Any]]
    second: list[dict[str, Any]]
    ops: list[Opcode]
    parts: list[list[str]]
    name_words: frozenset[str]  # the glossary names' words (`letters`)
    lost: list[list[str]]  # the glossary name parts the plain words of each opcode spell and its hinted ones do not

    def old(self, k: int) -> list[dict[str, Any]]:
        return self.first[self.ops[k][1]:self.ops[k][2]]

    def new(self, k: int) -> list[dict[str, Any]]:
        return self.second[self.ops[k][3]:self.ops[k][4]]


def align(first: list[dict[str, Any]], second: list[dict[str, Any]], names: tuple[str, ...] | list[str]
          ) -> Aligned:
    """The two passes aligned, with the glossary name parts each disagreement brings in."""
    ops = _opcodes(first, second)
    parts = [[] if op == "equal" else new_name_parts(first[i1:i2], second[j1:j2], names)
             for op, i1, i2, j1, j2 in ops]
    lost = [new_name_parts(second[j1:j2], first[i1:i2], names) if brought else []
            for (_, i1, i2, j1, j2), brought in zip(ops, parts, strict=True)]
    return Aligned(first, second, ops, parts, frozenset(letters(w) for n in names for w in n.split()), lost)


READ_BACK_NAMES = 4  # name words a read-back has at least, 80 % of its words, one of them 3 times or more


def reads_back(new: list[dict[str, Any]], name_words: frozenset[str]) -> bool:
    """Whether the hinted words `new` read the glossary back rather than the speech: at least READ_BACK_NAMES
    words of glossary names, making 80 % of the words, one of them three times or more (the prompt read back
    loops over the glossary; a name said twice, or a decoder's stutter "Halloran, Halloran", is no loop)."""
    keys = [letters(w["word"]) for w in new]
    said = [k for k in keys if k in name_words]
    return (len(said) >= READ_BACK_NAMES and len(said) >= 0.8 * len(keys)
            and max(said.count(k) for k in set(said)) >= 3)


def _span_time(words: list[dict[str, Any]], longest: float | None = None) -> float:
    """The words' summed time, each counting for at most `longest` seconds (None: no limit)."""
    return sum(min(max(0.0, w["end"] - w["start"]), longest if longest is not None else float("inf"))
               for w in words)


def left_out(old: list[dict[str, Any]], new: list[dict[str, Any]], settings: MergeSettings = STAGE) -> bool:
    """Whether the hinted words `new` left out the run `old` the plain pass heard: keep_run words more,
    and (left_out_cover) less of its time covered, each hinted word counting for at most max_word_s."""
    if len(old) - len(new) < settings.keep_run:
        return False
    cover = settings.left_out_cover
    return cover is None or _span_time(new, settings.max_word_s) < cover * _span_time(old)


def contested(aligned: Aligned, every: bool = False, settings: MergeSettings = STAGE) -> list[int]:
    """The opcodes where the passes disagree on something the guard weighs: a run of keep_run words the
    hinted pass left out, or a glossary name it brought in (`every`: any disagreement)."""
    return [k for k, op in enumerate(aligned.ops) if op[0] != "equal" and (
        every or left_out(aligned.old(k), aligned.new(k), settings) or aligned.parts[k])]


def _assemble(aligned: Aligned, plain: set[int], settings: MergeSettings
              ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The hinted words, except the plain words in the opcodes `plain`, where both passes agree, and in
    place of name words the plain pass doubts (`_undoubted`)."""
    second = aligned.second
    b = [word_key(w["word"]) for w in second]
    out: list[dict[str, Any]] = []
    taken: list[dict[str, str]] = []
    for k, (op, i1, i2, j1, j2) in enumerate(aligned.ops):
        old, new = aligned.first[i1:i2], second[j1:j2]
        if op == "equal" and settings.mark_agreed:  # the hinted pass wrote these too, with the glossary in front of it
            out.extend(_agreed(o, h, aligned.name_words) for o, h in zip(old, new, strict=True))
            continue
        if op == "equal" or k in plain:
            out.extend(old)
            continue
        if new and out and j1 and word_key(out[-1]["word"]) == b[j1 - 1]:  # the punctuation before fits the new words
            out[-1] = _plain_case(out[-1], second[j1 - 1])
        new = _undoubted(old, new, aligned.parts[k], settings)
        out.extend(new)
        taken.append({"from": " ".join(w["word"] for w in old), "to": " ".join(w["word"] for w in new)})
    return out, taken


def text(words: list[dict[str, Any]]) -> str:
    return " ".join(w["word"] for w in words)


def _spelling_plain(aligned: Aligned, k: int, settings: MergeSettings) -> bool:
    """Whether spelling keeps opcode `k` plain: a run of keep_run words the hinted pass left out, a glossary
    name it brought in that sounds like nothing the plain pass heard there (`heard`), or the glossary read
    back (`_read_back`)."""
    old, new = aligned.old(k), aligned.new(k)
    return left_out(old, new, settings) or _invents(old, new, aligned.parts[k], settings) or _read_back(
        aligned, k, settings) or _renames(aligned, k)


def _read_back(aligned: Aligned, k: int, settings: MergeSettings) -> bool:
    """Whether the hinted words of opcode `k` read the glossary back (`reads_back`, with read_back on), over
    fewer plain words or more."""
    return settings.read_back and reads_back(aligned.new(k), aligned.name_words)


def _renames(aligned: Aligned, k: int) -> bool:
    """Whether the hinted words of opcode `k` write a glossary name at the time where the plain pass wrote
    another one as the glossary spells it (held12-real-linux: the spoken glossary name "Linux" came out as the
    glossary's "Lennox"): one glossary name never turns into another, as in post_ner."""
    brought = {letters(w) for p in aligned.parts[k] for w in p.split()}
    lost = {letters(w) for p in aligned.lost[k] for w in p.split()}
    return any(_overlaps(o, n) for o in aligned.old(k) if letters(o["word"]) in lost
               for n in aligned.new(k) if letters(n["word"]) in brought)


def _judged(aligned: Aligned, judge: str | None, every: bool, settings: MergeSettings) -> list[int]:
    """The opcodes the acoustics must weigh: every contested one ("decide") or those spelling keeps plain
    ("agree": the acoustics may only overrule a plain verdict); none without a judge."""
    if judge is None:
        return []
    spans = contested(aligned, every, settings)
    return spans if judge == "decide" else [k for k in spans if _spelling_plain(aligned, k, settings)]


def candidates(first: list[dict[str, Any]], second: list[dict[str, Any]], names: tuple[str, ...] | list[str],
               every: bool = False, judge: str | None = "decide", settings: MergeSettings = STAGE) -> list[str]:
    """The texts the acoustics must score for `merge`: all hinted but the spans forced plain (`_forced`), and
    each other judged span plain instead."""
    aligned = align(first, second, names)
    forced = _forced(aligned, every, settings)
    spans = [k for k in _judged(aligned, judge, every, settings) if k not in forced]
    if not spans:
        return []
    return [text(_assemble(aligned, forced | plain, settings)[0]) for plain in (set(), *({k} for k in spans))]


def _forced(aligned: Aligned, every: bool, settings: MergeSettings) -> set[int]:
    """The contested opcodes where the hinted pass reads the glossary back, or turns one glossary name into
    another (`_renames`): they stay plain whatever the acoustics say, and the acoustics weigh the other spans
    with them plain. A loop scores well (each repeat is predictable) and throws the scores of the text around
    it: "Bishop, Perpetua, Perpetua, ..." 34 times over 7 plain words, then 28 plain words left out
    (held8-flite-caravan)."""
    return {k for k in contested(aligned, every, settings)
            if _read_back(aligned, k, settings) or _renames(aligned, k)}


def merge(first: list[dict[str, Any]], second: list[dict[str, Any]], names: tuple[str, ...] | list[str],
          scores: dict[str, Score] | None = None, *, metric: str | None = None, every: bool = False,
          judge: str | None = None, settings: MergeSettings = STAGE
          ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The hinted pass, guarded by the plain one: where it left words out or invented a name.

    The hinted pass is the transcript (the names prime the recogniser: words around them come out better
    too), except where it disagrees with the plain pass on a glossary name it brought in or on a run of at
    least keep_run words it left out (`contested`). Spelling weighs those spans: the run stays (a prompted
    pass that stops early loses nothing; one word fewer is a normal disagreement), and a name stays out
    when the plain pass did not hear it (`heard`, numbers read out). With `scores` (asr_acoustic: the
    model's log-probability of each of `candidates` given the audio, without any prompt) the acoustics
    compare the texts with the span plain and hinted (`metric`, None: the settings'): with `judge` (None: the
    settings' acoustic) "agree" a span stays plain only where spelling AND acoustics say so; with "decide"
    the acoustics alone decide; a glossary read back, or one name turned into another, stays plain
    either way (`_forced`). Words both passes agree on keep the plain spelling ("I hope", not "I Hope"; a
    glossary name word's hinted capital goes beside it as "name_case").
    Also returns the replacements taken.
    """
    metric, judge = metric or settings.metric, judge or settings.acoustic
    aligned = align(first, second, names)
    by_spelling = {k for k in contested(aligned, every, settings) if _spelling_plain(aligned, k, settings)}
    if scores is None or judge is None:
        return _assemble(aligned, by_spelling, settings)
    forced = _forced(aligned, every, settings)
    base = text(_assemble(aligned, forced, settings)[0])
    plain = set()
    for k in _judged(aligned, judge, every, settings):
        if k in forced:
            continue
        flipped = text(_assemble(aligned, forced | {k}, settings)[0])
        if base in scores and flipped in scores:
            if value(scores[flipped], metric) > value(scores[base], metric) + _margin(aligned, k, settings):
                plain.add(k)
        elif k in by_spelling:  # no scores for it: spelling decides
            plain.add(k)
    if judge == "agree":
        plain &= by_spelling
    return _assemble(aligned, plain | forced, settings)


def _margin(aligned: Aligned, k: int, settings: MergeSettings) -> float:
    """How much better the acoustics must score opcode `k` plain to keep it plain: invented_margin where
    spelling keeps it plain only for a name brought in that sounds like nothing heard (`_invents`), else 0."""
    old, new = aligned.old(k), aligned.new(k)
    if settings.invented_margin and _invents(old, new, aligned.parts[k], settings) and not left_out(
            old, new, settings):
        return settings.invented_margin
    return 0.0


def acoustic_scores(model: Any, samples: Any, first: list[dict[str, Any]], second: list[dict[str, Any]],
                    names: tuple[str, ...] | list[str], language: str | None, settings: MergeSettings = STAGE
                    ) -> dict[str, Score] | None:
    """What `merge` needs for the acoustics to judge (None when there is nothing to judge, acoustic None)."""
    texts = candidates(first, second, names, judge=settings.acoustic, settings=settings)
    if not texts:
        return None
    return score_texts(model, samples, texts, language, prior=settings.metric in PRIOR_METRICS)
