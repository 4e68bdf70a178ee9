"""Decode settings for faster-whisper, by preset (the asr stage's `--decode`, pipeline param `asr_decode`).

What model.transcribe is asked for every chunk; part of the checkpoint key. Chosen on the development
material of bench/asr_speed.py (its docstring has the table).
"""

from __future__ import annotations

from typing import Any

DECODE_PRESETS: dict[str, dict[str, Any]] = {
    # the former default: beam search of 5
    "accurate": {"beam_size": 5, "word_timestamps": True, "condition_on_previous_text": False, "vad_filter": False},
    # beam search of 2, no re-decode at higher temperatures (bench/asr_speed.py)
    "fast": {"beam_size": 2, "temperature": 0.0, "word_timestamps": True, "condition_on_previous_text": False,
             "vad_filter": False},
}
DEFAULT_DECODE = "accurate"
