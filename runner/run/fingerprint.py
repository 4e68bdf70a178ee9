"""File fingerprints that stay cheap on multi-GB inputs (doit's idea: stat first, hash when needed)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

SAMPLE_THRESHOLD = 64 * 1024 * 1024  # larger files are fingerprinted by samples
SAMPLE_COUNT = 32
SAMPLE_SIZE = 1024 * 1024
_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class FileStat:
    """What `os.stat` says about a file: the cheap part of a fingerprint."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileStat:
        st = os.stat(path)
        return cls(size=st.st_size, mtime_ns=st.st_mtime_ns)


def sha256_file(path: Path) -> str:
    """The full SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sampled_fingerprint(path: Path) -> str:
    """A content fingerprint of a (possibly huge) file.

    Small files: the full SHA-256. Large files: SHA-256 over the size and SAMPLE_COUNT evenly
    spaced 1 MiB samples (first and last included): 32 MiB read whatever the size, which
    detects any re-encode, truncation or append, though not a single flipped byte between samples.
    """
    size = os.path.getsize(path)
    if size <= SAMPLE_THRESHOLD:
        return "sha256:" + sha256_file(path)
    digest = hashlib.sha256(str(size).encode())
    step = (size - SAMPLE_SIZE) / (SAMPLE_COUNT - 1)
    with open(path, "rb") as fh:
        for i in range(SAMPLE_COUNT):
            fh.seek(int(i * step))
            digest.update(fh.read(SAMPLE_SIZE))
    return "sha256-sampled:" + digest.hexdigest()


def cached_fingerprint(path: Path, previous: dict | None, fingerprint=sampled_fingerprint) -> tuple[str, bool]:
    """Reuse `previous["fingerprint"]` when size and mtime are unchanged; else compute it.

    Returns (fingerprint, recomputed).
    """
    stat = FileStat.of(path)
    if previous and previous.get("size") == stat.size and previous.get("mtime_ns") == stat.mtime_ns:
        fp = previous.get("fingerprint")
        if isinstance(fp, str) and fp:
            return fp, False
    return fingerprint(path), True
