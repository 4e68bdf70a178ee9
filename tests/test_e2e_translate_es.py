"""Spanish subtitles for English dialogue through Apertium, end to end (issue 9 item 5): an English movie
with a known script through `reelstage run --set subtitle_languages=en,es`.

Two SRTs are published and muxed as two tagged tracks (English the default); the Spanish one is Apertium's
eng-spa translation of the post_ner-corrected transcript's sentences (srt_generation), timed by them.
The test runs the development script (tests/spanish_scripts.py TUNING) and asserts what its runs support:
the track is Spanish (function words), not English, not a copy of the English track, and most of the
script's meaning came through. The held-out script is measured apart: bench/translate_quality.py --apertium.
"""

from __future__ import annotations

import pytest
from french_scripts import script
from reelstage_cli import reelstage
from spanish_scripts import TUNING, scores
from translated_run import assert_two_tagged_tracks, cues, text, translated_run

STEM = "The harbour"
# chosen on the development script's pipeline run (flite voices, tiny.en, deterministic): Spanish function
# words 0.349 of the Spanish track's words, English ones 0.0, words of the English track 0.0, 21 of 23
# meaning concepts. Held-out, for the record (bench/translate_quality.py --apertium): 20/25, Spanish 0.509
MIN_SPANISH_SHARE = 0.3
MAX_ENGLISH_SHARE = 0.05
MAX_COPIED_SHARE = 0.15
MIN_CONCEPTS = 16

pytestmark = [pytest.mark.docker, pytest.mark.images, pytest.mark.slow]


@pytest.fixture(scope="module")
def english_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return translated_run(tmp_path_factory.mktemp("english"), STEM, script(TUNING), "en", "subtitle_languages=en,es")


def test_two_srts_and_two_tagged_tracks(english_run: dict) -> None:
    assert_two_tagged_tracks(english_run, STEM, ("en", "es"), ("eng", "spa"))


def test_the_spanish_track_is_a_translation_timed_by_the_english(english_run: dict) -> None:
    assert english_run["res"].returncode == 0
    spanish_cues, english_cues = (cues(english_run["workdir"] / f"{STEM}.{lang}.srt") for lang in ("es", "en"))
    spanish, english = text(spanish_cues), text(english_cues)
    got = scores(TUNING, spanish, english)
    print(f"development script: {got}; run {english_run['seconds']:.0f} s\nES: {spanish}\nEN: {english}")
    assert got["spanish_share"] >= MIN_SPANISH_SHARE and got["english_share"] <= MAX_ENGLISH_SHARE, got
    assert got["copied_share"] <= MAX_COPIED_SHARE, got  # not the English track again
    assert got["concepts"] >= MIN_CONCEPTS, got
    # the Spanish cues start where English sentences start (same words, same times)
    english_starts = {c.start for c in english_cues}
    assert sum(c.start in english_starts for c in spanish_cues) >= len(spanish_cues) - 1


def test_a_language_no_pair_gives_for_english_fails_before_anything_runs(english_run: dict) -> None:
    res = reelstage("run", str(english_run["movie"]), "--workdir", str(english_run["workdir"]),
                    "--set", "subtitle_languages=en,fr")
    assert res.returncode == 2, res.stdout[-2000:] + res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--set subtitle_languages=en,fr: fr cannot be produced" in lines[0], res.stderr
    assert "allowed here: en, es, ca" in lines[0] and "STAGE" not in res.stdout
