"""The words users read, in their language: Chinese first, English by choice (``--lang en`` or
``APPROVAL_SIM_LANG=en``).

One standard mechanism, GNU gettext: a user-facing string is written in English in the code and marked, and
its Chinese lives in the catalog ``messages/locale/zh_CN/LC_MESSAGES/approval_sim.po`` (compiled to ``.mo``
beside it, committed). ``uv run python -m tools.message_catalog`` extracts the marked strings with Babel, merges
them into the catalog and compiles it; ``tests/test_messages.py`` fails while a marked string has no Chinese
or the catalog holds one nobody uses. How to write a string (docs/i18n.md):

- text shown now: ``_("{count} problems").format(count=n)`` (named fields, never built by concatenation);
- text kept for later (module constants, help): ``N_("...")`` marks it, ``_()`` translates it where shown;
- text made where the language does not matter yet, shown later (problems, errors from the domain):
  ``Message("unknown department '{department}'", department=d)``: a ``str`` whose value is the English text
  (so JSON, logs and ``str(error)`` stay English and stable) and which ``localize(...)`` shows in the user's
  language.

Only the standard library here, imported by every layer: it must stay light and know nothing of the rest.
"""

from __future__ import annotations

import gettext
import os
import string
from pathlib import Path
from typing import Any

__all__ = [
    "DOMAIN",
    "ENV_VAR",
    "Joined",
    "LANGUAGES",
    "LOCALE_DIR",
    "Message",
    "N_",
    "_",
    "language",
    "localize",
    "ngettext",
    "parse_language",
    "pgettext",
    "set_language",
]

DOMAIN = "approval_sim"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENV_VAR = "APPROVAL_SIM_LANG"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
# the gettext locale of each language (English is the source text: no catalog)
_LOCALES = {"zh": "zh_CN"}

_chosen: str | None = None  # set by the command line; None: the environment decides
_catalogs: dict[str, gettext.NullTranslations] = {}


def parse_language(text: str | None) -> str | None:
    """'zh', 'zh_CN', 'zh-Hans', 'en', 'en_US.UTF-8', 'EN' -> 'zh' or 'en'; anything else -> None."""
    if text is None:
        return None
    word = text.strip().lower().replace("-", "_")
    if word.startswith("zh") or word in ("cn", "chinese", "中文"):
        return "zh"
    if word.startswith("en") or word == "english":
        return "en"
    return None


def set_language(lang: str | None) -> None:
    """Choose the language for this process ('zh' or 'en'); None goes back to $APPROVAL_SIM_LANG (else zh)."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    global _chosen
    _chosen = lang


def language() -> str:
    """The language in force: the one chosen, else $APPROVAL_SIM_LANG, else Chinese."""
    if _chosen is not None:
        return _chosen
    return parse_language(os.environ.get(ENV_VAR)) or DEFAULT_LANGUAGE


def _catalog() -> gettext.NullTranslations:
    lang = language()
    if lang not in _catalogs:
        locale = _LOCALES.get(lang)
        _catalogs[lang] = (
            gettext.translation(DOMAIN, LOCALE_DIR, languages=[locale])
            if locale is not None
            else gettext.NullTranslations()
        )
    return _catalogs[lang]


def _(msgid: str) -> str:
    """``msgid`` (English source text) in the user's language."""
    return _catalog().gettext(msgid)


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention the extractor knows
    """Mark ``msgid`` for the catalog without translating it now (translate with ``_()`` where shown)."""
    return msgid


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` (Chinese has one form; English two)."""
    return _catalog().ngettext(singular, plural, count)


def pgettext(context: str, msgid: str) -> str:
    """``msgid`` in the user's language where the same English word means different things by context."""
    return _catalog().pgettext(context, msgid)


class Message(str):
    """A message shown later: its value is the English text (stable in JSON, logs and exceptions);
    ``localize(message)`` renders it in the user's language from its msgid and named values."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, /, **values: Any) -> Message:
        self = super().__new__(cls, msgid.format(**values))  # always a brace template: '{{' is a brace
        self.msgid = msgid
        self.values = values
        return self

    def localized(self) -> str:
        template = _(self.msgid)
        values = {name: localize(value) for name, value in self.values.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):  # a broken translation must not hide the message
            return self.msgid.format(**values)

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (Prefect, multiprocessing) keep the msgid and values
        return (_rebuild, (self.msgid, self.values))


class Joined(Message):
    """Messages joined by a separator (e.g. one per department), each shown in the user's language."""

    parts: list[Any]
    separator: str

    def __new__(cls, separator: str, parts: Any) -> Joined:
        items = list(parts)
        self = str.__new__(cls, separator.join(items))
        self.msgid, self.values, self.parts, self.separator = str(self), {}, items, separator
        return self

    def localized(self) -> str:  # a separator that is a Message is translated too (", " -> "，")
        return localize(self.separator).join(localize(part) for part in self.parts)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Joined, (self.separator, self.parts))


def _rebuild(msgid: str, values: dict[str, Any]) -> Message:
    return Message(msgid, **values)


def localize(value: Any) -> Any:
    """A ``Message`` (at any depth of the values) in the user's language; anything else as it is."""
    return value.localized() if isinstance(value, Message) else value


def fields(template: str) -> list[tuple[str, str, str | None]]:
    """The replacement fields of a brace-format template: (name, format spec, conversion), in order."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:  # not a template (e.g. help showing YAML braces): compared as text
        return [(template, "", None)]
    return [(name, spec or "", conversion) for _text, name, spec, conversion in parsed if name is not None]
