"""Reading the raw cells of a workbook (.xlsx) or a CSV file, and naming places in them for messages.

Rows are lists of cell values, row 1 being the header; a place is a sheet, row(s) and column, rendered the way
Excel shows them (row 5, column 'statutory_limit_days' (F5)).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbooks.layout import Column

__all__ = ["Place", "WorkbookError", "WorkbookProblem", "read_csv_rows", "read_sheets"]


@dataclass(frozen=True)
class Place:
    """Where in the workbook: a sheet, the spreadsheet row number(s) (header = 1) and a column."""

    sheet: str
    rows: tuple[int, ...] = ()
    column: Column | None = None
    letter: str | None = None

    def render(self) -> str:
        parts = [f"sheet '{self.sheet}'"]
        if len(self.rows) == 1:
            parts.append(f"row {self.rows[0]}")
        elif self.rows:
            parts.append(f"rows {', '.join(str(r) for r in self.rows)}")
        if self.column is not None:
            text = f"column '{self.column.label} {self.column.key}'"
            if self.letter and len(self.rows) == 1:
                text += f" ({self.letter}{self.rows[0]})"
            parts.append(text)
        elif self.letter and len(self.rows) == 1:
            parts.append(f"cell {self.letter}{self.rows[0]}")
        return ", ".join(parts)


@dataclass(frozen=True)
class WorkbookProblem:
    place: Place | None
    message: str
    fix: str = ""

    def render(self) -> str:
        text = f"{self.place.render()}: {self.message}" if self.place else self.message
        return f"{text}. Fix: {self.fix}" if self.fix else text

    def sort_key(self, sheet_order: dict[str, int]) -> tuple[int, int, int]:
        if self.place is None:
            return (-1, 0, 0)
        column = 0
        if self.place.letter:
            from openpyxl.utils import column_index_from_string

            column = column_index_from_string(self.place.letter)
        return (sheet_order.get(self.place.sheet, 99), min(self.place.rows, default=0), column)


class WorkbookError(ValueError):
    """A workbook that cannot be imported; carries every problem found."""

    def __init__(self, file: str, problems: list[WorkbookProblem]):
        self.file = file
        self.problems = problems
        count = len(problems)
        lines = [f"{file}: {count} problem{'s' if count != 1 else ''}; nothing was written"]
        lines += [f"  - {p.render()}" for p in problems]
        super().__init__("\n".join(lines))


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
