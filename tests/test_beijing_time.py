"""Times users read are Beijing time (Asia/Shanghai, UTC+8 all year) with the zone said; JSON keeps ISO-8601
with its offset. Stored times are UTC. Fixed datetimes and freezegun around plain repository calls (never
around a flow run). Expected values by hand: 21:05 UTC on 30 November is 05:05 on 1 December in Beijing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from approval_sim.cli import app
from exports.vocabulary import shanghai_time, shown_time, today_in_shanghai
from flows.store import repository
from flows.store.database import get_engine
from flows.store.records import RunOutcome, RunStart, SideSummary

runner = CliRunner()
EVENING_UTC = datetime(2026, 11, 30, 21, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [EVENING_UTC, datetime(2026, 11, 30, 21, 5), "2026-11-30T21:05:00Z", "2026-11-30 21:05:00+00:00",
     "2026-12-01T05:05:00+08:00"],
)  # fmt: skip
def test_a_stored_time_reads_as_beijing_time(value):
    assert shanghai_time(value) == "2026-12-01 05:05"
    assert shown_time(value) == "2026-12-01 05:05:00 北京时间"


def test_dates_and_missing_times_stay_as_they_are():
    assert shown_time(date(2026, 11, 30)) == "2026-11-30" and shown_time("2026-11-30") == "2026-11-30"
    assert shown_time(None) is None and shanghai_time(None) == "—"


def test_today_is_the_date_in_china():
    with freeze_time("2026-11-30 20:00:00"):  # 04:00 on 1 December in Beijing
        assert today_in_shanghai() == date(2026, 12, 1)
        from approval_sim.plan_cli import _parse_as_of

        assert _parse_as_of("today") == date(2026, 12, 1)  # supervise --as-of today


@pytest.fixture
def stored(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    engine = get_engine(url)
    side = SideSummary(role="single", scenario="s", mode="parallel", projects=10, mean_days=1.0, p50_days=1.0,
                       p90_days=1.0, on_time_rate=1.0)  # fmt: skip
    with freeze_time(EVENING_UTC):
        run_id = repository.start_run(engine, RunStart(kind="simulate", scenario="s", mode="parallel"))
    with freeze_time("2026-11-30 21:07:30"):
        repository.complete_run(engine, run_id, RunOutcome(summaries=(side,)))
    return url, run_id


def test_runs_list_and_show_say_beijing_time(stored, zh):
    url, run_id = stored
    listed = runner.invoke(app, ["runs", "list", "--database", url], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "开始（北京时间）" in listed.stdout and "2026-12-01 05:05" in listed.stdout
    assert "21:05" not in listed.stdout
    english = runner.invoke(app, ["--lang", "en", "runs", "list", "--database", url], env={"COLUMNS": "200"})
    assert "started (Beijing time)" in english.stdout and "2026-12-01 05:05" in english.stdout
    shown = runner.invoke(app, ["runs", "show", str(run_id), "--database", url], env={"COLUMNS": "200"})
    assert "开始 2026-12-01 05:05，完成 2026-12-01 05:07（北京时间）" in shown.stdout
    # JSON keeps the stored UTC time, ISO-8601 with its offset, under the same field names
    data = json.loads(runner.invoke(app, ["runs", "list", "--database", url, "--json"]).stdout)[0]
    assert datetime.fromisoformat(data["started_at"].replace("Z", "+00:00")) == EVENING_UTC


def test_a_busy_run_says_when_it_started_in_beijing_time():
    busy = repository.RunBusy(7, "key", "host-a", 123, datetime(2026, 11, 30, 21, 5))
    assert "started 2026-12-01 05:05 Asia/Shanghai" in str(busy)
    assert busy.as_json()["started_at"] == "2026-11-30T21:05:00+00:00"  # JSON: UTC, with its offset
