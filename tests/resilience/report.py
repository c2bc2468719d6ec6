"""Tables for the terminal and sections of docs/benchmarks.md written by the suites."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from bot.project import ROOT

BENCHMARKS = ROOT / "docs" / "benchmarks.md"
_HEADING = re.compile(r"^## (\d+)\. (.+)$")


def markdown_table(rows: list[list[str]], header: list[str]) -> str:
    """A markdown table (it reads well in a terminal too)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def paragraph(text: str, width: int = 96) -> str:
    """Text wrapped like the rest of docs/benchmarks.md."""
    return textwrap.fill(text, width, break_on_hyphens=False)


def write_section(title: str, body: str, path: Path = BENCHMARKS) -> None:
    """Replace the `## N. title` section of the file with `body`, or append it numbered next.

    Only that section changes, so other sections (written by hand or by other benches) stay.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    headings = [(i, _HEADING.match(line)) for i, line in enumerate(lines)]
    headings = [(i, match) for i, match in headings if match]
    mine = next((i for i, match in headings if match.group(2) == title), None)
    if mine is None:
        number = max((int(match.group(1)) for _, match in headings), default=0) + 1
        lines += ["", f"## {number}. {title}", ""]
        start = end = len(lines)
    else:
        start = mine + 1
        end = next((i for i, _ in headings if i > mine), len(lines))
        lines[start:end] = [""]
        start = end = start + 1
    block = body.strip("\n").splitlines() + ([""] if end < len(lines) else [])
    lines[start:end] = block
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
