"""House-style warnings for Khmer answers: one term per concept (docs/glossary.md), Latin
list numbers, at most five points per list. Warnings, not errors: wording is the editors' call."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from webhook.content.model import Response

GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"
MAX_POINTS = 5
_FORM = re.compile(r"`([^`]+)`")
_KHMER_LIST_NUMBER = re.compile(r"(?m)^\s*[០-៩]+\.\s")
_POINT = re.compile(r"(?m)^\s*(?:[0-9០-៩]+\.|•)\s")


@lru_cache(maxsize=1)
def avoided_terms() -> dict[str, str]:
    """Each form to avoid → the term to use instead, from the glossary's table."""
    terms: dict[str, str] = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not line.startswith("|") or cells[0] in ("concept", "---"):
            continue
        use = _FORM.findall(cells[1])
        for form in _FORM.findall(cells[2]):
            if use and not _KHMER_LIST_NUMBER.match(form):
                terms[form] = use[0]
    return terms


def warnings(response: Response) -> list[str]:
    """Style warnings for one answer (Khmer terms in its km version; list length in both)."""
    found = []
    for language, version in response.versions.items():
        for index, bubble in enumerate(version.bubbles):
            where = f"{response.topic}.yml: {response.name}.{language}.bubbles[{index}]"
            if len(_POINT.findall(bubble)) > MAX_POINTS:
                found.append(f"{where}: more than {MAX_POINTS} points in one bubble")
            if language != "km":
                continue
            found += [f"{where}: uses «{form}», the glossary says «{use}»"
                      for form, use in avoided_terms().items() if form in bubble]
            if _KHMER_LIST_NUMBER.search(bubble):
                found.append(f"{where}: Khmer digits number a list; glossary: 1. 2. 3.")
    return found
