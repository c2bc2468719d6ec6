"""Files a user might send, made in the test (no binary fixtures in the repo)."""

from __future__ import annotations

import io
import math
import struct
import wave

from PIL import Image


def photo_with_location(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A JPEG with EXIF GPS data (latitude of Phnom Penh) and a camera model."""
    image = Image.new("RGB", size, (30, 120, 200))
    for x in range(0, size[0], 40):
        image.paste((250, 200, 40), (x, 0, x + 20, size[1]))
    exif = Image.Exif()
    exif[0x0110] = "Test Phone"  # Model
    exif[0x8825] = {1: "N", 2: (11.0, 33.0, 0.0), 3: "E", 4: (104.0, 55.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def voice_note(seconds: float = 1.0) -> bytes:
    """A short WAV tone (Messenger's voice notes are mp4 audio; both are sniffed as audio)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        frames = (int(8000 * 0.3 * math.sin(2 * math.pi * 440 * i / 8000))
                  for i in range(int(8000 * seconds)))
        sound.writeframes(b"".join(struct.pack("<h", f) for f in frames))
    return out.getvalue()


def pdf() -> bytes:
    """The smallest file that sniffs as a PDF."""
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
