"""The m.me link of a ref and a printable QR code of it, with the Page's name under the code.

PNG for printing at a commune office or on a poster (drawn with Pillow, Khmer shaped by its
Raqm layout when present), SVG for designers (the viewer draws the text). The codes come from
the maintained `qrcode` package; nothing here reaches the network.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont, features

SVG_NS = "http://www.w3.org/2000/svg"
FONTS = (Path("/usr/share/fonts/truetype/khmeros/KhmerOS.ttf"),
         Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))


def mme_link(page: str, ref: str) -> str:
    """`https://m.me/<page>?ref=<ref>`: opens the Page's chat with the referral."""
    return f"https://m.me/{quote(page, safe='')}?ref={quote(ref, safe='')}"


def _code(link: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size,
                         border=4)
    code.add_data(link)
    code.make(fit=True)
    return code


def png(link: str, caption: str) -> bytes:
    """The QR code of `link` with `caption` (the Page's name) centred under it."""
    code = _code(link).make_image(fill_color="black", back_color="white").get_image()
    code = code.convert("RGB")
    font = _font(size=max(18, code.width // 16), khmer=_needs_khmer(caption))
    box = ImageDraw.Draw(code).textbbox((0, 0), caption, font=font)
    text_width, text_height = box[2] - box[0], box[3] - box[1]
    margin = code.width // 10
    width = max(code.width, text_width + 2 * margin)
    sheet = Image.new("RGB", (width, code.height + text_height + margin), "white")
    sheet.paste(code, ((width - code.width) // 2, 0))
    ImageDraw.Draw(sheet).text(((width - text_width) / 2 - box[0], code.height - box[1]),
                               caption, fill="black", font=font)
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    return out.getvalue()


def svg(link: str, caption: str) -> bytes:
    """The QR code of `link` as SVG, with `caption` as a text line under it."""
    image = _code(link).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    root = ElementTree.fromstring(image.to_string())
    side = float(root.get("viewBox", "0 0 33 33").split()[2])
    root.set("viewBox", f"0 0 {side:g} {side + 6:g}")
    root.set("height", f"{side + 6:g}mm")
    text = ElementTree.SubElement(root, f"{{{SVG_NS}}}text", {
        "x": f"{side / 2:g}", "y": f"{side + 2.5:g}", "text-anchor": "middle",
        "font-size": "2.6", "font-family": "Khmer OS, Noto Sans Khmer, sans-serif"})
    text.text = caption
    ElementTree.register_namespace("", SVG_NS)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _needs_khmer(text: str) -> bool:
    return any("\u1780" <= char <= "\u17ff" for char in text)


def _font(size: int, khmer: bool) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    layout = ImageFont.Layout.RAQM if khmer and features.check("raqm") else None
    for path in FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size, layout_engine=layout)
    return ImageFont.load_default()
