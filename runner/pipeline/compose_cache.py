"""A cache of `docker-compose config` answers: resolving is a subprocess (~0.2 s), a cache hit one file read.

The key covers everything the answer depends on: the compose file's bytes, a `.env` beside it, the
values of every variable either names, COMPOSE_* settings and the compose binary itself. Files that
pull in other files (`env_file`, `extends`, `include`) are not cached, and neither is a resolution
while a secret-named variable it uses is set: secrets are never stored at rest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_INCLUDES_OTHER_FILES = re.compile(r"^\s*(env_file|extends|include)\s*:", re.MULTILINE)


def cache_dir() -> Path:
    base = os.environ.get("REELSTAGE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "reelstage"
    )
    return Path(base) / "compose"


def cache_key(path: Path, command: list[str], secret_name: re.Pattern[str]) -> str | None:
    """The key of this resolution, or None when it must not be cached."""
    try:
        text = path.read_text(encoding="utf-8")
        dotenv = path.parent / ".env"
        env_text = dotenv.read_text(encoding="utf-8") if dotenv.is_file() else ""
        binary = Path(command[0])
        binary_stat = binary.stat() if binary.is_absolute() else None
    except (OSError, UnicodeDecodeError):
        return None
    if _INCLUDES_OTHER_FILES.search(text):
        return None
    names = sorted(set(_VARIABLE.findall(text)) | set(_VARIABLE.findall(env_text)))
    values = {name: os.environ.get(name) for name in names}
    if any(value and secret_name.search(name) for name, value in values.items()):
        return None
    settings = {k: v for k, v in os.environ.items() if k.startswith("COMPOSE_")}
    blob = json.dumps(
        [str(path.resolve()), text, env_text, values, settings, command,
         (binary_stat.st_size, binary_stat.st_mtime_ns) if binary_stat else None],
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def load(key: str) -> dict | None:
    try:
        data = json.loads((cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store(key: str, resolved: dict) -> None:
    """Atomically, readable by the user only; a cache that cannot be written is no error."""
    folder = cache_dir()
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".compose-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(resolved, fh)
            os.replace(tmp, folder / f"{key}.json")
        except OSError:
            Path(tmp).unlink(missing_ok=True)
