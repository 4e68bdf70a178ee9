"""What the acoustic judge of the asr stage costs: CPU seconds of scoring against the chunk's two decodes.

On the names test set's development chunks where spelling keeps plain words (the only chunks the stage
scores, asr_merge.STAGE.acoustic "agree"), in one process with tiny.en int8 on one thread: the plain and the
hinted decode of the chunk, then asr_acoustic.score_texts of the candidates with and without the
log-probability given silence (only the "pmi" metrics read it). Needs bench/names_merge.py's cache.

    PYTHONPATH=. .venv/bin/python bench/names_acoustic_cost.py [--cache /tmp/bench-names-merge]

Measured 2026-11-28 (shared 2-core host, 3 chunks, 2 candidate texts each): decodes 8.10 s CPU, scoring
with the prior 3.97 s (0.49 of the decodes), without it 2.04 s (0.25): the stage scores without it
(asr_merge.STAGE.metric "mean"), on 3 chunks of the dev part's 10.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), *(str(REPO / "stages" / s) for s in ("common", "asr"))]
import asr_acoustic  # noqa: E402
import asr_hints  # noqa: E402
import asr_merge  # noqa: E402
import asr_whisper  # noqa: E402
import nameset  # noqa: E402
import stagechain  # noqa: E402
from asr_audio import WavChunks  # noqa: E402
from asr_chunks import make_chunks  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/bench-names-merge"))
    args = parser.parse_args()
    from faster_whisper import WhisperModel

    model = WhisperModel(str(stagechain.tiny_en_dir()), device="cpu", compute_type="int8", local_files_only=True,
                         cpu_threads=1)
    total = {"decodes": 0.0, "scoring with prior": 0.0, "scoring without prior": 0.0}
    chunks = 0
    for case in (c for c in nameset.CASES if not c.held_out):
        cached = args.cache / f"{case.name}-pad1.0.json"
        if not cached.exists():
            sys.exit(f"{cached} missing: run bench/names_merge.py --pad 1.0 --cache {args.cache} first")
        data = json.loads(cached.read_text())
        gloss = json.loads((args.cache / case.name / "pre_ner" / "glossary.json").read_text())
        spans = [tuple(s) for s in data["spans"]]
        with WavChunks(args.cache / case.name / f"{case.name}.wav") as audio:
            for k, chunk in enumerate(make_chunks(spans, audio.duration, pad=1.0)):
                first = asr_whisper._file_words(data["passes"]["plain"][k], chunk.start, spans)
                second = asr_whisper._file_words(data["passes"]["both"][k], chunk.start, spans)
                texts = asr_merge.candidates(first, second, case.glossary, judge="agree")
                if not asr_hints.suspects(first, case.glossary) or not texts:
                    continue
                chunks += 1
                samples = WavChunks.samples(audio.pcm(chunk.start, chunk.end))
                t = cpu()
                for prompt, hot in ((None, None), (gloss["initial_prompt"], gloss["hotwords"])):
                    list(model.transcribe(samples, language="en", **asr_whisper.DECODE_OPTIONS,
                                          initial_prompt=prompt, hotwords=hot)[0])
                total["decodes"] += cpu() - t
                for prior in (True, False):
                    t = cpu()
                    asr_acoustic.score_texts(model, samples, texts, "en", prior=prior)
                    total[f"scoring {'with' if prior else 'without'} prior"] += cpu() - t
    decodes = total["decodes"] or 1.0
    print(f"{chunks} chunks scored")
    for key, seconds in total.items():
        print(f"{key:22} {seconds:6.2f} s CPU  {seconds / decodes:.2f} of the decodes")


if __name__ == "__main__":
    main()
