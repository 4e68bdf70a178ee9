"""Sizes as people write them (`20m`, `1.5g`, `512MiB`), the one parser for the CLI, compose-like keys and
the pipeline's `disk:` estimates."""

from __future__ import annotations

import re

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


def parse_size(text: str | int | float) -> int:
    """Bytes from `20m`, `1.5g`, `512MiB` or a plain number of bytes (binary units, as Docker reads them)."""
    if isinstance(text, int | float):
        return int(text)
    match = _SIZE.match(str(text))
    if not match:
        raise ValueError(f"not a size: {text!r} (e.g. 512m, 4g)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])
