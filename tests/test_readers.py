"""The input edge: tables and calendar override files read into plain records for the domain."""

from __future__ import annotations

from datetime import date

import pytest

from approval_model.calendar import WorkingDayCalendar
from approval_model.calendar_dates import CalendarError
from readers.calendar_overrides import read_calendar, read_overrides
from readers.tables import TableError, read_table

COLUMNS = {"item": ("事项编号",), "days": ("时限", "limit days"), "note": ()}


def test_any_column_set_with_its_header_spellings(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("事项编号,Limit-Days\nI04,20\n\n,\nI05,5\n", encoding="utf-8")
    assert read_table(path, COLUMNS, ["item"]) == [
        (2, {"item": "I04", "days": "20"}),
        (5, {"item": "I05", "days": "5"}),
    ]


def test_header_problems_name_the_file_and_the_fix(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("item,dyas\nI04,20\n", encoding="utf-8")
    with pytest.raises(TableError) as error:
        read_table(path, COLUMNS, ["item", "days"])
    message = str(error.value)
    assert str(path) in message and "missing column 'days'" in message and "unknown column 'dyas'" in message
    assert "did you mean 'days'" in message and "Fix: the columns are item, days, note" in message


def test_unreadable_files(tmp_path):
    with pytest.raises(TableError, match="no such file"):
        read_table(tmp_path / "none.csv", COLUMNS, ["item"])
    old = tmp_path / "t.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TableError, match="old .xls workbooks are not supported"):
        read_table(old, COLUMNS, ["item"])
    empty = tmp_path / "empty.csv"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(TableError, match="row 1 must be a header"):
        read_table(empty, COLUMNS, ["item"])


def test_calendar_override_file_gives_the_domain_a_plain_table(tmp_path):
    path = tmp_path / "cal.yaml"
    path.write_text(
        "years:\n  2030:\n    holidays: [2030-01-02]\n    workdays: [2030-01-05]\n", encoding="utf-8"
    )
    raw, name = read_overrides(path)
    assert raw == {"years": {2030: {"holidays": ["2030-01-02"], "workdays": ["2030-01-05"]}}}  # dates as text
    assert str(path) in name
    calendar = read_calendar(path)
    assert isinstance(calendar, WorkingDayCalendar)
    assert calendar.is_workday(date(2030, 1, 5)).value is True  # a Saturday made a working day
    assert calendar.is_workday(date(2030, 1, 2)).value is False
    path.write_text("years:\n  2030:\n    holidays: [2030-02-31]\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="cal.yaml"):
        read_calendar(path)
