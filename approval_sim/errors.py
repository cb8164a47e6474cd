"""Turn a user's mistake into a clear message and exit status 2, never a traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

P = ParamSpec("P")
R = TypeVar("R")

USAGE_ERROR = 2


class UserError(Exception):
    """A problem in what the user asked for (bad option value, unknown run id, ...)."""


def fail(message: str) -> typer.Exit:
    """Print an error line to stderr and return the Exit to raise (status 2)."""
    sys.stderr.write(f"error: {message}\n")
    return typer.Exit(USAGE_ERROR)


def handle_user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a CLI command: scenario/calendar/user errors become messages on stderr with exit status 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from approval_model.problems import ScenarioError

        try:
            return command(*args, **kwargs)
        except ScenarioError as error:
            sys.stderr.write(error.render() + "\n")
            raise typer.Exit(USAGE_ERROR) from None
        except (UserError, ValueError) as error:
            raise fail(str(error)) from None

    return wrapper
