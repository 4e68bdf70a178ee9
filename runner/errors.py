"""Errors that end a command with a one-line message and a documented exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3


class ReelstageError(Exception):
    """A failure the user can act on; `str()` is the one-line message."""

    exit_code = EXIT_FAILED


class UsageError(ReelstageError):
    """Bad input, bad config or a failed pre-flight check."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """The pipeline or compose configuration is invalid."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        super().__init__(f"{file}: {where}: {problem}" if where else f"{file}: {problem}")


class LockedError(ReelstageError):
    """Another live run holds the work folder."""

    exit_code = EXIT_LOCKED


class ManifestCorrupt(UsageError):
    """manifest.json cannot be read."""


class WorkdirGone(UsageError):
    """The work folder was removed or replaced while a run used it."""
