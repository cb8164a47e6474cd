"""What every command prints the same way: JSON on stdout (``--json``), and text a user wrote, safely."""

from __future__ import annotations

import json
import re
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def print_json(payload: object) -> None:
    """One JSON document on stdout: Chinese kept readable, dates and other objects as text."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def robustness_line(robust: dict | None) -> str | None:
    """The verdict over the modelling assumptions in one line, in the user's language (None when the result
    has no such analysis)."""
    from approval_sim import words
    from messages import _, localize

    if not robust:
        return None
    if robust.get("skipped"):
        return _("over the modelling assumptions: not analysed ({reason})").format(
            reason=localize(robust["skipped"])
        )
    low, high = robust["band"]
    deciding = (
        _(", decided by {assumption}").format(assumption=words.assumption(robust["deciding_assumption"]))
        if robust.get("deciding_assumption")
        else ""
    )
    when = robust.get("holds_when")
    turn = (
        _(" (holds when {assumption} {condition}, the others nominal)").format(
            assumption=words.assumption(when["assumption"]), condition=when["holds_when"]
        )
        if when
        else ""
    )
    return _(
        "over the modelling assumptions ({samples} sets, {framing}): {low:.1%} .. {high:.1%}, reaches the "
        "target in {share:.0%}: {verdict}{deciding}{turn}"
    ).format(
        samples=robust["samples"],
        framing=robust["framing"],
        low=low,
        high=high,
        share=robust["holds_share"],
        verdict=words.robustness(robust["verdict"]),
        deciding=deciding,
        turn=turn,
    )


# Characters a terminal obeys instead of showing: C0 controls (ESC starts colour, cursor and title sequences,
# BEL rings), DEL, C1 controls, and the bidirectional overrides that reorder what is shown ("Trojan source").
_SHOWN_AS_IS = {"\n", "\t"}
_BIDI = {0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_ESCAPES = {
    code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in (*range(0x20), 0x7F, *range(0x80, 0xA0), *_BIDI)
    if chr(code) not in _SHOWN_AS_IS
}


def printable(text: str) -> str:
    """Text for a terminal: control and bidi-override characters shown as ``\\x1b`` / ``\\u202e`` escapes, so
    a name can neither recolour, move the cursor, retitle the window nor reorder what is shown."""
    return text.translate(_ESCAPES)


_STYLE = "(?:bold|dim|italic|underline|red|green|yellow|blue|magenta|cyan|white)"
# a '[' that does not open or close one of the plain styles our own messages use is text, not markup
_OTHER_BRACKETS = re.compile(rf"(?<!\\)\[(?!/?{_STYLE}(?: {_STYLE})*\])")


@cache
def _safe_console_class() -> type[Console]:
    """SafeConsole, built on first use (rich is imported only by commands that draw tables)."""
    from collections.abc import Iterable

    from rich.console import Console
    from rich.errors import MarkupError
    from rich.segment import Segment
    from rich.text import Text

    def shown(segment: Segment) -> Segment:
        if segment.control:  # rich's own cursor movements (progress bars)
            return segment
        style = segment.style
        if style is not None and style.link:
            style = style.update_link(None)
        return Segment(printable(segment.text), style, segment.control)

    class SafeConsole(Console):
        """A rich Console for data a user wrote: control characters are shown, not obeyed, and a name that
        looks like markup ('[/]') is printed as written instead of crashing the command.

        Markup in our own strings (plain styles: bold, dim, colours) keeps working; any other '[' is text, so
        a name can neither open a hyperlink nor crash the command. Segment text is escaped just before output
        (rich's ``_render_buffer``, the one place every print, table and progress bar passes through; rich is
        pinned in uv.lock and tests/test_hostile_output.py fails if that changes). Hyperlinks are dropped: the
        product prints none, and a name must not make one.
        """

        def render_str(self, text: str, **options: Any) -> Text:
            markup = options.get("markup")
            if markup or (markup is None and self._markup):
                text = _OTHER_BRACKETS.sub(r"\\[", text)
            try:
                return super().render_str(text, **options)
            except MarkupError:  # e.g. a name holding '[/bold]'
                return super().render_str(text, **{**options, "markup": False})

        def _render_buffer(self, buffer: Iterable[Segment]) -> str:
            return super()._render_buffer(shown(segment) for segment in buffer)

    return SafeConsole


def console(**options: Any) -> Console:
    """The console every command prints with: a ``rich.console.Console`` (same options) that shows what a user
    wrote safely (see ``_safe_console_class``)."""
    return _safe_console_class()(**options)


def echo(message: str = "", *, err: bool = False) -> None:
    """``typer.echo`` for lines that may hold what a user wrote (names, labels, file names): see :func:`printable`."""
    import typer

    typer.echo(printable(message), err=err)
