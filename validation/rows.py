"""A validation row: a reported figure beside the model's, the gap and the verdict (data + measurement -> row).

The verdict reads the reported figure as the source states it: a bound ("180+" is at least, "within 60" at
most), a range ("200多" = 200 to under 300) or "about" (within 10 %). ``gap`` = model - reported.
"""

from __future__ import annotations

import string
from dataclasses import asdict, dataclass, field
from typing import Any

from validation.measure import Figure, measure, rounded
from validation.reported import Relation, RowSpec, row_specs

__all__ = ["ABOUT_TOLERANCE", "Row", "build_row", "format_number", "validation_rows", "verdict_of"]

ABOUT_TOLERANCE = 0.10  # "about" a figure: within 10 % of it


@dataclass(frozen=True)
class Row:
    """One reported figure beside the model's. ``gap`` = model - reported (None when either is missing)."""

    key: str
    anchor: str
    sources: tuple[str, ...]
    figure: str
    scope: str
    reported: float | None
    reported_text: str
    unit: str
    relation: Relation | None
    model: float | None
    basis: str
    verdict: str
    explanation: str
    reported_high: float | None = None  # upper end of a "range" ("200多" = 200 to under 300)
    simulated: dict[str, Any] | None = None
    gap: float | None = field(init=False)

    def __post_init__(self) -> None:
        gap = None if self.reported is None or self.model is None else rounded(self.model - self.reported)
        object.__setattr__(self, "gap", gap)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["sources"] = list(self.sources)
        return data


def verdict_of(model: float, reported: float, relation: Relation, high: float | None = None) -> str:
    """consistent / model higher / model lower, reading the reported figure as a bound, a range or "about"."""
    if relation == "at_least":
        return "consistent" if model >= reported - 1e-9 else "model lower"
    if relation == "at_most":
        return "consistent" if model <= reported + 1e-9 else "model higher"
    if relation == "range":
        if high is None:
            raise ValueError("a range needs its upper end")
        if model < reported:
            return "model lower"
        return "consistent" if model < high else "model higher"
    if abs(model - reported) <= ABOUT_TOLERANCE * abs(reported) + 1e-9:
        return "consistent"
    return "model higher" if model > reported else "model lower"


def format_number(value: float | None) -> str:
    """A number for reading: one decimal, no trailing .0, "—" for none."""
    if value is None:
        return "—"
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


class _Text(string.Formatter):
    """Fills ``{name}`` / ``{name.detail}`` of a row's text: numbers to one decimal, figures by their value."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Figure):
            value = value.value
        if isinstance(value, float) and not format_spec:
            return format_number(rounded(value))
        return super().format_field(value, format_spec)


def build_row(spec: RowSpec) -> Row:
    """Measure a row's figures and fill in its text."""
    figures: dict[str, Figure] = {}
    for name, measurement in spec.measures.items():
        figures[name] = measure(measurement, figures, spec.reported.value)
    text = _Text()
    model = figures["model"].value if "model" in figures else None
    model = rounded(model) if model is not None else None
    reported = spec.reported
    verdict: str
    if spec.verdict is not None:
        verdict = spec.verdict
    else:
        assert model is not None and reported.value is not None and reported.relation is not None
        verdict = verdict_of(model, reported.value, reported.relation, reported.high)
    return Row(
        spec.key,
        spec.anchor,
        spec.sources,
        spec.figure,
        spec.scope,
        reported.value,
        reported.text,
        reported.unit,
        reported.relation,
        model,
        text.format(spec.basis, **figures),
        verdict,
        " ".join(text.format(spec.explanation, **figures).split()),
        reported.high,
        figures[spec.simulated].simulated if spec.simulated else None,
    )


def validation_rows() -> list[Row]:
    """Every compared figure, in the order of the data file (deterministic: fixed seed, fixed rounding)."""
    return [build_row(spec) for spec in row_specs()]
