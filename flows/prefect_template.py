"""A pre-migrated Prefect database, so that the first run in a fresh PREFECT_HOME skips Prefect's migrations.

A Prefect server on a new SQLite database first runs ~200 Alembic migrations (9-17 s on 2 cores). The
template is the SQL text of an empty database migrated by the pinned Prefect version
(``flows/data/prefect-<version>.sql``, written by ``python -m flows.prefect_template``): loading it takes
milliseconds. It is used only when the installed Prefect is exactly that version and Prefect's database is a
SQLite file that does not exist yet; otherwise Prefect migrates as usual (slower, still correct). The tests
compare the template with a database Prefect migrated itself. Prefect itself is not imported here.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

DATA = Path(__file__).parent / "data"
SQLITE_PREFIXES = ("sqlite+aiosqlite:///", "sqlite:///")


def installed_prefect_version() -> str:
    return version("prefect")


def template_path(prefect_version: str | None = None) -> Path:
    return DATA / f"prefect-{prefect_version or installed_prefect_version()}.sql"


def sqlite_file(connection_url: str) -> Path | None:
    """The file of a SQLite connection URL; None for other databases and in-memory SQLite."""
    for prefix in SQLITE_PREFIXES:
        if connection_url.startswith(prefix):
            path = connection_url[len(prefix) :].split("?", 1)[0]
            if not path or ":memory:" in path or "mode=memory" in connection_url:
                return None
            return Path(path)
    return None


def seed_database(connection_url: str) -> bool:
    """Create Prefect's SQLite database from the template when it does not exist yet; True if it did.

    The new file is built beside the target and hard-linked into place, so a command killed half-way leaves
    no half-written database, and a database another process created meanwhile is never replaced.
    """
    target = sqlite_file(connection_url)
    template = template_path()
    if target is None or target.exists() or not template.is_file():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        connection = sqlite3.connect(partial)
        try:
            connection.executescript(template.read_text(encoding="utf-8"))
        finally:
            connection.close()
        try:
            os.link(partial, target)
        except FileExistsError:
            return False
        except OSError:  # no hard links on this file system
            if target.exists():
                return False
            os.replace(partial, target)
        return True
    finally:
        partial.unlink(missing_ok=True)


def dump(database: Path) -> str:
    """The SQL text that recreates ``database`` (schema and rows), in SQLite's deterministic dump order."""
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return "\n".join(connection.iterdump()) + "\n"
    finally:
        connection.close()


def migrate_fresh(folder: Path) -> Path:
    """Let the installed Prefect create and migrate a new database in ``folder`` (the slow way); its path."""
    database = folder / "prefect.db"
    environment = {
        **os.environ,
        "PREFECT_HOME": str(folder),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{database}",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    code = (
        "import asyncio\n"
        "from prefect.server.database import provide_database_interface\n"
        "asyncio.run(provide_database_interface().create_db())\n"
    )
    subprocess.run([sys.executable, "-c", code], env=environment, check=True)
    return database


def write_template() -> Path:
    """Regenerate the template for the installed Prefect (run after upgrading Prefect in uv.lock)."""
    with tempfile.TemporaryDirectory(prefix="prefect-template-") as folder:
        text = dump(migrate_fresh(Path(folder)))
    path = template_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_template())
