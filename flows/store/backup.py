"""A consistent copy of the SQLite results database (``approval-sim runs backup --out FILE``).

Copying ``approval-sim.db`` with ``cp`` while a batch writes, or without its ``-wal`` file, can give a copy
that misses runs or is damaged. SQLite's online backup API copies the pages of one consistent snapshot, even
while another process writes; the copy is written next to the target, checked (``PRAGMA integrity_check``),
turned into a self-contained file (no write-ahead log) and only then renamed into place, so a failed backup
never leaves a half-written file under the name asked for.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from flows.store.database import sqlite_path
from flows.store.failures import DatabaseFailure, describe_url, explained
from messages import Message

__all__ = ["backup_database"]


def backup_database(url: str, out: Path, *, force: bool = False) -> dict[str, Any]:
    """Copy the SQLite database at ``url`` to ``out``; return what was copied (file, source, runs, bytes)."""
    source_path = sqlite_path(url)
    if source_path is None:
        raise DatabaseFailure(
            Message(
                "'runs backup' copies a SQLite results database; {database} is not one. For PostgreSQL use the "
                "server's own tool, e.g. pg_dump --format=custom --file=FILE DBNAME",
                database=describe_url(url),
            )
        )
    if not source_path.is_file():
        raise DatabaseFailure(
            Message(
                "the results database {database} does not exist: there is nothing to back up",
                database=source_path,
            )
        )
    out = out.expanduser()
    if out.exists() and out.resolve() == source_path.resolve():
        raise DatabaseFailure(
            Message("--out {file} is the results database itself; give another file", file=out)
        )
    if out.is_dir():
        raise DatabaseFailure(
            Message(
                "--out {file} is a folder; give a file name, e.g. {example}",
                file=out,
                example=out / "approval-sim-backup.db",
            )
        )
    if out.exists() and not force:
        raise DatabaseFailure(Message("{file} exists; give another file, or --force to replace it", file=out))
    if not out.parent.is_dir():
        raise DatabaseFailure(Message("the folder of --out {file} does not exist; create it first", file=out))
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    try:
        source = sqlite3.connect(f"file:{source_path}?mode=rw", uri=True)
        try:
            target = sqlite3.connect(partial)
            try:
                source.backup(target)  # one consistent snapshot, page by page
                integrity = target.execute("PRAGMA integrity_check").fetchone()[0]
                runs = target.execute("SELECT count(*) FROM run").fetchone()[0]
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            finally:
                target.close()
        finally:
            source.close()
        if integrity != "ok":
            raise DatabaseFailure(
                Message(
                    "the copy of {database} failed its integrity check ({detail}); the database itself may be "
                    "damaged: keep it and its -wal file as they are",
                    database=source_path,
                    detail=integrity,
                )
            )
        os.replace(partial, out)
    except sqlite3.Error as error:
        failure = explained(error, url)
        raise (
            failure
            or DatabaseFailure(
                Message("could not back up {database}: {detail}", database=source_path, detail=error)
            )
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return {"file": str(out), "source": str(source_path), "runs": runs, "bytes": out.stat().st_size}
