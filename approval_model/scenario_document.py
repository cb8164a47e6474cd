"""A scenario file read into plain data, with the line of every key and list entry.

Why its own module: every message about a scenario names the line to fix, so reading keeps the YAML nodes'
positions (``ScenarioDocument.lines``); it also knows where the built-in scenarios live and how a reference
(a built-in name or a path) resolves. Checking the content is :mod:`approval_model.scenario`'s job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from approval_model import safe_yaml
from approval_model.problems import Problem, ScenarioError
from messages import Message

__all__ = ["BUILTIN_DIR", "ScenarioDocument", "builtin_names", "read_document", "resolve_reference"]

BUILTIN_DIR = Path(__file__).parent / "data" / "scenarios"


@dataclass
class ScenarioDocument:
    """A parsed scenario file with the line of every key and list entry, for messages."""

    label: str
    path: Path | None
    data: dict[str, Any]
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, location: Sequence[str | int]) -> int | None:
        """The line of a location, or of its nearest ancestor present in the file."""
        location = tuple(location)
        while location:
            if location in self.lines:
                return self.lines[location]
            location = location[:-1]
        return None


def builtin_names() -> list[str]:
    """Names of the built-in scenarios (``luoyang-2017-before``, ...)."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def resolve_reference(reference: str | Path, relative_to: Path | None = None) -> Path:
    """A built-in scenario name or a file path (relative paths resolve against the referring file)."""
    text = str(reference)
    candidate = BUILTIN_DIR / f"{text}.yaml"
    if "/" not in text and not text.endswith((".yaml", ".yml")) and candidate.exists():
        return candidate
    path = Path(text).expanduser()
    if not path.is_absolute() and relative_to is not None and not path.exists():
        path = relative_to / path
    return path


def _label(path: Path) -> str:
    try:
        if path.resolve().parent == BUILTIN_DIR.resolve():
            return Message("built-in scenario '{name}'", name=path.stem)
    except OSError:
        pass
    return str(path)


def _record_lines(node: yaml.Node, location: tuple[str | int, ...], lines: dict) -> None:
    lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            lines[(*location, key)] = key_node.start_mark.line + 1
            _record_lines(value_node, (*location, key), lines)
            lines[(*location, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _record_lines(child, (*location, index), lines)


def read_document(path: Path, label: str | None = None) -> ScenarioDocument:
    """Parse a scenario file; a missing file, YAML syntax error or non-mapping top level is a ScenarioError."""
    label = label or _label(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        names = ", ".join(builtin_names())
        raise ScenarioError(
            label,
            [
                Problem(
                    (),
                    Message("no such file or built-in scenario"),
                    Message("give a path to a YAML file or one of: {names}", names=names),
                )
            ],
        ) from None
    except IsADirectoryError:
        raise ScenarioError(
            label,
            [
                Problem(
                    (),
                    Message("is a folder, not a scenario file"),
                    Message("give the path of one YAML scenario file"),
                )
            ],
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(
            label,
            [
                Problem(
                    (),
                    Message("cannot read the file ({error})", error=str(error)),
                    Message("save it as UTF-8 text"),
                )
            ],
        ) from None
    try:
        data, node = safe_yaml.parse(text)  # libyaml when available: parsing is the slow part
    except safe_yaml.YamlShapeError as error:
        raise ScenarioError(label, [Problem((), error.message, error.fix, error.line)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)  # the YAML parser's own words (English)
        raise ScenarioError(
            label,
            [
                Problem(
                    (),
                    Message(
                        "YAML syntax error (column {column}): {problem}",
                        column=mark.column + 1,
                        problem=problem,
                    )
                    if mark is not None
                    else Message("YAML syntax error: {problem}", problem=problem),
                    Message("check indentation, colons and quotes on this line and the one before"),
                    line,
                )
            ],
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            label,
            [
                Problem(
                    (),
                    Message(
                        "the file must be a YAML mapping with 'name', 'departments', 'stages' and 'items'"
                    ),
                    Message("start from the example in docs/scenario-format.md"),
                    1,
                )
            ],
        )
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _record_lines(node, (), lines)
    return ScenarioDocument(label=label, path=path, data=data, lines=lines)
