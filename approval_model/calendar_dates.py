"""Dates as the working-day calendar takes them: checks of its inputs, day ordinals and datetime64.

Why its own module: the calendar's vectorised API works on integer day ordinals (``date.toordinal()``), and
every entry point checks its input the same way (a ``date``, a whole number of working days, an ordinal
array within 0001-01-01..9999-12-31) before any arithmetic; :class:`CalendarError` is the error a user can act
on. The arithmetic itself is :class:`approval_model.calendar.WorkingDayCalendar`.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import numpy as np

from messages import Message

__all__ = [
    "CalendarError",
    "MAX_ORDINAL",
    "MIN_ORDINAL",
    "as_date",
    "as_int_array",
    "as_ordinals",
    "as_whole_number",
    "datetime64_from_ordinals",
    "format_years",
    "ordinals_from_datetime64",
]

MIN_ORDINAL = date.min.toordinal()  # 1
MAX_ORDINAL = date.max.toordinal()  # 9999-12-31
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # datetime64[D] zero


class CalendarError(ValueError):
    """Bad calendar input (override table, date out of range); the message says where and how to fix it."""


def format_years(years: Iterable[int]) -> str:
    """Compact human form of a set of years: ``2004–2026``, ``2003, 2027–2028``."""
    ys = sorted(set(years))
    if not ys:
        return "none"
    parts: list[str] = []
    start = prev = ys[0]
    for y in [*ys[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(parts)


def ordinals_from_datetime64(values: Any) -> np.ndarray:
    """``datetime64`` array (any unit) -> int64 proleptic Gregorian ordinals, as the array API expects."""
    return np.asarray(values).astype("datetime64[D]").astype(np.int64) + EPOCH_ORDINAL


def datetime64_from_ordinals(ordinals: Any) -> np.ndarray:
    """Inverse of :func:`ordinals_from_datetime64`."""
    return (np.asarray(ordinals, dtype=np.int64) - EPOCH_ORDINAL).astype("datetime64[D]")


def as_date(value: Any, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__} {value!r}")


def as_whole_number(n: Any) -> int:
    """Working days are whole numbers here; fractional input must be rounded explicitly by the caller."""
    if isinstance(n, numbers.Integral) and not isinstance(n, bool | np.bool_):
        return operator.index(n)
    if isinstance(n, numbers.Real) and not isinstance(n, bool | np.bool_):
        value = float(n)
        if math.isfinite(value) and value.is_integer():
            return int(value)
    raise ValueError(
        f"n must be a whole number of working days, got {n!r}; "
        "round it explicitly (e.g. math.ceil for a deadline) before calling"
    )


def as_ordinals(values: Any, name: str) -> np.ndarray:
    a = np.asarray(values)
    if a.dtype.kind == "M":
        raise TypeError(
            f"{name} must be integer ordinals; convert datetime64 with ordinals_from_datetime64()"
        )
    a = as_int_array(a, name)
    if a.size and (a.min() < MIN_ORDINAL or a.max() > MAX_ORDINAL):
        raise CalendarError(
            Message(
                "{name} contains values outside the date range {low}..{high}",
                name=name,
                low=MIN_ORDINAL,
                high=MAX_ORDINAL,
            )
        )
    return a


def as_int_array(values: Any, name: str) -> np.ndarray:
    a = np.asarray(values)
    if a.dtype.kind in "iu":
        return a.astype(np.int64, copy=False)
    if a.dtype.kind == "f":
        finite = np.isfinite(a)
        whole = finite & (a == np.round(np.where(finite, a, 0)))
        if whole.all():
            return a.astype(np.int64)
        bad = a[~whole].flat[0]
        raise ValueError(
            f"{name} must hold whole numbers of working days, found {bad!r}; round explicitly first"
        )
    raise ValueError(f"{name} must be an integer array, got dtype {a.dtype}")
