"""Names without side effects in the asr stage: words kept in VAD gaps, the hinted pass guarded by the plain one.

Pure logic here (no model); the end-to-end bounds on the names test set are in tests/test_names.py.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "stages" / "asr"), str(ROOT / "stages" / "common")]

import asr_merge  # noqa: E402
from asr_hints import new_name_parts, sound, suspects  # noqa: E402
from asr_merge import STAGE, candidates, merge, text  # noqa: E402
from asr_whisper import sentences  # noqa: E402

NAMES = ("Hope", "Baker", "Captain Quorin", "Port Kessel", "Ashgrove", "Lake Tessaly", "Professor Lindqvist",
         "Brenholm", "Doctor Vashti")


def words(text: str, probability: float = 0.9) -> list[dict[str, Any]]:
    return [{"word": w, "start": float(i), "end": i + 0.5, "probability": probability}
            for i, w in enumerate(text.split())]


def merged(first: str, second: str, names: tuple[str, ...] = NAMES) -> str:
    return " ".join(w["word"] for w in merge(words(first), words(second), names)[0])


def test_hinted_names_replace_what_the_plain_pass_heard() -> None:
    assert merged("we sail to Port Castle now.", "we sail to Port Kessel now.") == "we sail to Port Kessel now."
    assert merged("Tell Quarin we are ready.", "Tell Quorin we are ready.") == "Tell Quorin we are ready."
    assert merged("from Ash Grove is", "from Ashgrove is") == "from Ashgrove is"
    assert merged("if Professor Lynn disagrees.", "if Professor Lindqvist agrees.") == "if Professor Lindqvist agrees."


def test_the_hinted_pass_wins_elsewhere() -> None:
    """The names prime the recogniser: words around them come out better too, so those are taken."""
    assert merged("Good for them in the cold radio.", "Good, put them in the cold room.") == \
        "Good, put them in the cold room."
    assert merged("Then we sail.", "Then we sail tonight.") == "Then we sail tonight."


def test_a_glossary_name_never_replaces_another_name_or_common_words() -> None:
    """The leak of issue 9: the hint turned "Lake X arrived" into "<glossary name> must arrive"."""
    assert merged("Baker left for Lake Verna arrived.", "Baker left for Lake Tessaly must arrive.") == \
        "Baker left for Lake Verna arrived."
    assert merged("Baker left for Lake Verna today.", "Baker left for Lake Tessaly today.") == \
        "Baker left for Lake Verna today."
    assert merged("I hope the storm", "I Hope the storm") == "I hope the storm"  # a real-word name
    assert merged("Then we sail.", "Then we sail to Lake Tessaly.") == "Then we sail."  # a name from nowhere


def test_a_hinted_pass_that_stops_early_loses_nothing() -> None:
    """With the prompt, tiny.en stopped after the first sentence on fast speech (WER 0.84)."""
    first = "Dr. Mashti, the samples arrived. Put them in the cold room. Only if Professor Link agrees."
    out = merged(first, "Doctor Vashti, the samples arrived.")
    assert out == first.replace("Dr. Mashti,", "Doctor Vashti,")


def test_a_word_or_two_only_the_plain_pass_has_is_a_disagreement_not_a_gap() -> None:
    """real-dashwood: the plain pass heard "rather as selfish is to be all disposed", the hinted one the truth."""
    assert merged("and rather as selfish is to be all disposed.", "and rather selfish, is to be ill-disposed.") == \
        "and rather selfish is to be ill-disposed."
    assert merged("Then we sail to the port now.", "Then we sail now.") == "Then we sail to the port now."


def spread(text: str, start: float, end: float) -> list[dict[str, Any]]:
    """The words of `text` spread evenly over start..end."""
    step = (end - start) / len(text.split())
    return [{"word": w, "start": start + i * step, "end": start + (i + 1) * step, "probability": 0.5}
            for i, w in enumerate(text.split())]


def test_fewer_hinted_words_over_the_same_time_are_another_reading_not_a_gap() -> None:
    """held3-espeak-clinic: the plain pass heard a run of short garbled words where the hinted pass heard the
    names; the hinted words cover the same time, so nothing was left out."""
    names = ("Nurse Amsel", "Doctor Fairweather", "Kelvedon")
    first = spread("No sample has knocked her family and I've seen", 0.0, 3.0) + spread("the boy.", 3.0, 3.6)
    second = spread("Nurse Amsel, Doctor Fairweather, seen", 0.0, 3.0) + spread("the boy.", 3.0, 3.6)
    out = " ".join(w["word"] for w in merge(first, second, names)[0])
    assert out == "Nurse Amsel, Doctor Fairweather, seen the boy."
    short = spread("Nurse Amsel,", 0.0, 1.0) + spread("the boy.", 3.0, 3.6)  # two words over a third of the time
    out = " ".join(w["word"] for w in merge(first, short, names)[0])
    assert out.startswith("No sample has knocked her family")


def test_only_chunks_that_sound_like_a_name_are_decoded_again() -> None:
    assert suspects(words("we sail to Port Castle"), NAMES)
    assert suspects(words("Tell Quarin we are ready"), NAMES)
    assert not suspects(words("the storm stays away from the coast"), NAMES)
    assert not suspects(words("anything at all"), ())
    assert sound("Kessel") == sound("Kassel") and sound("Verna") != sound("Tessaly")


def _segment(*spec: tuple[str, float, float, float]) -> Any:
    return SimpleNamespace(words=[SimpleNamespace(word=w, start=s, end=e, probability=p) for w, s, e, p in spec])


def test_a_clear_word_with_a_zero_length_time_in_a_vad_gap_is_kept() -> None:
    """Issue 9: "... Captain Quorin" lost its name: p=0.96, zero length, inside a 250 ms gap between spans."""
    from asr_whisper import _words

    spans = [(1.0, 2.0), (2.25, 3.0)]
    out = _words(_segment((" Thank", 1.2, 1.5, 0.9), (" you,", 1.5, 1.9, 0.9), (" Quorin.", 2.1, 2.1, 0.96)),
                 0.0, spans)
    assert [w["word"] for w in out] == ["Thank", "you,", "Quorin."]
    assert out[-1]["start"] == out[-1]["end"] in (2.0, 2.25)


def test_unclear_or_far_words_outside_the_speech_are_still_dropped() -> None:
    from asr_whisper import _words

    spans = [(1.0, 2.0)]
    out = _words(_segment((" Yes.", 1.2, 1.6, 0.9), (" Sound.", 2.1, 2.1, 0.0001), (" Far.", 4.0, 4.2, 0.99)),
                 0.0, spans)
    assert [w["word"] for w in out] == ["Yes."]
    loop = [(w, 2.2, 2.2, 0.98) for w in (" to", " able", " to", " able", " to", " able")]
    assert [w["word"] for w in _words(_segment((" bag.", 1.5, 2.0, 0.6), *loop), 0.0, spans)] == ["bag."]


def test_word_pieces_without_a_space_join_the_word_before() -> None:
    from asr_whisper import _words

    out = _words(_segment((" an", 1.0, 1.2, 0.9), (" ill", 1.2, 1.4, 0.9), ("-disposed", 1.4, 1.9, 0.7)),
                 0.0, [(0.9, 2.0)])
    assert [w["word"] for w in out] == ["an", "ill-disposed"]
    assert out[-1] == {"start": 1.2, "end": 1.9, "word": "ill-disposed", "probability": 0.7}


def test_a_segment_mostly_in_the_padding_is_dropped_whole() -> None:
    """The prompted pass decoded a chunk's last 0.4 s of padding at temperature 1.0 into a new sentence,
    its first words overlapping the speech by 0.09 s (espeak movie of tests/stages/test_asr.py)."""
    from asr_chunks import outside_speech
    from asr_whisper import _file_words

    spans = [(25.158, 26.888)]
    said = {"words": [{"word": " bag.", "start": 26.5, "end": 26.8, "probability": 0.9}]}
    invented = {"words": [{"word": f" w{i}", "start": 26.8 + i * 0.04, "end": 26.84 + i * 0.04, "probability": 0.6}
                          for i in range(10)]}
    assert [w["word"] for w in _file_words([said, invented], 0.0, spans)] == ["bag."]
    assert not outside_speech(26.0, 26.8, spans) and not outside_speech(26.8, 26.8, spans)
    assert outside_speech(26.8, 27.2, spans) and outside_speech(30.0, 31.0, spans)


def test_with_scores_the_acoustics_decide_each_contested_span() -> None:
    """The all-hinted text and, per contested span, that text with the span plain; the higher score wins."""
    first = words("Then we sail to Port Castle. Tell Quarin now.")
    second = words("Then we sail to Port Kessel. Tell Quorin now.")
    texts = candidates(first, second, NAMES)
    assert texts == ["Then we sail to Port Kessel. Tell Quorin now.", "Then we sail to Port Castle. Tell Quorin now.",
                     "Then we sail to Port Kessel. Tell Quarin now."]
    scores = {texts[0]: (-10.0, 10, -30.0), texts[1]: (-9.0, 10, -25.0), texts[2]: (-11.0, 10, -29.0)}
    out = merge(first, second, NAMES, scores, metric="sum", judge="decide")[0]
    assert " ".join(w["word"] for w in out) == "Then we sail to Port Castle. Tell Quorin now."
    out = merge(first, second, NAMES, scores, metric="pmi", judge="decide")[0]  # less the silence's: Kessel and Quorin
    assert " ".join(w["word"] for w in out) == "Then we sail to Port Kessel. Tell Quorin now."


def test_with_scores_a_run_the_hinted_pass_left_out_is_weighed_too() -> None:
    first = words("Doctor Vashti, the samples arrived. Put them in the cold room next to the rose bushes.")
    second = words("Doctor Vashti, the samples arrived.")
    full, short = candidates(first, second, NAMES)[::-1]
    scores = {full: (-12.0, 20, -80.0), short: (-8.0, 8, -30.0)}
    out = merge(first, second, NAMES, scores, metric="mean", judge="decide")[0]
    assert len(out) == len(first)
    out = merge(first, second, NAMES, scores, metric="sum", judge="decide")[0]
    assert len(out) == len(second)
    assert candidates(words("we sail now."), words("we sail now."), NAMES) == []


def test_numbers_are_compared_as_they_may_have_been_said() -> None:
    """Whisper writes digits: "410 cell" was heard for "Fort Anselm" (four-ten sell), so the name is kept."""
    from asr_numbers import readings

    assert readings("410 cell") == ["four hundred ten cell", "four ten cell", "four one zero cell"]
    assert "nineteen eighty five" in readings("1985") and readings("the 4th day") == ["the fourth day"]
    assert readings("one oh five") == ["one oh five"] and "one oh five" in readings("105")
    assert readings("no digits, here.") == ["no digits, here."]
    assert merged("at the gate of 410 cell.", "at the gate of Fort Anselm.", ("Fort Anselm",)) == \
        "at the gate of Fort Anselm."
    assert merged("we sail at 42 now.", "we sail at Ashgrove now.") == "we sail at 42 now."  # not alike


def test_the_acoustics_may_only_overrule_plain_words_that_spelling_kept() -> None:
    """judge "agree" (the stage): "Pecta" (plain) sounds like nothing of "Thessaly Court", yet the audio
    prefers the hinted words; where spelling takes the hinted words the acoustics are not asked."""
    names = ("Thessaly Court", "Miss Sterling")
    first, second = words("Bring the file on Pecta, Stirling will not like it."), \
        words("Bring the file on Thessaly Court. Sterling will not like it.")
    texts = candidates(first, second, names, judge="agree")
    assert texts == [text(second), "Bring the file on Pecta, Stirling will not like it."]
    hinted_better = {texts[0]: (-20.0, 14, -90.0), texts[1]: (-25.0, 13, -85.0)}
    assert text(merge(first, second, names, None, judge="agree")[0]) == text(first)  # spelling alone
    assert text(merge(first, second, names, hinted_better, judge="agree")[0]) == text(second)
    plain_better = {texts[0]: (-30.0, 14, -90.0), texts[1]: (-20.0, 13, -85.0)}
    assert text(merge(first, second, names, plain_better, judge="agree")[0]) == text(first)
    # a name spelling takes ("Castle" heard for "Kessel") is never weighed: nothing to score
    assert candidates(words("to Port Castle now."), words("to Port Kessel now."), NAMES, judge="agree") == []


def test_a_name_the_plain_pass_did_not_hear_needs_the_acoustics_clearly_against_it_to_stay_out() -> None:
    """The plain pass is tiny.en's own best reading without the prompt, so the acoustics lean towards it: a
    name brought in that sounds like nothing heard ("Moss, Moss," for the plain "What? What?":
    held9-espeak-colliery-fast) stays out only where the plain words score invented_margin better (mean log-
    probability per token); a run the hinted pass left out needs no margin."""
    names = ("Moss", "Penny")
    first, second = words("Who rang the bell? What? What? The cage is stuck."), \
        words("Who rang the bell? Moss, Moss! The cage is stuck.")
    hinted_text, plain_text = candidates(first, second, names, judge="agree")
    assert plain_text == text(first)

    def scores(plain_mean: float) -> dict[str, tuple[float, int, float]]:
        return {hinted_text: (-10.0, 10, 0.0), plain_text: (plain_mean * 10, 10, 0.0)}

    assert STAGE.invented_margin == 0.2
    assert text(merge(first, second, names, scores(-0.9), judge="agree")[0]) == text(second)
    assert text(merge(first, second, names, scores(-0.7), judge="agree")[0]) == text(first)
    assert text(merge(first, second, names, scores(-0.9), judge="agree",
                      settings=replace(STAGE, invented_margin=0.0))[0]) == text(first)
    full = words("Doctor Vashti, the samples arrived. Put them in the cold room next to the rose bushes.")
    short = words("Doctor Vashti, the samples arrived.")
    texts = candidates(full, short, NAMES, judge="agree")
    left_out_scores = {texts[0]: (-10.0, 10, 0.0), texts[1]: (-9.0, 10, 0.0)}  # plain 0.1 better: no margin
    assert len(merge(full, short, NAMES, left_out_scores, judge="agree")[0]) == len(full)


def test_a_glossary_name_the_plain_pass_wrote_never_turns_into_another() -> None:
    """held12-real-linux (its one blind run): the plain pass wrote the spoken glossary name "Linux", the hinted
    one the glossary's "Lennox", and the acoustics could not tell them apart; the plain name stays whatever
    they say. A name brought in over other words is still weighed as before."""
    names = ("Linux", "Lennox", "Asterisk")
    first = words("that runs on the Linux operating system.")
    second = words("that runs on the Lennox operating system.")
    assert text(merge(first, second, names)[0]) == text(first)
    assert candidates(first, second, names, judge="agree") == []  # forced: nothing for the acoustics to weigh
    hinted_better = {text(second): (-5.0, 10, 0.0), text(first): (-9.0, 10, 0.0)}
    assert text(merge(first, second, names, hinted_better, judge="agree")[0]) == text(first)
    assert merged("that runs on the Lynnox operating system.", "that runs on the Lennox operating system.",
                  names) == "that runs on the Lennox operating system."


def test_a_glossary_name_both_passes_wrote_keeps_the_plain_case_with_the_hinted_capital_beside_it() -> None:
    """"patience" (plain) and "Patience" (hinted) agree: the plain spelling stays, the capital goes beside it
    ("name_case") for post_ner to weigh against the sentence (held9-flite-circus); not for a word of no
    glossary name, nor where the plain pass wrote the capital too. It stays when the word after it is taken
    from the hinted pass (held9-real-skinny: "skinny, dotty." → "skinny, DAHDI.")."""
    names = ("Patience", "Hope")
    out, _ = merge(words("It, patience says I hope it holds."), words("It, Patience says I Hope it Holds."), names)
    assert text(out) == "It, patience says I hope it holds."
    assert [(w["word"], w.get("name_case")) for w in out if "name_case" in w] == [("patience", "Patience"),
                                                                                ("hope", "Hope")]
    out, _ = merge(words("monkeys, skinny, Castle."), words("monkeys, Skinny, Kessel."), ("Skinny", "Kessel"))
    assert text(out) == "monkeys, skinny, Kessel." and out[1].get("name_case") == "Skinny"
    out, _ = merge(words("It, Patience says."), words("It, Patience says."), names)
    assert not any("name_case" in w for w in out)


def timed(*spec: tuple[str, float, float, float]) -> list[dict[str, Any]]:
    return [{"word": w, "start": a, "end": b, "probability": p} for w, a, b, p in spec]


def test_a_name_word_written_unsure_over_a_word_heard_sure_is_replaced_by_it() -> None:
    """The confidence guard (the spoken non-glossary "Lake Orwell", times and probabilities as decoded):
    "Oriel." (p 0.02) where the plain pass heard "or well." (p 0.99) gives way to those words; the same name
    over unsure words, or written sure, is taken."""
    names = ("Lake Oriel", "Sergeant Hale")

    def plain(p: float) -> list[dict[str, Any]]:
        return timed(("we", 10.0, 10.5, 0.9), ("meet", 10.5, 10.98, 0.9), ("late", 10.98, 11.22, 0.54),
                     ("or", 11.22, 11.36, 0.42), ("well.", 11.36, 11.76, p))

    def hinted(p: float) -> list[dict[str, Any]]:
        return timed(("we", 10.0, 10.5, 0.9), ("meet", 10.5, 10.9, 0.9), ("at", 10.9, 11.0, 0.39),
                     ("Lake", 11.0, 11.24, 0.52), ("Oriel.", 11.24, 11.48, p))

    assert text(merge(plain(0.99), hinted(0.02), names)[0]) == "we meet at Lake or well."
    assert text(merge(plain(0.55), hinted(0.02), names)[0]) == "we meet at Lake Oriel."
    assert text(merge(plain(0.99), hinted(0.5), names)[0]) == "we meet at Lake Oriel."


def test_a_sure_plain_word_without_a_duration_proves_nothing() -> None:
    """held3-espeak-mill-slow: "lot" at p 0.98 over 5.6-5.6 s took the right "Ottway?" (p 0.01) away."""
    plain = timed(("call", 5.0, 5.3, 0.67), ("a", 5.3, 5.6, 0.57), ("lot", 5.6, 5.6, 0.98), ("with?", 5.6, 5.9, 0.41))
    hinted = timed(("call", 5.0, 5.3, 0.67), ("Ottway?", 5.3, 5.8, 0.01))
    assert text(merge(plain, hinted, ("Ottway",))[0]) == "call Ottway?"
    plain[2]["end"] = 5.7  # the same word placed in the audio: the guard holds
    assert text(merge(plain, hinted, ("Ottway",))[0]) == "call a lot with?"


def test_words_the_hinted_pass_wrote_are_marked() -> None:
    """Marked: taken from the hinted pass, or written by both passes (the hinted one chose them with the
    glossary in front of it: both wrote the spoken "Lake Harlow", which post_ner then made the glossary's
    "Lake Marlow"). Not marked: plain words kept where the passes disagree."""
    out, _ = merge(words("we sail to Port Castle now."), words("we sail to Port Kessel now."), NAMES)
    assert all(w.get("hinted") for w in out)
    out, _ = merge(words("he left for Lake Harlow today."), words("he left for Lake Harlow today."), ("Lake Marlow",))
    assert all(w.get("hinted") for w in out)
    out, _ = merge(words("Baker left for Lake Verna arrived."), words("Baker left for Lake Tessaly must arrive."),
                   NAMES)
    assert [w["word"] for w in out if not w.get("hinted")] == ["Verna", "arrived."]


def test_a_sentence_of_hinted_names_is_speech_where_the_plain_pass_heard_words() -> None:
    """held3-espeak-mill-slow: "Dunmere, Stock, Tagaine." came from the hinted pass at p 0.00-0.13 (a name's
    probability is the prompt's prior) and was dropped as unlikely speech, over plain words at p 0.3-0.9."""
    names = ("Dunmere", "Archer")
    first = spread("don't be a stop, takgein.", 0.0, 2.0)
    for w, p in zip(first, (0.69, 0.91, 0.92, 0.61, 0.27), strict=True):
        w["probability"] = p
    second = spread("Dunmere, Stock, Tagaine.", 0.0, 2.0)
    for w, p in zip(second, (0.0, 0.01, 0.13), strict=True):
        w["probability"] = p
    out, _ = merge(first, second, names)
    assert [s["text"] for s in sentences(out)] == ["Dunmere, Stock, Tagaine."]
    # the glossary prompt read back where the plain pass heard nothing is still dropped
    read_back = spread("Dunmere, Archer.", 5.0, 6.0)
    for w in read_back:
        w["probability"] = 0.04
    assert sentences(merge(first, second + read_back, names)[0])[1:] == []


def test_a_name_word_from_the_hinted_pass_carries_what_the_plain_pass_heard() -> None:
    """For the review list: "Shelby." came from the glossary where the plain pass heard "Selby." (post_ner
    lists it as asr's choice)."""
    out, _ = merge(words("They rode to Lake Selby."), words("They rode to Lake Tessaly."), ("Lake Tessaly",))
    assert [(w["word"], w["heard_plain"]) for w in out if "heard_plain" in w] == [("Tessaly.", "Selby.")]
    out, _ = merge(words("the boy is good."), words("the boy is well."), ("Lake Tessaly",))
    assert all("heard_plain" not in w for w in out)  # not a name: nothing to review


def test_the_merge_follows_the_settings_it_is_given() -> None:
    """bench/names_merge.py passes the alternatives as settings: each changes the merge, the stage's stay."""
    first, second = words("Baker left for Lake Verna arrived."), words("Baker left for Lake Tessaly must arrive.")
    assert text(merge(first, second, NAMES)[0]) == "Baker left for Lake Verna arrived."  # unheard: span plain
    word_by_word = replace(STAGE, invented="word")
    assert text(merge(first, second, NAMES, settings=word_by_word)[0]) == "Baker left for Lake Verna must arrive."
    taken = replace(STAGE, invented=None)  # no name guard
    assert text(merge(first, second, NAMES, settings=taken)[0]) == "Baker left for Lake Tessaly must arrive."
    numbers = words("to 410 cell now."), words("to Fort Anselm now.")
    assert text(merge(*numbers, ("Fort Anselm",))[0]) == "to Fort Anselm now."  # "four ten cell"
    as_written = replace(STAGE, spell_numbers=False)
    assert text(merge(*numbers, ("Fort Anselm",), settings=as_written)[0]) == "to 410 cell now."
    assert STAGE.acoustic == "agree" and STAGE.metric == "mean"


def test_each_disagreement_spells_out_its_glossary_names_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guards (unheard, doubted, marked, renamed) share the name parts of each opcode: one new_name_parts
    each, and one the other way (the names its plain words spell) where the hinted words bring one in."""
    calls: list[str] = []

    def counted(old: list[dict[str, Any]], new: list[dict[str, Any]], names: tuple[str, ...]) -> list[str]:
        calls.append(text(new))
        return new_name_parts(old, new, names)

    monkeypatch.setattr(asr_merge, "new_name_parts", counted)
    first = words("Baker left for Lake Verna arrived. we sail to Port Castle now.", 0.99)
    second = words("Baker left for Lake Tessaly must arrive. we sail to Port Kessel now.", 0.01)
    out, _ = merge(first, second, NAMES, settings=replace(STAGE, doubt="span", invented="word"))
    assert text(out) == "Baker left for Lake Verna arrived. we sail to Port Kessel now."  # Tessaly doubted
    assert sorted(calls) == ["Castle", "Kessel", "Tessaly must arrive.", "Verna arrived."]


def test_a_hinted_pass_that_derails_over_the_speech_loses_nothing() -> None:
    """A pass that derails stretches a word over the speech it skipped ("Zabelle" over 7.4-23.9 s, then
    nothing: held6-flite-forge-slow): that word counts for at most max_word_s of the time it covers."""
    plain = words("Who took the order? Zabble. Zabble promised thirty shoes by Thursday. The captain wants more.")
    hinted = words("Who took the order? Zabelle, Zabelle")
    hinted[5]["end"] = plain[-1]["end"]  # "Zabelle" stretched to the end of the speech, nothing after it
    kept = text(merge(plain, hinted, ("Zabelle", "Captain Vosk"))[0])
    assert kept.endswith("by Thursday. The captain wants more.")
    derailed = text(merge(plain, hinted, ("Zabelle", "Captain Vosk"), settings=replace(STAGE, max_word_s=None))[0])
    assert derailed.endswith("Zabelle, Zabelle")  # the whole stretch counted as covered: the rest was lost


def test_a_hinted_pass_that_reads_the_glossary_back_is_not_taken() -> None:
    """The prompt read back over speech it did not follow: a loop of glossary names, one three times or more
    (held6-espeak-forge-fast); a spoken list, or a name said twice, is taken."""
    names = ("Vosk", "Quenby", "Fort Calloway", "Zabelle", "Professor Halloran", "Mount Ketteridge")
    plain = "They will promise to party shoes by Thursday, captain must want to sit in more. 18 must will wait."
    loop = "Vosk, Vosk, Quenby, Fort Calloway, Vosk, Quenby, Fort Calloway, Zabelle."
    assert merged(plain, loop, names) == plain
    assert text(merge(words(plain), words(loop), names, settings=replace(STAGE, read_back=False))[0]) == loop
    stutter = "Professor Halloran, Halloran, Mount Ketteridge, will not open."
    assert merged("Profess her heart, Lauren. Her warm-on mode can't arrange well not open.", stutter, names) == \
        stutter
    assert asr_merge.reads_back(words(loop), frozenset({"vosk", "quenby", "fort", "calloway", "zabelle"}))
    assert not asr_merge.reads_back(words("Vosk, Quenby, Fort Calloway, Zabelle."),
                                    frozenset({"vosk", "quenby", "fort", "calloway", "zabelle"}))


def test_a_glossary_read_back_stays_plain_whatever_the_acoustics_say() -> None:
    """A loop over the glossary, longer than the plain words it replaces, stays plain even where the acoustics
    like it (each repeat is predictable), and the acoustics weigh the rest with it plain: the run the hinted pass
    left out after it is kept (held8-flite-caravan: "Bishop, Perpetua, Perpetua, ..." 34 times)."""
    import itertools

    names = ("Bishop", "Fort Ardagh", "Perpetua", "Sidi Barrak")
    plain = "Bishop, the caravan for her to go left at five without the water. Who gave the order? Cliff."
    loop = "Bishop, " + "Perpetua, " * 9 + "left at Sidi Barrak, Cliff."
    first, second = words(plain), words(loop)
    assert merged(plain, loop, names) == plain  # spelling alone
    aligned = asr_merge.align(first, second, names)
    spans = asr_merge.contested(aligned)
    texts = {text(asr_merge._assemble(aligned, set(chosen), STAGE)[0])
             for n in range(len(spans) + 1) for chosen in itertools.combinations(spans, n)}
    # the acoustics prefer any text with the loop, and then the left-out words back
    scores = {t: (10.0 * ((1.0 if "Perpetua" in t else -1.0) + (0.5 if "five without" in t else 0.0)), 10, 0.0)
              for t in texts}
    assert set(candidates(first, second, names, judge="agree")) <= set(scores)
    assert text(merge(first, second, names, scores, judge="agree")[0]) == plain
