"""CSV files, one per table, UTF-8 with a byte-order mark so Excel on Windows reads the Chinese correctly.

Numbers are written raw (a rate of 12.5 % is ``0.125``, days keep full precision); "not applicable" is an
empty field.
"""

from __future__ import annotations

import csv
from pathlib import Path

from exports.tables import Table


def write_csv(table: Table, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.headers)
        for row in table.cells():
            writer.writerow(["" if value is None else value for value, _ in row])
    return path


def write_csv_files(tables: list[Table], out_dir: Path, prefix: str) -> list[Path]:
    return [write_csv(table, out_dir / f"{prefix}-{table.key}.csv") for table in tables]
