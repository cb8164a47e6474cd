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
from approval_model.calendar import CalendarError, WorkingDayCalendar

__all__ = ["read_calendar", "read_overrides"]


class _Loader(yaml.SafeLoader):
    """Keep dates as text: PyYAML raises a bare ValueError for 2027-02-31; the calendar reports where it is."""


def _date_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


def read_overrides(path: str | PathLike[str]) -> tuple[Any, str]:
    """The override table of a file as plain data, and the name to give the file in messages."""
    p = Path(path)
    name = f"calendar override file '{p}'"
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalendarError(f"{name} not found. Fix: check the path (given to --overrides)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(f"{name} cannot be read ({exc}). Fix: pass a readable UTF-8 YAML file") from None
    try:
        raw = safe_yaml.load(text, _Loader)
    except safe_yaml.YamlShapeError as exc:
        raise CalendarError(f"{name}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CalendarError(
            f"{name}: invalid YAML{at}: {problem}. Fix: correct the YAML syntax there"
        ) from None
    if raw is None:
        raise CalendarError(f"{name} is empty. Fix: add e.g. years: {{2027: {{holidays: [2027-01-01]}}}}")
    return raw, name


def read_calendar(path: str | PathLike[str]) -> WorkingDayCalendar:
    """The statutory calendar with a file's override table (every problem names the file, the entry, the fix)."""
    raw, name = read_overrides(path)
    return WorkingDayCalendar(raw, source=name)
