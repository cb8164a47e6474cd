"""Reading the sheets of a catalog workbook into rows of values, collecting every problem with its place.

:class:`SheetReader` checks the shape (sheets present, headers known, required columns there), reads each cell by
its column's type and records where every value came from, so that a problem the scenario model finds later can
be put back on its cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from approval_model.problems import did_you_mean
from messages import Joined, Message
from workbooks.cells import BLANK, IDENTIFIER, CellError, read_cell
from workbooks.layout import Column, Layout, Sheet, normalise_header
from workbooks.sheets import Place, WorkbookProblem

__all__ = ["CSV_PREREQUISITES", "IDENTIFIER", "Location", "SheetReader", "Table", "TableRow", "set_path"]

Location = tuple[str | int, ...]
# bilingual like the layout's help texts (data of the workbook, not a message of the command line)
_PREREQUISITES_HELP = "前置事项编号，逗号分隔 / ids of the items that must be finished first"
CSV_PREREQUISITES = Column(key="prerequisites", label="前置事项", type="list", help=_PREREQUISITES_HELP)


@dataclass
class TableRow:
    number: int
    values: dict[str, Any]  # column key -> value (BLANK when empty or unreadable)
    places: dict[str, Place]  # column key -> the cell


@dataclass
class Table:
    sheet: Sheet
    title: str  # as found in the file
    rows: list[TableRow] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)  # required columns not found

    def place(self, rows: Iterable[int] = ()) -> Place:
        return Place(self.title, tuple(rows))


def set_path(entry: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        entry = entry.setdefault(part, {})
    entry[path[-1]] = value


class SheetReader:
    """Collects problems and the origin of every value while turning sheets into scenario data."""

    def __init__(self, label: str, layout: Layout) -> None:
        self.label = label
        self.layout = layout
        self.problems: list[WorkbookProblem] = []
        self.origins: dict[Location, Place] = {}
        self.reported: set[tuple[str, tuple[int, ...], str | None]] = set()
        self.absent: set[tuple[str, str]] = set()  # (sheet key, column key) missing: follow-on problems drop
        self.edges: dict[
            tuple[str, str], int
        ] = {}  # (item, prerequisite) -> its row of the prerequisites sheet
        self.prerequisites_title: str | None = None
        # (sheet key, column key) -> the texts of its cells that could not be read (an id with a space): a
        # reference to one of them elsewhere follows from that problem and is not reported again
        self.unreadable: dict[tuple[str, str], set[str]] = {}

    def follows(self, place: Place) -> None:
        """A cell whose problem follows from one already reported: later problems on it are not repeated."""
        self.reported.add((place.sheet, place.rows, place.column.key if place.column else None))

    def problem(self, place: Place | None, message: str, fix: str = "") -> None:
        if place is not None:
            self.reported.add((place.sheet, place.rows, place.column.key if place.column else None))
        self.problems.append(WorkbookProblem(place, message, fix))

    # ---- shape ---------------------------------------------------------------------------------------

    def find_sheets(self, found: Mapping[str, list[list[Any]]]) -> dict[str, tuple[str, list[list[Any]]]]:
        by_name = {normalise_header(title): title for title in found}
        located: dict[str, tuple[str, list[list[Any]]]] = {}
        for sheet in self.layout.sheets:
            title = next((by_name[n] for n in sheet.names() if n in by_name), None)
            if title is None:
                if sheet.required:
                    expected = [s.title for s in self.layout.sheets]
                    unknown = [t for t in found if normalise_header(t) not in _known_sheet_names(self.layout)]
                    hint = Joined("", [did_you_mean(t, [sheet.title, sheet.title_zh]) for t in unknown])
                    self.problem(
                        Place(sheet.title),
                        Message(
                            "missing sheet '{sheet}'{hint} (found: {found})",
                            sheet=sheet.title,
                            hint=hint,
                            found=", ".join(found) if found else Message("none"),
                        ),
                        Message(
                            "add the sheet (start from 'approval-sim catalog template'); the sheets are {sheets}",
                            sheets=", ".join(expected),
                        ),
                    )
                continue
            located[sheet.key] = (title, found[title])
        return located

    def table(self, sheet: Sheet, title: str, rows: list[list[Any]], extra: Iterable[Column] = ()) -> Table:
        """Header and cells of a table sheet."""
        from openpyxl.utils import get_column_letter

        table = Table(sheet, title)
        columns = (*sheet.columns, *extra)
        header = rows[0] if rows else []
        lookup = {name: column for column in columns for name in column.names()}
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            text = "" if cell is None else str(cell)
            if not text.strip():
                continue
            column = lookup.get(normalise_header(text))
            if column is None:
                column = next(
                    (lookup[p] for p in map(normalise_header, text.split("\n")) if p in lookup), None
                )
            place = Place(title, (1,), None, get_column_letter(index + 1))
            if column is None:
                names = [c.label for c in columns] + [c.key for c in columns]
                shown = text.replace("\n", " ")
                hint = did_you_mean(text.split("\n")[0].strip(" *"), names) or did_you_mean(
                    text.split("\n")[-1].strip(" *"), names
                )
                self.problem(
                    place,
                    Message("unknown column '{header}'{hint}", header=shown, hint=hint),
                    Message(
                        "correct the header (copy it from 'approval-sim catalog template') or delete the column"
                    ),
                )
            elif column.key in positions:
                self.problem(
                    place,
                    Message("column '{label} {key}' appears twice", label=column.label, key=column.key),
                    Message("delete one of the two columns"),
                )
            else:
                positions[column.key] = index
        for column in sheet.columns:
            if column.required and column.key not in positions:
                table.missing.add(column.key)
                self.absent.add((sheet.key, column.key))
                self.problem(
                    Place(title, (1,)),
                    Message("missing column '{label} {key}'", label=column.label, key=column.key),
                    Message("add the column (copy its header from 'approval-sim catalog template')"),
                )
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell is not None and str(cell).strip() for cell in row):
                continue
            values: dict[str, Any] = {}
            places: dict[str, Place] = {}
            for key, index in positions.items():
                column = next(c for c in columns if c.key == key)
                place = Place(title, (number,), column, get_column_letter(index + 1))
                places[key] = place
                raw = row[index] if index < len(row) else None
                if column.export_only:
                    continue
                try:
                    values[key] = read_cell(column, raw)
                except CellError as error:
                    values[key] = BLANK
                    self.unreadable.setdefault((sheet.key, key), set()).add(str(raw).strip())
                    self.problem(place, error.message, error.fix)
            table.rows.append(TableRow(number, values, places))
        return table

    def settings(self, sheet: Sheet, title: str, rows: list[list[Any]]) -> tuple[dict[str, Any], dict]:
        """The settings sheet: a setting per row (column A names it, column B holds the value)."""
        lookup = {name: column for column in sheet.columns for name in column.names()}
        values: dict[str, Any] = {}
        places: dict[str, Place] = {}
        for number, row in enumerate(rows[1:], start=2):
            if not row or row[0] is None or not str(row[0]).strip():
                continue
            text = str(row[0])
            column = lookup.get(normalise_header(text)) or next(
                (lookup[p] for p in map(normalise_header, text.split("\n")) if p in lookup), None
            )
            if column is None:
                names = [c.label for c in sheet.columns] + [c.key for c in sheet.columns]
                self.problem(
                    Place(title, (number,), None, "A"),
                    Message(
                        "unknown setting '{setting}'{hint}",
                        setting=text.replace("\n", " "),
                        hint=did_you_mean(text.split("\n")[0].strip(" *"), names),
                    ),
                    Message("correct it (copy it from 'approval-sim catalog template') or delete the row"),
                )
                continue
            place = Place(title, (number,), column, "B")
            places[column.key] = place
            if column.export_only:
                continue
            try:
                value = read_cell(column, row[1] if len(row) > 1 else None)
            except CellError as error:
                self.problem(place, error.message, error.fix)
                continue
            if value is not BLANK:
                values[column.key] = value
        for column in sheet.columns:
            if column.required and column.key not in values and column.key not in places:
                self.absent.add((sheet.key, column.key))
                self.problem(
                    Place(title),
                    Message("missing setting '{label} {key}'", label=column.label, key=column.key),
                    Message("add a row '{label}' with its value in column B", label=column.label),
                )
        return values, places

    # ---- entries -------------------------------------------------------------------------------------

    def entries(self, table: Table, key: str, skip: Iterable[str] = ()) -> list[dict[str, Any]]:
        """One scenario entry per row; origins recorded for the row and each of its cells."""
        entries = []
        for index, row in enumerate(table.rows):
            entry: dict[str, Any] = {}
            self.origins[(key, index)] = table.place([row.number])
            for column_key, value in row.values.items():
                column = (
                    table.sheet.column(column_key) if column_key != "prerequisites" else CSV_PREREQUISITES
                )
                self.origins[(key, index, *column.path)] = row.places[column_key]
                if value is not BLANK and column_key not in skip:
                    set_path(entry, column.path, value)
            entries.append(entry)
        return entries

    def resolve(
        self, table: Table, column_key: str, entries: list[dict[str, Any]], targets: list[dict[str, Any]]
    ) -> None:
        """Department (stage) cells name a target by id or by name: store the id."""
        by_id = {t.get("id"): t.get("id") for t in targets if isinstance(t.get("id"), str)}
        names: dict[str, list[str]] = {}
        for target in targets:
            if isinstance(target.get("name"), str) and isinstance(target.get("id"), str):
                names.setdefault(target["name"], []).append(target["id"])
        column = table.sheet.column(column_key)
        # rows of the other sheet whose id is empty or unreadable: already reported there
        broken = set(self.unreadable.get((str(column.sheet), "id"), ()))
        broken.update(
            t["name"] for t in targets if isinstance(t.get("name"), str) and not isinstance(t.get("id"), str)
        )
        for row, entry in zip(table.rows, entries, strict=True):
            value = entry.get(column_key)
            if not isinstance(value, str):
                continue
            if value in by_id:
                continue
            if value in names and len(names[value]) == 1:
                entry[column_key] = names[value][0]
                continue
            place = row.places[column_key]
            if value in broken:
                self.follows(place)
            elif value in names:
                self.problem(
                    place,
                    Message(
                        "{count} rows of sheet '{sheet}' are named '{name}'",
                        count=len(names[value]),
                        sheet=_sheet_title(self, column.sheet),
                        name=value,
                    ),
                    Message(
                        "give them different names, or write the id ({ids})", ids=", ".join(names[value])
                    ),
                )
            elif by_id or names:
                choices = [*names, *(i for i in by_id if i is not None)]
                self.problem(
                    place,
                    Message(
                        "unknown {what} '{value}'{hint}",
                        what=column.label,
                        value=value,
                        hint=did_you_mean(value, choices),
                    ),
                    Message(
                        "choose one from the drop-down list (sheet '{sheet}'), or add it there",
                        sheet=_sheet_title(self, column.sheet),
                    ),
                )


def _known_sheet_names(layout: Layout) -> set[str]:
    return {name for sheet in layout.sheets for name in sheet.names()} | {
        normalise_header("说明 instructions"),
        normalise_header("说明"),
        normalise_header("instructions"),
    }


def _sheet_title(reader: SheetReader, key: str | None) -> str:
    return reader.layout.sheet(key).title if key else ""
