"""Statutory working-day calendar: official vectors, 调休 make-up days, estimates, overrides, CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from approval_model import calendar_sources
from approval_model.calendar import CalendarResult, WorkingDayCalendar, default_calendar
from approval_model.calendar_dates import CalendarError, datetime64_from_ordinals, ordinals_from_datetime64
from approval_sim.cli import app
from readers.calendar_overrides import read_calendar

D = date.fromisoformat

# (start, n, expected, naive Mon–Fri answer)
VECTORS = [
    ("2017-09-20", 20, "2017-10-24", "2017-10-18"),
    ("2017-01-20", 20, "2017-02-22", "2017-02-17"),
    ("2018-09-28", 7, "2018-10-12", "2018-10-09"),
    ("2019-04-25", 15, "2019-05-17", "2019-05-16"),
    ("2017-03-01", 120, "2017-08-21", "2017-08-16"),
    ("2017-03-01", 96, "2017-07-18", "2017-07-13"),
    ("2025-09-26", 20, "2025-10-30", "2025-10-24"),
    ("2026-02-10", 10, "2026-03-02", "2026-02-24"),
]

WORKDAYS_PER_YEAR = {2017: 249, 2018: 250, 2019: 250, 2024: 251, 2025: 248, 2026: 248}

OVERRIDE_2027 = {
    "years": {
        2027: {
            "holidays": [D("2027-01-01"), {"from": D("2027-02-06"), "to": D("2027-02-14")}],
            "workdays": [D("2027-02-20")],
        }
    }
}
OVERRIDE_2027_YAML = """\
years:
  2027:
    holidays: [2027-01-01, {from: 2027-02-06, to: 2027-02-14}]
    workdays: [2027-02-20]
"""


def naive_add(start: date, n: int) -> date:
    day = start
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


# The official years these tests are written for. chinese-calendar adds a year when the State Council announces
# it; the tests then still see 2004-2026 as official and 2027 on as estimated (the fixture below), so a new
# release of the package cannot break them while the product stays right.
OFFICIAL = range(2004, 2027)


@pytest.fixture(autouse=True)
def official_data_2004_to_2026(monkeypatch):
    years, by_year = calendar_sources.package_tables()
    assert set(OFFICIAL) <= set(years), "the installed chinese-calendar lacks years these tests use"
    limited = {year: days for year, days in by_year.items() if year in OFFICIAL}
    default_calendar.cache_clear()  # a shared calendar built from the full tables must not leak in
    monkeypatch.setattr(calendar_sources, "package_tables", lambda: (OFFICIAL, limited))
    yield
    default_calendar.cache_clear()


@pytest.fixture
def cal() -> WorkingDayCalendar:
    return default_calendar()


@pytest.mark.parametrize(("start", "n", "expected", "naive"), VECTORS)
def test_official_vectors_differ_from_naive_weekdays(cal, start, n, expected, naive):
    res = cal.add_working_days(D(start), n)
    assert res == CalendarResult(D(expected), estimated=False)
    assert naive_add(D(start), n) == D(naive) != res.value
    assert cal.working_days_between(D(start), D(expected)) == CalendarResult(n, estimated=False)


@pytest.mark.parametrize(("year", "count"), WORKDAYS_PER_YEAR.items())
def test_working_days_per_year(cal, year, count):
    assert cal.working_days_between(date(year - 1, 12, 31), date(year, 12, 31)) == CalendarResult(
        count, False
    )


def test_make_up_saturday_and_in_lieu_day(cal):
    assert cal.is_workday(D("2017-09-30")) == CalendarResult(True, False)  # Saturday, 调休上班
    assert cal.is_workday(D("2017-10-06")) == CalendarResult(False, False)  # Friday, in lieu
    assert cal.is_workday(D("2017-10-07")) == CalendarResult(False, False)  # ordinary Saturday
    assert cal.is_workday(D("2017-10-09")) == CalendarResult(True, False)  # ordinary Monday


def test_zero_and_negative_n(cal):
    sat = D("2017-10-07")
    assert cal.add_working_days(sat, 0) == CalendarResult(sat, False)
    assert cal.add_working_days(D("2017-10-09"), -1).value == D("2017-09-30")  # back over National Day
    assert cal.add_working_days(D("2017-10-09"), -2).value == D("2017-09-29")
    assert cal.working_days_between(D("2017-10-09"), D("2017-09-29")).value == -2
    assert cal.working_days_between(D("2017-10-01"), D("2017-10-01")).value == 0


def test_result_has_no_truth_value(cal):
    with pytest.raises(TypeError, match=r"result\.value"):
        bool(cal.is_workday(D("2017-10-06")))


@pytest.mark.parametrize("bad", [2.5, float("nan"), "3", True, None])
def test_fractional_or_non_integer_n_rejected(cal, bad):
    with pytest.raises(ValueError, match="whole number"):
        cal.add_working_days(D("2017-01-03"), bad)


def test_integral_float_and_numpy_int_accepted(cal):
    assert cal.add_working_days(D("2017-09-20"), 20.0).value == D("2017-10-24")
    assert cal.add_working_days(D("2017-09-20"), np.int32(20)).value == D("2017-10-24")


dates_2005_2026 = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=dates_2005_2026, n=st.integers(1, 500))
def test_between_inverts_add(start, n):
    cal = default_calendar()
    end = cal.add_working_days(start, n).value
    assert cal.working_days_between(start, end).value == n
    assert cal.is_workday(end).value
    assert cal.working_days_between(end, start).value == -n
    back = cal.add_working_days(end, -n).value
    assert back <= start and cal.working_days_between(back, start).value == 0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=dates_2005_2026, b=dates_2005_2026, c=dates_2005_2026)
def test_between_is_additive(a, b, c):
    cal = default_calendar()
    ab, bc, ac = (cal.working_days_between(x, y).value for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac


def test_vectorised_equals_scalar(cal):
    rng = np.random.default_rng(7)
    starts = rng.integers(date(2003, 6, 1).toordinal(), date(2027, 6, 30).toordinal(), 2000)
    n = rng.integers(-300, 300, 2000)
    res, est = cal.add_working_days_array(starts, n)
    ends = rng.integers(date(2003, 6, 1).toordinal(), date(2027, 6, 30).toordinal(), 2000)
    cnt, cest = cal.working_days_between_array(starts, ends)
    work, west = cal.is_workday_array(starts)
    assert est.any() and not est.all()  # the sample straddles estimated and official years
    for i in range(len(starts)):
        s = date.fromordinal(int(starts[i]))
        assert cal.add_working_days(s, int(n[i])) == CalendarResult(
            date.fromordinal(int(res[i])), bool(est[i])
        )
        e = date.fromordinal(int(ends[i]))
        assert cal.working_days_between(s, e) == CalendarResult(int(cnt[i]), bool(cest[i]))
        assert cal.is_workday(s) == CalendarResult(bool(work[i]), bool(west[i]))


def test_vectorised_broadcasts_and_handles_empty(cal):
    start = D("2017-03-01").toordinal()
    res, est = cal.add_working_days_array(start, np.array([0, 96, 120]))
    assert [date.fromordinal(int(o)) for o in res] == [D("2017-03-01"), D("2017-07-18"), D("2017-08-21")]
    assert not est.any()
    res, est = cal.add_working_days_array(np.array([], np.int64), np.array([], np.int64))
    assert res.shape == est.shape == (0,)
    with pytest.raises(ValueError, match="whole numbers"):
        cal.add_working_days_array(np.array([start]), np.array([1.5]))


def test_datetime64_round_trip():
    days = np.array(["2017-09-20", "2027-02-22"], dtype="datetime64[D]")
    ords = ordinals_from_datetime64(days)
    assert list(ords) == [D("2017-09-20").toordinal(), D("2027-02-22").toordinal()]
    assert (datetime64_from_ordinals(ords) == days).all()


def test_estimated_outside_official_years_never_raises(cal):
    res = cal.add_working_days(D("2026-12-20"), 20)  # crosses 2026-12-31
    assert res.estimated and res.value.year == 2027
    assert cal.is_workday(D("2027-03-01")).estimated
    assert cal.is_workday(D("2003-03-03")).estimated
    assert cal.working_days_between(D("2026-12-01"), D("2027-01-15")).estimated
    assert cal.add_working_days(D("2030-05-06"), -10).estimated
    assert cal.estimated_years(D("2026-06-01"), D("2028-01-01")) == (2027, 2028)
    # rule-based holidays still apply in estimated years: 2027-01-01 (Friday) is New Year's Day
    assert cal.is_workday(D("2027-01-01")) == CalendarResult(False, True)


def test_inside_official_range_not_flagged(cal):
    assert cal.add_working_days(D("2026-12-01"), 5) == CalendarResult(D("2026-12-08"), False)
    assert not cal.working_days_between(D("2004-01-01"), D("2026-12-31")).estimated


def test_span_extends_for_far_results():
    cal = WorkingDayCalendar()
    res = cal.add_working_days(D("2026-12-20"), 5000)
    assert res.estimated and res.value.year > 2045
    assert cal.working_days_between(D("2026-12-20"), res.value).value == 5000
    back = cal.add_working_days(D("2005-01-04"), -5000)
    assert back.estimated and cal.working_days_between(back.value, D("2005-01-04")).value == 5000
    with pytest.raises(CalendarError, match="9999"):
        cal.add_working_days(D("9999-12-01"), 300)


def test_override_makes_2027_official_and_changes_answer():
    plain, official = default_calendar(), WorkingDayCalendar(OVERRIDE_2027)
    start = D("2027-02-05")  # Friday before the Spring Festival
    # rule-based guess: off Feb 5 (eve), 8–10; override: off Feb 8–12, Saturday Feb 20 worked
    assert plain.add_working_days(start, 5) == CalendarResult(D("2027-02-17"), True)
    assert official.add_working_days(start, 5) == CalendarResult(D("2027-02-19"), False)
    assert official.is_workday(D("2027-02-20")) == CalendarResult(True, False)
    assert official.is_workday(D("2027-02-12")) == CalendarResult(False, False)
    assert official.covered_years() == range(2004, 2028)
    assert official.add_working_days(D("2026-12-20"), 20).estimated is False
    assert official.add_working_days(D("2027-12-20"), 20).estimated is True  # 2028 still a guess


def test_override_file_loads(tmp_path):
    path = tmp_path / "cal.yaml"
    path.write_text(OVERRIDE_2027_YAML, encoding="utf-8")
    cal = read_calendar(path)
    assert cal.add_working_days(D("2027-02-05"), 5) == CalendarResult(D("2027-02-19"), False)


@pytest.mark.parametrize(
    ("text", "must_mention"),
    [
        (
            "years:\n  2027:\n    holidays: [2027-01-01, {from: 2027-02-14, to: 2027-02-06}]\n",
            ["2027", "holidays entry #2", "swap"],
        ),
        (
            "years:\n  2027:\n    holidays: [2027-01-01, 2027-02-31]\n",
            ["2027", "holidays entry #2", "YYYY-MM-DD"],
        ),
        ("years:\n  2027:\n    workdays: [2028-06-01]\n", ["2027", "workdays entry #1", "under 2028"]),
        (
            "years:\n  2027:\n    holidays: [2027-02-20]\n    workdays: [2027-02-20]\n",
            ["2027", "both", "only one"],
        ),
        ("years:\n  2027:\n    holiday: [2027-01-01]\n", ["2027", "holiday", "Fix"]),
        ("years:\n  twenty: {holidays: []}\n", ["twenty", "four-digit year"]),
        ("2027:\n  holidays: [2027-01-01]\n", ["nested under 'years:'", "Fix"]),
        ("years: [2027\n", ["invalid YAML", "line"]),
        ("", ["empty", "Fix"]),
    ],
)
def test_bad_override_file_names_file_entry_and_fix(tmp_path, text, must_mention):
    path = tmp_path / "bad-calendar.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError) as info:
        read_calendar(path)
    message = str(info.value)
    assert "bad-calendar.yaml" in message
    for word in must_mention:
        assert word in message
    assert isinstance(info.value, ValueError)


def test_missing_override_file(tmp_path):
    with pytest.raises(CalendarError, match="not found"):
        read_calendar(tmp_path / "nope.yaml")


def test_import_is_cheap():
    import subprocess
    import sys

    code = "import sys, approval_model.calendar as c; print('holidays' in sys.modules, 'chinese_calendar' in sys.modules, c.default_calendar()._table)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "None"]


# ---- CLI -----------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_add_and_between():
    res = runner.invoke(app, ["calendar", "add", "2017-09-20", "20"])
    assert res.exit_code == 0 and res.stdout.strip() == "2017-10-24"
    res = runner.invoke(app, ["calendar", "between", "2017-09-20", "2017-10-24"])
    assert res.exit_code == 0 and res.stdout.strip() == "20"
    res = runner.invoke(app, ["calendar", "add", "2017-10-09", "-2"])
    assert res.exit_code == 0 and res.stdout.strip() == "2017-09-29"


def test_cli_json():
    res = runner.invoke(app, ["calendar", "add", "2017-09-20", "20", "--json"])
    assert json.loads(res.stdout) == {"date": "2017-10-24", "estimated": False}
    res = runner.invoke(app, ["calendar", "between", "2026-12-01", "2027-01-15", "--json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["estimated"] is True and isinstance(data["working_days"], int)


def test_cli_estimated_note():
    res = runner.invoke(app, ["calendar", "add", "2026-12-20", "20"])
    assert res.exit_code == 0
    assert res.stdout.startswith("2027-")
    assert "estimated: 2027 is outside the official calendar data 2004–2026; supply --overrides" in res.stdout


def test_cli_overrides(tmp_path):
    path = tmp_path / "cal.yaml"
    path.write_text(OVERRIDE_2027_YAML, encoding="utf-8")
    res = runner.invoke(app, ["calendar", "add", "2027-02-05", "5", "--overrides", str(path), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout) == {"date": "2027-02-19", "estimated": False}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["calendar", "add", "2017-13-01", "3"], ["2017-13-01", "YYYY-MM-DD"]),
        (["calendar", "add", "2017-01-01", "2.5"], ["2.5", "integer"]),
        (["calendar", "between", "2017-01-01", "yesterday"], ["yesterday", "YYYY-MM-DD"]),
        (
            ["calendar", "add", "2017-01-01", "3", "--overrides", "/nonexistent/cal.yaml"],
            ["cal.yaml", "not found"],
        ),
    ],
)
def test_cli_bad_input_exits_2_without_traceback(args, words):
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "Traceback" not in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1
    for word in words:
        assert word in res.stderr


def test_cli_bad_override_file_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("years:\n  2027:\n    holidays: [{from: 2027-02-14, to: 2027-02-06}]\n", encoding="utf-8")
    res = runner.invoke(app, ["calendar", "add", "2027-02-05", "5", "--overrides", str(path)])
    assert res.exit_code == 2
    assert "bad.yaml" in res.stderr and "holidays entry #1" in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1
