"""What a file really is, from its first bytes (never from the CDN's header or the name).

Messenger says which kind it sends (image, audio, video, file); the bytes must agree for
images, audio and video, and anything that is HTML, SVG or a script is never served inline.
"""

from __future__ import annotations

import filetype

MB = 1024 * 1024
# Messenger's own limit is 25 MB; a case rarely needs a long video, and the disk is shared
MAX_BYTES = {"image": 8 * MB, "sticker": 2 * MB, "audio": 10 * MB, "video": 20 * MB,
             "file": 20 * MB}
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp",
                          "audio/mpeg", "audio/mp4", "audio/aac", "audio/ogg", "audio/x-wav",
                          "audio/webm", "video/mp4"})
GENERIC = "application/octet-stream"


class NotWhatItClaims(ValueError):
    """The bytes are not the kind Messenger said (a 'picture' that is not one)."""


def limit_for(kind: str) -> int:
    """The size limit of one attachment kind (unknown kinds count as files)."""
    return MAX_BYTES.get(kind, MAX_BYTES["file"])


def sniff(data: bytes, kind: str) -> str:
    """The content type read from the bytes; raises when an image/audio/video is not one."""
    guess = filetype.guess(data[:8192])
    mime = guess.mime if guess else GENERIC
    if mime == "video/mp4" and kind == "audio":
        mime = "audio/mp4"  # Messenger's voice notes are MPEG-4 audio (an mp4 container)
    expected = {"image": "image/", "sticker": "image/", "audio": "audio/", "video": "video/"}
    prefix = expected.get(kind)
    if prefix and not mime.startswith(prefix):
        raise NotWhatItClaims(f"{kind} is {mime}")
    return mime


def served_inline(mime: str) -> bool:
    """Pictures, sound and mp4 video play in the page; everything else is a download."""
    return mime in INLINE_TYPES


def normal_kind(kind: str) -> str:
    """Messenger's attachment type as one of our kinds."""
    return kind if kind in MAX_BYTES else "file"
