"""What the person at the terminal sees: a live display on a TTY, plain timestamped lines otherwise."""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol, TextIO

from runner.run.manifest import utc_now
from runner.watch.progress import EtaEstimator, format_duration


class Display(Protocol):
    def banner(self, index: int, total: int, name: str, action: str) -> None: ...
    def stage_running(self, name: str, eta: EtaEstimator) -> None: ...
    def progress(self, name: str, fraction: float, message: str) -> None: ...
    def stage_done(self, name: str, status: str, duration_s: float | None, detail: str = "") -> None: ...
    def say(self, text: str) -> None: ...
    def close(self) -> None: ...


_MARK = {"success": "done", "skipped": "skipped", "failed": "FAILED", "interrupted": "interrupted"}


class PlainDisplay:
    """For nohup/redirected output: timestamped lines, progress at most every `interval_s`, no escapes."""

    def __init__(self, stream: TextIO | None = None, interval_s: float = 30.0) -> None:
        self.stream = stream or sys.stdout
        self.interval_s = interval_s
        self._eta: dict[str, EtaEstimator] = {}
        self._last: dict[str, float] = {}
        self._finished: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def _line(self, text: str) -> None:
        with self._lock:
            self.stream.write(f"{utc_now()} {text}\n")
            self.stream.flush()

    def banner(self, index: int, total: int, name: str, action: str) -> None:
        self._line(f"STAGE {index}/{total}: {name} - {action}")

    def stage_running(self, name: str, eta: EtaEstimator) -> None:
        self._eta[name] = eta
        self._last[name] = time.monotonic()
        if self._ticker is None:  # elapsed time even for stages that report nothing
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()

    def _status(self, name: str, message: str = "") -> str:
        eta = self._eta[name]
        frac = eta.fraction
        pct = f"{frac * 100:5.1f}% " if frac is not None else ""
        msg = f" {message}" if message else ""
        return f"  {name}: {pct}elapsed {format_duration(eta.elapsed())} ETA {format_duration(eta.eta_s())}{msg}"

    def progress(self, name: str, fraction: float, message: str) -> None:
        now = time.monotonic()
        finished = fraction >= 1.0 and name not in self._finished
        if name in self._eta and (now - self._last.get(name, 0) >= self.interval_s or finished):
            self._last[name] = now
            if fraction >= 1.0:
                self._finished.add(name)
            self._line(self._status(name, message))

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            now = time.monotonic()
            for name in list(self._eta):
                if now - self._last.get(name, now) >= self.interval_s:
                    self._last[name] = now
                    self._line(self._status(name))

    def stage_done(self, name: str, status: str, duration_s: float | None, detail: str = "") -> None:
        self._eta.pop(name, None)
        self._finished.discard(name)
        took = f" in {format_duration(duration_s)}" if duration_s is not None else ""
        extra = f": {detail}" if detail else ""
        self._line(f"  {name} {_MARK.get(status, status)}{took}{extra}")

    def say(self, text: str) -> None:
        self._line(text)

    def close(self) -> None:
        self._stop.set()


class RichDisplay:
    """A live bar per running stage with elapsed time and ETA (rich)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        self.console = Console(stderr=False)
        self._eta: dict[str, EtaEstimator] = {}
        self._tasks: dict[str, int] = {}
        self._labels: dict[str, str] = {}
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[timing]}"),
            TextColumn("[dim]{task.fields[message]}"),
            console=self.console,
            transient=True,
            refresh_per_second=4,
        )
        self._progress.start()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def _timing(self, name: str) -> str:
        eta = self._eta[name]
        return f"elapsed {format_duration(eta.elapsed())} ETA {format_duration(eta.eta_s())}"

    def banner(self, index: int, total: int, name: str, action: str) -> None:
        self._labels[name] = f"stage {index}/{total} {name}"
        self.console.print(f"[bold cyan]STAGE {index}/{total}: {name}[/] - {action}")

    def stage_running(self, name: str, eta: EtaEstimator) -> None:
        self._eta[name] = eta
        label = self._labels.get(name, name)
        self._tasks[name] = self._progress.add_task(label, total=None, timing=self._timing(name), message="")

    def progress(self, name: str, fraction: float, message: str) -> None:
        if name in self._tasks:
            self._progress.update(
                self._tasks[name], total=1.0, completed=fraction, message=message[:40], timing=self._timing(name)
            )

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            for name, task in list(self._tasks.items()):
                if name in self._eta:
                    self._progress.update(task, timing=self._timing(name))

    def stage_done(self, name: str, status: str, duration_s: float | None, detail: str = "") -> None:
        if name in self._tasks:
            self._progress.remove_task(self._tasks.pop(name))
        self._eta.pop(name, None)
        colour = {"success": "green", "skipped": "yellow"}.get(status, "red")
        took = f" in {format_duration(duration_s)}" if duration_s is not None else ""
        extra = f": {detail}" if detail else ""
        self.console.print(f"  [{colour}]{name} {_MARK.get(status, status)}[/]{took}{extra}", highlight=False)

    def say(self, text: str) -> None:
        self.console.print(text, highlight=False, markup=False)

    def close(self) -> None:
        self._stop.set()
        self._progress.stop()


def make_display(interval_s: float = 30.0, stream: TextIO | None = None) -> Display:
    """Rich on a TTY, plain lines otherwise."""
    stream = stream or sys.stdout
    if stream.isatty():
        return RichDisplay()
    return PlainDisplay(stream, interval_s)
