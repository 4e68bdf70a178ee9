"""English subtitles from French dialogue: how much of the meaning the translate pass carries, development
script against held-out script (tests/french_scripts.py).

Each script is spoken by espeak-ng French (tests/moviegen.py), then the stage programs run on the host as
the pipeline chains them: silero_vad → asr (Whisper base, `--language fr --subtitle-languages fr,en`).
Printed per script: meaning concepts found in the English track, English and French function-word shares
of its words, the share of its words copied from the French track, and the French transcript beside it.

    PYTHONPATH=. .venv/bin/python bench/translate_quality.py [--json FILE]

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

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "stages" / "asr")]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
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
