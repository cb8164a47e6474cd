"""What went wrong with the results database, said in one line a planner can act on.

A database failure reaches the user as a driver exception wrapped by SQLAlchemy, whose text carries the SQL
statement and its parameters (and a link to SQLAlchemy's docs): 260-330 lines of traceback for a full disk.
:func:`explain` reads the driver's error code instead (``sqlite3.Error.sqlite_errorname``, psycopg's
SQLSTATE) and returns what happened, to which database, and what to do. It never repeats SQL.

:func:`is_transient` says whether trying again can help (a lock, a dropped connection), so tasks with retries
do not retry a full disk four times.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url

from messages import Message

__all__ = [
    "DatabaseFailure",
    "database_cause",
    "describe_url",
    "explain",
    "explained",
    "is_transient",
    "without_sql",
]


class DatabaseFailure(ValueError):
    """A database failure, explained (the message, a ``messages.Message``, holds no SQL); a ValueError, so the
    CLI exits 2 and shows it in the user's language. ``transient``: trying again may help (a lock, a dropped
    connection)."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


def explained(error: BaseException, url: str | None) -> DatabaseFailure | None:
    """``error`` as a :class:`DatabaseFailure` (itself when it is one); None when it is no database failure."""
    if isinstance(error, DatabaseFailure):
        return error
    found = _explained(error, url)
    return None if found is None else DatabaseFailure(*found)


def describe_url(url: str | None) -> str:
    """The database as a user knows it: the SQLite file's path, else the URL without its password."""
    if not url:
        return "the results database"
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as given, minus anything after '@'
        return url.split("@")[-1]
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database or ":memory:")
    return parsed.render_as_string(hide_password=True)


def database_cause(error: BaseException) -> BaseException | None:
    """The driver's own exception behind ``error`` (sqlite3 or psycopg), following SQLAlchemy's wrapping and
    the exception chain; None when ``error`` is not a database failure."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        module = type(current).__module__
        if module.startswith(("sqlite3", "psycopg")):
            return current
        original = getattr(current, "orig", None)
        if isinstance(original, BaseException):
            current = original
            continue
        current = current.__cause__ or current.__context__
    return None


def _sqlite(cause: BaseException, database: str) -> tuple[Message, bool]:
    """(message, transient) for a sqlite3 error."""
    name = getattr(cause, "sqlite_errorname", "") or ""
    text = str(cause)
    if name == "SQLITE_FULL" or "disk is full" in text:
        return (
            Message(
                "the results database {database}: the disk (or the database's size limit) is full, so the "
                "results could not be written; free some space, or set APPROVAL_SIM_DATABASE_URL (or "
                "--database) to a file on another disk (runs already stored are kept)",
                database=database,
            ),
            False,
        )
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return (
            Message(
                "the results database {database} is read-only (the file, its folder, or the disk), so the "
                "results could not be written; make it writable, or give another file with --database (runs "
                "already stored are kept)",
                database=database,
            ),
            False,
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return (
            Message(
                "the results database {database} stayed locked by another process for longer than the 30 s "
                "the product waits (a nightly batch or another command writing); run this again when that "
                "has finished",
                database=database,
            ),
            True,
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database file" in text:
        return (
            Message(
                "the results database {database} cannot be opened: the file or its folder is missing, was "
                "deleted, or is not accessible; check the path (--database or APPROVAL_SIM_DATABASE_URL)",
                database=database,
            ),
            False,
        )
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text or "not a database" in text:
        return (
            Message(
                "the results database {database} is damaged or is not an approval-sim database; restore it "
                "from a backup ('approval-sim runs backup' makes one) or give another file with --database",
                database=database,
            ),
            False,
        )
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return (
            Message(
                "the results database {database}: the disk reported an input/output error (the file may have "
                "been deleted or moved while the command ran, or the disk is failing); check the file and "
                "run this again",
                database=database,
            ),
            False,
        )
    if "no such table" in text:
        return (
            Message(
                "the results database {database} has lost its tables: the file was deleted or replaced while "
                "the command ran; run this again (a new database is created if the file is gone)",
                database=database,
            ),
            False,
        )
    return (
        Message(
            "the results database {database}: database error ({code}): {detail}",
            database=database,
            code=name or type(cause).__name__,
            detail=text.splitlines()[0] if text else "",
        ),
        False,
    )


def _postgres(cause: BaseException, database: str) -> tuple[Message, bool]:
    """(message, transient) for a psycopg error."""
    state = getattr(cause, "sqlstate", None) or ""
    text = str(cause)
    first = text.splitlines()[0] if text else type(cause).__name__
    if state == "53100":
        return (
            Message(
                "the results database {database}: the PostgreSQL server's disk is full (runs already stored "
                "are kept); ask its administrator",
                database=database,
            ),
            False,
        )
    if state == "25006":
        return (
            Message(
                "the results database {database} is read-only for this connection (a standby, or a read-only "
                "user); runs already stored are kept",
                database=database,
            ),
            False,
        )
    if state in ("28P01", "28000"):
        return (
            Message(
                "the results database {database} refused the user name or password; check the URL in "
                "APPROVAL_SIM_DATABASE_URL",
                database=database,
            ),
            False,
        )
    if state == "3D000":
        return (
            Message(
                "the results database {database} does not exist on the server; create it (createdb) or fix the "
                "URL",
                database=database,
            ),
            False,
        )
    if state in ("55P03", "40P01"):
        return (
            Message(
                "the results database {database}: another session holds a lock on the runs; run this again "
                "when it has finished",
                database=database,
            ),
            True,
        )
    if state.startswith("08") or "connection" in first.lower() or "server closed" in text:
        return (
            Message(
                "the results database {database} cannot be reached ({detail}); is the PostgreSQL server "
                "running and the host and port in the URL right?",
                database=database,
                detail=first.removeprefix("connection failed: "),
            ),
            True,
        )
    return (
        Message(
            "the results database {database}: database error ({code}): {detail}",
            database=database,
            code=state or type(cause).__name__,
            detail=first,
        ),
        False,
    )


def _explained(error: BaseException, url: str | None) -> tuple[str, bool] | None:
    if isinstance(error, DatabaseFailure):
        return error.args[0], error.transient
    cause = database_cause(error)
    if cause is None:
        return None
    database = describe_url(url) if url else "(default)"
    if type(cause).__module__.startswith("sqlite3"):
        return _sqlite(cause, database)
    return _postgres(cause, database)


def explain(error: BaseException, url: str | None = None) -> str | None:
    """One line for a database failure (None when ``error`` is not one): what happened to which database and
    what to do; never the SQL. ``url``: the database in use, to name it."""
    found = _explained(error, url)
    return None if found is None else found[0]


def is_transient(error: BaseException) -> bool:
    """Whether trying the same write again may succeed (a lock, a dropped connection); True for what is not
    a database failure at all (the caller's retry policy decides)."""
    if isinstance(error, DatabaseFailure):
        return error.transient
    found = _explained(error, None)
    return True if found is None else found[1]


_SQL = re.compile(r"(?:\\n|\n)?\[SQL: .*?(?:\(Background on this error at: [^)]*\)|\Z)", re.S)
_BACKGROUND = re.compile(r"(?:\\n|\n)?\(Background on this error at: [^)]*\)")


def without_sql(text: str) -> str:
    """A message with SQLAlchemy's statement, its parameters and the documentation link cut out (they follow
    the driver's message, on new lines or, in a repr, after an escaped '\\n')."""
    return _BACKGROUND.sub("", _SQL.sub("", text))
