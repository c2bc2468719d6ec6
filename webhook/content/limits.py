"""Messenger's limits (and our house style) that every answer must respect."""

MAX_MESSAGE_CHARS = 2000   # Send API: text of one message
MAX_BUBBLE_CHARS = 640     # house style: one idea per bubble; also the button template's text
MAX_TITLE_CHARS = 20       # quick-reply and button titles
MAX_QUICK_REPLIES = 13
MAX_BUTTONS = 3
MAX_PAYLOAD_CHARS = 1000


def char_count(text: str) -> int:
    """Characters as Messenger counts them: every code point, Khmer signs and subscripts included.

    Counting code points is stricter than counting what a reader sees as one letter, so a title
    that passes here is never cut off.
    """
    return len(text)
