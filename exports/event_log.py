"""Platform-style records (:mod:`simulations.records`) as a CSV file a planner opens in Excel."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from exports.csv_files import csv_cell

__all__ = ["write_records"]


def write_records(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write the rows as CSV, UTF-8 with BOM (so Excel reads the Chinese), whole or not at all; returns the
    number of rows. The cells are dates, codes and ids; any text Excel would take for a formula is
    neutralised all the same (:func:`exports.csv_files.csv_cell`)."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    count = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow([csv_cell(cell) for cell in header])
            for row in rows:
                writer.writerow([csv_cell(cell) for cell in row])
                count += 1
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count
