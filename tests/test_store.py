"""The results database on SQLite and on a real PostgreSQL server: migrations, writes, idempotence."""

from __future__ import annotations

import math
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from flows.store import repository
from flows.store.database import DatabaseError, forget_engines, get_engine, migrate
from flows.store.records import ItemStat, ReplicationFigure, RunOutcome, RunStart, SideSummary, Verdict


def outcome(mean: float = 100.0) -> RunOutcome:
    return RunOutcome(
        summaries=(
            SideSummary(
                role="baseline",
                scenario="before",
                mode="parallel",
                projects=10,
                mean_days=mean,
                p50_days=mean,
                p90_days=mean + 10,
                on_time_rate=0.9,
                quantiles={"0.5": mean},
                histogram={"edges": [0.0, 50.0, 200.0], "counts": [0.0, 10.0]},
            ),
            SideSummary(
                role="reform",
                scenario="after",
                mode="parallel",
                projects=10,
                mean_days=mean * 0.7,
                p50_days=mean * 0.7,
                p90_days=mean * 0.8,
                on_time_rate=1.0,
            ),
        ),
        items=(
            ItemStat(
                role="reform",
                item_id="I01",
                item_name="立项",
                department="fgw",
                stage="P_LX",
                statutory_limit_days=20,
                criticality=0.5,
                mean_wait_days=1,
                mean_handling_days=10,
                overdue_rate=0.05,
            ),
        ),
        replications=(
            ReplicationFigure(
                replication=0, baseline_mean_days=mean, reform_mean_days=mean * 0.7, reduction=0.3
            ),
        ),
        verdict=Verdict(reduction_mean=0.3, reduction_ci_low=0.28, reduction_ci_high=0.32, verdict="holds"),
        payload={"reduction": {"mean": 0.3}},
    )


START = RunStart(
    kind="compare",
    scenario="before -> after",
    mode="parallel",
    projects=10,
    seed=1,
    replications=1,
    target=0.2,
)


@pytest.fixture
def engine(database_url):
    engine = get_engine(database_url)
    yield engine
    engine.dispose()
    forget_engines()


def test_migrations_create_the_schema_of_the_models(engine):
    assert {
        "scenario",
        "run",
        "run_summary",
        "item_stat",
        "department_stat",
        "replication",
        "sensitivity",
    } <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_database_of_an_older_version_still_opens(database_url):
    old = create_engine(database_url)
    migrate(old, "0001")  # the schema as version 0001 wrote it
    with old.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO run (kind, status, scenario, engine_version, started_at) "
                "VALUES ('simulate', 'completed', 'old run', 'approval-sim 0.0.1', '2026-01-01 00:00:00+00:00')"
            )
        )
    assert "sensitivity" not in inspect(old).get_table_names()
    old.dispose()
    engine = get_engine(database_url)
    try:
        assert "sensitivity" in inspect(engine).get_table_names()
        runs = repository.list_runs(engine)
        assert [r.scenario for r in runs] == ["old run"]
    finally:
        engine.dispose()
        forget_engines()


def test_round_trip_and_newest_first(engine):
    first = repository.start_run(engine, START)
    repository.complete_run(engine, first, outcome())
    second = repository.start_run(engine, START.model_copy(update={"seed": 2}))
    runs = repository.list_runs(engine)
    assert [r.id for r in runs] == [second, first]
    assert runs[1].status == "completed" and runs[0].status == "running"
    stored = repository.get_run(engine, first)
    assert stored["verdict"] == "holds" and stored["reduction_ci_low"] == 0.28
    assert [s["role"] for s in stored["summaries"]] == ["baseline", "reform"]
    assert stored["summaries"][0]["histogram"]["counts"] == [0.0, 10.0]
    assert stored["items"][0]["item_id"] == "I01"
    assert stored["payload"] == {"reduction": {"mean": 0.3}}


def test_failed_run_keeps_no_partial_results(engine):
    run = repository.start_run(engine, START)
    repository.complete_run(engine, run, outcome())
    repository.fail_run(engine, run, "worker died")
    stored = repository.get_run(engine, run)
    assert stored["status"] == "failed" and stored["error"] == "worker died"
    assert stored["summaries"] == [] and stored["verdict"] is None


def test_batch_key_makes_reruns_idempotent(engine):
    keyed = START.model_copy(update={"batch_key": "nightly:2026-11-25:abc:1", "as_of": date(2026, 11, 25)})
    run = repository.start_run(engine, keyed)
    repository.fail_run(engine, run, "interrupted", status="interrupted")
    again = repository.start_run(engine, keyed)
    assert again == run  # the interrupted run is reused, not duplicated
    repository.complete_run(engine, again, outcome())
    counts = repository.row_counts(engine)
    assert repository.start_run(engine, keyed) is None  # already completed: nothing to do
    assert repository.row_counts(engine) == counts
    assert repository.completed_batch_keys(engine, [keyed.batch_key, "other"]) == {keyed.batch_key}


def test_scenarios_are_stored_once_per_content(engine):
    a = repository.save_scenario(engine, "before", "luoyang-2017-before", "name: x\n")
    assert repository.save_scenario(engine, "before", "elsewhere", "name: x\n") == a
    assert repository.save_scenario(engine, "before", "luoyang-2017-before", "name: y\n") != a


def test_unknown_run_id(engine):
    with pytest.raises(repository.RunNotFound):
        repository.get_run(engine, 999)


def test_records_validate_before_anything_is_written():
    with pytest.raises(ValidationError):
        ItemStat(
            role="reform",
            item_id="x",
            item_name="x",
            department="d",
            stage="s",
            statutory_limit_days=5,
            criticality=1.5,
            mean_wait_days=0,
            mean_handling_days=0,
            overdue_rate=0,
        )
    with pytest.raises(ValidationError):
        SideSummary(
            role="single",
            scenario="s",
            mode="parallel",
            projects=1,
            mean_days=math.nan,
            p50_days=1,
            p90_days=1,
            on_time_rate=1,
        )
    with pytest.raises(ValidationError):
        RunStart(kind="compare", scenario="s", unknown_field=1)


def test_bad_database_url_is_a_clear_error():
    with pytest.raises(DatabaseError, match="not a database URL"):
        get_engine("no-such-scheme")


def test_a_run_whose_process_died_is_marked_interrupted(engine):
    import os
    import subprocess
    import sys

    from sqlmodel import Session

    from flows.store.tables import RunRow

    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    dead_pid = int(finished.stdout)
    killed, alive, elsewhere = (
        repository.start_run(engine, START.model_copy(update={"seed": s})) for s in (1, 2, 3)
    )
    repository.complete_run(engine, killed, outcome())
    with Session(engine) as session:  # simulate the three owners: a killed process, this one, another machine
        for run_id, host, pid in (
            (killed, None, dead_pid),
            (alive, None, os.getpid()),
            (elsewhere, "other-host", dead_pid),
        ):
            row = session.get(RunRow, run_id)
            row.status, row.pid = "running", pid
            row.host = host or row.host
            session.add(row)
        session.commit()
    assert repository.mark_interrupted(engine) == [killed]
    stored = repository.get_run(engine, killed)
    assert (
        stored["status"] == "interrupted"
        and f"pid {dead_pid}" in stored["error"]
        and stored["summaries"] == []
    )
    statuses = {r.id: r.status for r in repository.list_runs(engine)}
    assert statuses[alive] == "running" and statuses[elsewhere] == "running"
    assert repository.mark_interrupted(engine) == []  # nothing left to mark


def test_database_at_the_previous_version_gains_the_owner_columns(database_url):
    old = create_engine(database_url)
    migrate(old, "0002")
    assert "pid" not in {c["name"] for c in inspect(old).get_columns("run")}
    old.dispose()
    engine = get_engine(database_url)
    try:
        assert {"host", "pid"} <= {c["name"] for c in inspect(engine).get_columns("run")}
        run_id = repository.start_run(engine, START)
        assert repository.get_run(engine, run_id)["pid"] == __import__("os").getpid()
    finally:
        engine.dispose()
        forget_engines()
