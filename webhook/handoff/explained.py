"""Errors whose message the console shows to a moderator in the moderator's language."""

from __future__ import annotations


class Explained(Exception):  # noqa: N818 - a base for NotAllowed and WindowClosed
    """An error with a message for a person: `text` is the English wording with %(name)s
    placeholders (a msgid of the console's catalogue: `make i18n-extract` reads the raising
    calls), `values` fill it; str() is the English message."""

    def __init__(self, text: str, **values: object) -> None:
        super().__init__(text % values if values else text)
        self.text = text
        self.values = values
