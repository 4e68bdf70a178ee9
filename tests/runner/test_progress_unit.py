"""The stage protocol, ffmpeg progress, ETA, fingerprints and plan decisions (pure logic)."""

from __future__ import annotations

import io
import os

import pytest

from runner.run.fingerprint import SAMPLE_THRESHOLD, cached_fingerprint, sampled_fingerprint
from runner.watch.display import PlainDisplay
from runner.watch.progress import EtaEstimator, History, format_duration, parse_line


@pytest.mark.parametrize(
    "line,kind,value,message",
    [
        ('{"progress": 0.42, "message": "chunk 37/88"}', "progress", 0.42, "chunk 37/88"),
        ('{"progress": 7}', "progress", 1.0, ""),
        ('{"note": "ran   on CPU"}', "note", "ran on CPU", ""),
        ('{"skip": "HF token not found"}', "skip", "HF token not found", ""),
        ('{"error": "no audio"}', "error", "no audio", ""),
        ('{"info": {"engine": "x"}}', "info", {"engine": "x"}, ""),
        ("out_time_us=30000000", "progress", 0.5, "30/60 s"),
        ("out_time_ms=60000000", "progress", 1.0, "60/60 s"),
        ("progress=end", "progress", 1.0, "done"),
    ],
)
def test_protocol_lines(line, kind, value, message):
    msg = parse_line(line, 60.0)
    assert msg is not None and msg.kind == kind and msg.value == value and msg.message == message


@pytest.mark.parametrize(
    "line", ["hello", "{not json}", '["progress", 1]', '{"progress": "x"}', "out_time_us=N/A", '{"other": 1}']
)
def test_plain_lines_are_not_messages(line):
    assert parse_line(line, 60.0) is None


def test_ffmpeg_progress_needs_a_duration():
    assert parse_line("out_time_us=1000000", None) is None


def test_eta_from_progress_rate():
    eta = EtaEstimator(started=0.0)
    eta.observe(0.1, now=10.0)
    eta.observe(0.3, now=30.0)  # 0.2 per 20 s -> 0.7 left = 70 s
    assert eta.eta_s(now=30.0) == pytest.approx(70.0)
    assert eta.eta_s(now=40.0) == pytest.approx(60.0)
    eta.observe(1.0, now=50.0)
    assert eta.eta_s(now=50.0) == 0.0


def test_eta_from_single_report_and_from_history():
    eta = EtaEstimator(started=0.0)
    eta.observe(0.25, now=10.0)
    assert eta.eta_s(now=10.0) == pytest.approx(30.0)
    prior = EtaEstimator(started=0.0, prior_s=100.0)
    assert prior.eta_s(now=40.0) == pytest.approx(60.0)
    assert EtaEstimator(started=0.0).eta_s(now=5.0) is None


def test_history_median_per_media_second(tmp_path):
    h = History(tmp_path / "h.json")
    for d in (10, 20, 30):
        h.record("asr", d, 100.0)
    assert History(tmp_path / "h.json").expected_s("asr", 1000.0) == pytest.approx(200.0)
    assert h.expected_s("demux", 10.0) is None


def test_format_duration():
    assert [format_duration(x) for x in (None, 5, 65, 3725)] == ["?", "5s", "1m05s", "1h02m"]


def test_plain_display_has_no_escape_codes_and_throttles():
    out = io.StringIO()
    d = PlainDisplay(out, interval_s=3600)
    d.banner(1, 2, "asr", "run")
    eta = EtaEstimator()
    d.stage_running("asr", eta)
    for i in range(100):
        eta.observe(i / 100)
        d.progress("asr", i / 100, "x")
    d.progress("asr", 1.0, "done")
    d.stage_done("asr", "success", 3.0)
    d.close()
    text = out.getvalue()
    assert "\x1b" not in text and "\r" not in text
    assert "STAGE 1/2: asr" in text
    assert len(text.splitlines()) <= 4


def test_fingerprint_reuses_stat_and_samples_large_files(tmp_path):
    small = tmp_path / "small.bin"
    small.write_bytes(b"a" * 1000)
    calls = []

    def counting(path):
        calls.append(path)
        return sampled_fingerprint(path)

    fp, _ = cached_fingerprint(small, None, counting)
    st = os.stat(small)
    prev = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "fingerprint": fp}
    assert cached_fingerprint(small, prev, counting) == (fp, False)
    assert len(calls) == 1
    small.write_bytes(b"b" * 1000)
    fp2, recomputed = cached_fingerprint(small, prev, counting)
    assert recomputed and fp2 != fp

    big = tmp_path / "big.bin"
    with open(big, "wb") as fh:
        fh.truncate(SAMPLE_THRESHOLD + 10 * 1024 * 1024)
    one = sampled_fingerprint(big)
    assert one.startswith("sha256-sampled:")
    with open(big, "r+b") as fh:  # a change inside the first sample is seen
        fh.write(b"changed")
    assert sampled_fingerprint(big) != one
