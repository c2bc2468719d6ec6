"""Redis answers bytes unless a client decodes: one way to read a value as text."""

from __future__ import annotations

from typing import Any


def as_text(value: Any) -> str:
    """`value` as a string: bytes decoded as UTF-8, None as ""."""
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)
