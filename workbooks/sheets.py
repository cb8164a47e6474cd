"""Reading the raw cells of a workbook (.xlsx) or a CSV file, and naming places in them for messages.

Rows are lists of cell values, row 1 being the header; a place is a sheet, row(s) and column, rendered the way
Excel shows them (row 5, column 'statutory_limit_days' (F5)).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from messages import Joined, Message
from workbooks.layout import Column

__all__ = ["Place", "WorkbookError", "WorkbookProblem", "read_csv_rows", "read_sheets"]


@dataclass(frozen=True)
class Place:
    """Where in the workbook: a sheet, the spreadsheet row number(s) (header = 1) and a column."""

    sheet: str
    rows: tuple[int, ...] = ()
    column: Column | None = None
    letter: str | None = None

    def render(self) -> Message:
        """'sheet 'X', row 5, column '法定时限（工作日） statutory_limit_days' (F5)' (a Message: the words are
        translated where shown, the sheet, column and cell are what the user finds in the workbook)."""
        parts = [Message("sheet '{sheet}'", sheet=self.sheet)]
        if len(self.rows) == 1:
            parts.append(Message("row {row}", row=self.rows[0]))
        elif self.rows:
            parts.append(Message("rows {rows}", rows=", ".join(str(r) for r in self.rows)))
        cell = f"{self.letter}{self.rows[0]}" if self.letter and len(self.rows) == 1 else None
        if self.column is not None:
            name = f"{self.column.label} {self.column.key}"
            parts.append(
                Message("column '{column}' ({cell})", column=name, cell=cell)
                if cell
                else Message("column '{column}'", column=name)
            )
        elif cell:
            parts.append(Message("cell {cell}", cell=cell))
        return Joined(", ", parts)


@dataclass(frozen=True)
class WorkbookProblem:
    place: Place | None
    message: str
    fix: str = ""

    def render(self) -> Message:
        text = (
            Message("{place}: {message}", place=self.place.render(), message=self.message)
            if self.place
            else Message("{message}", message=self.message)
        )
        return Message("{text}. Fix: {fix}", text=text, fix=self.fix) if self.fix else text

    def sort_key(self, sheet_order: dict[str, int]) -> tuple[int, int, int]:
        if self.place is None:
            return (-1, 0, 0)
        column = 0
        if self.place.letter:
            from openpyxl.utils import column_index_from_string

            column = column_index_from_string(self.place.letter)
        return (sheet_order.get(self.place.sheet, 99), min(self.place.rows, default=0), column)


class WorkbookError(ValueError):
    """A workbook that cannot be imported; carries every problem found. Its one argument is a Message: the
    command line shows it in the user's language, ``str()`` is English."""

    def __init__(self, file: str, problems: list[WorkbookProblem]):
        self.file = file
        self.problems = problems
        count = len(problems)
        head = (
            Message("{file}: 1 problem; nothing was written", file=file)
            if count == 1
            else Message("{file}: {count} problems; nothing was written", file=file, count=count)
        )
        lines = [head, *(Joined("", ["  - ", p.render()]) for p in problems)]
        super().__init__(Joined("\n", lines))


def read_csv_rows(path: Path) -> list[list[Any]]:
    """Rows of a CSV file saved by Excel (:func:`readers.tables.csv_rows`), problems as a WorkbookError."""
    from readers.tables import TableError, csv_rows

    try:
        return csv_rows(path)
    except TableError as error:
        raise WorkbookError(str(path), [WorkbookProblem(None, error.problem, error.fix)]) from None


def read_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's rows (:func:`readers.tables.excel_sheets`), problems as a WorkbookError."""
    from readers.tables import TableError, excel_sheets

    try:
        return excel_sheets(path)
    except TableError as error:
        raise WorkbookError(str(path), [WorkbookProblem(None, error.problem, error.fix)]) from None
