"""One cell of the catalog workbook to a scenario value and back, by the column's type (see layout.py).

Reading is lenient where Excel is (a number typed as text, 是/否 or yes/no, a Chinese label or the English
value of a choice, full-width commas) and strict about meaning: a cell that cannot be read gives a message and a
fix, never a guess. Ranges are not checked here: the scenario model checks them (one source of truth), and the
importer places its messages on the cell.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from approval_model.models import DISTRIBUTION_PARAMETERS
from approval_model.problems import did_you_mean
from messages import Message
from workbooks.layout import Choice, Column, normalise_header

__all__ = [
    "BLANK",
    "IDENTIFIER",
    "CellError",
    "distribution_text",
    "format_number",
    "parse_distribution",
    "read_cell",
    "write_cell",
]

BLANK: Any = object()  # an empty cell: the field is left out (the model's default applies)

_LIST_SPLIT = re.compile(r"[,，、;；\n]+")
_LINE_SPLIT = re.compile(r"[\n;；]+")
_NUMBER_SPLIT = re.compile(r"[,，;；\s]+")
_YES = {"是", "yes", "y", "true", "1", "√", "✓", "对"}
_NO = {"否", "no", "n", "false", "0", "×", "✗", "不"}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
IDENTIFIER = re.compile(r"^[A-Za-z0-9_\-.]{1,64}$")  # approval_model.models.Identifier
_DISTRIBUTION = re.compile(r"^\s*([^\s(（]+)\s*[(（](.*)[)）]\s*$", re.S)


@dataclass(frozen=True)
class CellError(ValueError):
    """A cell that cannot be read: what is wrong and how to fix it."""

    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.message}. Fix: {self.fix}"


def format_number(value: float) -> int | float:
    """20.0 -> 20, 0.25 -> 0.25, 123.45000000000002 -> 123.45 (what a person would type)."""
    rounded = round(float(value), 9)
    return int(rounded) if rounded.is_integer() and abs(rounded) < 2**53 else rounded


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def _number(raw: Any, column: Column) -> float:
    if isinstance(raw, bool):
        raise CellError(
            Message("{value!r} is not a number", value=_text(raw)), Message("type a number, e.g. 20")
        )
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        try:
            number = float(str(raw).strip().replace(",", "").replace("，", ""))
        except ValueError:
            raise CellError(
                Message("{value!r} is not a number", value=_text(raw)),
                Message("type a plain number without units, e.g. 20"),
            ) from None
    if not math.isfinite(number):
        raise CellError(
            Message("{value!r} is not a finite number", value=_text(raw)),
            Message("type a plain number, e.g. 20"),
        )
    if column.scale is not None:
        number = round(number * column.scale, 9)
    return number


def _choice(raw: Any, column: Column) -> str:
    wanted = normalise_header(_text(raw))
    for choice in column.choices:
        spellings = (choice.value, choice.label, f"{choice.label}({choice.value})")
        if wanted in {normalise_header(s) for s in spellings}:
            return choice.value
    labels = [c.label for c in column.choices]
    hint = did_you_mean(_text(raw), labels) or did_you_mean(_text(raw), [c.value for c in column.choices])
    raise CellError(
        Message(
            "{value!r} is not one of {choices}{hint}", value=_text(raw), choices=", ".join(labels), hint=hint
        ),
        Message("choose a value from the drop-down list"),
    )


def _label(value: str, choices: tuple[Choice, ...]) -> str:
    for choice in choices:
        if choice.value == value:
            return choice.label
    return value


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    match = _DATE.match(_text(raw))
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError(
        Message("{value!r} is not a date", value=_text(raw)),
        Message("write the date as YYYY-MM-DD, e.g. 2017-10-09"),
    )


def parse_distribution(text: str) -> dict[str, Any]:
    """``lognormal(mean=5, sd=2)``, ``uniform(3, 8)``, ``对数正态(5, 2)``, ``empirical(3, 4, 6)`` -> a mapping the
    model validates (its parameters are checked there)."""
    from workbooks.layout import catalog_layout

    match = _DISTRIBUTION.match(text)
    families = catalog_layout().sheet("items").column("handling_days.distribution").choices
    example = Message(
        "write a number of working days, or e.g. lognormal(mean=5, sd=2), uniform(3, 8), fixed(5)"
    )
    if not match:
        raise CellError(Message("{text!r} is neither a number nor a distribution", text=text), example)
    family_text, arguments = match[1], match[2].replace("，", ",").replace("＝", "=")
    family = None
    for choice in families:
        if normalise_header(family_text) in (normalise_header(choice.value), normalise_header(choice.label)):
            family = choice.value
    if family is None:
        names = [c.value for c in families]
        raise CellError(
            Message(
                "unknown distribution {family!r}{hint}",
                family=family_text,
                hint=did_you_mean(family_text, names),
            ),
            Message("use one of {families}", families=", ".join(names)),
        )
    parameters = DISTRIBUTION_PARAMETERS[family]
    result: dict[str, Any] = {"distribution": family}
    positional: list[float] = []
    for part in (p.strip() for p in arguments.split(",")):
        if not part:
            continue
        name, equals, value = part.partition("=")
        try:
            number = float(value if equals else name)
        except ValueError:
            raise CellError(
                Message("{part!r} in {text!r} is not a number", part=part, text=text), example
            ) from None
        if equals:
            key = name.strip()
            if key not in (*parameters, "value", "low", "mode", "high", "mean", "sd", "values"):
                raise CellError(
                    Message("unknown parameter {key!r} of {family}", key=key, family=family),
                    Message("{family} takes {parameters}", family=family, parameters=", ".join(parameters)),
                )
            if key == "values":
                result.setdefault("values", []).append(number)
            else:
                result[key] = number
        else:
            positional.append(number)
    if family == "empirical":
        if positional:
            result["values"] = result.get("values", []) + positional
    elif len(positional) > len(parameters):
        raise CellError(
            Message(
                "{family} takes {count} number(s) ({parameters}), got {given}",
                family=family,
                count=len(parameters),
                parameters=", ".join(parameters),
                given=len(positional),
            ),
            Message(
                "write e.g. {example}", example=family + "(" + ", ".join(p + "=..." for p in parameters) + ")"
            ),
        )
    else:
        for name, number in zip(parameters, positional, strict=False):
            result[name] = number
    return result


def distribution_text(spec: dict[str, Any]) -> str:
    """The inverse of :func:`parse_distribution`: ``lognormal(mean=5, sd=2)``."""
    family = spec["distribution"]
    if family == "empirical":
        return f"empirical({', '.join(str(format_number(v)) for v in spec['values'])})"
    parameters = DISTRIBUTION_PARAMETERS[family]
    shown = ", ".join(f"{p}={format_number(spec[p])}" for p in parameters if spec.get(p) is not None)
    return f"{family}({shown})"


def read_cell(column: Column, raw: Any) -> Any:
    """The scenario value of a cell (``BLANK`` when empty); raises :class:`CellError`.

    ``reference`` and ``field`` cells come back as text: the importer resolves them against other sheets.
    """
    if _is_blank(raw):
        return BLANK
    kind = column.type
    if kind == "text":
        return raw if isinstance(raw, str) else _text(raw)  # free text exactly as written
    if kind == "identifier":
        text = _text(raw)
        if not IDENTIFIER.match(text):
            raise CellError(
                Message(
                    "{text!r} is not an id (ids are 1 to 64 letters, digits, '_', '-' or '.': no spaces, no Chinese)",
                    text=text,
                ),
                Message("write a short id such as fgw or I01; the Chinese name goes in the name column"),
            )
        return text
    if kind in ("reference", "field", "target"):
        return _text(raw)
    if kind in ("number", "integer"):
        return _number(raw, column)
    if kind == "yesno":
        if isinstance(raw, bool):
            return raw
        word = normalise_header(_text(raw))
        if word in _YES:
            return True
        if word in _NO:
            return False
        raise CellError(
            Message("{value!r} is not 是 or 否", value=_text(raw)),
            Message("choose 是 (yes) or 否 (no) from the drop-down list"),
        )
    if kind == "choice":
        return _choice(raw, column)
    if kind == "choices":
        return tuple(_choice(part, column) for part in _LIST_SPLIT.split(_text(raw)) if part.strip())
    if kind == "list":
        return tuple(part.strip() for part in _LIST_SPLIT.split(_text(raw)) if part.strip())
    if kind == "numbers":
        return tuple(_number(part, column) for part in _NUMBER_SPLIT.split(_text(raw)) if part.strip())
    if kind == "date":
        return _date(raw)
    if kind == "materials":
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return _number(raw, column)
        text = _text(raw)
        try:
            return float(text)
        except ValueError:
            return tuple(part.strip() for part in _LINE_SPLIT.split(text) if part.strip())
    if kind == "days_or_distribution":
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return _number(raw, column)
        text = _text(raw)
        try:
            return _number(text, column)
        except CellError:
            return parse_distribution(text)
    raise AssertionError(f"unknown column type {kind}")  # the layout loader refuses unknown types


def write_cell(column: Column, value: Any) -> Any:
    """The cell for a scenario value (None: leave empty). ``reference``/``field`` values are written as given."""
    if value is None or (column.default is not None and value == column.default and column.type != "yesno"):
        return None
    kind = column.type
    if kind in ("number", "integer"):
        return format_number(value / column.scale if column.scale else value)
    if kind == "yesno":
        return "是" if value else "否"
    if kind == "choice":
        return _label(str(value), column.choices)
    if kind == "choices":
        return ", ".join(_label(str(v), column.choices) for v in value) or None
    if kind == "list":
        return ", ".join(str(v) for v in value) or None
    if kind == "numbers":
        return ", ".join(str(format_number(v)) for v in value) or None
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == "materials":
        return format_number(value) if isinstance(value, int | float) else "\n".join(value) or None
    if kind == "days_or_distribution":
        return format_number(value) if isinstance(value, int | float) else distribution_text(value)
    return str(value)
