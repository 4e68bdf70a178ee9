"""Synthetic test movies with known dialogue: a test-pattern video plus speech synthesised line by line.

`make_movie(path)` writes the movie and `<path>.truth.json` (each line's exact start/end, speaker, text,
and the glossary names) and returns the same as a `MovieTruth`. `make_long_movie(path, minutes)` makes a
feature-length one fast: a block of dialogue plus a music interlude is synthesised once and looped by
ffmpeg under a noise bed. Also: `wer()` with text normalisation,
`glossary_text()`, `extract_wav()`, `make_no_audio_video()` and `make_text_file_named_mp4()`.
Needs `ffmpeg` and `flite` (or `espeak-ng`) on PATH; standard library only.
"""

from __future__ import annotations

import array
import json
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

RATE = 16000
LEAD_IN_S = 1.0
TAIL_S = 1.0
_SILENCE_LEVEL = 300  # |sample| above this counts as speech when trimming synthesised audio

# (speaker, text, silence in seconds before the line)
DEFAULT_SCRIPT: tuple[tuple[str, str, float], ...] = (
    ("MORROW", "Doctor Alvarez, are you awake?", 0.0),
    ("ALVAREZ", "I am now, Captain Morrow. What is it?", 0.8),
    ("MORROW", "The storm has reached Lake Tessaly.", 0.9),
    ("ALVAREZ", "Then we cannot sail to Port Kessel tonight.", 0.7),
    ("MORROW", "We have no choice. The medicine must arrive before dawn.", 1.0),
    ("ALVAREZ", "How many people are sick?", 0.8),
    ("MORROW", "Nearly two hundred, and the number is rising every hour.", 0.9),
    ("ALVAREZ", "Then I will pack my bag.", 1.2),
    ("MORROW", "Bring warm clothes. The wind on Lake Tessaly is cruel at night.", 0.8),
    ("ALVAREZ", "I have crossed it before, Captain.", 1.0),
    ("ALVAREZ", "When we reach Port Kessel, who will meet us?", 1.1),
    ("MORROW", "My brother. He runs the hospital near the old lighthouse.", 0.8),
    ("ALVAREZ", "Good. Let us go, Captain Morrow.", 1.0),
)
DEFAULT_GLOSSARY: tuple[str, ...] = ("Captain Morrow", "Doctor Alvarez", "Lake Tessaly", "Port Kessel")
VOICES: dict[str, dict[str, str]] = {
    "flite": {"MORROW": "rms", "ALVAREZ": "slt"},
    "espeak-ng": {"MORROW": "en-gb", "ALVAREZ": "en-us+f3"},
}
# other dialogue languages: espeak-ng only (flite speaks English only); speakers take the voices in turn
FOREIGN_VOICES: dict[str, tuple[str, ...]] = {"fr": ("fr", "fr+f3"), "es": ("es", "es+f3"), "de": ("de", "de+f3")}
_ISO639_2 = {"en": "eng", "fr": "fra", "es": "spa", "de": "deu"}
_AUDIO_CODEC = {"mp4": "aac", "mkv": "aac"}


@dataclass
class TruthLine:
    """One spoken line: `start`/`end` in seconds are the audible speech, not the synthesiser's padding."""

    start: float
    end: float
    speaker: str
    voice: str
    text: str


@dataclass
class MovieTruth:
    """What a generated movie contains, written beside it as `<movie>.truth.json`."""

    path: str
    duration_s: float
    container: str
    fps: int
    size: str
    audio_layout: str
    voice_engine: str
    language: str = "en"
    lines: list[TruthLine] = field(default_factory=list)
    glossary: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole dialogue as one string."""
        return " ".join(line.text for line in self.lines)

    def vad_segments(self, pad: float = 0.1) -> list[dict[str, float]]:
        """Speech segments from the truth, padded and clipped to the movie (VAD-shaped dicts)."""
        return [
            {"start": round(max(0.0, ln.start - pad), 3), "end": round(min(self.duration_s, ln.end + pad), 3)}
            for ln in self.lines
        ]

    def save(self, path: str | Path) -> Path:
        """Write this truth as JSON to `path`."""
        path = Path(path)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> MovieTruth:
        """Read a truth JSON written by `save`."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        data["lines"] = [TruthLine(**ln) for ln in data["lines"]]
        return cls(**data)


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")


def synthesise(text: str, voice: str, engine: str, wav: Path, rate: float = 1.0) -> None:
    """Speak `text` into a 16 kHz mono WAV; `rate` > 1 speaks faster (flite: shorter durations,
    espeak-ng: words per minute scaled from its 150 default)."""
    if engine == "flite":
        _run(["flite", "-voice", voice, "--setf", f"duration_stretch={1 / rate:.3f}", "-t", text, "-o", str(wav)])
    else:
        _run(["espeak-ng", "-v", voice, "-s", str(round(150 * rate)), "-w", str(wav), text])
    with wave.open(str(wav)) as w:
        ok = w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
    if not ok:  # e.g. espeak-ng writes 22.05 kHz
        tmp = wav.with_suffix(".16k.wav")
        _run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-ac", "1", "-ar", str(RATE),
              "-c:a", "pcm_s16le", str(tmp)])
        tmp.replace(wav)


def silence(seconds: float) -> array.array:
    return array.array("h", bytes(2 * int(seconds * RATE)))


def trimmed_samples(wav: Path) -> array.array:
    """The 16-bit samples of `wav` without leading/trailing silence."""
    with wave.open(str(wav)) as w:
        samples = array.array("h", w.readframes(w.getnframes()))
    loud = [i for i, s in enumerate(samples) if abs(s) > _SILENCE_LEVEL]
    if not loud:
        raise RuntimeError(f"synthesiser produced silence in {wav}")
    return samples[loud[0] : loud[-1] + 1]


def _pick_engine(voice_engine: str) -> str:
    for engine in (voice_engine, "espeak-ng"):
        if shutil.which(engine):
            return engine
    raise RuntimeError("neither flite nor espeak-ng is installed: apt-get install flite espeak-ng")


def _dialogue(
    script, engine: str, tmp: Path, speed: dict[str, float] | None = None, language: str = "en"
) -> tuple[array.array, list[TruthLine]]:
    """Synthesise every line, place it after its silence; return the mono track and the truth lines."""
    track = silence(LEAD_IN_S)
    lines: list[TruthLine] = []
    voices = VOICES[engine]
    if language != "en":
        speakers = list(dict.fromkeys(speaker for speaker, _, _ in script))
        cycle = FOREIGN_VOICES[language]
        voices = {speaker: cycle[k % len(cycle)] for k, speaker in enumerate(speakers)}
    for i, (speaker, text, gap) in enumerate(script):
        voice = voices.get(speaker) or sorted(set(voices.values()))[i % len(voices)]
        wav = tmp / f"line{i:03d}.wav"
        synthesise(text, voice, engine, wav, (speed or {}).get(speaker, 1.0))
        track.extend(silence(gap))
        start = len(track) / RATE
        track.extend(trimmed_samples(wav))
        lines.append(TruthLine(round(start, 3), round(len(track) / RATE, 3), speaker, voice, text))
    track.extend(silence(TAIL_S))
    return track, lines


def write_wav(path: Path, samples: array.array) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())


def _audio_args(layout: str, container: str, language: str = "en") -> list[str]:
    if layout == "none":
        return ["-an"]
    if layout == "5.1":  # dialogue in the centre channel, a quieter copy in front left/right
        mix = ["-af", "pan=5.1|FL=0.3*c0|FR=0.3*c0|FC=c0|LFE=0*c0|BL=0*c0|BR=0*c0"]
    elif layout == "stereo":
        mix = ["-ac", "2"]
    else:
        raise ValueError(f"audio_layout must be stereo, 5.1 or none, not {layout!r}")
    return [*mix, "-c:a", _AUDIO_CODEC[container], "-b:a", "128k", "-metadata:s:a:0", f"language={_ISO639_2[language]}"]


def make_movie(
    path: str | Path,
    script: tuple[tuple[str, str, float], ...] | list[tuple[str, str, float]] = DEFAULT_SCRIPT,
    *,
    container: Literal["mp4", "mkv"] = "mp4",
    fps: int = 25,
    size: str = "320x240",
    audio_layout: Literal["stereo", "5.1", "none"] = "stereo",
    voice_engine: Literal["flite", "espeak-ng"] = "flite",
    glossary: tuple[str, ...] | list[str] = DEFAULT_GLOSSARY,
    speed: float | dict[str, float] = 1.0,
    language: str = "en",
) -> MovieTruth:
    """Generate a movie at `path` (container from the argument) and write `<path>.truth.json`.

    `speed`: speaking rate, for every speaker or by speaker (1.0 normal, 1.8 a fast talker).
    `language`: the dialogue's; other than en it is spoken by espeak-ng (FOREIGN_VOICES)."""
    if container not in _AUDIO_CODEC:
        raise ValueError(f"container must be mp4 or mkv, not {container!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = _pick_engine(voice_engine if language == "en" else "espeak-ng")
    with tempfile.TemporaryDirectory(prefix="moviegen-") as tmpdir:
        tmp = Path(tmpdir)
        rates = speed if isinstance(speed, dict) else {speaker: speed for speaker, _, _ in script}
        track, lines = _dialogue(script, engine, tmp, rates, language)
        duration = round(len(track) / RATE, 3)
        dialogue = tmp / "dialogue.wav"
        write_wav(dialogue, track)
        _run(["ffmpeg", "-nostdin", "-v", "error", "-y",
              "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}:duration={duration}",
              "-i", str(dialogue), "-map", "0:v", "-map", "1:a",
              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
              *_audio_args(audio_layout, container, language), "-t", str(duration), "-f", _muxer(container), str(path)])
    truth = MovieTruth(str(path), duration, container, fps, size, audio_layout, engine, language,
                       lines=[] if audio_layout == "none" else lines, glossary=list(glossary))
    truth.save(f"{path}.truth.json")
    return truth


LONG_MUSIC_S = 20.0  # music interlude after each block of dialogue
LONG_NOISE_AMPLITUDE = 0.01  # pink noise bed under the whole track (speech peaks near 0.5)
_CHORD_HZ = (220.0, 277.2, 329.6)  # A major, a tone at a time with a slow tremolo


def _music(seconds: float) -> array.array:
    """An interlude of soft chord tones (no speech): 16-bit samples at RATE."""
    import math

    n = int(seconds * RATE)
    samples = array.array("h", bytes(2 * n))
    for i in range(n):
        t = i / RATE
        note = _CHORD_HZ[int(t // 2) % len(_CHORD_HZ)]
        level = 0.12 * (0.6 + 0.4 * math.sin(2 * math.pi * 0.5 * t))
        samples[i] = int(32767 * level * (math.sin(2 * math.pi * note * t) + 0.3 * math.sin(4 * math.pi * note * t)))
    return samples


def make_long_movie(
    path: str | Path,
    minutes: float,
    script: tuple[tuple[str, str, float], ...] | list[tuple[str, str, float]] = DEFAULT_SCRIPT * 3,
    *,
    voice_engine: Literal["flite", "espeak-ng"] = "flite",
    glossary: tuple[str, ...] | list[str] = DEFAULT_GLOSSARY,
) -> MovieTruth:
    """A `minutes`-long MP4 (two voices, a noise bed, music interludes) and its truth, in seconds not minutes.

    One block (the script's dialogue, then LONG_MUSIC_S of music) is synthesised once; ffmpeg loops it and a
    few seconds of video to the full length, mixing pink noise under it, so 2 hours take about a minute.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = _pick_engine(voice_engine)
    duration = round(minutes * 60.0, 3)
    with tempfile.TemporaryDirectory(prefix="moviegen-") as tmpdir:
        tmp = Path(tmpdir)
        block, block_lines = _dialogue(script, engine, tmp)
        block.extend(_music(LONG_MUSIC_S))
        block_s = len(block) / RATE
        write_wav(tmp / "block.wav", block)
        clip = tmp / "clip.mp4"
        _run(["ffmpeg", "-nostdin", "-v", "error", "-y",
              "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=10",
              "-c:v", "libx264", "-preset", "ultrafast", "-g", "250", "-pix_fmt", "yuv420p", str(clip)])
        _run(["ffmpeg", "-nostdin", "-v", "error", "-y",
              "-stream_loop", "-1", "-i", str(clip),
              "-stream_loop", "-1", "-i", str(tmp / "block.wav"),
              "-f", "lavfi", "-i", f"anoisesrc=color=pink:sample_rate={RATE}:amplitude={LONG_NOISE_AMPLITUDE}",
              "-filter_complex", "[1:a][2:a]amix=inputs=2:duration=first:normalize=0[a]",
              "-map", "0:v", "-map", "[a]", "-c:v", "copy",
              "-ac", "2", "-c:a", "aac", "-b:a", "96k", "-metadata:s:a:0", "language=eng",
              "-t", str(duration), "-f", "mp4", str(path)])
    lines = []
    for k in range(int(duration // block_s) + 1):
        offset = k * block_s
        for ln in block_lines:
            if ln.end + offset <= duration:
                lines.append(TruthLine(round(ln.start + offset, 3), round(ln.end + offset, 3), ln.speaker,
                                       ln.voice, ln.text))
    truth = MovieTruth(str(path), duration, "mp4", 25, "320x240", "stereo", engine, lines=lines,
                       glossary=list(glossary))
    truth.save(f"{path}.truth.json")
    return truth


def _muxer(container: str) -> str:
    return "matroska" if container == "mkv" else "mp4"


def extract_wav(movie: str | Path, wav: str | Path) -> Path:
    """The movie's first audio stream as a 16 kHz mono 16-bit WAV (what ASR and VAD stages read)."""
    _run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(movie), "-map", "0:a:0",
          "-ac", "1", "-ar", str(RATE), "-c:a", "pcm_s16le", str(wav)])
    return Path(wav)


def make_silence_wav(path: str | Path, seconds: float = 5.0) -> Path:
    """A 16 kHz mono WAV of digital silence."""
    write_wav(Path(path), silence(seconds))
    return Path(path)


def make_no_audio_video(path: str | Path, seconds: float = 3.0) -> Path:
    """A short video file without any audio stream."""
    path = Path(path)
    _run(["ffmpeg", "-nostdin", "-v", "error", "-y",
          "-f", "lavfi", "-i", f"testsrc2=size=160x120:rate=25:duration={seconds}",
          "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
          "-f", _muxer(path.suffix.lstrip(".")), str(path)])
    return path


def make_text_file_named_mp4(path: str | Path) -> Path:
    """A plain text file with a video file's name (bad input for any media stage)."""
    path = Path(path)
    path.write_text("This is not a movie, only text with an .mp4 name.\n", encoding="utf-8")
    return path


def glossary_text(truth: MovieTruth) -> str:
    """The truth's glossary in the user glossary format: one name per line."""
    return "".join(f"{name}\n" for name in truth.glossary)


def normalise(text: str) -> list[str]:
    """Lowercase words without punctuation (apostrophes inside words kept; hyphens split words)."""
    text = text.lower().replace("’", "'").replace("-", " ")
    text = re.sub(r"[^\w\s']", " ", text)
    return [w.strip("'") for w in text.split() if w.strip("'")]


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of `hypothesis` against `reference` after `normalise` (edit distance / ref words)."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1] / len(ref)
