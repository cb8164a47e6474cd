"""The app database: where it is, the engine, and automatic schema migrations (Alembic) on first use.

SQLite file by default (``approval-sim.db`` in the user's data directory); any SQLAlchemy URL through
``APPROVAL_SIM_DATABASE_URL`` (e.g. ``postgresql+psycopg://user:pw@host/db``). This is never Prefect's own
database.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

__all__ = ["DATABASE_URL_ENV", "database_url", "get_engine", "migrate", "DatabaseError"]

DATABASE_URL_ENV = "APPROVAL_SIM_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(ValueError):
    """The database URL is unusable or the database cannot be opened; the message says what to do."""


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
    except Exception as error:  # any driver error: say which database and what to check
        engine.dispose()
        raise DatabaseError(
            f"cannot open the results database {parsed.render_as_string(hide_password=True)}: {error}"
        ) from None
    return engine


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
