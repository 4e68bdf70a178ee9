"""English subtitles from French dialogue: how much of the meaning the translate pass carries, development
script against held-out script (tests/french_scripts.py).

Each script is spoken by espeak-ng French (tests/moviegen.py), then the stage programs run on the host as
the pipeline chains them: silero_vad → asr (Whisper base, `--language fr --subtitle-languages fr,en`).
Printed per script: meaning concepts found in the English track, English and French function-word shares
of its words, the share of its words copied from the French track, and the French transcript beside it.

    PYTHONPATH=. .venv/bin/python bench/translate_quality.py [--json FILE]
    PYTHONPATH=. .venv/bin/python bench/translate_quality.py --apertium [--json FILE]

`--apertium` measures the Spanish track of English dialogue instead (tests/spanish_scripts.py): Apertium
eng-spa in srt_generation, once on the script's own text ("text": the translator alone) and once on what
the pipeline heard ("speech": flite → silero_vad → asr tiny.en → post_ner → srt_generation, on the host).
Printed per script and source: meaning concepts found, Spanish and English function-word shares, the share
of words copied from the English track. Needs apertium and its pairs on the host
(scripts/ensure-host-tools.sh test). Measured 2026-11-28 (Debian apertium 3.8.3, apertium-eng-spa 0.8.1):

script        source  concepts  Spanish share  English share  copied
development   text    21/23     0.357          0.0            0.0
development   speech  21/23     0.349          0.0            0.0
held-out      text    20/25     0.509          0.0            0.0
held-out      speech  20/25     0.509          0.0            0.019

The words carry over; the grammar is rule-based and clumsy where the tagger reads a verb as a noun
("Mis obras de hermano" for "My brother works", "Los sueños de gato" for "The cat sleeps"). The held-out
outputs were seen once in a probe before its key words were written (the probe translated all twelve
lines); "juego" (the noun "game" in "El juego de niños") was then left out of its play concept.

Measured 2026-11-28 (Whisper base int8, 2 cores, translate at temperature 0, no repeated 3-grams):

script        concepts   English share  French share  copied
development   1/21       0.475          0.00          0.025
held-out      2/25       0.371          0.00          0.00

The same as the end-to-end test's pipeline run of the development script (tests/test_e2e_translate.py,
in the images: 1/21, 0.475, 0.00, 0.025): the decoding is deterministic. With VAD segments from the
script's truth instead of silero the chunks differ: development 2/21, held-out 0/25. Whisper base
barely understands espeak-ng French (its French transcript of the development script begins "Mou, docteur,
êtes-vous des meilleurs?" for "Bonjour docteur, êtes-vous réveillé ?"), so these numbers measure the test
voice as much as the translation; no other French voice installs here (no mbrola, no SVOX pico).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import srt

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "stages" / "asr")]

import spanish_scripts  # noqa: E402
import stagechain  # noqa: E402
from french_scripts import HELD_OUT, TUNING, Line, scores, script  # noqa: E402
from moviegen import extract_wav, make_movie  # noqa: E402
from ship_base import ship  # noqa: E402
from stagechain import run_stage, vad  # noqa: E402


def measure(name: str, lines: tuple[Line, ...], work: Path, models: Path) -> dict[str, object]:
    """The scores of one script's English track, with both tracks' text."""
    folder = work / name
    make_movie(folder / "movie.mp4", script(lines), language="fr")
    audio = extract_wav(folder / "movie.mp4", folder / "audio.wav")
    segments = vad(audio, folder)
    out = folder / "asr"
    run_stage("asr", "--audio", audio, "--vad", segments, "--out", out, "--model", "base", "--model-dir", models,
              "--language", "fr", "--subtitle-languages", "fr,en")
    english = " ".join(s["text"] for s in json.loads((out / "translations.json").read_text())["languages"]["en"]
                       ["segments"])
    french = " ".join(s["text"] for s in json.loads((out / "transcript.json").read_text())["segments"])
    return {"script": name, **scores(lines, english, french), "english": english, "french": french}


def text_transcript(lines: tuple[Line, ...]) -> dict[str, object]:
    """The script as a transcript without word times: each line a segment, 14 characters a second."""
    segments, at = [], 1.0
    for _, text, gap, _ in lines:
        at += gap
        segments.append({"start": at, "end": at + len(text) / 14, "text": text})
        at += len(text) / 14 + 0.3
    return {"language": "en", "segments": segments}


def spanish_of(folder: Path, transcript: Path, entities: Path | None) -> tuple[str, str]:
    """(Spanish track, English track) of srt_generation with subtitle_languages en,es."""
    out = folder / "srt"
    extra = ["--entities", entities] if entities else []
    run_stage("srt_generation", "--transcript", transcript, "--out", out, "--language", "en",
              "--subtitle-languages", "en,es", *extra)
    return tuple(" ".join(c.content.replace("\n", " ") for c in srt.parse((out / f"subtitles.{lang}.srt")
                                                                          .read_text(encoding="utf-8")))
                 for lang in ("es", "en"))


def measure_apertium(name: str, lines: tuple[Line, ...], work: Path) -> list[dict[str, object]]:
    """The Spanish track's scores from the script's text and from the pipeline's hearing of its speech."""
    rows = []
    folder = work / name / "text"
    folder.mkdir(parents=True)
    (folder / "transcript.json").write_text(json.dumps(text_transcript(lines)))
    spanish, english = spanish_of(folder, folder / "transcript.json", None)
    rows.append({"script": name, "source": "text", **spanish_scripts.scores(lines, spanish, english),
                 "spanish": spanish, "english": english})
    folder = work / name / "speech"
    make_movie(folder / "movie.mp4", script(lines))
    audio = extract_wav(folder / "movie.mp4", folder / "audio.wav")
    stagechain.pipeline(audio, vad(audio, folder), folder, None)
    spanish, english = spanish_of(folder, folder / "post_ner-plain" / "transcript.json",
                                  folder / "post_ner-plain" / "entities.json")
    rows.append({"script": name, "source": "speech", **spanish_scripts.scores(lines, spanish, english),
                 "spanish": spanish, "english": english})
    return rows


def apertium_main(json_path: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="translate-bench-") as tmp:
        rows = [*measure_apertium("development", spanish_scripts.TUNING, Path(tmp)),
                *measure_apertium("held-out", spanish_scripts.HELD_OUT, Path(tmp))]
    print(f"{'script':12s}  {'source':7s} concepts  Spanish share  English share  copied")
    for r in rows:
        print(f"{r['script']:12s}  {r['source']:7s} {r['concepts']}/{r['of']:<6}  {r['spanish_share']:<13}  "
              f"{r['english_share']:<13}  {r['copied_share']}")
    for r in rows:
        print(f"\n{r['script']} ({r['source']})\n  ES: {r['spanish']}\n  EN: {r['english']}")
    if json_path:
        json_path.write_text(json.dumps(rows, indent=2, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--apertium", action="store_true", help="English dialogue, Spanish track (Apertium)")
    args = parser.parse_args()
    if args.apertium:
        apertium_main(args.json)
        return
    with tempfile.TemporaryDirectory(prefix="translate-bench-") as tmp:
        work = Path(tmp)
        models = work / "models"
        ship(models / "faster-whisper" / "base")
        rows = [measure("development", TUNING, work, models), measure("held-out", HELD_OUT, work, models)]
    print(f"{'script':12s}  concepts  English share  French share  copied")
    for r in rows:
        print(f"{r['script']:12s}  {r['concepts']}/{r['of']:<6}  {r['english_share']:<13}  {r['french_share']:<12}"
              f"  {r['copied_share']}")
    for r in rows:
        print(f"\n{r['script']}\n  EN: {r['english']}\n  FR: {r['french']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
