"""What an export table is, and how a value in it is shown: ``Table``, ``Column``, ``Cell``, ``format_value``.

Every format (Excel, CSV, HTML) renders the same ``Table`` objects, so the numbers agree across them. Values
stay numbers (or None for "not applicable"); each column (or a single cell, via ``Cell``) carries a kind
that says how to show it: days with one decimal, rates as percentages, and so on. The tables of a run are
built in ``exports.run_tables`` (from ``overview``, ``clocks_and_targets`` and ``detail_tables``); the words
they use are in ``exports.vocabulary``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["text", "int", "days", "percent", "number"]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Cell:
    """A value whose kind differs from its column's (key/value tables)."""

    value: Any
    kind: Kind


@dataclass(frozen=True)
class Table:
    """One table: ``name`` is the Chinese title (and sheet), ``key`` names its CSV file."""

    key: str
    name: str
    english: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    sheet: str = field(default="")
    row_fills: tuple[
        str | None, ...
    ] = ()  # Excel background (RRGGBB) per row, e.g. the follow-up list's red/yellow

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def cells(self) -> list[list[tuple[Any, Kind]]]:
        """Rows of (plain value, kind), with ``Cell`` wrappers resolved."""
        return [
            [
                (v.value, v.kind) if isinstance(v, Cell) else (v, c.kind)
                for v, c in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


def format_value(value: Any, kind: Kind, missing: str = "—") -> str:
    """The text of a value as planners read it: the one formatter of every export (CSV keeps raw numbers; HTML
    and plots show ``missing`` for "not applicable", an Excel cell stays empty: ``missing=""``)."""
    if value is None:
        return missing
    if kind == "percent":
        return f"{value:.1%}"
    if kind == "days":
        return f"{value:.1f}"
    if kind == "number":
        return f"{value:.2f}"
    if kind == "int":
        return f"{value:d}"
    return str(value)
