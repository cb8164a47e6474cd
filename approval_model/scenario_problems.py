"""Validation errors translated into a planner's problems: the place, the words and the fix.

Why its own module: pydantic reports ``greater_than_equal`` at ``('items', 3, 'statutory_limit_days')``; a
planner needs "'statutory_limit_days' must be >= 0 (got -3). Fix: give a positive number of working days" on
line 42 of their file, about item 'I04'. This module knows pydantic's error kinds (and the bounded numbers of
:mod:`approval_model.bounds`) and turns them into :class:`~approval_model.problems.Problem` objects; it also raises
the collected problems with their lines and subjects (:func:`raise_problems`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError

from approval_model.bounds import BOUNDS_ERROR
from approval_model.models import (
    Applicability,
    ApprovalItem,
    ApprovalTargets,
    Department,
    HandlingDistribution,
    Prerequisite,
    ProjectProfile,
    Provenance,
    SimulationSettings,
    Stage,
    Supplement,
    TimeTarget,
)
from approval_model.problems import ENTRY_WORDS, Problem, ScenarioError, did_you_mean, format_location
from approval_model.scenario_document import ScenarioDocument
from messages import Message

__all__ = ["raise_problems", "validation_problems"]

# which model an unknown key was found in, by the name of the field that holds it
NESTED_MODELS: dict[str, type[BaseModel]] = {
    "items": ApprovalItem,
    "departments": Department,
    "stages": Stage,
    "prerequisites": Prerequisite,
    "applies_when": Applicability,
    "handling_days": HandlingDistribution,
    "applicant_days": HandlingDistribution,
    "excluded_days": HandlingDistribution,
    "supplement": Supplement,
    "simulation": SimulationSettings,
    "profile": ProjectProfile,
    "targets": ApprovalTargets,
    "approval_days": TimeTarget,
    "elapsed_days": TimeTarget,
}


def _strip_type_tags(location: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Pydantic adds union-member tags ('int', 'tuple[str, ...]') to locations; planners need field names."""
    kept: list[str | int] = []
    for part in location:
        if isinstance(part, str) and (
            "[" in part or part in ("int", "float", "str", "bool", "HandlingDistribution")
        ):
            continue
        kept.append(part)
    return tuple(kept)


def validation_problems(error: ValidationError) -> list[Problem]:
    """Pydantic's errors as planners' problems: one per place, each with a translatable message and a fix."""
    problems: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    for detail in error.errors(include_url=False):
        location = _strip_type_tags(detail["loc"])
        if location in seen:
            continue
        seen.add(location)
        problems.append(_problem_from_detail(location, detail))
    return problems


def _problem_from_detail(location: tuple[str | int, ...], detail: Mapping[str, Any]) -> Problem:
    kind = detail["type"]
    name = str(location[-1]) if location else "value"
    value = detail.get("input")
    if kind == "missing":
        return Problem(
            location,
            Message("missing required field '{name}'", name=name),
            Message("add '{name}: ...' to this entry", name=name),
        )
    if kind == "extra_forbidden":
        parent = next((p for p in reversed(location[:-1]) if isinstance(p, str)), "")
        if "provenance" in location[:-1]:
            model: type[BaseModel] | None = Provenance
        elif location[:1] == ("profiles",) and len(location) == 3:
            model = ProjectProfile
        else:
            model = NESTED_MODELS.get(parent)
        allowed = list(model.model_fields) if model is not None else []
        return Problem(
            location,
            Message("unknown key '{key}'{hint}", key=name, hint=did_you_mean(name, allowed)),
            Message("remove it or correct the spelling; allowed keys: {keys}", keys=", ".join(allowed))
            if allowed
            else Message("remove it or correct the spelling; see docs/scenario-format.md"),
        )
    if kind == BOUNDS_ERROR:
        return Problem(
            location,
            _out_of_bounds(name, detail.get("ctx", {}), value)
            or Message("'{name}' {reason} (got {value!r})", name=name, reason=detail["msg"], value=value),
            Message("write a plain number in that range (true/false, .inf and .nan are not numbers)"),
        )
    if kind in ("greater_than", "greater_than_equal"):
        bound = detail.get("ctx", {}).get("gt", detail.get("ctx", {}).get("ge"))
        op = ">" if kind == "greater_than" else ">="
        fix = (
            Message("give a positive number of working days")
            if name.endswith("_days")
            else Message("use a value {op} {bound}", op=op, bound=bound)
        )
        bound_text = f"{bound:g}" if isinstance(bound, int | float) else bound
        return Problem(
            location,
            Message(
                "'{name}' must be {op} {bound} (got {value!r})",
                name=name,
                op=op,
                bound=bound_text,
                value=value,
            ),
            fix,
        )
    if kind in ("less_than_equal", "less_than"):
        ctx = detail.get("ctx", {})
        bound = ctx.get("lt", ctx.get("le"))
        shown = format(bound, "g") if isinstance(bound, int | float) else bound
        op = "<" if kind == "less_than" else "<="
        return Problem(
            location,
            Message(
                "'{name}' must be {op} {bound} (got {value!r})", name=name, op=op, bound=shown, value=value
            ),
            Message("use a smaller value"),
        )
    expected = _EXPECTED.get(kind)
    if expected is not None:
        return Problem(
            location,
            Message("'{name}' must be {expected} (got {value!r})", name=name, expected=expected, value=value),
            Message("write a value of the expected type"),
        )
    if kind == "literal_error":
        return Problem(
            location,
            Message(
                "'{name}' must be one of {choices} (got {value!r})",
                name=name,
                choices=detail.get("ctx", {}).get("expected", "?"),
                value=value,
            ),
            Message("use one of the listed values"),
        )
    if kind.endswith("_type") or kind.endswith("_parsing"):  # pydantic's own words, in a translated frame
        return Problem(
            location,
            Message(
                "'{name}': {reason} (got {value!r})", name=name, reason=detail["msg"].lower(), value=value
            ),
            Message("write a value of the expected type"),
        )
    error = detail.get("ctx", {}).get("error")
    if isinstance(error, ValueError) and error.args and isinstance(error.args[0], Message):
        message: str = error.args[0]  # a model's own check, raised with a Message: keeps its translation
    else:
        message = detail["msg"].removeprefix("Value error, ")
    return Problem(
        location,
        Message("'{name}': {message}", name=name, message=message) if location else message,
        Message("see docs/scenario-format.md"),
    )


# what a value of each pydantic type error had to be, as words of a message
_EXPECTED = {
    "float_type": Message("a number"),
    "float_parsing": Message("a number"),
    "int_type": Message("a whole number"),
    "int_parsing": Message("a whole number"),
    "int_from_float": Message("a whole number"),
    "string_type": Message("text"),
    "bool_type": Message("true or false"),
    "bool_parsing": Message("true or false"),
    "list_type": Message("a list"),
    "tuple_type": Message("a list"),
    "set_type": Message("a list"),
    "dict_type": Message("a mapping (key: value)"),
    "model_type": Message("a mapping (key: value)"),
    "date_type": Message("a date (YYYY-MM-DD)"),
    "date_parsing": Message("a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": Message("a date (YYYY-MM-DD)"),
}


def _out_of_bounds(name: str, ctx: Mapping[str, Any], value: Any) -> Message | None:
    """The refusal of a bounded number (approval_model.bounds) as a translatable message."""
    if "low" not in ctx or "high" not in ctx:
        return None
    from approval_model.bounds import format_number

    values = {
        "name": name,
        "low": format_number(ctx["low"]),
        "high": format_number(ctx["high"]),
        "unit": Message(ctx["unit"]) if ctx.get("unit") else "",
        "value": value,
    }
    if not values["unit"]:
        if ctx.get("integer"):
            return Message("'{name}' must be a whole number from {low} to {high} (got {value!r})", **values)
        return Message("'{name}' must be a number from {low} to {high} (got {value!r})", **values)
    if ctx.get("integer"):
        return Message(
            "'{name}' must be a whole number from {low} to {high} {unit} (got {value!r})", **values
        )
    return Message("'{name}' must be a number from {low} to {high} {unit} (got {value!r})", **values)


def raise_problems(document: ScenarioDocument, problems: list[Problem]) -> NoReturn:
    """Every problem at once, with its line in the file and its subject (an item by id, or an entry of the
    base), as one ScenarioError."""
    located, subjects = [], []
    for problem in sorted(problems, key=lambda p: p.line or document.line_of(p.location) or 10**9):
        location = problem.location
        line = problem.line or (None if _from_base(location) else document.line_of(location))
        located.append(Problem(location, problem.message, problem.fix, line))
        subjects.append(_subject(document, location))
    raise ScenarioError(document.label, located, subjects)


def _from_base(location: tuple[Any, ...]) -> bool:
    return len(location) >= 2 and isinstance(location[1], str) and location[1].startswith("base:")


def _subject(document: ScenarioDocument, location: tuple[Any, ...]) -> str:
    text = format_location(tuple(p for p in location if not (isinstance(p, str) and p.startswith("base:"))))
    if len(location) >= 2 and location[0] in ("items", "departments", "stages"):
        kind = ENTRY_WORDS[location[0].rstrip("s")]
        if _from_base(location):
            return Message(
                "{kind} #{number} of the base ({path})",
                kind=kind,
                number=location[1][5:],
                path=format_location(location[2:]) or "entry",
            )
        entries = document.data.get(location[0])
        if isinstance(entries, list) and isinstance(location[1], int) and location[1] < len(entries):
            entry = entries[location[1]]
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
                return Message("{kind} '{id}' ({path})", kind=kind, id=entry["id"], path=text)
    return text
