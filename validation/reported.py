"""The reported figures and how each is compared, read from ``validation/data/rows.yaml`` (the data part).

Small functions over one file: :func:`anchors` (what each source reported), :func:`sources` (source id ->
title) and :func:`row_specs` (the comparisons), validated on reading so that a typo names the row and the key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DATA_FILE = Path(__file__).parent / "data" / "rows.yaml"

Relation = Literal["at_least", "at_most", "about", "range"]

__all__ = ["DATA_FILE", "Relation", "Reported", "RowSpec", "anchors", "row_specs", "sources"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reported(_Strict):
    """A figure as reported: ``value`` (None when the source gives none), its text, unit and how to read it."""

    value: float | None = None
    high: float | None = Field(default=None, description="upper end of a range (200多: 200 to under 300)")
    text: str
    unit: str
    relation: Relation | None = None

    @model_validator(mode="after")
    def _range_has_a_high_end(self) -> Reported:
        if (self.relation == "range") != (self.high is not None):
            raise ValueError("a 'range' needs 'high', and only a range has one")
        return self


class RowSpec(_Strict):
    """One comparison of ``rows.yaml`` (see the file's header for the fields)."""

    key: str
    anchor: str
    sources: tuple[str, ...] = ()
    figure: str
    scope: str
    reported: Reported
    measures: dict[str, dict[str, Any]] = {}
    simulated: str | None = None
    verdict: Literal["not reproducible", "by construction"] | None = None
    basis: str
    explanation: str

    @model_validator(mode="after")
    def _measured_or_fixed(self) -> RowSpec:
        if self.verdict is None and ("model" not in self.measures or self.reported.relation is None):
            raise ValueError("a row needs a 'model' measurement and a reported relation, or a fixed verdict")
        if self.simulated is not None and self.simulated not in self.measures:
            raise ValueError(f"'simulated' names '{self.simulated}', which is not one of the measures")
        return self


@cache
def _data() -> dict[str, Any]:
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def anchors() -> dict[str, dict[str, Any]]:
    """Each anchor's reported figures, scope and sources, as transcribed."""
    return dict(_data()["anchors"])


def sources() -> dict[str, str]:
    """Source id -> title, for every source an anchor or a row cites."""
    return dict(_data()["sources"])


@cache
def row_specs() -> tuple[RowSpec, ...]:
    """Every comparison, in the file's order; a row without ``sources`` takes its anchor's."""
    known = anchors()
    specs = []
    for index, raw in enumerate(_data()["rows"]):
        try:
            spec = RowSpec.model_validate(raw)
        except ValidationError as error:
            raise ValueError(f"{DATA_FILE}: rows[{index}] ({raw.get('key', '?')}): {error}") from None
        if not spec.sources:
            first = spec.anchor.split(",")[0].strip()
            if first not in known:
                raise ValueError(f"{DATA_FILE}: row {spec.key}: unknown anchor '{first}'")
            spec = spec.model_copy(update={"sources": tuple(known[first]["sources"])})
        specs.append(spec)
    return tuple(specs)
