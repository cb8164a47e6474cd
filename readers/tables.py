"""Tables from CSV (UTF-8 or GB18030, as Excel on a Chinese Windows saves them) or Excel (.xlsx) files.

:func:`read_table` gives ``(row number, {column: raw cell value})`` records for the columns the caller names,
with the header spellings it accepts for each (compared after lower-casing, spaces and hyphens as underscores).
Row numbers count the header as row 1, as a spreadsheet shows them; blank rows are skipped but counted.
Supervision reads its in-progress items with it (``approval_model.supervision_records.COLUMN_ALIASES``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from approval_model.problems import did_you_mean
from messages import Joined, Message

__all__ = ["Record", "TableError", "csv_rows", "excel_sheets", "read_table"]

Record = tuple[int, dict[str, Any]]


class TableError(ValueError):
    """The file as a whole cannot be read (missing, wrong format, missing or unknown columns)."""

    def __init__(self, path: Path, problem: str, fix: str = "") -> None:
        self.path, self.problem, self.fix = path, problem, fix
        super().__init__(
            Message("{path}: {problem}. Fix: {fix}", path=str(path), problem=problem, fix=fix)
            if fix
            else Message("{path}: {problem}", path=str(path), problem=problem)
        )


def _header_key(text: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(text or "").strip().lower())


def _canonical_columns(
    header: Sequence[Any], columns: Mapping[str, Sequence[str]]
) -> tuple[dict[str, int], list[str]]:
    """Column name -> index, and the header cells that are not recognised."""
    lookup = {_header_key(alias): name for name, aliases in columns.items() for alias in (name, *aliases)}
    found: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        key = _header_key(cell)
        if not key:
            continue
        name = lookup.get(key)
        if name is None:
            unknown.append(str(cell))
        elif name not in found:
            found[name] = index
    return found, unknown


def csv_rows(path: Path) -> list[list[Any]]:
    """Rows of a CSV file saved by Excel: UTF-8 (with or without BOM) or GB18030 (Excel on a Chinese Windows);
    a quoted cell may hold line breaks."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise TableError(
            path, Message("not a text file in UTF-8 or GB18030"), Message("save it as 'CSV UTF-8'")
        )
    try:
        return [list(row) for row in csv.reader(text.splitlines(keepends=True))]
    except csv.Error as error:
        raise TableError(
            path,
            Message("not a readable CSV file ({error})", error=str(error)),
            Message("save it as CSV again"),
        ) from None


def excel_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's rows (cached values, not formulas; empty cells None) by sheet title, row 1 first.

    python-calamine (Rust) reads a year of platform records (100,000 rows) in 0.4 s, where openpyxl takes
    8-22 s; imported here, only Excel input needs it. Empty leading rows and columns are kept, so row and column
    numbers are those the spreadsheet shows."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names
        }
    except (CalamineError, OSError, ValueError) as error:
        raise TableError(
            path,
            Message(
                "not a readable Excel file ({kind}: {error})", kind=type(error).__name__, error=str(error)
            ),
            Message("save it as 'Excel Workbook (*.xlsx)'"),
        ) from None
    return {
        name: [[None if cell == "" else cell for cell in row] for row in rows]
        for name, rows in sheets.items()
    }


def _rows_from_excel(path: Path) -> list[list[Any]]:
    sheets = excel_sheets(path)
    if not sheets:
        raise TableError(
            path, Message("the workbook has no sheet"), Message("put the table in the first sheet")
        )
    return next(iter(sheets.values()))


def read_table(
    path: str | Path, columns: Mapping[str, Sequence[str]], required: Sequence[str]
) -> list[Record]:
    """Records of a CSV/Excel file; TableError when the file as a whole is unusable.

    ``columns`` maps each column's name to the other header spellings accepted for it; ``required`` are the
    columns the file must have. An unrecognised header cell is an error (a misspelt 'completed' would silently
    drop data).
    """
    path = Path(path)
    names = list(columns)
    if not path.is_file():
        raise TableError(path, Message("no such file"), Message("check the path"))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _rows_from_excel(path)
    elif suffix == ".xls":
        raise TableError(
            path, Message("old .xls workbooks are not supported"), Message("save as CSV (UTF-8) or .xlsx")
        )
    else:
        rows = csv_rows(path)
    if not rows or not any(str(c or "").strip() for c in rows[0]):
        raise TableError(
            path, Message("row 1 must be a header with the columns {names}", names=", ".join(names))
        )
    found, unknown = _canonical_columns(rows[0], columns)
    missing = [c for c in required if c not in found]
    if missing or unknown:
        parts = []
        if missing:
            listed = ", ".join(repr(m) for m in missing)
            parts.append(
                Message("missing columns {columns}", columns=listed)
                if len(missing) > 1
                else Message("missing column {columns}", columns=listed)
            )
        if unknown:
            hints = Joined("", (did_you_mean(_header_key(u), names) for u in unknown))
            listed = ", ".join(repr(u) for u in unknown)
            parts.append(
                Message("unknown columns {columns}{hints}", columns=listed, hints=hints)
                if len(unknown) > 1
                else Message("unknown column {columns}{hints}", columns=listed, hints=hints)
            )
        raise TableError(
            path,
            Message("row 1 (header): {problems}", problems=Joined("; ", parts)),
            Message(
                "the columns are {names} ({required} required)",
                names=", ".join(names),
                required=", ".join(required),
            ),
        )
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(c if c is not None else "").strip() for c in row):
            continue
        records.append((number, {name: (row[i] if i < len(row) else None) for name, i in found.items()}))
    return records
