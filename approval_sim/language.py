"""The language of the command line: Chinese unless ``--lang en`` (anywhere on the line) or
``APPROVAL_SIM_LANG=en`` says English.

The choice is made before click parses anything, so ``--help`` of every command and every message are in
the chosen language. Help texts are English msgids in the code (docstrings and ``help=N_(...)``); they are
translated on the command tree here, once per invocation. JSON never changes with the language.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from messages import ENV_VAR, LANGUAGES, N_, _, parse_language, set_language

__all__ = ["LocalizedGroup", "choose_language", "localize_help"]

_ORIGINAL = "_approval_sim_english_help"
_HELP_OPTION = N_("Show this message and exit.")
_BAD_LANGUAGE = N_("error: {source} must be zh or en, not {given!r}")


def choose_language(args: list[str]) -> list[str]:
    """Take ``--lang X`` / ``--lang=X`` out of ``args`` (the last one wins), else read $APPROVAL_SIM_LANG;
    set the language and return the other arguments. A value that is neither zh nor en exits 2."""
    rest: list[str] = []
    given: str | None = None
    source = "--lang"
    words = iter(args)
    for word in words:
        if word == "--":
            rest.append(word)
            rest.extend(words)
            break
        if word == "--lang":
            given = next(words, "")
        elif word.startswith("--lang="):
            given = word.partition("=")[2]
        else:
            rest.append(word)
    if given is None and os.environ.get(ENV_VAR, "").strip():
        given, source = os.environ[ENV_VAR], ENV_VAR
    chosen = parse_language(given) if given is not None else None
    if given is not None and chosen is None:
        for lang in LANGUAGES:  # in both: the choice of language is what failed
            set_language(lang)
            sys.stderr.write(_(_BAD_LANGUAGE).format(source=source, given=given) + "\n")
        raise typer.Exit(2)
    set_language(chosen)
    return rest


def localize_help(command: Any) -> None:
    """Translate the help of ``command``, its parameters and subcommands in place (from the English kept
    on first sight, so a second invocation in another language starts from the source text)."""
    for holder in [command, *getattr(command, "params", [])]:
        for attribute in ("help", "short_help"):
            english = _english(holder, attribute)
            if english:
                setattr(holder, attribute, _(english))
    command.__dict__.setdefault("get_help_option", _localized_help_option(command))
    for sub in getattr(command, "commands", {}).values():
        localize_help(sub)


def _localized_help_option(command: Any) -> Any:
    """``--help``'s own help (click makes the option on first use, in English)."""
    make = type(command).get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = make(command, ctx)
        if option is not None:
            option.help = _(_HELP_OPTION)
        return option

    return get_help_option


def _english(holder: Any, attribute: str) -> str | None:
    originals = holder.__dict__.setdefault(_ORIGINAL, {})
    if attribute not in originals:
        originals[attribute] = getattr(holder, attribute, None)
    return originals[attribute]


def _localize_help_frame() -> None:
    """The words typer's help screen draws around the help texts."""
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.ENVVAR_STRING = _("[env var: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")
    rich_utils.ERRORS_PANEL_TITLE = _("Error")  # the frame of click's usage errors (their text stays click's)
    rich_utils.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")
    rich_utils.ABORTED_TEXT = _("Aborted.")
    if not hasattr(rich_utils, _ORIGINAL):  # once per process
        setattr(rich_utils, _ORIGINAL, True)
        rich_utils.highlighter = _folding(type(rich_utils.highlighter))()
        rich_utils._get_parameter_help = _folded(rich_utils._get_parameter_help)


def _fold(part: Any) -> Any:
    """Help texts and option names fold where a line is full instead of ending in '…': a Chinese sentence
    has no space to wrap at, so in the narrow help column of an 80-column terminal rich would cut it."""
    from rich.text import Text

    if isinstance(part, Text):
        part.overflow = "fold"
    return part


def _folding(highlighter: type) -> type:
    """typer's highlighter (it makes the Text of option names and help texts), folding."""

    class Folding(highlighter):
        def __call__(self, text: Any) -> Any:
            return _fold(super().__call__(text))

    return Folding


def _folded(render: Any) -> Any:
    """typer's option help (help text, default, required, env var), folding."""

    def folding(*args: Any, **kwargs: Any) -> Any:
        rendered = render(*args, **kwargs)
        for part in rendered.renderables:
            _fold(part)
        return rendered

    return folding


class LocalizedGroup(TyperGroup):
    """The main command group: chooses the language, then lets click parse in it."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        if parent is None:
            args = choose_language(list(args))
            localize_help(self)
            _localize_help_frame()
        return super().make_context(info_name, args, parent, **extra)
