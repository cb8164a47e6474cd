"""The app database: where it is, the engine, and automatic schema migrations (Alembic) on first use.

SQLite file by default (``approval-sim.db`` in the user's data directory); any SQLAlchemy URL through
``APPROVAL_SIM_DATABASE_URL`` (e.g. ``postgresql+psycopg://user:pw@host/db``). This is never Prefect's own
database.
"""

from __future__ import annotations

import atexit
import os
import re
import sqlite3
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from flows.store.failures import DatabaseFailure, describe_url, explain, without_sql
from messages import Message

__all__ = [
    "DATABASE_URL_ENV",
    "DatabaseError",
    "checkpoint",
    "close_engines",
    "database_url",
    "fresh_engine",
    "get_engine",
    "migrate",
    "sqlite_path",
]

DATABASE_URL_ENV = "APPROVAL_SIM_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"

# The database URL is unusable or the database cannot be opened or written; the message says what to do.
DatabaseError = DatabaseFailure


def default_database_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("approval-sim", appauthor=False)) / "approval-sim.db"


def database_url(explicit: str | None = None) -> str:
    """The URL in use: an explicit one, else $APPROVAL_SIM_DATABASE_URL, else the default SQLite file."""
    url = explicit or os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    path = default_database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - SQLAlchemy event signature
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # write-ahead log: readers don't block the writer, and a commit costs one fsync of the log only
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """A migrated engine for the URL, else $APPROVAL_SIM_DATABASE_URL as it is now (cached per resolved URL:
    caching on None would keep the first environment's database for good)."""
    return _engine(database_url(url))


def forget_engines() -> None:
    """Drop the cached engines (tests that dispose of an engine, or replace the database under it)."""
    _engine.cache_clear()
    _opened.clear()


@cache
def _engine(resolved: str) -> Engine:
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        raise DatabaseError(
            f"'{resolved}' is not a database URL; set {DATABASE_URL_ENV} to e.g. sqlite:////path/to/file.db "
            "or postgresql+psycopg://user:password@host/dbname"
        ) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(resolved, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        head = head_revision()
        if head is None or current_revision(engine) != head:  # importing Alembic to learn this costs ~0.5 s
            migrate(engine)
    except Exception as error:  # any driver error: say which database and what to check, never the SQL
        engine.dispose()
        message = explain(error, resolved) or Message(
            "cannot open the results database {database}: {detail}",
            database=describe_url(resolved),
            detail=without_sql(str(error)).splitlines()[0],
        )
        raise DatabaseError(message) from None
    _opened[resolved] = engine
    return engine


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def fresh_engine(url: str) -> Engine:
    """An engine with no pooled connection, for checking what another process would see. A SQLite file is
    opened read-write without being created: a file deleted during a run is an error here, not a new file."""
    path = sqlite_path(url)
    if path is None:
        return create_engine(url, poolclass=NullPool)
    return create_engine(
        "sqlite://",
        poolclass=NullPool,
        creator=lambda: sqlite3.connect(f"file:{path}?mode=rw", uri=True, check_same_thread=False),
    )


def checkpoint(engine: Engine) -> None:
    """Copy a SQLite database's write-ahead log into the file itself and truncate the log, so that copying the
    ``.db`` file alone (a typical backup) copies every run. Waits at most 2 s for other readers; does nothing
    for other databases."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA busy_timeout=2000")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def close_engines() -> None:
    """At the end of a command: checkpoint every SQLite database used, and close the connections.

    Failures are ignored here: the command has already reported its own, and a read-only or vanished file
    cannot be checkpointed anyway."""
    for engine in list(_opened.values()):
        try:
            checkpoint(engine)
            engine.dispose()
        except Exception:  # noqa: BLE001, S112 - best effort at exit
            continue


_opened: dict[str, Engine] = {}  # the engines opened by this process (for close_engines)
atexit.register(close_engines)


_REVISION = re.compile(r"""^(down_revision|revision)\s*=\s*(?:None|["']([^"']+)["'])""", re.MULTILINE)


def head_revision() -> str | None:
    """The newest migration's revision, read from the migration files; None when that is not clear-cut."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((kind, value) for kind, value in _REVISION.findall(path.read_text(encoding="utf-8")))
        if not found.get("revision"):
            return None
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the database; None for a new (or unreadable) database."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def alembic_config(engine: Engine):  # noqa: ANN201 - alembic.config.Config, imported lazily
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest); a database of an older version is upgraded."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
