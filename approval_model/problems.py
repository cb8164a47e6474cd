"""Problems found in a scenario, each with a place and a fix, so a planner can act on every one at once."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from messages import Message, localize

__all__ = ["ENTRY_WORDS", "Problem", "ScenarioError", "did_you_mean", "format_location"]

Location = tuple[str | int, ...]

# the entries of a process as words of a message (translated where shown)
ENTRY_WORDS = {"item": Message("item"), "department": Message("department"), "stage": Message("stage")}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (a path into the file), what, and how to fix it.

    ``message`` and ``fix`` are best made as ``messages.Message``: English in JSON and ``str()``, the user's
    language where rendered (``localize(problem.render())``). The place (file, line, key path) is never
    translated: it is what the user finds in the file."""

    location: Location
    message: str
    fix: str = ""
    line: int | None = None

    def render(self, file: str | None = None, subject: str | None = None) -> Message:
        """'file:line: place: what. Fix: how' (a Message: English as a str, localize() for the user)."""
        where = file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        place = subject or format_location(self.location)
        text = (
            Message("{where}: {place}: {message}", where=where, place=place, message=self.message)
            if place
            else Message("{where}: {message}", where=where, message=self.message)
        )
        return Message("{text}. Fix: {fix}", text=text, fix=self.fix) if self.fix else text


class ScenarioError(ValueError):
    """A scenario that cannot be used; carries every problem found, not only the first."""

    def __init__(self, file: str | None, problems: Sequence[Problem], subjects: Sequence[str | None] = ()):
        self.file = file
        self.problems = list(problems)
        self.subjects = list(subjects) or [None] * len(self.problems)
        super().__init__(self.render())

    def lines(self) -> list[Message]:
        return [p.render(self.file, s) for p, s in zip(self.problems, self.subjects, strict=True)]

    def render(self) -> str:
        """Every problem, one a line, in English (``str(error)``, logs, stored run errors)."""
        return self._text(str)

    def localized(self) -> str:
        """The same in the user's language (what the command line prints)."""
        return self._text(localize)

    def _text(self, show: Callable[[Message], str]) -> str:
        count = len(self.problems)
        file = self.file or "<scenario>"
        head = (
            Message("{file}: 1 problem", file=file)
            if count == 1
            else Message("{file}: {count} problems", file=file, count=count)
        )
        return "\n".join([show(head), *(f"  - {show(line)}" for line in self.lines())])


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
    """' (did you mean 'x'?)' when a close choice exists, else '' (a Message: put it in a Message's values
    to keep it translatable, e.g. ``Message("unknown key '{key}'{hint}", key=k, hint=did_you_mean(k, keys))``)."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return Message(" (did you mean '{choice}'?)", choice=close[0]) if close else ""
