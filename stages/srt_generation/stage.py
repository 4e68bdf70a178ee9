"""srt_generation: subtitles.srt from word timestamps and speaker turns; quality.json (hard problems fail the
stage, style bends are listed), review.json (the spots an editor should check) and speakers.json (who
speaks when, with the names of the optional speakers file)."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import srt
from reelstage_stage import (
    BadInput,
    StageError,
    emit_info,
    emit_note,
    run_stage,
    write_json_atomic,
    write_text_atomic,
)
from srtgen.apertium import PAIRS, TranslateError, names_of, translated_doc
from srtgen.build import assign_speakers, words_from_transcript
from srtgen.check import quality
from srtgen.gaps import TrackMissing, with_gaps
from srtgen.model import Cue, Limits, Word
from srtgen.review import REVIEW_CAP, review
from srtgen.shape import build_cues
from srtgen.speakers import read_names, timeline

DEFAULT_FPS = 25.0


def read_json(path: Path | None, what: str, required: bool) -> dict[str, Any] | None:
    """A JSON object from `path`; BadInput if required and missing, or not JSON."""
    if path is None or not path.is_file():
        if required:
            raise BadInput(f"{what} not found: {path}: run the stage that writes it first")
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise BadInput(f"{what} {path} is not valid JSON: rerun the stage that writes it") from None
    if not isinstance(data, dict):
        raise BadInput(f"{what} {path} is not a JSON object: rerun the stage that writes it")
    return data


def check_limits(args: argparse.Namespace) -> None:
    """BadInput naming the parameter when a subtitle rule makes no sense."""
    problems = [
        ("max_chars_per_line", args.max_chars, args.max_chars >= 10, "a whole number of at least 10 (e.g. 42)"),
        ("max_lines", args.max_lines, 1 <= args.max_lines <= 4, "1 to 4 (e.g. 2)"),
        ("max_cps", args.max_cps, args.max_cps > 0, "characters per second above 0 (e.g. 20, 17 for children)"),
        ("min_duration_s", args.min_duration, args.min_duration >= 0, "seconds, 0 or more (e.g. 0.833)"),
        ("max_duration_s", args.max_duration, args.max_duration > max(args.min_duration, 0),
         "seconds, more than min_duration_s (e.g. 7)"),
    ]
    for name, value, ok, allowed in problems:
        if not ok:
            raise BadInput(f"--set {name}={value:g} is not allowed: give {allowed}")


def no_dialogue(transcript: dict[str, Any]) -> str:
    """The message for a movie without words, naming the cause when the transcript tells it."""
    spans = transcript.get("chunks")
    if isinstance(spans, list) and spans:
        seconds = sum(float(c.get("end", 0)) - float(c.get("start", 0)) for c in spans if isinstance(c, dict))
        cause = f"the recogniser heard no words in the {seconds:.0f} s that sounded like voice (music only?)"
    elif isinstance(spans, list):
        cause = "the voice detector found no speech (silence or music only)"
    else:
        cause = "the transcript has no words"
    return f"no dialogue found: {cause}, so there is nothing to subtitle"


def to_subtitles(cues: list[Cue]) -> list[srt.Subtitle]:
    """srt.Subtitle objects, numbered from 1, parsed back from the composed text as a reader would."""
    subs = [srt.Subtitle(k, timedelta(milliseconds=c.start_ms), timedelta(milliseconds=c.end_ms),
                         "\n".join(c.lines)) for k, c in enumerate(cues, 1)]
    return list(srt.parse(srt.compose(subs, reindex=True)))


Track = tuple[list[Cue], list[srt.Subtitle], dict[str, Any]]


def shape_track(words: list[Word], turns: list[dict[str, Any]], limits: Limits, duration_ms: int | None,
                estimated: int) -> Track:
    """One language's cues, subtitles and quality report: speakers from the turns, the same shaping rules."""
    assign_speakers(words, turns)
    cues = build_cues(words, limits, duration_ms)
    subs = to_subtitles(cues)
    report = quality(subs, limits, {"words": len(words), "estimated_segments": estimated,
                                    "merged_cues": sum("merged" in c.notes for c in cues),
                                    "solved_cues": sum("solved" in c.notes for c in cues),
                                    "early_starts": sum(c.start_ms < round(c.words[0].start * 1000) for c in cues)},
                     least=[c.least for c in cues])
    return cues, subs, report


def track_languages(args: argparse.Namespace, transcript: dict[str, Any]) -> tuple[str, list[str]]:
    """(dialogue language, subtitle languages in order): the first subtitle language is the default track."""
    dialogue = args.language.strip().lower()
    if dialogue in ("", "auto"):
        dialogue = str(transcript.get("language") or "und").lower()
    wanted = list(dict.fromkeys(v.strip().lower() for v in args.subtitle_languages.split(",") if v.strip()))
    return dialogue, wanted or [dialogue]


def translation_of(lang: str, dialogue: str, translations: dict[str, Any], words: list[Word],
                   names: list[str]) -> dict[str, Any]:
    """The `lang` translation of the dialogue, transcript-shaped: asr's (Whisper's translate task) when it
    wrote one, else Apertium's from the dialogue's sentences; BadInput when neither can give it."""
    doc = (translations.get("languages") or {}).get(lang)
    if isinstance(doc, dict):
        return doc
    mode = PAIRS.get((dialogue, lang))
    if mode is None:
        raise BadInput(f"no {lang} translation of the {dialogue} dialogue in asr's translations.json and no "
                       f"Apertium pair {dialogue}→{lang}: rerun asr with subtitle_languages including {lang}")
    try:
        return translated_doc(words, mode, names)
    except TranslateError as exc:
        raise TrackMissing(lang, "translation_failed", str(exc)) from None


def translated_track(lang: str, dialogue: str, doc: dict[str, Any], turns: list[dict[str, Any]],
                     limits: Limits, duration_ms: int | None) -> Track:
    """A subtitle track from a translation into `lang` (approximate word times, same shaping rules)."""
    words, estimated = words_from_transcript(doc)
    if not words:
        hint = ("try a larger multilingual model (--set asr_model=...)" if "engine" not in doc
                else f"{doc['engine']} gave no text back")
        raise TrackMissing(lang, "translation_empty", f"the {lang} translation of the {dialogue} dialogue came out "
                           f"empty: {hint}")
    return shape_track(words, turns, limits, duration_ms, estimated)


def track_summary(report: dict[str, Any]) -> dict[str, Any]:
    """The per-language part of quality.json."""
    return {k: report[k] for k in ("cues", "total_violations", "hard_violations", "bent_cues") if k in report}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="srt_generation", description=__doc__)
    parser.add_argument("--transcript", required=True, type=Path)
    parser.add_argument("--turns", type=Path)
    parser.add_argument("--media", type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--max-chars", type=int, default=42)
    parser.add_argument("--max-lines", type=int, default=2)
    parser.add_argument("--max-cps", type=float, default=20.0)
    parser.add_argument("--min-duration", type=float, default=0.833)
    parser.add_argument("--max-duration", type=float, default=7.0)
    parser.add_argument("--entities", type=Path, help="entities.json of post_ner (its name corrections)")
    parser.add_argument("--speakers", type=Path, help="optional file: diarization label → name")
    parser.add_argument("--review-cap", type=int, default=REVIEW_CAP)
    parser.add_argument("--language", default="", help="the dialogue language (auto/empty: the transcript's)")
    parser.add_argument("--subtitle-languages", default="", help="comma-separated; empty: the dialogue language")
    parser.add_argument("--translations", type=Path, help="translations.json of asr (other subtitle languages)")
    args = parser.parse_args(argv)

    check_limits(args)
    transcript = read_json(args.transcript, "transcript", required=True) or {}
    turns = read_json(args.turns, "speaker turns", required=False) or {}
    media = read_json(args.media, "media description", required=False) or {}
    fps = float(media.get("fps") or 0) or DEFAULT_FPS
    if not media.get("fps"):
        emit_note(f"no frame rate in media.json: gaps use {DEFAULT_FPS:g} fps")
    if not turns.get("turns"):
        emit_note("no speaker turns: no dialogue hyphens")
    limits = Limits(args.max_chars, args.max_lines, args.max_cps, args.min_duration, args.max_duration, fps)

    entities = read_json(args.entities, "post_ner entities", required=False) or {}
    try:
        names = read_names(args.speakers)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInput(f"speakers file: {exc}: give one 'SPEAKER_00: Name' per line") from None
    dialogue, wanted = track_languages(args, transcript)
    words, estimated = words_from_transcript(transcript)
    if not words:
        raise BadInput(no_dialogue(transcript))
    if estimated:
        emit_note(f"{estimated} segments had no word times: their words were spread evenly")
    duration = float(media.get("duration") or 0)
    duration_ms = round(duration * 1000) if duration > 0 else None
    turn_list = turns.get("turns") or []
    main_track = shape_track(words, turn_list, limits, duration_ms, estimated)
    translations = read_json(args.translations, "translations", required=False) or {}
    tracks: dict[str, Track] = {}
    gaps: list[TrackMissing] = []
    for lang in wanted:
        try:
            tracks[lang] = main_track if lang == dialogue else translated_track(
                lang, dialogue, translation_of(lang, dialogue, translations, words, names_of(entities)),
                turn_list, limits, duration_ms)
        except TrackMissing as gap:
            gaps.append(gap)
            emit_note(gap.note())
    if not tracks:  # never nothing: the dialogue's own subtitles rather than none
        tracks[dialogue] = main_track
        emit_note(f"none of the subtitle languages {', '.join(wanted)} could be made: "
                  f"delivered the {dialogue} (dialogue) subtitles instead")
    first = next(iter(tracks))

    cues, _, report = main_track
    report = {**report, "dialogue_language": dialogue,
              "tracks": {lang: track_summary(t[2]) for lang, t in tracks.items()},
              "hard_violations": sum(t[2]["hard_violations"] for t in tracks.values()),
              "missing_tracks": [{"language": g.lang, "reason": g.reason} for g in gaps]}
    spots = with_gaps(review(cues, report["bends"], list(entities.get("corrections") or []), limits,
                             args.review_cap), gaps)
    args.out.mkdir(parents=True, exist_ok=True)
    for lang, (_, lang_subs, _) in tracks.items():
        write_text_atomic(args.out / f"subtitles.{lang}.srt", srt.compose(lang_subs))
    write_text_atomic(args.out / "subtitles.srt", srt.compose(tracks[first][1]))
    write_json_atomic(args.out / "quality.json", report)
    write_json_atomic(args.out / "review.json", spots)
    write_json_atomic(args.out / "speakers.json", timeline(words, names))
    emit_info(cues=report["cues"], bends=report["total_violations"], review_spots=spots["listed"],
              subtitle_languages=list(tracks), missing_subtitle_languages=[g.lang for g in gaps])
    for lang, (_, _, lang_report) in tracks.items():
        if lang_report["hard_violations"]:
            first = lang_report["hard_problems"][0]
            raise StageError(f"the {lang} subtitles came out broken ({lang_report['hard_violations']} problems, "
                             f"first: cue {first['cue']} {first['problem']}): a bug in srt_generation, "
                             "please report it")
    if report["total_violations"]:
        worst = report["worst_bend"]
        emit_note(f"{report['bent_cues']} cue(s) bend a subtitle rule where the speech is too fast or too short "
                  f"for any cue within the rules (worst: cue {worst['cue']} at {worst['start']:.1f} s, "
                  f"{worst['rule']} {worst['value']:g} against {worst['limit']:g}): listed in review.json")

if __name__ == "__main__":
    run_stage(main)
