"""The sensible range of every number a user can give, declared once and reused by every model.

A number from a file is checked before anything computes with it: booleans (YAML ``true`` is not 1 day),
``.inf``, ``.nan``, ``1e400`` (YAML reads it as text, Python turns it into inf), non-numeric text and
magnitudes no approval process has (a limit of 10^300 days, or of 10^-320, which is 0 in all but name) are
refused, and the message states the field's range and unit, e.g. ``must be a number from 0.01 to 1,000 working
days (got inf)``.

How to declare a bounded numeric field (a new model field, a rule parameter)::

    from typing import Annotated
    from approval_model.bounds import Bounds, WorkingDays

    FILES_PER_WEEK = Bounds(0, 50, "files per week")        # a range of its own: say why in a comment

    class MyParams(Strict):
        days: WorkingDays = 0.0                              # a quantity declared here
        per_week: Annotated[float, *FILES_PER_WEEK.metadata] = 1.0

Each constant below says why its range is what it is. The range is also in the field's JSON schema
(``ge`` / ``le``); :mod:`approval_model.scenario_problems` turns the error into a planner's message.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import Interval
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from messages import N_

__all__ = [
    "BOUNDS_ERROR",
    "Bounds",
    "Count",
    "FileCapacity",
    "HandlingFactor",
    "LimitDays",
    "MaterialCount",
    "MillionYuan",
    "MixWeight",
    "PositiveShare",
    "ProjectsPerDay",
    "Share",
    "WorkingDays",
    "format_number",
]

BOUNDS_ERROR = "out_of_bounds"  # the pydantic error type of every refusal below


def format_number(value: float) -> str:
    """1000 -> '1,000', 0.01 -> '0.01', 1e7 -> '10,000,000' (no exponents in messages)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Bounds:
    """A closed range ``low..high`` in a unit; ``integer`` for counts."""

    low: float
    high: float
    unit: str
    integer: bool = False

    def text(self) -> str:
        kind = "a whole number" if self.integer else "a number"
        unit = f" {self.unit}" if self.unit else ""
        return f"{kind} from {format_number(self.low)} to {format_number(self.high)}{unit}"

    def check(self, value: Any) -> float | int:
        """The value as a float (an int for counts), or a pydantic error stating the range."""
        number: float | None = None
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if (
            number is None
            or not math.isfinite(number)
            or not self.low <= number <= self.high
            or (self.integer and not number.is_integer())
        ):
            raise PydanticCustomError(
                BOUNDS_ERROR,
                "must be {range}",
                {
                    "range": self.text(),
                    "low": self.low,
                    "high": self.high,
                    "unit": self.unit,
                    "integer": self.integer,
                },
            )
        return int(number) if self.integer else number

    @property
    def metadata(self) -> tuple[Any, ...]:
        """What ``Annotated[float, ...]`` (``int`` for counts) needs: the check and the schema's range."""
        return BeforeValidator(self.check), Interval(ge=self.low, le=self.high)


# Durations in working days. 1,000 working days are four calendar years; the national reform caps a whole
# approval at 120 working days and no item of the reference catalog allows more than 60.
WORKING_DAYS = Bounds(0, 1_000, N_("working days"))
# A limit (or a mean time) must be positive; below 0.01 working days (five minutes) it is a typo or 0.
LIMIT_DAYS = Bounds(0.01, 1_000, N_("working days"))
SHARE = Bounds(0, 1, N_("(a share: 0.25 = 25 %)"))
POSITIVE_SHARE = Bounds(0.01, 1, N_("(a share: 0.25 = 25 %)"))
# a multiplier of handling times for sensitivity sweeps: from a hundredth to a hundredfold
HANDLING_FACTOR = Bounds(0.01, 100, N_("(a multiplier)"))
# files a department handles at once (staff x desks); a city bureau has tens
FILE_CAPACITY = Bounds(1, 100_000, N_("files at once"), integer=True)
# application materials of one item: the reference catalog's largest has 13
MATERIAL_COUNT = Bounds(0, 1_000, N_("documents"), integer=True)
COUNT = Bounds(1, 1_000, "", integer=True)
# total investment: the largest single projects are a few hundred billion yuan (10^5 million)
MILLION_YUAN = Bounds(0, 10_000_000, N_("million yuan"))
# project arrivals: a city files a few per working day; 10,000 is beyond any city
PROJECTS_PER_DAY = Bounds(0.0001, 10_000, N_("projects per working day"))
# a profile's weight in a project mix: shares are the weights over their sum (70/20/10 or 0.7/0.2/0.1 alike)
MIX_WEIGHT = Bounds(0, 1_000_000, N_("(a weight; the shares are the weights over their sum)"))

WorkingDays = Annotated[float, *WORKING_DAYS.metadata]
LimitDays = Annotated[float, *LIMIT_DAYS.metadata]
Share = Annotated[float, *SHARE.metadata]
PositiveShare = Annotated[float, *POSITIVE_SHARE.metadata]
HandlingFactor = Annotated[float, *HANDLING_FACTOR.metadata]
FileCapacity = Annotated[int, *FILE_CAPACITY.metadata]
MaterialCount = Annotated[int, *MATERIAL_COUNT.metadata]
Count = Annotated[int, *COUNT.metadata]
MillionYuan = Annotated[float, *MILLION_YUAN.metadata]
ProjectsPerDay = Annotated[float, *PROJECTS_PER_DAY.metadata]
MixWeight = Annotated[float, *MIX_WEIGHT.metadata]
