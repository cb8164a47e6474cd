"""A calendar override file: the 调休 table of a year announced after the calendar package's release.

The file is YAML (or JSON): ``years: {2027: {holidays: [2027-01-01, {from: .., to: ..}], workdays: [..]}}``.
This module reads it (text, YAML, the shape limits of :mod:`approval_model.safe_yaml`); the domain's
:class:`~approval_model.calendar.WorkingDayCalendar` checks the table and says where an entry is wrong.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import yaml

from approval_model import safe_yaml
from approval_model.calendar import WorkingDayCalendar
from approval_model.calendar_dates import CalendarError
from messages import Message

__all__ = ["read_calendar", "read_overrides"]


class _Loader(yaml.SafeLoader):
    """Keep dates as text: PyYAML raises a bare ValueError for 2027-02-31; the calendar reports where it is."""


def _date_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


def read_overrides(path: str | PathLike[str]) -> tuple[Any, str]:
    """The override table of a file as plain data, and the name to give the file in messages."""
    p = Path(path)
    name = Message("calendar override file '{file}'", file=str(p))
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalendarError(
            Message("{name} not found. Fix: check the path (given to --overrides)", name=name)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(
            Message(
                "{name} cannot be read ({error}). Fix: pass a readable UTF-8 YAML file",
                name=name,
                error=str(exc),
            )
        ) from None
    try:
        raw = safe_yaml.load(text, _Loader)
    except safe_yaml.YamlShapeError as exc:
        raise CalendarError(
            Message("{name}: {problem}. Fix: {fix}", name=name, problem=exc.message, fix=exc.fix)
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)  # the YAML parser's own words
        raise CalendarError(
            Message(
                "{name}: invalid YAML at line {line}, column {column}: {problem}. Fix: correct the YAML syntax there",
                name=name,
                line=mark.line + 1,
                column=mark.column + 1,
                problem=problem,
            )
            if mark is not None
            else Message(
                "{name}: invalid YAML: {problem}. Fix: correct the YAML syntax there",
                name=name,
                problem=problem,
            )
        ) from None
    if raw is None:
        raise CalendarError(
            Message("{name} is empty. Fix: add e.g. years: {{2027: {{holidays: [2027-01-01]}}}}", name=name)
        )
    return raw, name


def read_calendar(path: str | PathLike[str]) -> WorkingDayCalendar:
    """The statutory calendar with a file's override table (every problem names the file, the entry, the fix)."""
    raw, name = read_overrides(path)
    return WorkingDayCalendar(raw, source=name)
