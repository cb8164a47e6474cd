"""Write the catalog workbook: the empty template (with its worked example) or a whole scenario (export).

Both go through :func:`write_workbook`, so the template and an export have the very same layout: the
instructions sheet first, then one sheet per part of the scenario with a two-line header (Chinese label above
the English key, the column's meaning in a comment), drop-down lists for fixed sets of values, and the
department and stage columns of the items sheet listing the names of the departments and stages sheets.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from approval_model.models import Process, ProjectProfile
from approval_model.profiles import builtin_profiles, mix_profiles
from workbooks.cells import write_cell
from workbooks.layout import Column, Layout, Sheet, catalog_layout

__all__ = ["DATA_VALIDATION_ROWS", "process_rows", "template_rows", "write_workbook"]

DATA_VALIDATION_ROWS = 1000  # drop-down lists cover this many rows (or the data plus this many)
_HEADER_FILL = "DDEBF7"
_REQUIRED_FILL = "FCE4D6"
_WIDTHS = {"text": 24, "identifier": 12, "reference": 18, "materials": 28, "list": 22, "choices": 22}

Rows = list[dict[str, Any]]  # per sheet: a mapping column key -> cell value per row


def template_rows(layout: Layout | None = None) -> dict[str, Rows]:
    """The worked example of every sheet (the ``example`` entries of the layout)."""
    layout = layout or catalog_layout()
    rows: dict[str, Rows] = {}
    for sheet in layout.sheets:
        if sheet.kind == "settings":
            rows[sheet.key] = [{c.key: c.example(0) for c in sheet.columns}]
            continue
        rows[sheet.key] = [
            {c.key: c.example(r) for c in sheet.columns if c.example(r) not in (None, "")}
            for r in range(sheet.example_rows)
        ]
    return rows


def _get(data: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _cells(sheet: Sheet, data: Mapping[str, Any], **given: Any) -> dict[str, Any]:
    out = {}
    for column in sheet.columns:
        value = given[column.key] if column.key in given else _get(data, column.path)
        cell = write_cell(column, value)
        if cell is not None:
            out[column.key] = cell
    return out


def _profile_rows(process: Process, sheet: Sheet) -> Rows:
    """The scenario's own profiles, and its default profile (marked) when that is not one of them."""
    rows = []
    default = process.profile
    listed = dict(process.profiles)
    if default is not None and listed.get(default.name or "") != default:
        name = default.name or "scenario-profile"
        listed = {name: default, **{key: value for key, value in listed.items() if key != name}}
    mix = process.mix or {}
    for name, profile in mix_profiles(process).items():
        listed.setdefault(name, profile)  # a built-in profile of the mix: a row with its weight
    for name, profile in listed.items():
        data = profile.model_dump(mode="json")
        is_default = default is not None and profile == default
        rows.append(
            _cells(sheet, data, name=name, default=True if is_default else None, weight=mix.get(name))
        )
    return rows


def process_rows(process: Process, layout: Layout | None = None) -> dict[str, Rows]:
    """Every sheet's rows for a scenario (the inverse of the import)."""
    layout = layout or catalog_layout()
    data = process.model_dump(mode="json")
    department_names = {d["id"]: d["name"] for d in data["departments"]}
    stage_names = {s["id"]: s["name"] for s in data["stages"]}
    item_columns = {c.key: c for c in layout.sheet("items").columns}
    rows: dict[str, Rows] = {}
    settings = layout.sheet("process")
    rows["process"] = [_cells(settings, data)]
    rows["departments"] = [_cells(layout.sheet("departments"), d) for d in data["departments"]]
    rows["stages"] = [
        _cells(
            layout.sheet("stages"),
            s,
            lead_department=_unique_name(department_names, s["lead_department"])
            if s.get("lead_department")
            else None,
        )
        for s in data["stages"]
    ]
    items_sheet, prerequisites_sheet = layout.sheet("items"), layout.sheet("prerequisites")
    provenance_sheet = layout.sheet("provenance")
    rows["items"], rows["prerequisites"], rows["provenance"] = [], [], []
    for item in data["items"]:
        rows["items"].append(
            _cells(
                items_sheet,
                item,
                department=_unique_name(department_names, item["department"]),
                stage=_unique_name(stage_names, item["stage"]),
            )
        )
        for prerequisite in item["prerequisites"]:
            rows["prerequisites"].append(
                _cells(prerequisites_sheet, prerequisite, item=item["id"], prerequisite=prerequisite["item"])
            )
        for field, provenance in item["provenance"].items():
            label = item_columns[field].label if field in item_columns else field
            rows["provenance"].append(_cells(provenance_sheet, provenance, item=item["id"], field=label))
    rows["profiles"] = _profile_rows(process, layout.sheet("profiles"))
    rows["targets"] = _target_rows(data.get("targets") or {}, stage_names, layout.sheet("targets"))
    rows["sources"] = [{"id": key, "title": title} for key, title in data["sources"].items()]
    return rows


def _target_rows(targets: Mapping[str, Any], stage_names: Mapping[str, str], sheet: Sheet) -> Rows:
    """The whole process's targets under their Chinese names, then one row per stage target."""
    rows = []
    for choice in sheet.column("target").choices:
        if targets.get(choice.value):
            rows.append(_cells(sheet, targets[choice.value], target=choice.label))
    for stage, target in (targets.get("stage_approval_days") or {}).items():
        rows.append(_cells(sheet, target, target=_unique_name(stage_names, stage)))
    return rows


def _unique_name(names: Mapping[str, str], ident: str) -> str:
    """A department's (stage's) name when no other one shares it, else its id."""
    name = names.get(ident, ident)
    return name if list(names.values()).count(name) == 1 else ident


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write a value as data: text starting with '=' stays text (openpyxl would store it as a formula), and
    control characters a worksheet cannot hold are shown as ``\\x1b`` escapes."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub(lambda found: f"\\x{ord(found.group()):02x}", value)
    cell = sheet.cell(row, column, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _write_instructions(book: Any, layout: Layout) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet("说明 instructions")
    sheet["A1"] = layout.instructions_title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 70
    sheet.column_dimensions["B"].width = 80
    sheet["A2"], sheet["B2"] = "中文", "English"
    sheet["A2"].font = sheet["B2"].font = Font(bold=True)
    for number, (zh, en) in enumerate(layout.instructions, start=3):
        sheet.cell(number, 1, zh).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(number, 2, en).alignment = Alignment(wrap_text=True, vertical="top")
    row = len(layout.instructions) + 4
    sheet.cell(row, 1, "工作表 / sheets").font = Font(bold=True)
    for offset, part in enumerate(layout.sheets, start=1):
        sheet.cell(row + offset, 1, part.title)
        sheet.cell(row + offset, 2, part.help).alignment = Alignment(wrap_text=True, vertical="top")


def _header(sheet: Any, column_number: int, column: Column) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    cell = sheet.cell(1, column_number, column.header)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    cell.fill = PatternFill("solid", fgColor=_REQUIRED_FILL if column.required else _HEADER_FILL)
    if column.help:
        comment = Comment(column.help, "approval-sim")
        comment.width, comment.height = 320, 140
        cell.comment = comment


def _drop_down(sheet: Any, cells: str, column: Column, targets: Mapping[str, str]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if column.type == "yesno":
        formula = '"是,否"'
    elif column.type == "choice":
        formula = '"' + ",".join(c.label for c in column.choices) + '"'
    elif column.type == "reference" and column.sheet is not None and column.sheet in targets:
        formula = targets[column.sheet]
    else:
        return
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
    validation.error = "请从下拉列表中选择 / choose a value from the list"
    validation.errorTitle = column.label
    validation.showErrorMessage = column.type != "reference"  # a reference may name an id instead
    validation.add(cells)
    sheet.add_data_validation(validation)


def _write_table(book: Any, part: Sheet, rows: Rows, targets: Mapping[str, str]) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(part.title)
    columns = list(part.columns)
    last_row = max(DATA_VALIDATION_ROWS, len(rows) + DATA_VALIDATION_ROWS)
    for number, column in enumerate(columns, start=1):
        _header(sheet, number, column)
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = _WIDTHS.get(column.type, 14)
        _drop_down(sheet, f"{letter}2:{letter}{last_row}", column, targets)
    wrap = Alignment(wrap_text=True, vertical="top")
    for offset, row in enumerate(rows, start=2):
        for number, column in enumerate(columns, start=1):
            value = row.get(column.key)
            if value is not None:
                cell = _put(sheet, offset, number, value)
                if isinstance(value, str) and "\n" in value:
                    cell.alignment = wrap
    sheet.freeze_panes = "B2"
    sheet.row_dimensions[1].height = 34


def _write_settings(book: Any, part: Sheet, values: Mapping[str, Any]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet = book.create_sheet(part.title)
    for number, text in enumerate(("项目\nsetting", "值\nvalue", "说明\nhelp"), start=1):
        cell = sheet.cell(1, number, text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 90
    for offset, column in enumerate(part.columns, start=2):
        key_cell = sheet.cell(offset, 1, column.header)
        key_cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.required:
            key_cell.fill = PatternFill("solid", fgColor=_REQUIRED_FILL)
        value = values.get(column.key)
        if value is not None:
            _put(sheet, offset, 2, value)
        sheet.cell(offset, 3, column.help).alignment = Alignment(wrap_text=True, vertical="top")
        _drop_down(sheet, f"B{offset}", column, {})
    sheet.freeze_panes = "A2"


def write_workbook(path: str | Path, rows: Mapping[str, Rows], layout: Layout | None = None) -> None:
    """Write the workbook atomically (a temporary file renamed into place: an interrupted write leaves no
    half file)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter, quote_sheetname

    layout = layout or catalog_layout()
    book = Workbook()
    for sheet in list(book.worksheets):  # the default empty sheet
        book.remove(sheet)
    _write_instructions(book, layout)
    targets = {}
    for part in layout.sheets:
        if part.kind == "table" and "name" in [c.key for c in part.columns]:
            letter = get_column_letter([c.key for c in part.columns].index("name") + 1)
            last = max(DATA_VALIDATION_ROWS, len(rows.get(part.key, [])) + DATA_VALIDATION_ROWS)
            targets[part.key] = f"{quote_sheetname(part.title)}!${letter}$2:${letter}${last}"
    for part in layout.sheets:
        if part.kind == "settings":
            _write_settings(book, part, (rows.get(part.key) or [{}])[0])
        else:
            _write_table(book, part, list(rows.get(part.key, [])), targets)
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent or ".")
    os.close(handle)
    try:
        book.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def profile_equals_builtin(name: str, profile: ProjectProfile) -> bool:
    """Whether a profile row is just a built-in profile (imported as a reference to it, not a copy)."""
    return builtin_profiles().get(name) == profile
