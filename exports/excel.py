"""The Excel workbook (openpyxl): sheets 概览, 事项, 部门 and, when the run has one, 敏感性.

Numbers are stored as numbers with a number format (days ``0.0``, rates ``0.0%``); there are no formulas:
text starting with `=` is stored as text, exactly as written.
Each sheet's header row is frozen, data sheets have an auto-filter, and column widths fit their content
(a CJK character counts as two).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from exports.tables import Table, format_value

NUMBER_FORMATS: dict[str, str] = {"days": "0.0", "percent": "0.0%", "int": "0", "number": "0.00"}
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
TITLE_FONT = Font(bold=True, size=12)
HEADER_FONT = Font(bold=True)
HEADER_BORDER = Border(bottom=Side(style="thin", color="7F8FA6"))
MAX_WIDTH = 60


def worksheet_text(text: str) -> str:
    """Text as a cell can hold it: the control characters a worksheet cannot store (openpyxl refuses them)
    shown as ``\\x1b`` escapes; everything else exactly as written."""
    return ILLEGAL_CHARACTERS_RE.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def display_width(text: str) -> int:
    """Width in Excel character units: wide (CJK) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _write_header(sheet, row: int, table: Table, widths: dict[int, int]) -> None:  # noqa: ANN001
    for col, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=row, column=col, value=header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        widths[col] = max(widths.get(col, 0), display_width(header))


def _write_rows(sheet, first_row: int, table: Table, widths: dict[int, int]) -> int:  # noqa: ANN001
    row = first_row
    for index, values in enumerate(table.cells()):
        colour = table.row_fills[index] if index < len(table.row_fills) else None
        fill = PatternFill("solid", fgColor=colour) if colour else None
        for col, (value, kind) in enumerate(values, start=1):
            if isinstance(value, str):
                value = worksheet_text(value)
            cell = sheet.cell(row=row, column=col, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text stays text, exactly as written (openpyxl would store a formula)
            if fill is not None:
                cell.fill = fill
            if kind in NUMBER_FORMATS and value is not None:
                cell.number_format = NUMBER_FORMATS[kind]
                cell.alignment = Alignment(horizontal="right")
            widths[col] = max(widths.get(col, 0), display_width(format_value(value, kind, missing="")))
        row += 1
    return row


def write_workbook(tables: list[Table], path: Path, title: str = "") -> Path:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the default empty sheet
    workbook.properties.creator = "approval-sim"
    workbook.properties.title = title or None
    sheets: dict[str, list[Table]] = {}
    for table in tables:
        sheets.setdefault(table.sheet or table.name, []).append(table)
    for name, blocks in sheets.items():
        sheet = workbook.create_sheet(name)
        widths: dict[int, int] = {}
        row = 1
        for index, table in enumerate(blocks):
            if index > 0:
                row += 1  # a blank row between blocks
                title_cell = sheet.cell(row=row, column=1, value=f"{table.name}（{table.english}）")
                title_cell.font = TITLE_FONT
                row += 1
            _write_header(sheet, row, table, widths)
            if index == 0:
                sheet.freeze_panes = sheet.cell(row=row + 1, column=1)
            first_data = row + 1
            row = _write_rows(sheet, first_data, table, widths)
            if len(blocks) == 1 and table.rows:
                sheet.auto_filter.ref = f"A{first_data - 1}:{get_column_letter(len(table.columns))}{row - 1}"
        for col, width in widths.items():
            sheet.column_dimensions[get_column_letter(col)].width = min(width + 3, MAX_WIDTH)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
