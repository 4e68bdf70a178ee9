"""Command-line interface: click commands only; they parse, call and map errors to exit codes."""

from .main import main

__all__ = ["main"]
