"""tmdb: look the movie up on TMDB from its file name and write `metadata.json` (title, cast, names)."""

from __future__ import annotations

import argparse
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from guessit import guessit
from reelstage_stage import StageError, emit_info, emit_note, run_stage, skip, write_json_atomic

DEFAULT_URL = "https://api.themoviedb.org/3"
CAST_LIMIT = 30
TIMEOUT_S = 20
# Character credits that are not names a viewer hears.
NOT_NAMES = {"himself", "herself", "themselves", "self", "narrator", "voice", "uncredited", "additional voices"}
TITLES = {"mr", "mrs", "ms", "miss", "dr", "doctor", "sir", "lady", "lord", "captain", "capt", "jr", "sr",
          "the", "of", "and", "von", "van", "de", "la", "le", "du", "des"}


class Tmdb:
    """A minimal TMDB v3 client that never shows the key in an error."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.key = key

    def _redact(self, text: str) -> str:
        return text.replace(self.key, "***") if self.key else text

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        """GET `path` with `params`; a v4 read token goes in a Bearer header, a v3 key as `api_key`."""
        headers = {"Accept": "application/json"}
        if self.key.startswith("eyJ"):
            headers["Authorization"] = f"Bearer {self.key}"
        else:
            params["api_key"] = self.key
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v not in (None, "")})
        url = f"{self.base_url}{path}?{query}"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT_S) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            hint = ": check TMDB_API_KEY" if exc.code in (401, 403) else ""
            raise StageError(self._redact(f"TMDB answered HTTP {exc.code} for {path}{hint}")) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StageError(self._redact(f"TMDB unreachable at {self.base_url}: {reason}")) from None
        except ValueError:
            raise StageError(f"TMDB answered {path} with something that is not JSON") from None


def parse_name(file_name: str) -> tuple[str | None, int | None]:
    """(title, year) guessed from a movie file name."""
    guess = guessit(file_name, {"type": "movie"})
    title = guess.get("title")
    year = guess.get("year")
    return (str(title) if title else None), (int(year) if isinstance(year, int) else None)


def _year(movie: dict[str, Any]) -> int | None:
    date = movie.get("release_date") or ""
    return int(date[:4]) if date[:4].isdigit() else None


def best_match(results: list[dict[str, Any]], title: str, year: int | None) -> dict[str, Any] | None:
    """The result whose title and year match best; TMDB's relevance order breaks ties."""
    def score(item: tuple[int, dict[str, Any]]) -> tuple[int, int, int]:
        rank, movie = item
        titles = {str(movie.get(k, "")).casefold() for k in ("title", "original_title")}
        year_gap = abs(_year(movie) - year) if year and _year(movie) else 99
        return (title.casefold() in titles, -min(year_gap, 2), -rank)
    return max(enumerate(results), key=score)[1] if results else None


def clean_character(character: str) -> list[str]:
    """Names in a character credit: 'Dr. Ann Lee / Narrator (voice)' → ['Dr. Ann Lee']."""
    character = re.sub(r"\([^)]*\)", " ", character)
    parts = [" ".join(p.split()) for p in re.split(r"\s*/\s*|\s*;\s*", character)]
    return [p for p in parts if p and p.casefold() not in NOT_NAMES]


def name_parts(name: str) -> list[str]:
    """The name and its capitalised parts that are words a speaker could say alone."""
    words = [w.strip(".,'\"") for w in name.split()]
    parts = [w for w in words if len(w) > 2 and w[0].isupper() and w.casefold() not in TITLES]
    return [name, *parts] if len(words) > 1 else [name]


def collect_names(cast: list[dict[str, Any]]) -> list[str]:
    """Distinct character and person names and their parts, characters first."""
    seen: dict[str, str] = {}
    for full in [c for m in cast for c in clean_character(m.get("character") or "")] + \
                [m["name"] for m in cast if m.get("name")]:
        for part in name_parts(full):
            seen.setdefault(part.casefold(), part)
    return list(seen.values())


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="tmdb", description=__doc__)
    parser.add_argument("--input-name", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--language", default="en")
    args = parser.parse_args(argv)

    key = os.environ.get("TMDB_API_KEY", "").strip()
    if not key:
        skip("TMDB_API_KEY not set: metadata lookup skipped")
    title, year = parse_name(args.input_name)
    if not title:
        skip(f"no movie title found in the file name {args.input_name!r}")
    client = Tmdb(os.environ.get("TMDB_API_URL") or DEFAULT_URL, key)
    results = client.get("/search/movie", query=title, year=year, language=args.language).get("results") or []
    if not results and year:
        emit_note(f"no TMDB match for {title!r} in {year}: searching all years")
        results = client.get("/search/movie", query=title, language=args.language).get("results") or []
    movie = best_match(results, title, year)
    if movie is None:
        skip(f"no TMDB match for {title!r}")
    credits = client.get(f"/movie/{movie['id']}/credits", language=args.language)
    cast = sorted(credits.get("cast") or [], key=lambda m: m.get("order", 1_000_000))[:CAST_LIMIT]
    cast = [{"name": m.get("name"), "character": m.get("character") or "", "order": m.get("order")}
            for m in cast]
    write_json_atomic(args.out / "metadata.json", {
        "title": movie.get("title") or title,
        "year": _year(movie) or year,
        "tmdb_id": movie["id"],
        "query": {"title": title, "year": year},
        "cast": cast,
        "names": collect_names(cast),
    })
    emit_info(tmdb_id=movie["id"], title=movie.get("title"), cast=len(cast))


if __name__ == "__main__":
    run_stage(main)
