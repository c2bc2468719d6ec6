"""Read the words in a screenshot with Tesseract (Khmer and English), within a time limit.

Tesseract runs as a separate process (`tesseract stdin stdout -l khm+eng`), so a slow picture
is killed at the time limit and never blocks the caller's interpreter. The image is checked
with Pillow first (a real picture, not too many pixels) and handed over as PNG; nothing is
written to disk.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess

from PIL import Image, UnidentifiedImageError

LANGUAGES = "khm+eng"
# "A single column of text of variable sizes": chat bubbles one under another. The automatic
# layout (3) skipped whole Khmer bubbles of a chat screenshot; 4 read them all.
PSM = "4"
MAX_PIXELS = 30_000_000  # a 1080x2400 screenshot is 2.6 million; a photo of 6000x5000 is refused
TIMEOUT_S = 20.0


class UnreadableImage(ValueError):
    """Not a picture, a broken or huge one, or Tesseract could not read it in time."""


def available() -> bool:
    """True when the tesseract program is installed."""
    return shutil.which("tesseract") is not None


def read_text(data: bytes, timeout_s: float = TIMEOUT_S) -> str:
    """The text in the picture `data` (PNG, JPEG, WebP, GIF…)."""
    png = _as_png(data)
    try:
        done = subprocess.run(["tesseract", "stdin", "stdout", "-l", LANGUAGES, "--psm", PSM],
                              input=png, capture_output=True, timeout=timeout_s, check=False,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    except subprocess.TimeoutExpired as exc:
        raise UnreadableImage("reading took too long") from exc
    except FileNotFoundError as exc:
        raise UnreadableImage("tesseract is not installed (make ocr-deps)") from exc
    if done.returncode != 0:
        raise UnreadableImage("tesseract failed")
    return done.stdout.decode("utf-8", errors="replace").strip()


def _as_png(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise UnreadableImage("the picture is too large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            out = io.BytesIO()
            image.convert("L").save(out, format="PNG")
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise UnreadableImage("not a picture") from exc
