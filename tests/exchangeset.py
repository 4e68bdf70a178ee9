"""The quick-exchange test set: two speakers, a one-word reply right after a question, in three voice families.

Each `Case` is generated at test time, deterministically: `make_clip(case, folder)` writes a 16 kHz mono WAV
and returns a `Clip` with every line's speaker, text and time. Every case holds quick exchanges (a question,
0.25-0.35 s of silence, a one-word reply) and a sentence the other speaker finishes after a short pause.
Families:

- `flite`: flite voice pairs, the asker up to 1.8 times faster than normal;
- `espeak`: espeak-ng variant pairs (male/female, accents);
- `real`: human recordings (tests/recordings.txt): a LibriVox reader's sentence answered by a short clip of
  another real speaker cut from the pocketsphinx test recordings (a conversation, card names, digits).

HELD-OUT part (`held_out=True`): its sentences and voice pairs are never used to choose a threshold or a
rule. Tune on the development part only; report both apart (bench/speakers.py does).

`cue_faults(cues, clip)` is the check: a cue whose words come from two speakers must be in the dialogue form
(a "- " line per speaker, one speaker per line); `exchange_results` says for each quick exchange whether the
reply was heard and kept apart from the question (its own cue, or its own dashed line).
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moviegen import RATE, normalise, silence, synthesise, trimmed_samples, write_wav
from nameset import recordings_archive

# (speaker, voice, text, silence before in seconds); for `real` the voice is a recording key of REAL_CLIPS
Line = tuple[str, str, str, float]

# recordings in the pocketsphinx source archive: (member, raw?, cut start, cut end, transcript)
REAL_CLIPS: dict[str, tuple[str, bool, float, float, str]] = {
    "0870": ("test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav", False, 0, 0,
             "And Mister John Dashwood had then leisure to consider how much there might be prudently in his"
             " power to do for them."),
    "0880": ("test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav", False, 0, 0,
             "He was not an ill disposed young man."),
    "0890": ("test/data/librivox/sense_and_sensibility_01_austen_64kb-0890.wav", False, 0, 0,
             "Unless to be rather cold hearted and rather selfish is to be ill disposed."),
    "0920": ("test/data/librivox/sense_and_sensibility_01_austen_64kb-0920.wav", False, 0, 0,
             "Had he married a more amiable woman he might have been made still more respectable than he was."),
    "0930": ("test/data/librivox/sense_and_sensibility_01_austen_64kb-0930.wav", False, 0, 0,
             "He might even have been made amiable himself."),
    "clubs": ("test/data/cards/001.wav", False, 0, 0, "Ten of clubs."),
    "two": ("test/data/tidigits/dhd.2934z.raw", True, 0.0, 0.5, "Two."),
    "something": ("test/data/something.raw", True, 0, 0, "Go somewhere and do something."),
    "forward": ("test/data/goforward.raw", True, 0, 0, "Go forward ten meters."),
}


@dataclass(frozen=True)
class Case:
    """One clip: its lines and its quick exchanges (a word of the question, the reply word)."""

    name: str
    family: str  # flite | espeak | real
    held_out: bool
    lines: tuple[Line, ...]
    exchanges: tuple[tuple[str, str], ...]
    rates: tuple[tuple[str, float], ...] = ()  # speaker → speaking rate (synthetic families)


@dataclass
class Clip:
    """A generated clip: the WAV and its truth, one (start, end, speaker, text) per line."""

    case: Case
    wav: Path
    lines: list[tuple[float, float, str, str]]


def _pair(lines: tuple[tuple[str, str, float], ...], voices: dict[str, str]) -> tuple[Line, ...]:
    return tuple((who, voices[who], text, gap) for who, text, gap in lines)


DEV_HARBOUR = (
    ("A", "We have to leave the harbour tonight before the storm closes the northern pass.", 0.0),
    ("A", "Are you ready?", 0.8),
    ("B", "Yes.", 0.3),
    ("A", "Then pack the medicine and the blankets, and meet me at the boat.", 1.0),
    ("B", "Is the boat safe?", 1.0),
    ("A", "No.", 0.3),
    ("A", "It leaks and the engine coughs, but it is the only way out of here now.", 1.0),
    ("B", "We could row to the island and", 1.0),
    ("A", "wait there until the morning comes.", 0.25),
)
DEV_HARBOUR_EXCHANGES = (("ready", "yes"), ("safe", "no"), ("island", "morning"))

DEV_GARDEN = (
    ("A", "The gardener says the roses will not survive another winter in this soil.", 0.0),
    ("B", "Did he water them?", 0.9),
    ("A", "Never.", 0.3),
    ("B", "Then we should move them to the greenhouse behind the old stables.", 1.0),
    ("A", "Can you carry them?", 1.0),
    ("B", "Sure.", 0.3),
    ("A", "I will bring the wheelbarrow and the gloves after lunch.", 1.0),
)
DEV_GARDEN_EXCHANGES = (("water", "never"), ("carry", "sure"))

HELD_STATION = (
    ("A", "The last train to the coast leaves at midnight from the eastern platform.", 0.0),
    ("A", "Do you have the tickets?", 0.8),
    ("B", "Yes.", 0.3),
    ("A", "Good, then keep them in your coat and do not speak to the conductor.", 1.0),
    ("B", "Is he dangerous?", 1.0),
    ("A", "Maybe.", 0.3),
    ("A", "He works for the colonel and he remembers every face he sees.", 1.0),
    ("B", "We could buy new papers in the village and", 1.0),
    ("A", "travel under other names.", 0.25),
)
HELD_STATION_EXCHANGES = (("tickets", "yes"), ("dangerous", "maybe"), ("village", "travel"))

HELD_KITCHEN = (
    ("A", "Somebody ate the whole cake that was cooling on the window sill.", 0.0),
    ("B", "Was it the dog?", 0.9),
    ("A", "No.", 0.35),
    ("B", "Then it was your brother, he always comes home hungry after football.", 1.0),
    ("A", "Will you tell mother?", 1.0),
    ("B", "Never.", 0.3),
    ("A", "Then I will bake another one before she comes back from town.", 1.0),
)
HELD_KITCHEN_EXCHANGES = (("dog", "no"), ("mother", "never"))

DEV_REAL = (
    ("A", "0870", "", 0.0),
    ("B", "forward", "", 0.3),
    ("A", "0880", "", 1.0),
    ("B", "clubs", "", 0.3),
    ("A", "0890", "", 1.0),
)
DEV_REAL_EXCHANGES = (("them", "forward"), ("man", "ten|10"))

HELD_REAL = (
    ("A", "0920", "", 0.0),
    ("B", "two", "", 0.3),
    ("A", "0930", "", 1.0),
    ("B", "something", "", 0.3),
)
HELD_REAL_EXCHANGES = (("respectable", "two|to|2"), ("himself", "something"))

CASES: tuple[Case, ...] = (
    # development
    Case("flite-harbour", "flite", False, _pair(DEV_HARBOUR, {"A": "rms", "B": "slt"}), DEV_HARBOUR_EXCHANGES,
         (("A", 1.8),)),
    Case("flite-garden", "flite", False, _pair(DEV_GARDEN, {"A": "awb", "B": "kal16"}), DEV_GARDEN_EXCHANGES,
         (("B", 1.4),)),
    Case("espeak-harbour", "espeak", False, _pair(DEV_HARBOUR, {"A": "en-gb", "B": "en-us+f3"}),
         DEV_HARBOUR_EXCHANGES, (("A", 1.8),)),
    Case("espeak-garden", "espeak", False, _pair(DEV_GARDEN, {"A": "en-gb-x-rp", "B": "en-us+f2"}),
         DEV_GARDEN_EXCHANGES, (("B", 1.4),)),
    Case("real-dashwood", "real", False, DEV_REAL, DEV_REAL_EXCHANGES),
    # held out
    Case("held-flite-station", "flite", True, _pair(HELD_STATION, {"A": "kal16", "B": "rms"}),
         HELD_STATION_EXCHANGES, (("A", 1.6),)),
    Case("held-flite-kitchen", "flite", True, _pair(HELD_KITCHEN, {"A": "slt", "B": "awb"}),
         HELD_KITCHEN_EXCHANGES, (("B", 1.5),)),
    Case("held-espeak-station", "espeak", True, _pair(HELD_STATION, {"A": "en-gb-scotland", "B": "en-029"}),
         HELD_STATION_EXCHANGES, (("A", 1.6),)),
    Case("held-espeak-kitchen", "espeak", True, _pair(HELD_KITCHEN, {"A": "en-us-nyc", "B": "en-gb+f4"}),
         HELD_KITCHEN_EXCHANGES, (("B", 1.5),)),
    Case("held-real-amiable", "real", True, HELD_REAL, HELD_REAL_EXCHANGES),
)


def case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def _recording(archive: Path, key: str, tmp: Path) -> tuple[Path, str]:
    """A real clip from the archive as a 16 kHz mono WAV (cut when the clip names a cut) and its text."""
    member, raw, cut_start, cut_end, text = REAL_CLIPS[key]
    with tarfile.open(archive) as tar:
        top = tar.getmembers()[0].name.split("/")[0]
        source = tmp / f"{key}.src"
        source.write_bytes(tar.extractfile(tar.getmember(f"{top}/{member}")).read())
    fmt = ["-f", "s16le", "-ar", str(RATE), "-ac", "1"] if raw else []
    cut = ["-ss", str(cut_start), "-to", str(cut_end)] if cut_end else []
    out = tmp / f"{key}.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *fmt, "-i", str(source), *cut, "-ac", "1",
                    "-ar", str(RATE), "-c:a", "pcm_s16le", str(out)], check=True, capture_output=True)
    return out, text


def make_clip(case: Case, folder: Path) -> Clip:
    """Generate `case` as `<folder>/<case.name>.wav`; deterministic for a given case."""
    folder.mkdir(parents=True, exist_ok=True)
    track, lines = silence(1.0), []
    rates = dict(case.rates)
    with tempfile.TemporaryDirectory(prefix="exchangeset-") as tmpdir:
        tmp = Path(tmpdir)
        archive = recordings_archive() if case.family == "real" else None
        for i, (who, voice, text, gap) in enumerate(case.lines):
            if archive is not None:
                wav, text = _recording(archive, voice, tmp)
            else:
                wav = tmp / f"line{i:03d}.wav"
                engine = "flite" if case.family == "flite" else "espeak-ng"
                synthesise(text, voice, engine, wav, rates.get(who, 1.0))
            track.extend(silence(gap))
            start = len(track) / RATE
            track.extend(trimmed_samples(wav))
            lines.append((round(start, 3), round(len(track) / RATE, 3), who, text))
        track.extend(silence(1.0))
        out = folder / f"{case.name}.wav"
        write_wav(out, track)
    return Clip(case, out, lines)


# --- the check ----------------------------------------------------------------------------------------
SLACK_S = 0.6  # a cue's words are looked for in the truth lines this close to its times


# words too common to tell a speaker by: a misheard "way out of here" → "way to deal out" must not make the
# row belong to the other speaker because only their line near it has "to"
FUNCTION_WORDS = frozenset(["a", "an", "the", "to", "of", "and", "or", "in", "on", "at", "by", "it", "is", "be", "for",
                            "with", "as", "but", "so"])


def _owners(words: list[str], start: float, end: float, lines: list[tuple[float, float, str, str]]) -> set[str]:
    """The speakers whose lines near [start, end] hold words of `words` that no other speaker there says
    (function words aside)."""
    near = [(who, set(normalise(text))) for s, e, who, text in lines if s - SLACK_S <= end and start <= e + SLACK_S]
    owners = set()
    for word in words:
        if word in FUNCTION_WORDS:
            continue
        speakers = {who for who, vocabulary in near if word in vocabulary}
        if len(speakers) == 1:
            owners |= speakers
    return owners


def cue_faults(cues: list[Any], lines: list[tuple[float, float, str, str]]) -> list[str]:
    """Cues that join two speakers' words without the dialogue form (srt.Subtitle-like: start, end, content)."""
    faults = []
    for cue in cues:
        start, end = cue.start.total_seconds(), cue.end.total_seconds()
        rows = cue.content.splitlines()
        dashed = [row.startswith("- ") for row in rows]
        if any(dashed):
            owners = [_owners(normalise(row), start, end, lines) for row in rows]
            if not all(dashed) or any(len(o) > 1 for o in owners) or (len(owners) == 2 and owners[0] == owners[1]
                                                                       and len(owners[0]) == 1):
                faults.append(cue.content)
        elif len(_owners(normalise(cue.content), start, end, lines)) > 1:
            faults.append(cue.content)
    return faults


def exchange_results(cues: list[Any], exchanges: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    """Per exchange: whether the reply word was heard, and whether it stands apart from the question.
    A reply may be given as spellings the recogniser uses: "two|to|2"."""
    results = []
    for question, replies in exchanges:
        heard, apart, reply = False, True, replies.split("|")[0]
        for cue in cues:
            rows = [normalise(row) for row in cue.content.splitlines()]
            found = [word for word in replies.split("|") if any(word in row for row in rows)]
            if not found:
                continue
            reply = found[0]
            heard = True
            if any(question in row for row in rows):
                dashed = all(row.startswith("- ") for row in cue.content.splitlines())
                apart = apart and dashed and not any(reply in row and question in row for row in rows)
        results.append({"question": question, "reply": reply, "heard": heard, "apart": heard and apart})
    return results


