"""The modelling assumptions a robustness analysis varies, with their plausible ranges and sources.

The figures live in ``data/assumptions.yaml`` (data, not code): each assumption has a nominal value (what the
simulation uses when a scenario states nothing), a plausible range, its status (documented or assumed) and its
source, and says which scenario key states it explicitly (a stated input is not varied).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

__all__ = ["ASSUMPTION_FILE", "Assumption", "builtin_assumptions"]

ASSUMPTION_FILE = Path(__file__).parent / "data" / "assumptions.yaml"
CHOICES = {"merged_limit": ("max", "sum")}


class Assumption(BaseModel):
    """One assumption: a number drawn uniformly from ``low..high``, or a choice (``merged_limit``: the sampled
    uniform below 0.5 is the first choice, else the second)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    label: str
    description: str
    nominal: float | Literal["basis", "scenario", "max"]
    range: tuple[float, float] | tuple[str, str]
    status: Literal["documented", "assumed"]
    source: str
    stated_by: str

    @field_validator("range", mode="before")
    @classmethod
    def _pair(cls, value: object) -> object:
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError("range must be [low, high]")
        return tuple(value)

    @model_validator(mode="after")
    def _ordered(self) -> Assumption:
        if self.is_choice:
            if tuple(self.range) != CHOICES.get(self.name):
                raise ValueError(f"{self.name}: a choice must range over {CHOICES.get(self.name)}")
        elif not self.range[0] < self.range[1]:  # type: ignore[operator]
            raise ValueError(f"{self.name}: range must be [low, high] with low < high")
        return self

    @property
    def is_choice(self) -> bool:
        return self.name in CHOICES

    @property
    def bounds(self) -> tuple[float, float]:
        """What is sampled: the range, or [0, 1] for a choice."""
        return (0.0, 1.0) if self.is_choice else (float(self.range[0]), float(self.range[1]))


@cache
def builtin_assumptions() -> dict[str, Assumption]:
    """The assumptions by name, in the file's order."""
    raw = yaml.safe_load(ASSUMPTION_FILE.read_text(encoding="utf-8"))
    return {name: Assumption.model_validate({"name": name, **body}) for name, body in raw.items()}
