"""The counts the fault suite reports (all must be 0), and per-case lines."""

from __future__ import annotations

from dataclasses import dataclass, field

COUNTS = (
    "corrupt manifests",
    "half outputs accepted",
    "orphans after exit",
    "orphans after the next run",
    "resumes that failed",
    "outputs that differ",
    "tracebacks",
    "wrong exit codes",
    "unclear messages",
    "wrong states recorded",
    "hangs",
)


@dataclass
class Row:
    """One trial or case: what happened, and which counts it added to."""

    group: str
    name: str
    detail: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Tally:
    rows: list[Row] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def add(self, row: Row, verbose: bool = True) -> Row:
        self.rows.append(row)
        for problem in row.problems:
            key = problem.split(":", 1)[0]
            self.counts[key] = self.counts.get(key, 0) + 1
        if verbose:
            print(format_row(row), flush=True)
        return row

    def summary(self) -> str:
        width = max(len(k) for k in self.counts)
        groups: dict[str, list[Row]] = {}
        for row in self.rows:
            groups.setdefault(row.group, []).append(row)
        lines = ["", "== fault suite =="]
        for group, rows in groups.items():
            lines.append(f"{group}: {sum(r.ok for r in rows)}/{len(rows)} clean")
        lines.append("")
        lines += [f"  {k:<{width}}  {v}" for k, v in self.counts.items()]
        return "\n".join(lines)

    def failed(self) -> bool:
        return any(self.counts.values())


def format_row(row: Row) -> str:
    mark = "ok  " if row.ok else "FAIL"
    text = f"{mark} {row.group:<8} {row.name:<34} {row.detail}"
    for problem in row.problems:
        text += f"\n       - {problem}"
    return text
