"""Phone-sized chat screenshots drawn with Pillow (Khmer shaped by libraqm, Khmer OS font), for
the scam check's OCR tests and benchmark: no image files in the repository."""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

KHMER_FONT = "/usr/share/fonts/truetype/khmeros/KhmerOS.ttf"
SIZE = (1080, 2400)
KHMER_SCAM = [
    "ធនាគារ ABA៖ គណនីរបស់អ្នកនឹងត្រូវបិទ",
    "សូមផ្ញើលេខកូដ OTP មកយើងភ្លាមៗ",
    "ដើម្បីផ្ទៀងផ្ទាត់គណនីរបស់អ្នក",
    "ចុច ababank-verify.top/login",
]


def chat_screenshot(lines: list[str], size: tuple[int, int] = SIZE, font_px: int = 44) -> bytes:
    """A PNG of a chat: a header bar and one bubble per line, like a phone screenshot."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(KHMER_FONT, font_px)
    draw.rectangle([0, 0, size[0], 160], fill=(240, 240, 240))
    draw.text((40, 50), "Messenger", font=font, fill="black")
    top = 240
    for line in lines:
        wrapped = textwrap.wrap(line, 40) or [line]
        height = (font_px + 30) * len(wrapped) + 40
        draw.rounded_rectangle([30, top, size[0] - 120, top + height], 30, fill=(228, 230, 235))
        for index, part in enumerate(wrapped):
            draw.text((60, top + 25 + index * (font_px + 30)), part, font=font, fill="black")
        top += height + 40
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
