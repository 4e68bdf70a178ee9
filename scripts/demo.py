"""`make demo`: generate a short two-voice movie with known dialogue and run the whole pipeline on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from moviegen import make_movie  # noqa: E402


def main() -> int:
    folder = REPO / "out" / "demo-input"
    movie = folder / "Storm over Lake Tessaly.mp4"
    if not movie.exists():
        print(f"generating {movie} (test pattern + two synthetic voices, names in the dialogue)")
        truth = make_movie(movie)
        (folder / "names.txt").write_text("\n".join(truth.glossary) + "\n")
    workdir = REPO / "out" / movie.stem
    cmd = [str(REPO / ".venv" / "bin" / "reelstage"), "run", str(movie), "--workdir", str(workdir),
           "--file", f"glossary={folder / 'names.txt'}"]
    print("$", " ".join(f"'{c}'" if " " in c else c for c in cmd))
    code = subprocess.call(cmd, cwd=REPO)
    if code != 0:
        return code
    srt_file = workdir / f"{movie.stem}.en.srt"
    print(f"\nsubtitles:       {srt_file}\nsubtitled movie: {workdir / (movie.stem + '.subtitled.mp4')}")
    print(f"timeline report: {workdir / 'report.html'}\n\nfirst cues:\n")
    print("\n".join(srt_file.read_text(encoding="utf-8").split("\n")[:16]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
