"""End-to-end speed and quality on the synthetic movie, on CPU: per-stage and total real-time factor,
and, for each ASR variant given, WER and ASR speed side by side.

    .venv/bin/python bench/e2e.py [--variant ENGINE:MODEL ...] [--repeat-script N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
import srt  # noqa: E402
from moviegen import DEFAULT_SCRIPT, make_movie, wer  # noqa: E402


def run(movie: Path, workdir: Path, glossary: Path, *extra: str) -> float:
    cmd = [
        str(REPO / ".venv" / "bin" / "reelstage"),
        "run",
        str(movie),
        "--workdir",
        str(workdir),
        "--file",
        f"glossary={glossary}",
        *extra,
    ]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=REPO, capture_output=True)
    return time.perf_counter() - t


def srt_text(workdir: Path) -> str:
    path = next(workdir.glob("*.en.srt"))
    return " ".join(c.content.replace("\n", " ").replace("- ", " ") for c in srt.parse(path.read_text()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", action="append", default=[], help="ENGINE:MODEL, e.g. faster-whisper:tiny.en")
    ap.add_argument("--repeat-script", type=int, default=1, help="Repeat the dialogue N times (longer movie).")
    args = ap.parse_args()
    variants = args.variant or ["auto:auto"]
    root = Path(tempfile.mkdtemp(prefix="reelstage-e2e-"))
    try:
        movie = root / "bench movie.mp4"
        truth = make_movie(movie, list(DEFAULT_SCRIPT) * args.repeat_script)
        glossary = root / "names.txt"
        glossary.write_text("\n".join(truth.glossary) + "\n")
        media = truth.duration_s
        workdir = root / "work"
        total = run(movie, workdir, glossary)
        manifest = json.loads((workdir / "manifest.json").read_text())
        print(f"synthetic movie: {media:.1f} s, {len(truth.lines)} lines; CPU only")
        print(f"{'stage':<16} {'status':<8} {'seconds':>8} {'RTF':>7}")
        for name in manifest["pipeline"]["stages"]:
            st = manifest["stages"][name]
            d = st.get("duration_s") or 0.0
            print(f"{name:<16} {st['status']:<8} {d:8.2f} {d / media:7.3f}")
        print(f"{'total (wall)':<16} {'':<8} {total:8.2f} {total / media:7.3f}")
        print(f"\n{'ASR engine:model':<32} {'WER':>6} {'asr s':>7} {'asr RTF':>8}")
        for variant in variants:
            engine, _, model = variant.partition(":")
            vdir = root / f"v-{engine}-{model}".replace("/", "_")
            shutil.copytree(workdir, vdir, symlinks=True, ignore=shutil.ignore_patterns(".lock*"))
            run(movie, vdir, glossary, "--set", f"asr_engine={engine}", "--set", f"asr_model={model or 'auto'}")
            m = json.loads((vdir / "manifest.json").read_text())
            asr = m["stages"]["asr"]
            label = f"{asr['info'].get('engine', engine)}:{asr['info'].get('model', model)}"
            d = asr.get("duration_s") or 0.0
            print(f"{label:<32} {wer(truth.text, srt_text(vdir)):6.3f} {d:7.2f} {d / media:8.3f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
