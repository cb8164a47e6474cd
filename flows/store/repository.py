"""Operations on the results database. A run's results and its 'completed' status are written in one
transaction, so a failed or killed run never leaves summaries that look complete."""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert
from sqlmodel import Session, col, select

from exports.vocabulary import shanghai_time
from flows.store.records import RunInfo, RunOutcome, RunStart
from flows.store.tables import (
    DepartmentStatRow,
    ItemStatRow,
    ReplicationRow,
    RunRow,
    ScenarioRow,
    SensitivityRow,
    SummaryRow,
)
from messages import Message

ENGINE_VERSION = "approval-sim 0.1.0"
CHILD_TABLES = (SummaryRow, ItemStatRow, DepartmentStatRow, ReplicationRow, SensitivityRow)


class RunNotFound(LookupError):
    """No run with that id."""


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    """A stored time with its zone (SQLite gives naive UTC times back): JSON says ISO-8601 with the offset."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _owner() -> tuple[str, int]:
    return socket.gethostname(), os.getpid()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def mark_interrupted(engine: Engine) -> list[int]:
    """Mark 'running' runs whose process (on this machine) has ended as interrupted; return their ids.

    A killed process cannot mark its own run, so this runs whenever the history is read or a flow starts.
    Runs opened on another machine are left alone: their process cannot be checked from here.
    """
    host = socket.gethostname()
    with Session(engine) as session:
        stale = [
            run
            for run in session.exec(select(RunRow).where(RunRow.status == "running", RunRow.host == host))
            if run.pid is not None and run.pid != os.getpid() and not _alive(run.pid)
        ]
        for run in stale:
            _delete_children(session, _id(run))
            run.status, run.finished_at = "interrupted", _now()
            run.error = f"the process that ran it (pid {run.pid} on {host}) ended before the run finished"
            session.add(run)
        session.commit()
        return [_id(run) for run in stale]


def _id(row: RunRow | ScenarioRow) -> int:
    """The id of a stored row (SQLModel types ids ``int | None``: None only before the row is stored)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id: it was never stored")
    return row.id


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def save_scenario(engine: Engine, name: str, source: str, text: str) -> int:
    """The id of this exact scenario text, stored once (same name and content hash = same row)."""
    digest = content_hash(text)
    with Session(engine) as session:
        existing = session.exec(
            select(ScenarioRow).where(ScenarioRow.name == name, ScenarioRow.content_hash == digest)
        ).first()
        if existing is not None:
            return _id(existing)
        row = ScenarioRow(name=name, content_hash=digest, source=source, text=text, created_at=_now())
        session.add(row)
        session.commit()
        return _id(row)


class RunBusy(ValueError):
    """A run with this batch key is 'running' in a process that is (or may be) alive: another batch is doing
    this work now, and it must not be done twice."""

    def __init__(self, run_id: int | None, key: str, host: str | None, pid: int | None, started: Any) -> None:
        self.run_id, self.key, self.host, self.pid, self.started = run_id, key, host, pid, started
        when = "?" if started is None else shanghai_time(started) + " Asia/Shanghai"
        super().__init__(
            Message(
                "run {run_id} with the same inputs is already running (pid {pid} on {host}, started {started}); "
                "it is not done twice",
                run_id=run_id if run_id is not None else "-",
                pid=pid if pid is not None else "?",
                host=host or "?",
                started=when,
            )
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "pid": self.pid,
            "host": self.host,
            "started_at": _utc(self.started).isoformat()
            if isinstance(self.started, datetime)
            else self.started,
        }


def start_run(engine: Engine, start: RunStart) -> int | None:
    """Open a run and return its id; with a batch key already completed, return None (nothing to do).

    A run with the same batch key that failed or was interrupted (or whose process on this machine has ended)
    is reset and reused, so a rerun adds no duplicate rows and finishes only what is missing; one still
    running in a live process raises :class:`RunBusy`.
    """
    return start_runs(engine, [start], busy="raise")[0]


def start_runs(
    engine: Engine, starts: Iterable[RunStart], busy: str = "skip", _again: bool = False
) -> list[int | None]:
    """Open several runs in one transaction (see :func:`start_run`); a run still running elsewhere is skipped
    (None) with ``busy="skip"``, or raises :class:`RunBusy` with ``busy="raise"``."""
    from sqlalchemy.exc import IntegrityError

    wanted = [RunStart.model_validate(start.model_dump()) for start in starts]
    opened: list[RunRow | None] = []
    try:
        with Session(engine) as session:
            for start in wanted:
                try:
                    opened.append(_open(session, start))
                except RunBusy:
                    if busy == "raise":
                        raise
                    opened.append(None)
            session.commit()
            return [row.id if row is not None else None for row in opened]
    except IntegrityError:  # another process opened the same key between our look and our insert
        if busy == "raise" or len(wanted) == 1 or _again:
            key = next((s.batch_key for s in wanted if s.batch_key), "")
            raise RunBusy(None, key or "", None, None, None) from None
        return start_runs(engine, wanted, busy, _again=True)  # look again: the other's rows are visible now


def _live_elsewhere(row: RunRow) -> bool:
    """Whether a 'running' row belongs to another process that is (or, on another machine, may be) alive."""
    host, pid = _owner()
    if row.host is not None and row.host != host:
        return True  # cannot be checked from here
    return row.pid is not None and row.pid != pid and _alive(row.pid)


def _open(session: Session, start: RunStart) -> RunRow | None:
    values = start.model_dump()
    if start.batch_key is not None:
        existing = session.exec(select(RunRow).where(RunRow.batch_key == start.batch_key)).first()
        if existing is not None:
            if existing.status == "completed":
                return None
            if existing.status == "running" and _live_elsewhere(existing):
                raise RunBusy(existing.id, start.batch_key, existing.host, existing.pid, existing.started_at)
            _delete_children(session, _id(existing))
            for key, value in values.items():
                setattr(existing, key, value)
            existing.status, existing.error, existing.finished_at = "running", None, None
            existing.started_at, existing.engine_version = _now(), ENGINE_VERSION
            existing.host, existing.pid = _owner()
            _clear_verdict(existing)
            session.add(existing)
            session.flush()
            return existing
    host, pid = _owner()
    row = RunRow(
        **values, status="running", engine_version=ENGINE_VERSION, started_at=_now(), host=host, pid=pid
    )
    session.add(row)
    session.flush()
    return row


def runs_with_keys(engine: Engine, keys: Iterable[str]) -> list[RunInfo]:
    """The completed runs with these batch keys, oldest first (a batch's runs, whichever batch made them)."""
    wanted = list(keys)
    if not wanted:
        return []
    with Session(engine) as session:
        query = (
            select(RunRow)
            .where(col(RunRow.batch_key).in_(wanted), RunRow.status == "completed")
            .order_by(col(RunRow.id))
        )
        return [_info(row) for row in session.exec(query)]


def _clear_verdict(row: RunRow) -> None:
    row.reduction_mean = row.reduction_ci_low = row.reduction_ci_high = None
    row.verdict, row.replications_needed, row.payload = None, None, None
    row.robustness_verdict = None


def _delete_children(session: Session, run_id: int) -> None:
    for table in CHILD_TABLES:
        session.exec(delete(table).where(col(table.run_id) == run_id))


def complete_run(engine: Engine, run_id: int, outcome: RunOutcome) -> None:
    """Store a run's results and mark it completed, all in one transaction."""
    complete_runs(engine, [(run_id, outcome)])


def complete_runs(engine: Engine, results: Iterable[tuple[int, RunOutcome]]) -> None:
    """Store several runs' results and mark them completed, in one transaction (all or none)."""
    with Session(engine) as session:
        for run_id, outcome in results:
            _complete(session, run_id, _validated(outcome))
        session.commit()


def _validated(outcome: RunOutcome) -> RunOutcome:
    """Records are frozen and validated when built; anything else is validated now, before a row is written."""
    if type(outcome) is RunOutcome:
        return outcome
    return RunOutcome.model_validate(outcome, from_attributes=True)


def _complete(session: Session, run_id: int, outcome: RunOutcome) -> None:
    run = session.get(RunRow, run_id)
    if run is None:
        raise RunNotFound(run_id)
    _delete_children(session, run_id)
    # Core bulk inserts: a comparison has ~100 child rows, and ORM objects cost ~10x more to create
    for table, records in (
        (SummaryRow, outcome.summaries),
        (ItemStatRow, outcome.items),
        (DepartmentStatRow, outcome.departments),
        (ReplicationRow, outcome.replications),
        (SensitivityRow, outcome.sensitivity),
    ):
        if records:
            rows = [{"run_id": run_id, **r.model_dump()} for r in records]
            # every SQLModel table class has __table__ (SQLAlchemy's declarative base sets it); SQLModel's
            # type information does not declare it
            session.execute(insert(table.__table__), rows)  # type: ignore[union-attr]
    if outcome.verdict is not None:
        for key, value in outcome.verdict.model_dump().items():
            setattr(run, key, value)
    run.payload = outcome.payload
    run.status, run.finished_at, run.error = "completed", _now(), None
    session.add(run)


def fail_run(
    engine: Engine, run_id: int, error: str, status: str = "failed", payload: dict[str, Any] | None = None
) -> None:
    """Mark a run failed (or interrupted); any partial results are removed in the same transaction. ``payload``:
    what the run did produce, kept with it (a nightly batch that failed part-way keeps its scenarios' results)."""
    with Session(engine) as session:
        run = session.get(RunRow, run_id)
        if run is None:
            raise RunNotFound(run_id)
        _delete_children(session, run_id)
        _clear_verdict(run)
        if payload is not None:
            run.payload = payload
        run.status, run.error, run.finished_at = status, error[:4000], _now()
        session.add(run)
        session.commit()


def _info(row: RunRow) -> RunInfo:
    return RunInfo.model_validate(row.model_dump(include=set(RunInfo.model_fields)))


def list_runs(engine: Engine, limit: int = 50, kind: str | None = None) -> list[RunInfo]:
    """Newest first."""
    with Session(engine) as session:
        query = select(RunRow).order_by(col(RunRow.id).desc()).limit(limit)
        if kind is not None:
            query = query.where(RunRow.kind == kind)
        return [_info(row) for row in session.exec(query)]


def child_runs(engine: Engine, parent_id: int, status: str = "completed") -> list[RunInfo]:
    """The runs of a batch with the given status, oldest first."""
    with Session(engine) as session:
        query = (
            select(RunRow)
            .where(RunRow.parent_run_id == parent_id, RunRow.status == status)
            .order_by(col(RunRow.id))
        )
        return [_info(row) for row in session.exec(query)]


def get_run(engine: Engine, run_id: int, *, payload: bool = True) -> dict[str, Any]:
    """A run with all its stored results, as plain data (``payload=False`` skips the large JSON payload)."""
    with Session(engine) as session:
        run = session.get(RunRow, run_id)
        if run is None:
            raise RunNotFound(run_id)

        def rows(table) -> list[dict[str, Any]]:  # noqa: ANN001
            found = session.exec(select(table).where(col(table.run_id) == run_id).order_by(col(table.id)))
            return [row.model_dump(exclude={"id", "run_id"}) for row in found]

        children = session.exec(
            select(RunRow.id).where(col(RunRow.parent_run_id) == run_id).order_by(col(RunRow.id))
        )
        return {
            **run.model_dump(exclude=None if payload else {"payload"}),
            "summaries": rows(SummaryRow),
            "items": rows(ItemStatRow),
            "departments": rows(DepartmentStatRow),
            "replications_detail": rows(ReplicationRow),
            "sensitivity": rows(SensitivityRow),
            "children": list(children),
        }


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table (for idempotence checks and the overhead report)."""
    with Session(engine) as session:
        return {
            table.__tablename__: session.exec(select(func.count()).select_from(table)).one()
            for table in (ScenarioRow, RunRow, *CHILD_TABLES)
        }


def completed_batch_keys(engine: Engine, keys: Iterable[str]) -> set[str]:
    wanted = list(keys)
    if not wanted:
        return set()
    with Session(engine) as session:
        found = session.exec(
            select(RunRow.batch_key).where(col(RunRow.batch_key).in_(wanted), RunRow.status == "completed")
        )
        return {key for key in found if key is not None}


@contextmanager
def _read_back(url: str) -> Iterator[Session]:
    """A session on a new connection, seeing what another process would see (a SQLite file is not created
    when missing); a database failure becomes a DatabaseFailure saying what was saved could not be read."""
    from flows.store.database import fresh_engine
    from flows.store.failures import DatabaseFailure, explained

    engine = fresh_engine(url)
    try:
        with Session(engine) as session:
            yield session
    except DatabaseFailure:
        raise
    except Exception as error:
        failure = explained(error, url)
        if failure is None:
            raise
        raise DatabaseFailure(
            Message("what was saved could not be read back: {failure}", failure=failure.args[0])
        ) from None
    finally:
        engine.dispose()


def verify_stored(url: str, run_ids: Iterable[int]) -> None:
    """Check, through a new connection, that each run is stored as completed with its results; raise a
    DatabaseFailure naming the database otherwise (e.g. the SQLite file was deleted or replaced during the
    run: the results went to the old file and are gone)."""
    from flows.store.failures import DatabaseFailure, describe_url

    with _read_back(url) as session:
        for run_id in run_ids:
            run = session.get(RunRow, run_id)
            children = session.exec(
                select(func.count()).select_from(SummaryRow).where(SummaryRow.run_id == run_id)
            ).one()
            if run is None or run.status != "completed" or (run.kind != "nightly" and not children):
                raise DatabaseFailure(
                    Message(
                        "run {run_id} is not stored as completed in the results database {database} after it "
                        "was saved (found: {found}): the file was deleted or replaced while the run was going, "
                        "or another process changed it, so this run's results are lost; run it again",
                        run_id=run_id,
                        database=describe_url(url),
                        found="-" if run is None else run.status + ", " + str(children),
                    )
                )


def verify_batch(url: str, batch_id: int) -> None:
    """Like :func:`verify_stored` for the row of a nightly batch (its comparisons are checked by id)."""
    from flows.store.failures import DatabaseFailure, describe_url

    with _read_back(url) as session:
        if session.get(RunRow, batch_id) is None:
            raise DatabaseFailure(
                Message(
                    "nightly batch {batch_id} is not in the results database {database} after saving: the file "
                    "was deleted or replaced while the batch was running; run the batch again",
                    batch_id=batch_id,
                    database=describe_url(url),
                )
            )
