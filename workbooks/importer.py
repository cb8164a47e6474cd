"""Import a filled catalog workbook (or a CSV of items) into a validated scenario.

Two passes, every problem reported together:

1. the workbook's shape and cells: sheets and headers present (a typo'd header gets a "did you mean"), each cell
   readable (a number, 是/否, a value of the drop-down list), department and stage names known, prerequisite
   and provenance rows naming known items;
2. the scenario model on the assembled data, exactly as for a YAML file: ranges (a negative limit), missing
   fields, duplicate ids, unknown prerequisites, cycles. Each of its problems is placed back on the cell (or the
   rows) it came from.

A problem that only follows from one already reported (an item's department when the departments sheet is
missing) is not reported twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from approval_model.models import Process, ProjectProfile
from approval_model.problems import Problem, ScenarioError, did_you_mean
from approval_model.scenario import build_process
from approval_model.scenario_document import ScenarioDocument
from messages import Message
from workbooks.cells import BLANK
from workbooks.layout import Layout, catalog_layout, normalise_header
from workbooks.sheets import Place, WorkbookError, WorkbookProblem, read_csv_rows, read_sheets
from workbooks.tables import CSV_PREREQUISITES, IDENTIFIER, Location, SheetReader, Table, TableRow, set_path

__all__ = ["import_catalog", "read_catalog"]


def _item_index(items: list[dict[str, Any]]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, item in enumerate(items):
        if isinstance(item.get("id"), str):
            index.setdefault(item["id"], position)
    return index


def _attach_prerequisites(reader: SheetReader, table: Table, items: list[dict[str, Any]]) -> None:
    index = _item_index(items)
    rows_of: dict[int, list[int]] = {}
    for row in table.rows:
        item_id, prerequisite = row.values.get("item", BLANK), row.values.get("prerequisite", BLANK)
        if item_id is BLANK or prerequisite is BLANK:
            continue  # a missing required cell: reported below
        if item_id not in index:
            reader.problem(
                row.places["item"],
                Message("unknown item '{item}'{hint}", item=item_id, hint=did_you_mean(str(item_id), index)),
                Message("use an item id of sheet '事项 items'"),
            )
            continue
        target = items[index[item_id]]
        entry: dict[str, Any] = {"item": prerequisite}
        for key in ("one_of", "status", "sources", "note"):
            if row.values.get(key, BLANK) is not BLANK:
                entry[key] = row.values[key]
        listed = target.setdefault("prerequisites", [])
        position = len(listed)
        listed.append(entry)
        location: Location = ("items", index[item_id], "prerequisites", position)
        reader.origins[location] = row.places["prerequisite"]
        for key in ("one_of", "status", "sources", "note"):
            if key in row.places:
                reader.origins[(*location, key)] = row.places[key]
        rows_of.setdefault(index[item_id], []).append(row.number)
        reader.edges.setdefault((str(item_id), str(prerequisite)), row.number)
    reader.prerequisites_title = table.title
    for position, numbers in rows_of.items():
        reader.origins[("items", position, "prerequisites")] = table.place(numbers)
    for row in table.rows:
        for key in ("item", "prerequisite"):
            if row.values.get(key, BLANK) is BLANK and key in row.places:
                reader.problem(
                    row.places[key], Message("empty cell"), Message("give an item id of sheet '事项 items'")
                )


def _attach_csv_prerequisites(reader: SheetReader, items: list[dict[str, Any]]) -> None:
    for position, item in enumerate(items):
        listed = item.get("prerequisites")
        if listed is None:
            continue
        place = reader.origins.get(("items", position, "prerequisites"))
        for index in range(len(listed)):
            if place is not None:
                reader.origins[("items", position, "prerequisites", index)] = place


def _attach_provenance(reader: SheetReader, table: Table, items: list[dict[str, Any]]) -> None:
    index = _item_index(items)
    item_columns = reader.layout.sheet("items").columns
    labels = {normalise_header(c.label): c.key for c in item_columns}
    labels.update({normalise_header(c.key): c.key for c in item_columns})
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        item_id, raw_field = row.values.get("item", BLANK), row.values.get("field", BLANK)
        if item_id is BLANK or raw_field is BLANK:
            for key in ("item", "field"):
                if row.values.get(key, BLANK) is BLANK and key in row.places:
                    reader.problem(
                        row.places[key], Message("empty cell"), Message("fill it in, or delete the row")
                    )
            continue
        if item_id not in index:
            reader.problem(
                row.places["item"],
                Message("unknown item '{item}'{hint}", item=item_id, hint=did_you_mean(str(item_id), index)),
                Message("use an item id of sheet '事项 items'"),
            )
            continue
        name = labels.get(normalise_header(raw_field))
        if name is None:
            if IDENTIFIER.match(str(raw_field)) and str(raw_field).islower():
                name = str(raw_field)
            else:
                reader.problem(
                    row.places["field"],
                    Message(
                        "'{field}' is not a column of sheet '事项 items'{hint}",
                        field=raw_field,
                        hint=did_you_mean(str(raw_field), [c.label for c in item_columns]),
                    ),
                    Message(
                        "write the header of the items column the source is for, e.g. 法定时限（工作日）"
                    ),
                )
                continue
        if (item_id, name) in seen:
            reader.problem(
                row.places["field"],
                Message(
                    "the provenance of {item} '{field}' is also given in row {row}",
                    item=item_id,
                    field=raw_field,
                    row=seen[(item_id, name)],
                ),
                Message("keep one of the two rows"),
            )
            continue
        seen[(item_id, name)] = row.number
        entry = {
            k: row.values[k] for k in ("status", "sources", "note") if row.values.get(k, BLANK) is not BLANK
        }
        items[index[item_id]].setdefault("provenance", {})[name] = entry
        location: Location = ("items", index[item_id], "provenance", name)
        reader.origins[location] = row.places["field"]
        for key in ("status", "sources", "note"):
            if key in row.places:
                reader.origins[(*location, key)] = row.places[key]


def _first_rows(reader: SheetReader, table: Table, column: str, what: str) -> Iterator[tuple[TableRow, Any]]:
    """Each row with its key (the cell of ``column``); a key given again is a problem and its row is left out."""
    first_row: dict[Any, int] = {}
    for row in table.rows:
        key = row.values.get(column, BLANK)
        if key is BLANK:
            continue
        if key in first_row:
            reader.problem(
                row.places[column],
                Message("{what} '{key}' is also in row {row}", what=what, key=key, row=first_row[key]),
                Message("keep one of the two rows"),
            )
            continue
        first_row[key] = row.number
        yield row, key


def _profiles(reader: SheetReader, table: Table) -> tuple[dict[str, Any], str | None, dict[str, Any]]:
    """The scenario's own profiles, its default profile and its project mix (rows with a weight)."""
    profiles: dict[str, Any] = {}
    default: str | None = None
    default_row = 0
    mix: dict[str, Any] = {}
    for row, name in _first_rows(reader, table, "name", Message("profile")):
        body: dict[str, Any] = {}
        for key in ("investment_type", "investment_million_yuan", "site_conditions", "description"):
            if row.values.get(key, BLANK) is not BLANK:
                body[key] = row.values[key]
        reader.origins[("profiles", name)] = table.place([row.number])
        for key, place in row.places.items():
            reader.origins[("profiles", name, key)] = place
        if row.values.get("weight", BLANK) is not BLANK:
            mix[name] = row.values["weight"]
            reader.origins[("mix", name)] = row.places["weight"]
            reader.origins.setdefault(("mix",), row.places["weight"])
        if row.values.get("default") is True:
            if default is not None:
                reader.problem(
                    row.places["default"],
                    Message(
                        "two default profiles ('{first}' in row {row}, and '{second}')",
                        first=default,
                        row=default_row,
                        second=name,
                    ),
                    Message("mark one profile as default (是) and leave the others empty"),
                )
            else:
                default, default_row = name, row.number
                reader.origins[("profile",)] = row.places.get("default", table.place([row.number]))
        profiles[name] = body
    # a row that is exactly a built-in profile stands for that profile (a reference, not a copy of it)
    for name in [n for n, body in profiles.items() if _is_builtin(n, body)]:
        profiles.pop(name)
    return profiles, default, mix


def _is_builtin(name: str, body: Mapping[str, Any]) -> bool:
    from pydantic import ValidationError

    from approval_model.profiles import builtin_profiles

    builtin = builtin_profiles().get(name)
    if builtin is None:
        return False
    try:
        return ProjectProfile.model_validate({"name": name, **body}) == builtin
    except ValidationError:
        return False


def _targets(reader: SheetReader, table: Table, stages: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows of the targets sheet: the whole process (approval or elapsed days), or one stage's approval days."""
    targets: dict[str, Any] = {}
    whole = {c.value: c.label for c in table.sheet.column("target").choices}
    names = {normalise_header(label): key for key, label in whole.items()}
    names.update({normalise_header(key): key for key in whole})
    stage_ids = {s.get("id"): s.get("id") for s in stages if isinstance(s.get("id"), str)}
    stage_ids.update({s.get("name"): s.get("id") for s in stages if isinstance(s.get("name"), str)})
    first_row: dict[tuple[str, ...], int] = {}
    for row in table.rows:
        raw = row.values.get("target", BLANK)
        if raw is BLANK:
            continue
        key = names.get(normalise_header(raw))
        if key is not None:
            location: tuple[str, ...] = (key,)
        elif raw in stage_ids:
            location = ("stage_approval_days", str(stage_ids[raw]))
        else:
            choices = [*whole.values(), *(str(k) for k in stage_ids if k)]
            reader.problem(
                row.places["target"],
                Message(
                    "'{target}' is neither 全流程审批用时, 全流程总用时 nor a stage{hint}",
                    target=raw,
                    hint=did_you_mean(str(raw), choices),
                ),
                Message(
                    "write 全流程审批用时 (approval_days), 全流程总用时 (elapsed_days) or the name of a stage"
                ),
            )
            continue
        if location in first_row:
            reader.problem(
                row.places["target"],
                Message("'{target}' also has a target in row {row}", target=raw, row=first_row[location]),
                Message("keep one row"),
            )
            continue
        first_row[location] = row.number
        entry = {
            k: row.values[k]
            for k in ("max_days", "status", "sources", "note")
            if row.values.get(k, BLANK) is not BLANK
        }
        set_path(targets, location, entry)
        reader.origins[("targets", *location)] = row.places["target"]
        for key_, place in row.places.items():
            if key_ != "target":
                reader.origins[("targets", *location, key_)] = place
    return targets


def _sources(reader: SheetReader, table: Table) -> dict[str, Any]:
    sources: dict[str, Any] = {}
    for row, key in _first_rows(reader, table, "id", Message("source")):
        reader.origins[("sources", key)] = row.places.get("title", table.place([row.number]))
        title = row.values.get("title", BLANK)
        if title is BLANK:
            reader.problem(
                row.places.get("title"), Message("empty title"), Message("give the source's title")
            )
        else:
            sources[key] = title
    return sources


def _csv_structure(items: list[dict[str, Any]]) -> tuple[list, list]:
    """A CSV holds only items: its departments and stages are the names it uses, in order of appearance."""
    made: dict[str, dict[str, dict[str, Any]]] = {"department": {}, "stage": {}}
    prefix = {"department": "D", "stage": "S"}
    for item in items:
        for key in ("department", "stage"):
            value = item.get(key)
            if not isinstance(value, str):
                continue
            known = made[key]
            if value not in known:
                ident = value if IDENTIFIER.match(value) else f"{prefix[key]}{len(known) + 1:02d}"
                known[value] = {"id": ident, "name": value}
            item[key] = known[value]["id"]
    return list(made["department"].values()), list(made["stage"].values())


def _place_of(reader: SheetReader, location: Location) -> Place | None:
    probe = tuple(location)
    while probe:
        if probe in reader.origins:
            return reader.origins[probe]
        probe = probe[:-1]
    return None


def _follows_from_reported(reader: SheetReader, problem: Problem, place: Place | None) -> bool:
    location, message = problem.location, problem.message
    if place is not None and (place.sheet, place.rows, place.column.key if place.column else None) in (
        reader.reported
    ):
        return True
    if len(location) >= 3 and location[0] == "items":
        if location[2] == "department" and ("departments", "id") in reader.absent:
            return True
        if location[2] == "stage" and ("stages", "id") in reader.absent:
            return True
        if message.startswith("missing required field") and ("items", str(location[-1])) in reader.absent:
            return True
    if (
        len(location) >= 3
        and location[0] in ("departments", "stages")
        and message.startswith("missing required field")
        and (location[0], str(location[-1])) in reader.absent
    ):
        return True
    return location[:1] == ("name",) and ("process", "name") in reader.absent


def _cycle_place(reader: SheetReader, message: str) -> Place | None:
    """The rows of the prerequisites sheet that make up a cycle named 'A -> B -> A' (A is B's prerequisite)."""
    members = message.split(": ", 1)[-1].split(" -> ")
    rows = [reader.edges.get((after, before)) for before, after in zip(members, members[1:], strict=False)]
    if reader.prerequisites_title is None or not all(rows):
        return None
    return Place(reader.prerequisites_title, tuple(sorted(r for r in rows if r)))


_ALSO = re.compile(r"\(also (items|departments|stages)\[(\d+)\]\)")


def _also_row(reader: SheetReader, match: re.Match[str]) -> str:
    """'(also items[0])' in a duplicate-id message -> '(also row 2)'."""
    place = reader.origins.get((match[1], int(match[2])))
    return f"(also row {place.rows[0]})" if place is not None and place.rows else match[0]


def _model_problems(reader: SheetReader, error: ScenarioError) -> None:
    for problem in error.problems:
        place = _place_of(reader, problem.location)
        if problem.message.startswith("prerequisites form a cycle"):
            place = _cycle_place(reader, problem.message) or place
        if _follows_from_reported(reader, problem, place):
            continue
        message = problem.message  # a Message: shown in the user's language
        if _ALSO.search(message):
            message = _ALSO.sub(lambda m: _also_row(reader, m), message)
        fix = problem.fix
        if problem.message.startswith("missing required field") and place is not None and place.column:
            fix = Message("fill in this cell")  # the model's fix speaks of YAML entries
        if place is None and problem.location:
            from approval_model.problems import format_location

            message = Message("{place}: {message}", place=format_location(problem.location), message=message)
        reader.problem(place, message, fix)


def read_catalog(
    path: str | Path, layout: Layout | None = None
) -> tuple[dict[str, Any], Process | None, list]:
    """The scenario data of a workbook or CSV, the validated process (None when there are problems) and the
    problems, sorted by sheet, row and column."""
    path = Path(path)
    layout = layout or catalog_layout()
    reader = SheetReader(str(path), layout)
    if not path.is_file():
        raise WorkbookError(
            str(path),
            [
                WorkbookProblem(
                    None, Message("no such file"), Message("give the path of a .xlsx or .csv file")
                )
            ],
        )
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise WorkbookError(
            str(path),
            [
                WorkbookProblem(
                    None,
                    Message("old .xls workbooks are not supported"),
                    Message("save it as .xlsx (Excel Workbook)"),
                )
            ],
        )
    data: dict[str, Any] = {}
    if suffix == ".csv":
        items_sheet = layout.sheet("items")
        title = path.name
        table = reader.table(items_sheet, title, read_csv_rows(path), extra=(CSV_PREREQUISITES,))
        items = reader.entries(table, "items")
        _attach_csv_prerequisites(reader, items)
        departments, stages = _csv_structure(items)
        stem = re.sub(r"[^A-Za-z0-9_\-.]+", "-", path.stem).strip("-") or "imported-catalog"
        data = {"name": stem, "departments": departments, "stages": stages, "items": items}
    else:
        located = reader.find_sheets(read_sheets(path))
        tables: dict[str, Table] = {}
        for sheet in layout.sheets:
            if sheet.key in located and sheet.kind == "table":
                tables[sheet.key] = reader.table(sheet, *located[sheet.key])
        if "process" in located:
            values, places = reader.settings(layout.sheet("process"), *located["process"])
            for key, value in values.items():
                set_path(data, tuple(key.split(".")), value)
            for key, place in places.items():
                reader.origins[tuple(key.split("."))] = place
        else:
            reader.absent.add(("process", "name"))
        departments = reader.entries(tables["departments"], "departments") if "departments" in tables else []
        stages = reader.entries(tables["stages"], "stages") if "stages" in tables else []
        items = reader.entries(tables["items"], "items") if "items" in tables else []
        if "departments" not in tables:
            reader.absent.add(("departments", "id"))
        if "stages" not in tables:
            reader.absent.add(("stages", "id"))
        if "items" in tables:
            if "departments" in tables:
                reader.resolve(tables["items"], "department", items, departments)
            if "stages" in tables:
                reader.resolve(tables["items"], "stage", items, stages)
        if "stages" in tables and "departments" in tables:
            reader.resolve(tables["stages"], "lead_department", stages, departments)
        if "prerequisites" in tables:
            _attach_prerequisites(reader, tables["prerequisites"], items)
        if "provenance" in tables:
            _attach_provenance(reader, tables["provenance"], items)
        data.update({"departments": departments, "stages": stages, "items": items})
        if "profiles" in tables:
            profiles, default, mix = _profiles(reader, tables["profiles"])
            if profiles:
                data["profiles"] = profiles
            if default is not None:
                data["profile"] = default
            if mix:
                data["mix"] = mix
        if "targets" in tables:
            targets = _targets(reader, tables["targets"], stages)
            if targets:
                data["targets"] = targets
        if "sources" in tables:
            sources = _sources(reader, tables["sources"])
            if sources:
                data["sources"] = sources
    process = None
    try:
        process = build_process(ScenarioDocument(label=str(path), path=None, data=data))
    except ScenarioError as error:
        _model_problems(reader, error)
    order = {sheet.title: position for position, sheet in enumerate(layout.sheets)}
    problems = sorted(reader.problems, key=lambda p: p.sort_key(order))
    return data, (process if not problems else None), problems


def import_catalog(path: str | Path) -> Process:
    """The validated process of a workbook or CSV; :class:`WorkbookError` with every problem otherwise."""
    _, process, problems = read_catalog(path)
    if problems or process is None:
        raise WorkbookError(str(path), problems)
    return process
