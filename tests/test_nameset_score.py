"""nameset.name_score counts a glossary name right only where it was said (pure logic, no audio)."""

from __future__ import annotations

import nameset

REFERENCE = "Gale, Gale! The gale last night tore the roof. Ask Captain Tjalsma to send hay."
GLOSSARY = ("Gale", "Captain Tjalsma", "Tjalsma", "Fort Brendale")


def test_names_where_they_were_said_are_right() -> None:
    assert nameset.name_score(REFERENCE, REFERENCE, GLOSSARY) == (4, 4, 0)
    lowercase = "gale gale the gale last night tore the roof ask captain"
    assert nameset.name_score(REFERENCE, lowercase, GLOSSARY) == (4, 0, 0)


def test_a_name_written_for_the_common_word_is_invented() -> None:
    """One spoken Gale is lost, and "the gale" gets a capital: counting occurrences called both Gales right."""
    hypothesis = "Gale, Dale! The Gale last night tore the roof. Ask Captain Tjalsma to send hay."
    assert nameset.name_score(REFERENCE, hypothesis, GLOSSARY) == (4, 3, 1)


def test_a_read_back_loop_earns_one_name_per_place() -> None:
    """A loop reading the glossary back after "Tjalsma", where no Gale was said: the Gales were said elsewhere and
    lost there, so none is right (counting occurrences called two right)."""
    hypothesis = "Dale, Dale! The gale last night tore the roof. Ask Captain Tjalsma, Gale, Gale, Gale."
    assert nameset.name_score(REFERENCE, hypothesis, GLOSSARY) == (4, 2, 3)


def test_a_name_moved_to_another_place_is_invented_not_right() -> None:
    """The count matches (one Tjalsma each) but it stands where "roof" was said: the old count called it right."""
    hypothesis = "Gale, Gale! The gale last night tore the Tjalsma. Ask Captain to send hay."
    assert nameset.name_score(REFERENCE, hypothesis, GLOSSARY) == (4, 2, 1)


def test_a_misheard_neighbour_still_lets_the_name_stand_in_its_place() -> None:
    """A substituted word beside the name keeps the alignment: "Dale, Gale" gets the second Gale."""
    assert nameset.name_score(REFERENCE, "Dale, Gale! The gale last night.", GLOSSARY) == (4, 1, 0)


def test_aligned_words_pairs_kept_and_substituted_words() -> None:
    assert nameset.aligned_words(["a", "b", "c"], ["a", "x", "c"]) == {0: 0, 1: 1, 2: 2}
    assert nameset.aligned_words(["a", "b", "c"], ["a", "c"]) == {0: 0, 1: 2}
    assert nameset.aligned_words(["a", "c"], ["a", "b", "c"]) == {0: 0, 2: 1}
