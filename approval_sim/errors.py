"""Turn a user's mistake into a clear message and exit status 2, never a traceback.

Messages are shown in the user's language: raise ``UserError(Message("...", name=value))`` (or any
ValueError whose first argument is a ``messages.Message``); a plain string is shown as it is.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from approval_sim.output import printable
from messages import Message, _, localize

P = ParamSpec("P")
R = TypeVar("R")

USAGE_ERROR = 2


class UserError(Exception):
    """A problem in what the user asked for (bad option value, unknown run id, ...)."""


def fail(message: str) -> typer.Exit:
    """Print an error line to stderr (in the user's language) and return the Exit to raise (status 2)."""
    sys.stderr.write(printable(_("error: {message}").format(message=localize(message))) + "\n")
    return typer.Exit(USAGE_ERROR)


def warn(message: str) -> None:
    """A warning line on stderr, in the user's language."""
    sys.stderr.write(printable(_("warning: {message}").format(message=localize(message))) + "\n")


def error_text(error: BaseException) -> str:
    """What an exception says, in the user's language when it was raised with a ``Message``."""
    if error.args and isinstance(error.args[0], Message) and len(error.args) == 1:
        return error.args[0].localized()
    return str(error)


def handle_user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a CLI command: scenario/calendar/user errors become messages on stderr with exit status 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from approval_model.problems import ScenarioError

        try:
            return command(*args, **kwargs)
        except ScenarioError as error:
            sys.stderr.write(printable(error.localized()) + "\n")
            raise typer.Exit(USAGE_ERROR) from None
        except (UserError, ValueError) as error:
            raise fail(error_text(error)) from None
        except Exception as error:
            message = _database_failure(error)
            if message is None:
                raise
            raise fail(message) from None
        finally:
            _close_databases()

    return wrapper


def _database_failure(error: BaseException) -> str | None:
    """The one-line explanation of a database failure (full disk, read-only, locked, unreachable, ...), never
    its SQL; None for any other error. The database modules are imported only when a database was used."""
    if "flows.store.database" not in sys.modules:
        return None
    from flows.store.database import database_url
    from flows.store.failures import explain

    try:
        url: str | None = database_url()
    except Exception:  # noqa: BLE001 - naming the database is a courtesy
        url = None
    return explain(error, url)


def _close_databases() -> None:
    """When a command ends: write SQLite's log into the database file (a copy of the file alone then holds
    every run) and close the connections."""
    database = sys.modules.get("flows.store.database")
    if database is not None:
        database.close_engines()
