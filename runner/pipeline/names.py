"""Names the runner derives from the input's file name: they fit the file system and are never hidden.

A file name is at most NAME_MAX bytes (255 on ext4, xfs, btrfs, tmpfs). The input's own name can
be that long, so a name built from it (`<stem>.en.srt`, `<stem>.subtitled.mkv`, the work folder)
is shortened when needed: the input-derived part is cut at a character boundary and ends with
`~` and 8 hex digits of its SHA-256, so the same input always gives the same name and two long
names that share a prefix stay distinct. Leading dots are dropped (no hidden deliverables).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from runner.errors import UsageError

NAME_MAX = 255
CONTAINER_INPUT_DIR = "/input"
_HASH_LEN = 8
# a name that is nothing but one of these extensions (".mp4") names no movie
MEDIA_EXTENSIONS = frozenset(
    {"3gp", "aac", "avi", "flac", "flv", "m2ts", "m4a", "m4v", "mkv", "mov", "mp3", "mp4", "mpeg", "mpg", "mts"}
    | {"ogg", "ogv", "opus", "ts", "vob", "wav", "webm", "wmv"}
)
_CONTAINER_EXT = re.compile(r"\.[A-Za-z0-9]{1,8}")


def byte_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))


def shorten(text: str, max_bytes: int) -> str:
    """`text` if it fits in `max_bytes` (UTF-8), else its start cut at a character boundary + `~<hash>`."""
    if byte_len(text) <= max_bytes:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:_HASH_LEN]
    room = max(0, max_bytes - _HASH_LEN - 1)
    cut = text.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
    return f"{cut}~{digest}"


def input_stem(name: str) -> str:
    """The input's name without its extension (as `{input_stem}` gives it to commands)."""
    return PurePosixPath(name).stem


def input_ext(name: str) -> str:
    return PurePosixPath(name).suffix


def container_ext(name: str) -> str:
    """The extension the input gets inside the container: its own if plain, else `.bin`."""
    ext = input_ext(name)
    return ext.lower() if _CONTAINER_EXT.fullmatch(ext) else ".bin"


def container_input_path(name: str) -> str:
    """Where the input is mounted inside a container: `/input/source<ext>`."""
    return f"{CONTAINER_INPUT_DIR}/source{container_ext(name)}"


def visible(name: str) -> str:
    """A generated name without leading dots (a deliverable must not be hidden)."""
    return name.lstrip(".")


def check_input_name(path: Path) -> None:
    """Names the runner cannot derive outputs from get a message about the input (UsageError)."""
    name = path.name
    try:
        os.fsencode(str(path.resolve())).decode("utf-8")
    except UnicodeDecodeError:
        shown = os.fsencode(name).decode("utf-8", "backslashreplace")
        raise UsageError(
            f"input {shown!r}: its path is not valid UTF-8, which Docker cannot mount; "
            "rename it (e.g. `convmv -f latin1 -t utf8`)"
        ) from None
    if name.startswith(".") and name.lstrip(".").lower() in MEDIA_EXTENSIONS:
        raise UsageError(
            f"input {name!r} is only an extension, with no name before it: rename it (e.g. movie.{name.lstrip('.')})"
        )
    if not visible(input_stem(name)):
        raise UsageError(f"input {name!r} has no name to call its outputs by (only dots): rename it")


def workdir_name(input_name: str) -> str:
    """The default work folder's name: the input's stem, visible, fitting NAME_MAX."""
    stem = visible(input_stem(input_name)) or visible(input_name) or "input"
    return shorten(stem, NAME_MAX)


@dataclass(frozen=True)
class NamePart:
    """A piece of a generated name: fixed text, text from the input's name, the output's extension, or
    what a `many` output's wildcards matched."""

    kind: str  # "text" | "input" | "ext" | "match"
    text: str = ""


@dataclass(frozen=True)
class NameTemplate:
    """A generated file name (`publish:`) whose input-derived parts shrink so the whole fits NAME_MAX."""

    parts: tuple[NamePart, ...]

    @property
    def fixed(self) -> str:
        """The template's own text (for validation): input parts and `{ext}` left out."""
        return "".join(p.text for p in self.parts if p.kind == "text")

    def render(self, ext: str = "", limit: int = NAME_MAX, match: str = "") -> str:
        """The name for an output with extension `ext` (e.g. ".mkv"); `match`: what a `many` output's
        wildcards matched (e.g. "fr" for subtitles.fr.srt)."""
        fixed = sum(byte_len(p.text) for p in self.parts if p.kind == "text") + byte_len(ext) * sum(
            1 for p in self.parts if p.kind == "ext"
        ) + byte_len(match) * sum(1 for p in self.parts if p.kind == "match")
        inputs = [p for p in self.parts if p.kind == "input"]
        full = sum(byte_len(p.text) for p in inputs)
        share = (limit - fixed) // len(inputs) if inputs and fixed + full > limit else None
        pieces = []
        for p in self.parts:
            if p.kind == "ext":
                pieces.append(ext)
            elif p.kind == "match":
                pieces.append(match)
            elif p.kind == "input" and share is not None:
                pieces.append(shorten(p.text, max(share, _HASH_LEN + 1)))
            else:
                pieces.append(p.text)
        name = visible("".join(pieces))
        return name if byte_len(name) <= limit else shorten(name, limit)

    def __str__(self) -> str:
        return self.render("{ext}", match="{match}")


def user_facing(text: str | None, input_path: Path) -> str | None:
    """A stage's message with the container's input path (`/input/source.mp4`, or its bare name)
    replaced by the user's own path, so the error names the file the user gave."""
    if not text:
        return text
    container_path = container_input_path(input_path.name)
    base = PurePosixPath(container_path).name
    pattern = re.compile(rf"{re.escape(container_path)}|(?<![\w./-]){re.escape(base)}(?![\w-])")
    user = str(input_path)
    return pattern.sub(lambda m: user if m.group(0) == container_path else input_path.name, text)
