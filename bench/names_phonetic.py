"""A phonetic check of the glossary names asr takes from its hinted pass: does pocketsphinx's acoustic model
tell a spoken sound-alike ("Selby" said, "Shelby" in the glossary) from a right name? (Measured, not in the
stage.)

For every glossary-name word the stage's merge takes over other plain words on the names test set's
development part (replayed on bench/names_merge.py's cached decodes, as bench/names_veto.py does), the word is
located by aligning the words around it with pocketsphinx 5.1.1's en-us model (pronunciations from espeak-ng's
IPA, mapped to ARPABET), then three measures are taken on its segment:

- `neighbour`: the best of the name's one-phone neighbours (every phone substituted or dropped, in one
  grammar) against the name itself, log acoustic score per frame: a sound-alike should fit better;
- `gop`: the name forced on the segment against a free phone loop, per frame (goodness of pronunciation);
- `loop`: the phone loop's edit distance to the name minus its distance to the plain words, per phone.

Prints, per measure, how many right names a veto would remove for each number of unspoken names it removes.

    PYTHONPATH=. .venv/bin/python bench/names_merge.py --pad 1.0     # first, to fill the cache
    .venv/bin/pip install pocketsphinx==5.1.1                        # not a stage dependency
    PYTHONPATH=. .venv/bin/python bench/names_phonetic.py [--cache /tmp/bench-names-merge]

Measured 2026-11-28 (stop 15) on the development part with held5: 129 name words taken over plain words (titles
left out), 104 located by the alignment, 8 of them unspoken. Right names removed along with the 1st, 2nd, ...
8th unspoken one, each measure's most doubtful first:

neighbour  1/9 2/47 3/71 4/76 5/83 6/86 7/93 8/94
gop        1/19 2/25 3/25 4/34 5/41 6/47 7/69 8/88
loop       1/4 2/6 3/14 4/14 5/31 6/34 7/37 8/40

No separation: to remove even half the unspoken names each measure removes more right names than that.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "bench"), str(REPO / "tests"), *(str(REPO / "stages" / s) for s in ("common", "asr"))]
import nameset  # noqa: E402
from names_veto import PAD, taken_words  # noqa: E402

IPA = (("tʃ", "CH"), ("dʒ", "JH"), ("eɪ", "EY"), ("aɪ", "AY"), ("ɔɪ", "OY"), ("aʊ", "AW"), ("oʊ", "OW"),
       ("əʊ", "OW"), ("ɜː", "ER"), ("ɑːɹ", "AA R"), ("ɑː", "AA"), ("ɔːɹ", "AO R"), ("ɔː", "AO"), ("iə", "IY AH"),
       ("iː", "IY"), ("uː", "UW"), ("ɪə", "IH R"), ("eə", "EH R"), ("ʊə", "UH R"), ("ɚ", "ER"), ("ɝ", "ER"),
       ("p", "P"), ("b", "B"), ("t", "T"), ("d", "D"), ("k", "K"), ("ɡ", "G"), ("g", "G"), ("f", "F"), ("v", "V"),
       ("θ", "TH"), ("ð", "DH"), ("s", "S"), ("z", "Z"), ("ʃ", "SH"), ("ʒ", "ZH"), ("h", "HH"), ("m", "M"),
       ("n", "N"), ("ŋ", "NG"), ("l", "L"), ("ɹ", "R"), ("r", "R"), ("w", "W"), ("j", "Y"), ("i", "IY"),
       ("ɪ", "IH"), ("e", "EH"), ("ɛ", "EH"), ("æ", "AE"), ("a", "AE"), ("ɑ", "AA"), ("ɒ", "AA"), ("ɔ", "AO"),
       ("o", "OW"), ("ʊ", "UH"), ("u", "UW"), ("ʌ", "AH"), ("ə", "AH"), ("ɐ", "AH"), ("ᵻ", "IH"), ("ɾ", "T"),
       ("ɬ", "L"), ("x", "K"), ("ç", "HH"), ("y", "UW"))
PHONES = ("AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY", "JH",
          "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH")
TITLES = {"Lake", "Captain", "Fort", "Doctor", "Dr", "Miss", "Mount", "Sister", "Nurse", "Brother", "Inspector",
          "Professor", "Sergeant", "Madame", "Lady", "Court", "Mr", "Camp"}


@cache
def phones(word: str) -> tuple[str, ...]:
    """ARPABET phones of `word` as espeak-ng (en-us) says it."""
    ipa = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us", word], capture_output=True, text=True,
                         check=True).stdout
    ipa = re.sub(r"[ˈˌ\s\-_.]", "", ipa)
    out: list[str] = []
    i = 0
    while i < len(ipa):
        for sound, arpabet in IPA:
            if ipa.startswith(sound, i):
                out += arpabet.split()
                i += len(sound)
                break
        else:
            i += 1
    return tuple(out)


class Sphinx:
    """pocketsphinx decoders on 16 kHz PCM, with wide beams (the defaults prune alignments on these voices)."""

    def __init__(self) -> None:
        import pocketsphinx
        self.ps = pocketsphinx
        self.model = pocketsphinx.get_model_path()

    def decoder(self, **extra: Any) -> Any:
        config = self.ps.Config()
        settings = {"hmm": f"{self.model}/en-us/en-us", "dict": f"{self.model}/en-us/cmudict-en-us.dict",
                    "lm": None, "loglevel": "FATAL", "beam": 1e-80, "wbeam": 1e-60, "pbeam": 1e-80, **extra}
        for key, value in settings.items():
            config[key] = value
        return self.ps.Decoder(config)

    @staticmethod
    def run(decoder: Any, pcm: bytes) -> list[Any]:
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        return list(decoder.seg() or [])

    def align(self, words: list[tuple[str, ...]], pcm: bytes) -> list[Any]:
        decoder = self.decoder()
        for i, said in enumerate(words):
            decoder.add_word(f"w{i}", " ".join(said), True)
        decoder.set_align_text(" ".join(f"w{i}" for i in range(len(words))))
        return [s for s in self.run(decoder, pcm) if s.word.startswith("w")]

    def best_of(self, choices: list[tuple[str, ...]], pcm: bytes) -> Any:
        decoder = self.decoder()
        for i, said in enumerate(choices):
            decoder.add_word(f"c{i}", " ".join(said), i == len(choices) - 1)
        grammar = " | ".join(f"c{i}" for i in range(len(choices)))
        decoder.add_jsgf_string("g", f"#JSGF V1.0;\ngrammar g;\npublic <s> = {grammar};\n")
        decoder.activate_search("g")
        found = [s for s in self.run(decoder, pcm) if s.word.startswith("c")]
        return found[0] if found else None

    def phone_loop(self, pcm: bytes) -> list[Any]:
        return self.run(self.decoder(allphone=f"{self.model}/en-us/en-us-phone.lm.bin", lw=2.0), pcm)


def log_score(segments: list[Any]) -> float:
    return sum(math.log(max(s.ascore, 1e-300)) for s in segments)


def neighbours(said: tuple[str, ...]) -> list[tuple[str, ...]]:
    """`said` first, then every phone of it substituted by another, or dropped."""
    out = [said]
    for i in range(len(said)):
        out += [(*said[:i], p, *said[i + 1:]) for p in PHONES if p != said[i]]
        if len(said) > 2:
            out.append(said[:i] + said[i + 1:])
    return out


def edit_distance(a: list[str], b: list[str]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]


def letters(word: str) -> str:
    return re.sub(r"[^A-Za-z']", "", word)


def measures(sphinx: Sphinx, pcm: bytes, before: str, name: str, after: str, plain: str) -> dict[str, float] | None:
    """The three measures of the name word `name` (said between `before` and `after`) in `pcm`, or None if the
    alignment does not reach it."""
    words = [w for w in (before, name, after) if w]
    located = {s.word: s for s in sphinx.align([phones(w) for w in words], pcm)}  # may stop short of the end
    word = located.get(f"w{words.index(name)}")
    if word is None:
        return None
    segment = pcm[max(0, word.start_frame * 320 - 640): (word.end_frame + 1) * 320 + 640]
    said = phones(name)
    forced = sphinx.align([said], segment)
    if not forced:
        return None
    frames = max(1, sum(s.end_frame - s.start_frame + 1 for s in forced))
    best = sphinx.best_of(neighbours(said), segment)
    loop = sphinx.phone_loop(segment)
    heard = [s.word for s in loop if not s.word.startswith(("SIL", "+"))]
    plain_phones = [p for w in re.findall(r"[A-Za-z']+", plain) for p in phones(w)]
    return {"neighbour": max(0.0, log_score([best]) - log_score(forced)) / frames if best else 0.0,
            "gop": (log_score(loop) - log_score(forced)) / frames,
            "loop": (edit_distance(heard, list(said)) - edit_distance(heard, plain_phones)) / len(said)}


def separation(rows: list[tuple[bool, dict[str, float]]], measure: str) -> str:
    """For each number of unspoken names a veto on `measure` (higher: more doubtful) removes, the right ones too."""
    ordered = sorted(rows, key=lambda r: -r[1][measure])
    out, unspoken, right = [], 0, 0
    for is_unspoken, _ in ordered:
        unspoken, right = unspoken + is_unspoken, right + (not is_unspoken)
        if is_unspoken:
            out.append(f"{unspoken}/{right}")
    return f"{measure:10} removes unspoken/right: " + " ".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/bench-names-merge"))
    args = parser.parse_args()
    sphinx = Sphinx()
    rows: list[tuple[bool, dict[str, float]]] = []
    taken = 0
    for case in (c for c in nameset.CASES if not c.held_out):
        decoded = args.cache / f"{case.name}-pad{PAD}.json"
        if not decoded.exists():
            sys.exit(f"{decoded} missing: run bench/names_merge.py --pad {PAD} first")
        audio = nameset.make_clip(case, args.cache / case.name).audio
        for unspoken, pcm, before, word, after in taken_words(case, json.loads(decoded.read_text()), audio,
                                                               args.cache):
            name = letters(word["word"])
            if name in TITLES:
                continue
            taken += 1
            got = measures(sphinx, pcm, letters(before), name, letters(after), word["heard_plain"])
            if got:
                rows.append((unspoken, got))
    print(f"{taken} name words taken over plain words (titles left out), {len(rows)} located, "
          f"{sum(u for u, _ in rows)} of them unspoken")
    for measure in ("neighbour", "gop", "loop"):
        print(separation(rows, measure))


if __name__ == "__main__":
    main()
