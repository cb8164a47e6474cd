"""Database failures end with one short line and exit 2, never the SQL; a run's id is printed only once its
results are read back; the log is checkpointed when a command ends; ``runs backup`` makes a consistent copy.

Failures are simulated without root: a full disk by SQLite's ``max_page_count``, a read-only database by
``PRAGMA query_only``, a lock held by another connection with a short busy timeout, an unreachable PostgreSQL
by a closed port, a file deleted mid-run by deleting it just before the results are saved. The pragmas are
set by a connect listener on the (cached) engine the command itself uses.

Before: a full disk or a read-only database gave a 260-330-line SQLAlchemy traceback quoting the SQL and its
parameters (exit 1); deleting the file mid-run still printed "run id: N" (exit 0) for a run that no longer
existed; copying the .db file alone (a typical backup) held 42 of 66 runs.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from approval_sim.cli import app
from flows.store import repository
from flows.store.database import forget_engines, get_engine
from flows.store.failures import without_sql
from flows.store.records import RunOutcome, RunStart, SideSummary

runner = CliRunner()
COMPARE = ["run", "compare", "luoyang-2017-before", "-n", "40", "-r", "2", "--no-robustness"]
SQL_WORDS = ("INSERT", "SELECT", "UPDATE", "[SQL", "[parameters", "sqlalche.me", "Traceback")


def _database(tmp_path: Path, name: str = "runs.db") -> tuple[str, Path]:
    path = tmp_path / name
    return f"sqlite:///{path}", path


def _on_connect(url: str, *statements: str) -> None:
    """Run pragmas on every new connection of the engine the commands will use (its pool emptied first)."""
    engine = get_engine(url)

    def apply(connection, _record):  # noqa: ANN001 - SQLAlchemy event signature
        cursor = connection.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()

    event.listen(engine, "connect", apply)
    engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_engines():
    forget_engines()  # every test gets engines without another test's listeners
    yield
    forget_engines()


def _stored_runs(url: str, count: int) -> list[int]:
    engine = get_engine(url)
    side = SideSummary(role="single", scenario="s", mode="parallel", projects=10, mean_days=1.0, p50_days=1.0,
                       p90_days=1.0, on_time_rate=1.0)  # fmt: skip
    ids = []
    for number in range(count):
        run_id = repository.start_run(engine, RunStart(kind="simulate", scenario=f"s{number}"))
        repository.complete_run(engine, run_id, RunOutcome(summaries=(side,), payload={"n": "x" * 2000}))
        ids.append(run_id)
    return ids


def _short_and_clean(result) -> str:  # noqa: ANN001 - a click Result
    assert result.exit_code == 2, result.output
    error_lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1, result.output
    for word in SQL_WORDS:
        assert word not in result.output, result.output
    assert "run id:" not in result.output
    said = error_lines[0][-70:]
    assert result.output.count(said) == 1, result.output  # not echoed by Prefect's log lines too
    return error_lines[0]


# ------------------------------------------------------------------------------------------------ explanations


def test_without_sql_cuts_statement_parameters_and_link():
    text = (
        "Failed('exception OperationalError: (sqlite3.OperationalError) database or disk is full\\n"
        "[SQL: INSERT INTO run (a) VALUES (?)]\\n[parameters: ('secret',)]\\n"
        "(Background on this error at: https://sqlalche.me/e/21/e3q8)')"
    )
    assert (
        without_sql(text)
        == "Failed('exception OperationalError: (sqlite3.OperationalError) database or disk is full')"
    )


def test_unreachable_postgresql_says_so_in_one_line_without_the_password():
    with socket.socket() as probe:  # a port nothing listens on: bind, read it, close
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://planner:s3cret@127.0.0.1:{port}/results"
    result = runner.invoke(app, ["runs", "list", "--database", url])
    line = _short_and_clean(result)
    assert "cannot be reached" in line and f"127.0.0.1:{port}" in line and "s3cret" not in result.output


# ------------------------------------------------------------------------------------------------ through a flow


pytestmark_flows = pytest.mark.usefixtures("prefect_server")


@pytestmark_flows
def test_full_disk_exits_2_in_one_line_and_keeps_the_stored_runs(tmp_path):
    url, path = _database(tmp_path)
    kept = _stored_runs(url, 2)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    _on_connect(url, f"PRAGMA max_page_count={pages + 2}")
    line = _short_and_clean(runner.invoke(app, [*COMPARE, "--database", url]))
    assert "is full" in line and str(path) in line
    forget_engines()
    assert [r.id for r in repository.list_runs(get_engine(url)) if r.status == "completed"] == kept[::-1]


@pytestmark_flows
def test_read_only_database_exits_2_in_one_line(tmp_path):
    url, path = _database(tmp_path)
    _stored_runs(url, 1)
    _on_connect(url, "PRAGMA query_only=1")
    line = _short_and_clean(runner.invoke(app, [*COMPARE, "--database", url]))
    assert "read-only" in line and str(path) in line


@pytestmark_flows
def test_database_locked_beyond_the_timeout_exits_2_in_one_line(tmp_path):
    url, path = _database(tmp_path)
    _stored_runs(url, 1)
    _on_connect(url, "PRAGMA busy_timeout=100")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = runner.invoke(app, [*COMPARE, "--database", url])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = _short_and_clean(result)
    assert "locked" in line and str(path) in line
    for attempt in (2, 3, 4):  # the wait is told while it lasts (minutes at the default 30 s busy timeout)
        told = f"locked by another process or out of reach (save scenario); trying again (attempt {attempt} of 4)"
        assert told in result.output


@pytestmark_flows
def test_a_file_deleted_mid_run_prints_no_run_id(tmp_path, monkeypatch):
    url, path = _database(tmp_path)
    original = repository.complete_runs

    def deleted_first(engine, results):  # noqa: ANN001 - the database vanishes just before the results go in
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return original(engine, results)

    monkeypatch.setattr(repository, "complete_runs", deleted_first)
    line = _short_and_clean(runner.invoke(app, [*COMPARE, "--database", url]))
    assert "could not be read back" in line and str(path) in line and "deleted" in line


@pytestmark_flows
def test_a_run_is_read_back_before_its_id_is_printed(tmp_path):
    url, path = _database(tmp_path)
    result = runner.invoke(app, [*COMPARE, "--json", "--database", url])
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.stdout)["run_id"]
    copy = tmp_path / "alone.db"  # the file alone: the command checkpointed its log when it ended
    shutil.copy(path, copy)
    status = sqlite3.connect(copy).execute("SELECT status FROM run WHERE id = ?", (run_id,)).fetchone()
    assert status == ("completed",)


# ------------------------------------------------------------------------------------------------ WAL and backup


def test_the_log_is_checkpointed_when_a_command_ends(tmp_path):
    url, path = _database(tmp_path)
    ids = _stored_runs(url, 30)
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)  # before any command ended: the runs (even the tables) sit in the -wal file
    assert _runs_in(copy) < len(ids)
    result = runner.invoke(app, ["runs", "list", "--database", url])
    assert result.exit_code == 0, result.output
    shutil.copy(path, copy)
    assert _runs_in(copy) == len(ids)


def _runs_in(path: Path) -> int:
    try:
        return sqlite3.connect(path).execute("SELECT count(*) FROM run").fetchone()[0]
    except sqlite3.OperationalError:  # no such table: not even the schema reached the file
        return 0


def test_runs_backup_copies_every_run_consistently(tmp_path):
    url, path = _database(tmp_path)
    ids = _stored_runs(url, 12)
    reader = sqlite3.connect(path)  # another process reading meanwhile does not stop the backup
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM run").fetchone()
    out = tmp_path / "backup.db"
    result = runner.invoke(app, ["runs", "backup", "--out", str(out), "--json", "--database", url])
    reader.close()
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["runs"] == len(ids) and Path(report["file"]) == out
    copy = sqlite3.connect(out)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    assert [row[0] for row in copy.execute("SELECT id FROM run ORDER BY id")] == ids
    assert not list(tmp_path.glob(".backup.db.partial-*"))


def test_runs_backup_refuses_to_overwrite_or_to_copy_postgresql(tmp_path):
    url, path = _database(tmp_path)
    _stored_runs(url, 1)
    out = tmp_path / "exists.db"
    out.write_text("a planner's file")
    line = _short_and_clean(runner.invoke(app, ["runs", "backup", "--out", str(out), "--database", url]))
    assert "--force" in line and out.read_text() == "a planner's file"
    result = runner.invoke(app, ["runs", "backup", "--out", str(out), "--force", "--database", url])
    assert result.exit_code == 0, result.output
    line = _short_and_clean(
        runner.invoke(
            app,
            [
                "runs",
                "backup",
                "--out",
                str(tmp_path / "x.db"),
                "--database",
                "postgresql+psycopg://u@127.0.0.1:1/x",
            ],
        )
    )
    assert "pg_dump" in line
