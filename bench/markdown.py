"""(Re)writes the generated sections of BENCHMARKS.md from a run, keeping the prose around them.

A section is everything between `<!-- bench:<name>:begin -->` and `<!-- bench:<name>:end -->`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench.env import ROOT

BENCHMARKS = ROOT / "BENCHMARKS.md"


def pipe_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(headers), line(["---"] * len(headers)), *(line(r) for r in rows)])


def replace_section(name: str, content: str, path: Path = BENCHMARKS) -> None:
    begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
    document = path.read_text(encoding="utf-8")
    if begin not in document or end not in document:
        raise RuntimeError(f"{path.name} has no {begin} … {end} section to rewrite")
    head, rest = document.split(begin, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{begin}\n{content.strip()}\n{end}{tail}", encoding="utf-8")
    print(f"(rewrote the {name} section of {path.name})", flush=True)
