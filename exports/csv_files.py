"""CSV files, one per table, UTF-8 with a byte-order mark so Excel on Windows reads the Chinese correctly.

Numbers are written raw (a rate of 12.5 % is ``0.125``, days keep full precision); "not applicable" is an
empty field. Text that a spreadsheet would take for a formula is neutralised (:func:`csv_cell`).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from exports.tables import Table

# A spreadsheet evaluates a cell whose text starts with one of these (OWASP, "CSV Injection"), also after
# leading blanks, and Chinese input methods type the full-width forms.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")


def csv_cell(value: Any) -> Any:
    """A value as a CSV field: numbers as they are, None empty, text starting like a formula behind a single
    quote, which spreadsheets read as "this is text" (OWASP's recommendation; the csv module then doubles
    embedded quotes and quotes fields with separators, as RFC 4180 asks)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_LEADS):
        return "'" + value
    return value


def write_csv(table: Table, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_cell(header) for header in table.headers])
        for row in table.cells():
            writer.writerow([csv_cell(value) for value, _ in row])
    return path


def write_csv_files(tables: list[Table], out_dir: Path, prefix: str) -> list[Path]:
    return [write_csv(table, out_dir / f"{prefix}-{table.key}.csv") for table in tables]
