"""The table of bad inputs and hostile conditions, each with the exit code and message it must get.

Expectations come from issue 10: usage errors exit 2 with one line starting "reelstage: "; a
concurrent run exits 3; odd but valid media completes or names its cause. `applies` says which
pipelines a case means something for (the busybox pipeline does not look inside media).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .target import Target


@dataclass
class Invocation:
    """How one case calls `reelstage`, and what it does while the run goes on."""

    workdir: Path
    input: Path | str | None = None
    extra: tuple[str, ...] = ()
    config: Path | None = None
    command: str = "run"
    during: Callable[[subprocess.Popen], None] | None = None
    cleanup: Callable[[], None] | None = None
    manifest_is_the_fault: bool = False


@dataclass
class Case:
    name: str
    prepare: Callable[[Ctx], Invocation]
    expect: frozenset[int]
    says: str | None = None  # a word the one-line message must contain
    applies: tuple[str, ...] = ("busybox", "movie")
    check: Callable[[Ctx, Invocation], list[str]] | None = None


@dataclass
class Ctx:
    target: Target
    dir: Path
    baseline_workdir: Path
    mounts: list[Path] = field(default_factory=list)

    def workdir(self) -> Path:
        return self.dir / "work"

    def copy_input(self, name: str) -> Path:
        path = self.dir / name
        shutil.copyfile(self.target.input, path)
        return path

    def done_workdir(self) -> Path:
        """A copy of the baseline's completed work folder (for manifest faults)."""
        wd = self.workdir()
        shutil.copytree(self.baseline_workdir, wd, symlinks=True)
        return wd

    def tmpfs(self, name: str, size: str, ro: bool = False) -> Path:
        point = self.dir / name
        point.mkdir(parents=True, exist_ok=True)
        opts = f"size={size}" + (",ro" if ro else "")
        subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(point)], check=True)
        self.mounts.append(point)
        return point

    def unmount_all(self) -> None:
        for point in reversed(self.mounts):
            subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)
        self.mounts.clear()


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


# -- inputs ----------------------------------------------------------------------------------


def _named(name: str) -> Callable[[Ctx], Invocation]:
    return lambda c: Invocation(c.workdir(), c.copy_input(name))


def _fifo(c: Ctx) -> Invocation:
    path = c.dir / "pipe.mp4"
    os.mkfifo(path)
    return Invocation(c.workdir(), path)


def _symlink(target: str) -> Callable[[Ctx], Invocation]:
    def prepare(c: Ctx) -> Invocation:
        link = c.dir / "link.mp4"
        if target == "loop":
            (c.dir / "other.mp4").symlink_to(link)
            link.symlink_to(c.dir / "other.mp4")
        elif target == "dangling":
            link.symlink_to(c.dir / "nowhere.mp4")
        else:
            link.symlink_to(c.copy_input("real movie.mp4"))
        return Invocation(c.workdir(), link)

    return prepare


def _sparse(c: Ctx) -> Invocation:
    path = c.dir / "huge.mp4"
    with path.open("wb") as f:
        f.write(c.target.input.read_bytes()[:65536])
        f.truncate(1 << 40)  # 1 TiB, sparse
    return Invocation(c.workdir(), path)


def _empty(c: Ctx) -> Invocation:
    path = c.dir / "empty.mp4"
    path.touch()
    return Invocation(c.workdir(), path)


def _dir_input(c: Ctx) -> Invocation:
    path = c.dir / "folder.mp4"
    path.mkdir()
    return Invocation(c.workdir(), path)


# -- media (the movie pipeline) ---------------------------------------------------------------


def _media(build: Callable[[Path, Path], None], name: str) -> Callable[[Ctx], Invocation]:
    def prepare(c: Ctx) -> Invocation:
        path = c.dir / name
        build(c.target.input, path)
        return Invocation(c.workdir(), path)

    return prepare


def _not_media(src: Path, out: Path) -> None:
    out.write_text("This is not a movie, only text with an .mp4 name.\n")


def _truncated(src: Path, out: Path) -> None:
    data = src.read_bytes()
    out.write_bytes(data[: len(data) // 3])


def _video(seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=size=160x120:rate=25:duration={seconds}"]


def _h264() -> list[str]:
    return ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


def _zero_audio(src: Path, out: Path) -> None:  # an audio stream of one sample (only the encoder's priming)
    ffmpeg(*_video(3), "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono,atrim=end_sample=1", "-map", "0:v",
           "-map", "1:a", *_h264(), "-c:a", "aac", str(out))  # fmt: skip


def _silence(src: Path, out: Path) -> None:
    ffmpeg(*_video(6), "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono:d=6", *_h264(), "-c:a", "aac",
           "-shortest", str(out))  # fmt: skip


def _music(src: Path, out: Path) -> None:
    tones = "sine=f=220:d=8,volume=0.3[a];sine=f=277:d=8,volume=0.3[b];sine=f=330:d=8,volume=0.3[c];[a][b][c]amix=3"
    ffmpeg(*_video(8), "-f", "lavfi", "-i", tones, *_h264(), "-c:a", "aac", "-shortest", str(out))


def _short(src: Path, out: Path) -> None:  # half a second taken from inside the first spoken line
    ffmpeg("-ss", "1.2", "-i", str(src), "-t", "0.5", *_h264(), "-c:a", "aac", str(out))


def _audio_only(codec: list[str]) -> Callable[[Path, Path], None]:
    return lambda src, out: ffmpeg("-i", str(src), "-vn", *codec, str(out))


def _no_audio(src: Path, out: Path) -> None:
    ffmpeg("-i", str(src), "-an", "-c:v", "copy", str(out))


def _many_tracks(src: Path, out: Path) -> None:
    ffmpeg("-i", str(src), "-f", "lavfi", "-i", "sine=f=440:d=30", "-map", "0:v", "-map", "1:a", "-map", "0:a",
           "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-shortest",
           "-metadata:s:a:0", "language=fra", "-metadata:s:a:1", "language=eng", "-metadata:s:a:2", "language=deu",
           str(out))  # fmt: skip


def _surround(src: Path, out: Path) -> None:
    ffmpeg("-i", str(src), "-c:v", "copy", "-af", "pan=5.1|FL=0.3*c0|FR=0.3*c0|FC=c0|LFE=0*c0|BL=0*c0|BR=0*c0",
           "-c:a", "aac", str(out))  # fmt: skip


def _mkv(src: Path, out: Path) -> None:
    ffmpeg("-i", str(src), "-c", "copy", str(out))


# -- work folder -------------------------------------------------------------------------------


def _workdir_is_file(c: Ctx) -> Invocation:
    path = c.dir / "work"
    path.write_text("a file, not a folder\n")
    return Invocation(path, c.target.input)


def _workdir_read_only(c: Ctx) -> Invocation:
    return Invocation(c.tmpfs("ro", "1m", ro=True) / "work", c.target.input)


def _workdir_full(c: Ctx) -> Invocation:
    """A 512 KiB filesystem, nearly full before the run: it fills while the run writes."""
    point = c.tmpfs("small", "512k")
    filler = point / "filler"
    with filler.open("wb") as f, contextlib.suppress(OSError):
        f.write(b"\0" * (512 * 1024))
    filler.write_bytes(b"\0" * max(0, filler.stat().st_size - 12 * 1024))
    return Invocation(point / "work", c.target.input, extra=("--min-free-ratio", "0"))


def _when_running(c: Ctx, wd: Path, action: Callable[[], None]) -> Callable[[subprocess.Popen], None]:
    """Do `action` once the first stage has an attempt recorded."""

    def during(proc: subprocess.Popen) -> None:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                m = json.loads((wd / "manifest.json").read_text())
                if any(s.get("attempts") for s in m["stages"].values()):
                    time.sleep(0.3)
                    action()
                    return
            except (OSError, ValueError, KeyError, AttributeError):
                pass
            time.sleep(0.02)

    return during


def _workdir_removed(c: Ctx) -> Invocation:
    wd = c.workdir()
    return Invocation(wd, c.target.input, during=_when_running(c, wd, lambda: shutil.rmtree(wd, ignore_errors=True)))


def _input_replaced(c: Ctx) -> Invocation:
    wd, movie = c.workdir(), c.copy_input("movie.mp4")

    def replace() -> None:
        tmp = movie.with_suffix(".new")
        data = bytearray(movie.read_bytes())
        data[len(data) // 2 :] = os.urandom(len(data) - len(data) // 2)
        tmp.write_bytes(bytes(data))
        os.replace(tmp, movie)

    return Invocation(wd, movie, during=_when_running(c, wd, replace))


# -- configuration -------------------------------------------------------------------------------


def _config_text(text: str) -> Callable[[Ctx], Invocation]:
    def prepare(c: Ctx) -> Invocation:
        path = c.dir / "pipeline.yaml"
        path.write_text(text)
        return Invocation(c.workdir(), c.target.input, config=path)

    return prepare


def _config_edit(edit: Callable[[dict], None]) -> Callable[[Ctx], Invocation]:
    def prepare(c: Ctx) -> Invocation:
        doc = yaml.safe_load(c.target.config.read_text())
        compose = (c.target.config.parent / doc["compose"]).resolve()
        doc["compose"] = str(compose)
        edit(doc)
        path = c.dir / "pipeline.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        return Invocation(c.workdir(), c.target.input, config=path)

    return prepare


def _args(*extra: str) -> Callable[[Ctx], Invocation]:
    return lambda c: Invocation(c.workdir(), c.target.input, extra=extra)


def _missing_config(c: Ctx) -> Invocation:
    return Invocation(c.workdir(), c.target.input, config=c.dir / "nowhere.yaml")


def _unknown_service(doc: dict) -> None:
    doc["stages"][0]["service"] = "no_such_service"


def _missing_compose(doc: dict) -> None:
    doc["compose"] = "/nonexistent/compose.yaml"


def _stage_without_outputs(doc: dict) -> None:
    doc["stages"][-1].pop("outputs", None)


# -- manifests -------------------------------------------------------------------------------------


def _corrupt(mutate: Callable[[Path], None], command: str = "run") -> Callable[[Ctx], Invocation]:
    def prepare(c: Ctx) -> Invocation:
        wd = c.done_workdir()
        mutate(wd / "manifest.json")
        return Invocation(wd, c.target.input, command=command, manifest_is_the_fault=True)

    return prepare


def _json_edit(edit: Callable[[dict], None]) -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        doc = json.loads(path.read_text())
        edit(doc)
        path.write_text(json.dumps(doc))

    return mutate


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def _truncate_json(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _stage_string(doc: dict) -> None:
    first = next(iter(doc["stages"]))
    doc["stages"][first] = "success"


def _leftover_tmp(c: Ctx) -> Invocation:
    wd = c.done_workdir()
    (wd / ".manifest.json.abc123.tmp").write_text('{"half": ')
    return Invocation(wd, c.target.input)


def _no_leftover_tmp(c: Ctx, inv: Invocation) -> list[str]:
    left = list(inv.workdir.glob(".manifest.json.*.tmp"))
    return [f"wrong states recorded: {len(left)} .manifest.json.*.tmp left"] if left else []


def _concurrent(c: Ctx) -> Invocation:
    wd = c.workdir()
    first = c.target.start(wd)
    deadline = time.monotonic() + 60
    while not (wd / "manifest.json").exists() and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.02)

    def stop_first() -> None:
        first.terminate()
        first.communicate(timeout=60)

    return Invocation(wd, c.target.input, cleanup=stop_first)


USAGE = frozenset({2})
OK = frozenset({0})
OK_OR_USAGE = frozenset({0, 2})
STOPS = frozenset({1, 2})
MOVIE = ("movie",)


def _funny_names() -> list[Case]:
    long_name = "m" * 251 + ".mp4"  # 255 bytes
    return [
        Case("name 255 bytes", _named(long_name), OK),
        Case("name multibyte", _named("映画 – été 🎬 Ünïcødé.mp4"), OK),
        Case("name leading dot", _named(".hidden movie.mp4"), OK),
        Case("name leading dash", _named("-dash movie.mp4"), OK),
        Case("name % { } $ \\", _named("100% {best} $HOME \\ back.mp4"), OK),
        Case("name quotes and newline", _named("it's \"a\"\nmovie.mp4"), OK_OR_USAGE),
        Case("name just .mp4", _named(".mp4"), OK_OR_USAGE, says="input"),
    ]


CASES: list[Case] = [
    Case("missing input", lambda c: Invocation(c.workdir(), c.dir / "absent.mp4"), USAGE, "not found"),
    Case("empty input", _empty, USAGE, "empty"),
    Case("directory as input", _dir_input, USAGE),
    Case("FIFO as input", _fifo, USAGE),
    Case("/dev/zero as input", lambda c: Invocation(c.workdir(), "/dev/zero"), USAGE),
    Case("symlink dangling", _symlink("dangling"), USAGE),
    Case("symlink looping", _symlink("loop"), USAGE),
    Case("symlink to a movie", _symlink("movie"), OK),
    Case("huge sparse input (1 TiB)", _sparse, USAGE, "free"),
    *_funny_names(),
    Case("not media", _media(_not_media, "text.mp4"), USAGE, applies=MOVIE),
    Case("truncated movie", _media(_truncated, "cut.mp4"), USAGE, applies=MOVIE),
    Case("zero-length audio", _media(_zero_audio, "zero-audio.mp4"), USAGE, "empty", applies=MOVIE),
    Case("silence only", _media(_silence, "silence.mp4"), OK_OR_USAGE, "dialogue", applies=MOVIE),
    Case("music only", _media(_music, "music.mp4"), OK_OR_USAGE, "dialogue", applies=MOVIE),
    Case("very short (0.5 s)", _media(_short, "short.mp4"), OK, applies=MOVIE),
    Case("audio only WAV", _media(_audio_only(["-c:a", "pcm_s16le"]), "audio.wav"), OK_OR_USAGE, applies=MOVIE),
    Case("audio only MP3", _media(_audio_only(["-c:a", "libmp3lame"]), "audio.mp3"), OK_OR_USAGE, applies=MOVIE),
    Case("audio only M4A", _media(_audio_only(["-c:a", "aac"]), "audio.m4a"), OK_OR_USAGE, applies=MOVIE),
    Case("no audio", _media(_no_audio, "silent-film.mp4"), USAGE, "audio", applies=MOVIE),
    Case("many audio tracks", _media(_many_tracks, "tracks.mp4"), OK, applies=MOVIE),
    Case("5.1 audio", _media(_surround, "surround.mp4"), OK, applies=MOVIE),
    Case("MKV container", _media(_mkv, "movie.mkv"), OK, applies=MOVIE),
    Case("work folder is a file", _workdir_is_file, USAGE),
    Case("work folder read-only", _workdir_read_only, USAGE),
    Case("work folder fills up", _workdir_full, USAGE, "space"),
    Case("work folder removed mid-run", _workdir_removed, STOPS),
    Case("input replaced mid-run", _input_replaced, STOPS, "input"),
    Case("config missing", _missing_config, USAGE),
    Case("config not YAML", _config_text("stages: [unclosed\n  - {name: x\n"), USAGE),
    Case("config empty", _config_text(""), USAGE),
    Case("config unknown service", _config_edit(_unknown_service), USAGE),
    Case("config compose missing", _config_edit(_missing_compose), USAGE),
    Case("config stage without outputs", _config_edit(_stage_without_outputs), USAGE),
    Case("--only unknown stage", _args("--only", "nosuch"), USAGE, "nosuch"),
    Case("--from unknown stage", _args("--from", "nosuch"), USAGE, "nosuch"),
    Case("--force unknown stage", _args("--force", "nosuch"), USAGE, "nosuch"),
    Case("--set without =", _args("--set", "language"), USAGE),
    Case("--set unknown key", _args("--set", "no_such_param=1"), USAGE, "no_such_param"),
    Case("--set language=zz", _args("--set", "language=zz"), USAGE, "language", applies=MOVIE),
    Case("--set max_cps=-1", _args("--set", "max_cps=-1"), USAGE, "max_cps", applies=MOVIE),
    Case("--set max_cps=fast", _args("--set", "max_cps=fast"), USAGE, "max_cps", applies=MOVIE),
    Case("--file glossary missing", _args("--file", "glossary=/nonexistent/names.txt"), USAGE, "glossary"),
    Case("--file unknown key", _args("--file", "nokey=/etc/hostname"), USAGE, "nokey"),
    Case("manifest random bytes", _corrupt(_random_bytes), USAGE, "--reset"),
    Case("manifest truncated", _corrupt(_truncate_json), USAGE, "--reset"),
    Case("manifest pipeline: 5", _corrupt(_json_edit(lambda d: d.update(pipeline=5))), USAGE, "--reset"),
    Case("manifest stage is a string", _corrupt(_json_edit(_stage_string)), USAGE, "--reset"),
    Case("manifest runs: null", _corrupt(_json_edit(lambda d: d["pipeline"].update(runs=None))), USAGE, "--reset"),
    Case("status: random bytes", _corrupt(_random_bytes, "status"), USAGE, "--reset"),
    Case("status: pipeline: 5", _corrupt(_json_edit(lambda d: d.update(pipeline=5)), "status"), USAGE, "--reset"),
    Case("status: stage is a string", _corrupt(_json_edit(_stage_string), "status"), USAGE, "--reset"),
    Case("leftover manifest temp file", _leftover_tmp, OK, check=_no_leftover_tmp),
    Case("concurrent run", _concurrent, frozenset({3})),
]
