"""A readable line-by-line difference between two versions of a content item."""

from __future__ import annotations

import difflib
from typing import Any

from webhook.content.export import to_yaml


def item_diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(kind, line) pairs: kind is `added`, `removed`, `same` or `gap` (unchanged lines left out).

    Both versions are written as the YAML staff know from responses/, so a change to one
    bubble shows as that bubble's lines.
    """
    old = to_yaml(before).splitlines() if before else []
    new = to_yaml(after).splitlines() if after else []
    lines: list[tuple[str, str]] = []
    for group in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_grouped_opcodes(2):
        if lines:
            lines.append(("gap", "…"))
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                lines += [("same", line) for line in old[old_start:old_end]]
                continue
            lines += [("removed", line) for line in old[old_start:old_end]]
            lines += [("added", line) for line in new[new_start:new_end]]
    return lines
