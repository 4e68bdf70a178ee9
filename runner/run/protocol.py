"""One attempt's log lines: each goes to logs/<stage>.log (secrets masked); protocol lines (progress,
note, info, skip, error) are parsed into the attempt's end and the movie's progress."""

from __future__ import annotations

from runner.run.logs import StageLog
from runner.run.outcome import AttemptEnd
from runner.run.recorder import Recorder
from runner.watch.progress import EtaEstimator, parse_line


class AttemptListener:
    """The engine's `on_line` for one attempt."""

    def __init__(self, stage: str, log: StageLog, end: AttemptEnd, recorder: Recorder, eta: EtaEstimator,
                 media_s: float | None) -> None:
        self.stage, self.log, self.end = stage, log, end
        self.recorder, self.eta, self.media_s = recorder, eta, media_s
        self._last_event = [0.0]

    def __call__(self, line: str) -> None:
        self.log.write(line)
        msg = parse_line(line, self.media_s)
        if msg is None:
            return
        if msg.kind == "progress":
            self.eta.observe(msg.value)
            self.recorder.progress(self.stage, msg.value, msg.message, self._last_event)
        elif msg.kind == "note":
            self.end.notes.append(msg.value)
        elif msg.kind == "info":
            self.end.info.update(msg.value)
        elif msg.kind == "skip":
            self.end.skip = msg.value
        elif msg.kind == "error":
            self.end.error = msg.value
