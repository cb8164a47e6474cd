"""Tables that stay readable in an 80-column terminal: names wrap, keys never shrink, and columns are left out
by priority (the least important first, said under the table) when the rows still do not fit.

Rich alone squeezes every column: a Chinese name without spaces is cut to ``gre…`` and a narrow column
can end up empty. Here each column says what it is: the key (an id: kept whole, never wrapped), a name
(wraps, folding inside words, since Chinese has no spaces) or a figure (kept whole), and a priority.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from messages import _

__all__ = ["Column", "fitted_table"]

Role = Literal["key", "name", "figure", "label", "text"]
NAME_WIDTH = 12  # a name column narrower than six Chinese characters is harder to read than a column less


@dataclass(frozen=True)
class Column:
    """``role``: key (an id, left, whole), name (wraps anywhere), figure (right, whole), label (a short word or
    mark, left, whole), text (wraps). ``priority``: 0 is never left out; higher numbers go first when the
    table is too wide."""

    header: str
    role: Role = "figure"
    priority: int = 0
    min_width: int | None = None


def _build(
    title: str | None, columns: Sequence[Column], rows: Sequence[Sequence[str]], keep: list[int]
) -> Table:
    table = Table(title=title, title_justify="left", caption_justify="left")
    for index in keep:
        column = columns[index]
        if column.role in ("key", "label"):
            table.add_column(column.header, no_wrap=True)
        elif column.role == "name":
            table.add_column(
                column.header, overflow="fold", min_width=column.min_width or NAME_WIDTH, ratio=1
            )
        elif column.role == "text":
            table.add_column(column.header, overflow="fold", min_width=column.min_width)
        else:
            table.add_column(column.header, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(*(row[index] for index in keep))
    return table


def fitted_table(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    title: str | None = None,
) -> Table:
    """The table with as many columns as fit ``console.width``, dropping the highest priority number first."""
    keep = list(range(len(columns)))
    table = _build(title, columns, rows, keep)
    while _minimum(columns, rows, keep) > console.width:
        droppable = [i for i in keep if columns[i].priority > 0]
        if not droppable:
            break
        worst = max(droppable, key=lambda i: (columns[i].priority, i))
        keep.remove(worst)
        table = _build(title, columns, rows, keep)
    left_out = [columns[i].header for i in range(len(columns)) if i not in keep]
    if left_out:
        table.caption = _("left out at this width: {columns} (a wider terminal or --json shows them)").format(
            columns=", ".join(left_out)
        )
    return table


def _minimum(columns: Sequence[Column], rows: Sequence[Sequence[str]], keep: list[int]) -> int:
    """The narrowest the table can be drawn with every key and figure whole and names at their minimum
    (a box table: one rule per column plus one, one space of padding each side)."""
    width = 1
    for index in keep:
        column = columns[index]
        if column.role in ("name", "text"):
            header = max((cell_len(word) for word in column.header.split()), default=0)
            width += max(column.min_width or NAME_WIDTH, header)
        else:
            cells = [cell_len(Text.from_markup(row[index]).plain) for row in rows]
            width += max([cell_len(column.header), *cells])
        width += 3
    return width
