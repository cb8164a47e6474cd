"""The CJK font of the exports: Noto Sans CJK SC (SIL Open Font License), bundled by the mplfonts package.

The font file is found without importing mplfonts (whose helpers edit the user's matplotlib configuration)
and registered with matplotlib's font manager for this process only; plots use it through a private
``rc_context``, so the user's own matplotlib settings are left alone. The HTML report embeds a subset of the
same font (only the characters the report uses), so it reads the same on machines without Chinese fonts; the
SVG figures keep their text as text (editable in Inkscape or Illustrator) and embed the same kind of subset.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

FONT_FILE = "NotoSansCJKsc-Regular.otf"


class FontMissing(RuntimeError):
    """The bundled CJK font is not installed (mplfonts missing or incomplete)."""


@functools.cache
def font_path() -> Path:
    spec = importlib.util.find_spec("mplfonts")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        candidate = Path(location) / "fonts" / FONT_FILE
        if candidate.is_file():
            return candidate
    raise FontMissing(
        f"{FONT_FILE} not found: the mplfonts package (a dependency of approval-sim) is not installed"
    )


@functools.cache
def register() -> str:
    """Register the font with matplotlib (once per process) and return its family name."""
    from matplotlib import font_manager

    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def plot_style() -> dict[RcKeyType, Any]:
    """rcParams for the export figures (use with ``matplotlib.rc_context``)."""
    family = register()
    return {
        # the CJK font first; DejaVu Sans (shipped with matplotlib) only for glyphs it lacks
        "font.family": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        # labels are names a planner wrote: '$' is a dollar sign, never the start of TeX (a name like
        # '$\\frac{a$' made matplotlib raise and the export fail)
        "text.parse_math": False,
        "svg.fonttype": "none",  # text stays text (editable); svg_with_font() embeds the glyphs it uses
        "svg.hashsalt": "approval-sim",  # stable ids: the same run gives the same SVG
        "figure.dpi": 100,
        "savefig.dpi": 120,
        "axes.titlesize": 13,
        "axes.labelsize": 11,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def web_font_data_uri(text: str) -> str:
    """A WOFF subset of the font holding the characters of ``text`` (plus ASCII), as a data: URI."""
    return _subset_uri("".join(sorted(set(text))))


@functools.lru_cache(maxsize=32)
def _subset_uri(text: str) -> str:
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.name_IDs = ["*"]
    font = subset.load_font(str(font_path()), options, lazy=True)
    subsetter = subset.Subsetter(options)
    ascii_chars = "".join(chr(c) for c in range(32, 127))
    subsetter.populate(text="".join(sorted(set(text + ascii_chars + "（）、，：；。·—–−×％"))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return "data:font/woff;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def svg_with_font(svg: bytes) -> bytes:
    """A matplotlib SVG (``svg.fonttype: none``) with the glyphs its text uses embedded as an @font-face, so it
    shows the same on a machine without Chinese fonts and its text can still be edited."""
    import html
    import re

    text = svg.decode("utf-8")
    family = register()
    shown = html.unescape("".join(re.findall(r"<text[^>]*>([^<]*)</text>", text)))
    face = (
        f"<defs><style>@font-face {{ font-family: '{family}'; src: url({web_font_data_uri(shown)}) "
        'format("woff"); }</style></defs>'
    )
    opening = re.search(r"<svg[^>]*>", text)
    if opening is None:  # not an SVG matplotlib wrote: leave it as it is
        return svg
    return (text[: opening.end()] + "\n " + face + text[opening.end() :]).encode("utf-8")
