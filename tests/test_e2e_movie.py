"""The default movie pipeline end to end through `reelstage run`, on a generated two-voice movie."""

from __future__ import annotations

import json
import subprocess

import pytest
import srt
from moviegen import MovieTruth, make_movie, make_no_audio_video, make_text_file_named_mp4, normalise, wer
from reelstage_cli import reelstage

STAGES = ["demux", "tmdb", "pre_ner", "silero_vad", "pyannote_vad", "diarization", "asr", "post_ner",
          "srt_generation", "mux"]
# Whisper tiny.en (int8, CPU) with the glossary as hints on flite speech: measured 0.03-0.08 on this
# script; 0.15 leaves room for run-to-run variation while still failing on a broken chain.
WER_BOUND = 0.15

pytestmark = [pytest.mark.docker, pytest.mark.images, pytest.mark.slow]


@pytest.fixture(scope="module")
def movie_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("e2e")
    movie = root / "Captain's \"Storm\" Night.mp4"
    truth = make_movie(movie)
    glossary = root / "names.txt"
    glossary.write_text("\n".join(truth.glossary) + "\n")
    workdir = root / "work"
    args = ("run", str(movie), "--workdir", str(workdir), "--file", f"glossary={glossary}",
            "--progress-interval", "5")
    first = reelstage(*args)
    second = reelstage(*args)
    return {"root": root, "movie": movie, "truth": truth, "workdir": workdir, "first": first, "second": second}


def test_pipeline_completes_with_optional_stages_skipped(movie_run):
    res = movie_run["first"]
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    m = json.loads((movie_run["workdir"] / "manifest.json").read_text())
    assert m["pipeline"]["status"] == "completed"
    assert m["pipeline"]["completed_stages"] == STAGES
    assert m["stages"]["tmdb"]["status"] == "skipped"
    assert any("TMDB_API_KEY" in n for n in m["stages"]["tmdb"]["notes"])
    assert m["stages"]["pyannote_vad"]["status"] == "skipped"
    assert any("HF token not found" in n for n in m["stages"]["pyannote_vad"]["notes"])
    assert m["stages"]["asr"]["info"].get("engine") and m["stages"]["asr"]["info"].get("model")


def _cues(movie_run) -> list[srt.Subtitle]:
    path = movie_run["workdir"] / "Captain's \"Storm\" Night.en.srt"
    return list(srt.parse(path.read_text(encoding="utf-8")))


def test_subtitles_are_valid_readable_and_accurate(movie_run):
    truth: MovieTruth = movie_run["truth"]
    cues = _cues(movie_run)
    assert cues and [c.index for c in cues] == list(range(1, len(cues) + 1))
    quality = json.loads((movie_run["workdir"] / "09_srt_generation" / "quality.json").read_text())
    assert quality["total_violations"] == 0, quality
    for cue in cues:
        lines = cue.content.splitlines()
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), cue
    text = " ".join(c.content.replace("\n", " ").lstrip("- ") for c in cues).replace("\n- ", " ")
    score = wer(truth.text, text.replace("- ", " "))
    print(f"WER {score:.3f} over {len(normalise(truth.text))} words")
    assert score <= WER_BOUND, (score, text)
    for name in truth.glossary:  # spelled exactly as the glossary has them
        assert name in text, (name, text)
    first_line = truth.lines[0]
    assert abs(cues[0].start.total_seconds() - first_line.start) < 0.5


def test_two_speakers_are_attributed(movie_run):
    truth: MovieTruth = movie_run["truth"]
    turns = json.loads((movie_run["workdir"] / "06_diarization" / "turns.json").read_text())
    assert len(turns["speakers"]) == 2
    mapping: dict[str, dict[str, float]] = {}
    for line in truth.lines:
        for turn in turns["turns"]:
            overlap = min(line.end, turn["end"]) - max(line.start, turn["start"])
            if overlap > 0:
                mapping.setdefault(line.speaker, {}).setdefault(turn["speaker"], 0.0)
                mapping[line.speaker][turn["speaker"]] += overlap
    best = {spk: max(votes, key=votes.get) for spk, votes in mapping.items()}
    assert len(set(best.values())) == 2, mapping  # each character has a label of their own
    agree = sum(mapping[s][best[s]] for s in mapping) / sum(sum(v.values()) for v in mapping.values())
    assert agree >= 0.9, mapping


def test_subtitled_movie_keeps_streams_and_adds_subtitles(movie_run):
    out = movie_run["workdir"] / "Captain's \"Storm\" Night.subtitled.mp4"
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(out)],
        capture_output=True, text=True, check=True).stdout)
    kinds = [s["codec_type"] for s in probe["streams"]]
    assert kinds.count("video") == 1 and kinds.count("audio") == 1 and kinds.count("subtitle") == 1
    sub = next(s for s in probe["streams"] if s["codec_type"] == "subtitle")
    assert sub["codec_name"] == "mov_text" and sub["tags"]["language"] == "eng"
    assert abs(float(probe["format"]["duration"]) - movie_run["truth"].duration_s) < 0.5


def test_rerun_skips_every_stage(movie_run):
    res = movie_run["second"]
    assert res.returncode == 0, res.stderr
    for i, name in enumerate(STAGES, 1):
        assert f"STAGE {i}/10: {name} - skip" in res.stdout, res.stdout


@pytest.mark.parametrize("kind", ["text", "no-audio", "missing"])
def test_bad_inputs_end_with_a_clear_error_and_exit_2(tmp_path, kind):
    if kind == "text":
        bad = make_text_file_named_mp4(tmp_path / "not a movie.mp4")
        expect = "not a media file"
    elif kind == "no-audio":
        bad = make_no_audio_video(tmp_path / "silent film.mp4")
        expect = "no audio stream"
    else:
        bad = tmp_path / "it's a \"missing\" file.mp4"
        expect = "input not found"
    res = reelstage("run", str(bad), "--workdir", str(tmp_path / "work"), timeout=600)
    assert res.returncode == 2, res.stdout + res.stderr
    assert expect in res.stderr
    assert "Traceback" not in res.stderr
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("reelstage: ") and expect in last
