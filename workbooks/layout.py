"""The catalog workbook's layout (sheets, columns, drop-down lists), read from ``data/catalog_layout.yaml``.

The layout is data so that a new model field reaches the template, the import and the export through one entry
(see the file's header). This module only gives it types and lookups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "Choice",
    "Column",
    "Layout",
    "Sheet",
    "catalog_layout",
    "normalise_header",
]

LAYOUT_FILE = Path(__file__).parent / "data" / "catalog_layout.yaml"
INSTRUCTIONS_FILE = Path(__file__).parent / "data" / "instructions.yaml"
TYPES = (
    "text",
    "identifier",
    "number",
    "integer",
    "yesno",
    "choice",
    "choices",
    "list",
    "numbers",
    "date",
    "days_or_distribution",
    "reference",
    "materials",
    "field",
    "target",
)

_FULL_WIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "　": " "})


def normalise_header(text: Any) -> str:
    """A header or choice as compared: half-width brackets, no spaces or '*', lower case."""
    return re.sub(r"[\s*]+", "", str(text if text is not None else "").translate(_FULL_WIDTH)).lower()


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Column:
    """One column of a table sheet (or one row of the settings sheet)."""

    key: str
    label: str
    type: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    scale: float | None = None
    default: Any = None
    help: str = ""
    examples: tuple[Any, ...] = ()
    sheet: str | None = None  # type 'reference': the sheet whose rows it names
    export_only: bool = False  # written for information, ignored on import

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))

    @property
    def header(self) -> str:
        """What row 1 shows: the Chinese label (with * when required) above the English key."""
        return f"{self.label}{' *' if self.required else ''}\n{self.key}"

    def names(self) -> tuple[str, ...]:
        """Header spellings that name this column (compared after :func:`normalise_header`)."""
        return (
            normalise_header(self.label),
            normalise_header(self.key),
            normalise_header(self.label + self.key),
        )

    def example(self, row: int) -> Any:
        if not self.examples:
            return None
        return self.examples[row] if row < len(self.examples) else None


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    columns: tuple[Column, ...]
    kind: str = "table"  # 'table': a row per entry; 'settings': a row per setting (key, value)
    help: str = ""
    required: bool = True

    @property
    def title_zh(self) -> str:
        return self.title.split(" ")[0]

    @property
    def title_en(self) -> str:
        return self.title.split(" ", 1)[-1]

    def names(self) -> tuple[str, ...]:
        return tuple(normalise_header(n) for n in (self.title, self.title_zh, self.title_en, self.key))

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    @property
    def example_rows(self) -> int:
        return max((len(c.examples) for c in self.columns), default=0)


@dataclass(frozen=True)
class Layout:
    sheets: tuple[Sheet, ...]
    instructions_title: str
    instructions: tuple[tuple[str, str], ...]  # (Chinese, English) per row

    def sheet(self, key: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.key == key:
                return sheet
        raise KeyError(key)


def _column(raw: dict[str, Any], choices: dict[str, tuple[Choice, ...]]) -> Column:
    if raw["type"] not in TYPES:
        raise ValueError(f"{LAYOUT_FILE}: column {raw['key']}: unknown type {raw['type']!r}")
    example = raw.get("example")
    examples = tuple(example) if isinstance(example, list) else ((example,) if example is not None else ())
    return Column(
        key=raw["key"],
        label=raw["label"],
        type=raw["type"],
        required=bool(raw.get("required", False)),
        choices=choices[raw["choices"]] if "choices" in raw else (),
        scale=raw.get("scale"),
        default=raw.get("default"),
        help=raw.get("help", ""),
        examples=examples,
        sheet=raw.get("sheet"),
        export_only=bool(raw.get("export_only", False)),
    )


@cache
def catalog_layout() -> Layout:
    """The layout of the catalog workbook (read once)."""
    raw = yaml.safe_load(LAYOUT_FILE.read_text(encoding="utf-8"))
    choices = {
        name: tuple(Choice(str(c["value"]), str(c["label"])) for c in entries)
        for name, entries in raw["choices"].items()
    }
    sheets = tuple(
        Sheet(
            key=s["key"],
            title=s["title"],
            kind=s.get("kind", "table"),
            help=s.get("help", ""),
            required=bool(s.get("required", True)),
            columns=tuple(_column(c, choices) for c in s["columns"]),
        )
        for s in raw["sheets"]
    )
    text = yaml.safe_load(INSTRUCTIONS_FILE.read_text(encoding="utf-8"))
    return Layout(
        sheets=sheets,
        instructions_title=text["title"],
        instructions=tuple((r["zh"], r["en"]) for r in text["rows"]),
    )
