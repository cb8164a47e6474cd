"""Tables from CSV (UTF-8 or GB18030, as Excel on a Chinese Windows saves them) or Excel (.xlsx) files.

:func:`read_table` gives ``(row number, {column: raw cell value})`` records for the columns the caller names,
with the header spellings it accepts for each (compared after lower-casing, spaces and hyphens as underscores).
Row numbers count the header as row 1, as a spreadsheet shows them; blank rows are skipped but counted.
Supervision reads its in-progress items with it (``approval_model.supervision.COLUMN_ALIASES``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from approval_model.problems import did_you_mean

__all__ = ["Record", "TableError", "csv_rows", "read_table"]

Record = tuple[int, dict[str, Any]]


class TableError(ValueError):
    """The file as a whole cannot be read (missing, wrong format, missing or unknown columns)."""

    def __init__(self, path: Path, problem: str, fix: str = "") -> None:
        self.path, self.problem, self.fix = path, problem, fix
        super().__init__(f"{path}: {problem}" + (f". Fix: {fix}" if fix else ""))


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
        raise TableError(path, "not a text file in UTF-8 or GB18030", "save it as 'CSV UTF-8'")
    try:
        return [list(row) for row in csv.reader(text.splitlines(keepends=True))]
    except csv.Error as error:
        raise TableError(path, f"not a readable CSV file ({error})", "save it as CSV again") from None


def _rows_from_excel(path: Path) -> list[list[Any]]:
    import openpyxl  # imported here: only Excel input needs it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for a bad file
        raise TableError(
            path, f"not a readable Excel file ({error})", "save it as 'Excel Workbook (*.xlsx)'"
        ) from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


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
        raise TableError(path, "no such file", "check the path")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _rows_from_excel(path)
    elif suffix == ".xls":
        raise TableError(path, "old .xls workbooks are not supported", "save as CSV (UTF-8) or .xlsx")
    else:
        rows = csv_rows(path)
    if not rows or not any(str(c or "").strip() for c in rows[0]):
        raise TableError(path, f"row 1 must be a header with the columns {', '.join(names)}")
    found, unknown = _canonical_columns(rows[0], columns)
    missing = [c for c in required if c not in found]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)}"
            )
        if unknown:
            hints = "".join(did_you_mean(_header_key(u), names) for u in unknown)
            parts.append(
                f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(repr(u) for u in unknown)}{hints}"
            )
        raise TableError(
            path,
            f"row 1 (header): {'; '.join(parts)}",
            f"the columns are {', '.join(names)} ({', '.join(required)} required)",
        )
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(c if c is not None else "").strip() for c in row):
            continue
        records.append((number, {name: (row[i] if i < len(row) else None) for name, i in found.items()}))
    return records
