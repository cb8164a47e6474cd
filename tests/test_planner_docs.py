"""The planner's docs say what the code reads: the workbook's sheets and columns (docs/excel-template.md and its
Chinese twin) against the layout the template, import and export use, and the platform records' columns
(docs/calibration.md and its twin) against the reader that supervise and calibrate share.

A column added to the layout, renamed, or dropped without the docs following fails here (and the other way).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from approval_model.supervision import COLUMN_ALIASES, COLUMNS, REQUIRED_COLUMNS, parse_records
from readers.tables import read_table
from rules.loading import load
from simulations.records import HEADER
from workbooks.layout import catalog_layout

DOCS = Path(__file__).resolve().parent.parent / "docs"
TEMPLATE_DOCS = [DOCS / "excel-template.md", DOCS / "zh" / "excel-template.md"]
RECORDS_DOCS = [DOCS / "calibration.md", DOCS / "zh" / "calibration.md"]
TICKED = re.compile(r"`([^`]+)`")


def _table_rows(path: Path) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    ]


def _documented_sheets(path: Path) -> dict[str, tuple[set[str], str]]:
    """Sheet title -> (the keys ticked in its columns cell, the cell's text)."""
    sheets = {}
    for cells in _table_rows(path):
        title = TICKED.match(cells[0])
        if title and len(cells) == 3:
            sheets[title[1]] = (set(TICKED.findall(cells[2])), cells[2])
    return sheets


@pytest.mark.parametrize("path", TEMPLATE_DOCS, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_sheet_and_column_of_the_workbook_is_documented_and_nothing_else(path):
    layout = catalog_layout()
    documented = _documented_sheets(path)
    assert set(documented) == {sheet.title for sheet in layout.sheets}
    for sheet in layout.sheets:
        keys, _ = documented[sheet.title]
        columns = {column.key for column in sheet.columns}
        # a distribution's parameters are listed by their short names after handling_days.distribution
        short = {key.rsplit(".", 1)[-1]: key for key in columns if key.startswith("handling_days.")}
        choice_values = {c.value for column in sheet.columns for c in column.choices}
        missing = {key for key in columns if key not in keys and key.rsplit(".", 1)[-1] not in keys}
        assert not missing, f"{path.name}, sheet {sheet.title}: columns not documented: {sorted(missing)}"
        unknown = keys - columns - set(short) - choice_values - {"mix:"}
        assert not unknown, f"{path.name}, sheet {sheet.title}: documented but not in the layout: {unknown}"


@pytest.mark.parametrize("path", TEMPLATE_DOCS, ids=lambda p: str(p.relative_to(DOCS)))
def test_the_documented_drop_down_labels_are_the_layouts(path):
    documented = _documented_sheets(path)
    items = catalog_layout().sheet("items")
    _, text = documented[items.title]
    for key in ("kind", "day_unit"):
        for choice in items.column(key).choices:
            assert choice.label in text, f"{path.name}: {key} label {choice.label} not documented"
    # the header example of the layout section: Chinese label (with '*': required) above the English key
    example = items.column("statutory_limit_days")
    assert f"`{example.label} *`" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", RECORDS_DOCS, ids=lambda p: str(p.relative_to(DOCS)))
def test_the_documented_record_columns_are_the_readers(path):
    rows = {}
    for cells in _table_rows(path):
        key = TICKED.match(cells[0])
        if key and key[1] in COLUMN_ALIASES and len(cells) == 4:
            rows[key[1]] = cells
    assert list(rows) == list(COLUMNS)
    for column, (_, chinese, required, _) in rows.items():
        assert chinese in COLUMN_ALIASES[column], f"{path.name}: {chinese} is not read as {column}"
        assert (required in ("yes", "是")) == (column in REQUIRED_COLUMNS), f"{path.name}: {column} required?"


@pytest.mark.parametrize("path", RECORDS_DOCS, ids=lambda p: str(p.relative_to(DOCS)))
def test_the_documented_example_records_are_what_the_event_log_writes_and_read_cleanly(path, tmp_path):
    text = path.read_text(encoding="utf-8")
    block = re.search(r"```text\n(.*?)```", text, re.S)
    assert block is not None
    lines = block[1].strip().splitlines()
    assert tuple(lines[0].split(",")) == HEADER  # the header 'simulate --event-log' writes
    sample = tmp_path / "sample.csv"
    sample.write_text(block[1], encoding="utf-8")
    process = load("luoyang-2017-before")
    valid, problems = parse_records(
        read_table(sample, COLUMN_ALIASES, REQUIRED_COLUMNS), process.item_ids, date(2017, 12, 29)
    )
    assert problems == [] and len(valid) == len(lines) - 1
    assert [r.completed is None for r in valid] == [False, True]  # the second is in progress
