"""Problems found in a scenario, each with a place and a fix, so a planner can act on every one at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Problem", "ScenarioError", "did_you_mean", "format_location"]

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (a path into the file), what, and how to fix it."""

    location: Location
    message: str
    fix: str = ""
    line: int | None = None

    def render(self, file: str | None = None, subject: str | None = None) -> str:
        where = file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        place = subject or format_location(self.location)
        text = f"{where}: {place}: {self.message}" if place else f"{where}: {self.message}"
        return f"{text}. Fix: {self.fix}" if self.fix else text


class ScenarioError(ValueError):
    """A scenario that cannot be used; carries every problem found, not only the first."""

    def __init__(self, file: str | None, problems: Sequence[Problem], subjects: Sequence[str | None] = ()):
        self.file = file
        self.problems = list(problems)
        self.subjects = list(subjects) or [None] * len(self.problems)
        super().__init__(self.render())

    def lines(self) -> list[str]:
        return [p.render(self.file, s) for p, s in zip(self.problems, self.subjects, strict=True)]

    def render(self) -> str:
        count = len(self.problems)
        head = f"{self.file or '<scenario>'}: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([head, *(f"  - {line}" for line in self.lines())])


def format_location(location: Location) -> str:
    """('items', 3, 'department') -> 'items[3].department'."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close choice exists, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
