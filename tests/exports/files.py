"""Reading exported files back: PNG sizes, sheet headers, SVG text and the SVG's embedded font."""

from __future__ import annotations

import re
import struct
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
BOM = b"\xef\xbb\xbf"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def header_row(sheet) -> list[str]:  # noqa: ANN001
    return [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1)) if c.value is not None]


def svg_texts(svg: str) -> list[str]:
    import html

    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def embedded_font_characters(svg: str) -> set[str]:
    """The characters the SVG's embedded @font-face (a WOFF data URI) has glyphs for, read with fontTools."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    match = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", svg)
    assert match, "no embedded font"
    font = TTFont(io.BytesIO(base64.b64decode(match.group(1))))
    return {chr(code) for code in font.getBestCmap()}
