"""Time-limit supervision: deadlines on the statutory calendar (National Day 2017, the 2017-09-30 make-up
Saturday), clock stops, status thresholds at their boundaries, input validation and the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from approval_model.calendar import default_calendar
from approval_model.supervision import (
    ItemLimit,
    Thresholds,
    department_summary,
    item_limits,
    status_for,
    supervise,
    supervise_row,
)
from approval_model.supervision_records import (
    COLUMN_ALIASES,
    REQUIRED_COLUMNS,
    ClockStop,
    SupervisionInput,
    parse_records,
)
from approval_sim.cli import app
from readers.tables import TableError, read_table
from rules import loading

D = date.fromisoformat
DATA = Path(__file__).parent / "data" / "supervision"
CODE = "2017-410300-04-01-000101"
runner = CliRunner()
CAL = default_calendar()


def read(path: Path) -> list:
    """The in-progress items of a table, as supervise reads them."""
    return read_table(path, COLUMN_ALIASES, REQUIRED_COLUMNS)


def limit_item(statutory: float, promised: float | None = None, department: str = "fgw") -> ItemLimit:
    return ItemLimit("X1", "test item", department, department, statutory, promised)


def row(accepted: str, stops=(), completed: str | None = None, item_id: str = "X1") -> SupervisionInput:
    return SupervisionInput(2, CODE, item_id, D(accepted), tuple(stops), D(completed) if completed else None)


def run(item: ItemLimit, r: SupervisionInput, as_of: str, **kwargs):
    return supervise_row(r, item, D(as_of), CAL, **kwargs)


# ---- deadlines on the working-day calendar ------------------------------------------------------


def test_deadline_across_national_day_and_the_makeup_saturday():
    # Thu 2017-09-28 + 5 working days: Fri 09-29, Sat 09-30 (调休 make-up day), [10-01..10-08 holiday],
    # Mon 10-09, Tue 10-10, Wed 10-11. A Mon-Fri count ignoring holidays would say 2017-10-05.
    result = run(limit_item(5), row("2017-09-28"), "2017-10-09")
    assert result.deadline == D("2017-10-11")
    assert result.working_days_used == 3  # 09-29, 09-30, 10-09
    assert result.working_days_left == 2
    assert result.estimated is False


def test_makeup_saturday_is_a_deadline_and_a_working_day():
    result = run(limit_item(1), row("2017-09-29"), "2017-09-30")
    assert result.deadline == D("2017-09-30")
    assert (result.working_days_used, result.working_days_left, result.status) == (1, 0, "yellow")
    # a day later (a holiday) it is not more overdue than on the first working day after the holiday
    assert run(limit_item(1), row("2017-09-29"), "2017-10-08").working_days_used == 1
    assert run(limit_item(1), row("2017-09-29"), "2017-10-09").status == "red"


def test_done_on_time_and_late_around_the_holiday():
    assert (
        run(limit_item(1), row("2017-09-29", completed="2017-09-30"), "2017-10-20").status == "done_on_time"
    )
    late = run(limit_item(1), row("2017-09-29", completed="2017-10-09"), "2017-10-20")
    assert late.status == "done_late"
    assert late.working_days_used == 2 and late.working_days_left is None


def test_twenty_working_days_from_2017_09_20():
    assert run(limit_item(20), row("2017-09-20"), "2017-09-20").deadline == D("2017-10-24")


def test_on_the_spot_limit_is_due_the_same_day():
    result = run(limit_item(0), row("2017-09-20"), "2017-09-20")
    assert result.deadline == D("2017-09-20") and result.status == "yellow"


def test_fractional_limit_rounds_up():
    assert run(limit_item(2.5), row("2017-09-20"), "2017-09-20").limit_days == 3


# ---- clock stops -------------------------------------------------------------------------------


def test_clock_stop_moves_the_deadline_by_the_working_days_stopped():
    stop = ClockStop("supplement", D("2017-10-09"), D("2017-10-11"))  # Mon-Wed: 3 working days
    result = run(limit_item(15), row("2017-09-28", [stop]), "2017-10-16")
    assert result.stopped_working_days == 3
    assert result.deadline == CAL.add_working_days(D("2017-09-28"), 18).value == D("2017-10-30")
    assert result.working_days_used == 8 - 3  # (09-28, 10-16] has 8 working days
    assert result.working_days_left == 10


def test_clock_stop_over_the_holiday_counts_only_working_days():
    # 09-29 .. 10-09 holds 09-29, 09-30 (make-up Saturday) and 10-09: 3 working days, not 11 calendar days
    stop = ClockStop("expert_review", D("2017-09-29"), D("2017-10-09"))
    result = run(limit_item(5), row("2017-09-28", [stop]), "2017-10-09")
    assert result.stopped_working_days == 3
    assert result.deadline == D("2017-10-16")  # 8 working days after 09-28
    assert result.working_days_used == 0 and result.status == "green"


def test_clock_stop_from_the_acceptance_day_does_not_count_that_day():
    stop = ClockStop("supplement", D("2017-09-20"), D("2017-09-21"))
    result = run(limit_item(5), row("2017-09-20", [stop]), "2017-09-21")
    assert result.stopped_working_days == 1  # only 09-21: the day of acceptance is never counted
    assert result.working_days_used == 0


def test_open_clock_stop_runs_to_the_as_of_date():
    stop = ClockStop("expert_review", D("2017-10-10"), None)
    on_10_16 = run(limit_item(20), row("2017-09-25", [stop]), "2017-10-16")
    on_10_20 = run(limit_item(20), row("2017-09-25", [stop]), "2017-10-20")
    assert on_10_16.clock_stopped is True
    assert on_10_16.working_days_used == on_10_20.working_days_used == 6  # the clock does not run
    assert on_10_20.deadline > on_10_16.deadline  # ... but the deadline keeps moving


def test_scheduled_future_stop_moves_deadline_but_not_used():
    stop = ClockStop("expert_review", D("2017-10-23"), D("2017-10-27"))
    result = run(limit_item(20), row("2017-09-20", [stop]), "2017-10-16")
    assert result.stopped_working_days == 5 and result.deadline == D("2017-10-31")
    assert result.working_days_used == 14 and result.clock_stopped is False


# ---- statuses at their boundaries --------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "limit", "expected"),
    [
        (5, 20, "green"),  # 5 > 3 days and 5 > 20 % of 20 (= 4)
        (4, 20, "yellow"),  # exactly 20 % of the limit
        (1, 20, "yellow"),
        (0, 20, "yellow"),  # due today
        (-1, 20, "red"),
        (4, 10, "green"),  # 4 > 3 days and 4 > 20 % of 10 (= 2)
        (3, 10, "yellow"),  # exactly the 3-day threshold
        (0, 0, "yellow"),  # on-the-spot item, due today
        (-1, 0, "red"),
    ],
)
def test_status_thresholds_at_the_boundaries(left, limit, expected):
    assert status_for(left, limit) == expected


def test_configurable_thresholds():
    strict = Thresholds(yellow_days=0, yellow_share=0.0)
    assert status_for(1, 20, strict) == "green"
    assert status_for(0, 20, strict) == "yellow"
    wide = Thresholds(yellow_days=5, yellow_share=0.5)
    assert status_for(10, 20, wide) == "yellow" and status_for(11, 20, wide) == "green"
    for bad in ({"yellow_days": -1}, {"yellow_share": 1.5}, {"yellow_days": 2.5}):
        with pytest.raises(ValueError):
            Thresholds(**bad)


@pytest.mark.parametrize(
    ("as_of", "left", "status"),
    [
        ("2017-10-17", 5, "green"),
        ("2017-10-18", 4, "yellow"),
        ("2017-10-24", 0, "yellow"),
        ("2017-10-25", -1, "red"),
    ],
)
def test_status_boundaries_by_date(as_of, left, status):
    result = run(limit_item(20), row("2017-09-20"), as_of)  # deadline 2017-10-24
    assert (result.working_days_left, result.status) == (left, status)


def test_promised_limit_and_fallback():
    promised = run(limit_item(20, 5), row("2017-09-20"), "2017-09-20", limit_kind="promised")
    assert (promised.limit_kind, promised.limit_days, promised.deadline) == ("promised", 5, D("2017-09-27"))
    fallback = run(limit_item(20, None), row("2017-09-20"), "2017-09-20", limit_kind="promised")
    assert (fallback.limit_kind, fallback.limit_days) == ("statutory", 20)
    assert run(limit_item(20, 5), row("2017-09-20"), "2017-09-20").limit_days == 20  # default statutory


def test_years_after_the_official_data_are_flagged_estimated():
    assert run(limit_item(20), row("2030-03-01"), "2030-03-05").estimated is True


# ---- the catalog and the summary ---------------------------------------------------------------


def test_supervise_file_and_department_summary():
    process = loading.load("luoyang-2017-before")
    items = item_limits(process)
    rows, problems = parse_records(read(DATA / "in_progress.csv"), items.keys(), D("2017-10-16"))
    assert problems == []
    results = supervise(rows, items, D("2017-10-16"))
    assert [r.status for r in results] == [
        "green",
        "red",
        "green",
        "done_on_time",
        "red",
        "done_late",
        "green",
    ]
    summary = {d["department"]: d for d in department_summary(results, [d.id for d in process.departments])}
    assert summary["fgw"]["items"] == 3 and summary["fgw"]["done_on_time"] == 1
    assert summary["zhujian"]["red"] == 1 and summary["zhujian"]["done_late"] == 1
    assert summary["zhujian"]["overdue"] == 2 and summary["zhujian"]["overdue_rate"] == pytest.approx(
        2 / 3, abs=1e-4
    )
    assert summary["huanbao"]["overdue_rate"] == 1.0


# ---- input validation --------------------------------------------------------------------------

BAD_FILES = [
    ("bad_project_code.csv", 3, "project_code", "is not a project code"),
    ("unknown_item.csv", 3, "item_id", "did you mean 'I04'"),
    ("not_a_date.csv", 2, "accepted", "'2017-09-31' is not a date"),
    ("completed_before_accepted.csv", 2, "completed", "before it was accepted"),
    ("clock_stop_reversed.csv", 2, "clock_stops", "ends before it starts"),
    ("clock_stop_overlap.csv", 2, "clock_stops", "overlap"),
    ("clock_stop_before_accepted.csv", 2, "clock_stops", "starts before the item was accepted"),
    ("clock_stop_kind.csv", 2, "clock_stops", "unknown clock-stop kind 'pause'"),
]


@pytest.mark.parametrize(("name", "row_number", "column", "message"), BAD_FILES)
def test_bad_input_names_row_and_column_and_exits_2_with_strict(name, row_number, column, message):
    result = runner.invoke(app, ["supervise", str(DATA / name), "--as-of", "2017-10-16", "--strict"])
    assert result.exit_code == 2
    assert f"row {row_number}, column '{column}'" in result.stderr
    assert message in result.stderr
    assert "Fix:" in result.stderr
    assert result.stdout == ""  # nothing reported with --strict
    assert "Traceback" not in result.output + result.stderr
    # by default the bad row is listed (with its fix) and left out, the rest reported: exit 0
    default = runner.invoke(app, ["supervise", str(DATA / name), "--as-of", "2017-10-16", "--json"])
    assert default.exit_code == 0, default.output
    assert f"row {row_number}, column '{column}'" in default.stderr and "Fix:" in default.stderr
    payload = json.loads(default.stdout)
    assert row_number in [p["row"] for p in payload["rejected"]]
    assert row_number not in [r["row"] for r in payload["rows"]]


def test_project_code_message_says_the_layout_is_assumed():
    result = runner.invoke(app, ["supervise", str(DATA / "bad_project_code.csv"), "--as-of", "2017-10-16"])
    assert "assumed" in result.stderr and "2017-410300" in result.stderr


def test_bad_header_exits_2():
    result = runner.invoke(app, ["supervise", str(DATA / "bad_header.csv"), "--as-of", "2017-10-16"])
    assert result.exit_code == 2
    assert "row 1" in result.stderr and "missing column 'accepted'" in result.stderr
    assert "did you mean 'accepted'" in result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"project_code": ""}, "project_code", "empty"),
        ({"item_id": "i04"}, "item_id", "did you mean 'I04'"),
        ({"accepted": ""}, "accepted", "empty"),
        ({"accepted": "2017-10-20"}, "accepted", "after the --as-of date"),
        ({"completed": "soon"}, "completed", "is not a date"),
        ({"completed": "2017-10-20"}, "completed", "after the --as-of date"),
        ({"clock_stops": "2017-09-25/2017-09-28"}, "clock_stops", "is not a period"),
        ({"clock_stops": "2017-09-25..2017-09-31"}, "clock_stops", "is not a date"),
        ({"clock_stops": "2017-10-09..", "completed": "2017-10-12"}, "clock_stops", "no end"),
        ({"clock_stops": "2017-10-09..2017-10-13", "completed": "2017-10-12"}, "clock_stops", "ends after"),
    ],
)
def test_parse_records_cell_errors(cells, column, message):
    record = {"project_code": CODE, "item_id": "I04", "accepted": "2017-09-20", **cells}
    rows, problems = parse_records([(7, record)], {"I04"}, D("2017-10-16"))
    assert rows == []
    assert [(p.row, p.column) for p in problems] == [(7, column)]
    assert message in problems[0].message


def test_parse_records_accepts_variants():
    record = {
        "project_code": CODE,
        "item_id": "I04",
        "accepted": "2017/9/20",
        "clock_stops": "补正：2017-09-25~2017-09-26；专家评审:2017-10-09至2017-10-10",
        "completed": date(2017, 10, 12),  # Excel cells arrive as dates
    }
    rows, problems = parse_records([(2, record)], {"I04"}, D("2017-10-16"))
    assert problems == []
    assert rows[0].accepted == D("2017-09-20")
    assert [s.kind for s in rows[0].clock_stops] == ["supplement", "expert_review"]


def test_every_problem_of_a_row_is_reported():
    record = {"project_code": "x", "item_id": "nope", "accepted": "someday"}
    _, problems = parse_records([(4, record)], {"I04"}, D("2017-10-16"))
    assert [p.column for p in problems] == ["project_code", "item_id", "accepted"]


def test_gb18030_csv_with_chinese_headers(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"项目代码,事项编号,受理日期,办结日期\n{CODE},I04,2017-09-20,\n".encode("gb18030"))
    records = read(path)
    assert records == [
        (2, {"project_code": CODE, "item_id": "I04", "accepted": "2017-09-20", "completed": ""})
    ]


def test_excel_input_with_chinese_headers(tmp_path):
    import datetime

    import openpyxl

    path = tmp_path / "items.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目代码", "事项编号", "受理日期", "办结日期"])
    sheet.append([CODE, "I04", datetime.datetime(2017, 9, 20), None])
    book.save(path)
    (row,) = read(path)
    assert row[0] == 2 and row[1]["project_code"] == CODE and row[1]["item_id"] == "I04"
    result = runner.invoke(app, ["supervise", str(path), "--as-of", "2017-10-16", "--json"])
    assert result.exit_code == 0, result.output


def test_corrupt_excel_file_is_a_clear_error(tmp_path):
    path = tmp_path / "items.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(TableError, match="not a readable Excel file"):
        read(path)
    result = runner.invoke(app, ["supervise", str(path), "--as-of", "2017-10-16"])
    assert result.exit_code == 2 and "not a readable Excel file" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_missing_file_exits_2(tmp_path):
    result = runner.invoke(app, ["supervise", str(tmp_path / "nope.csv"), "--as-of", "2017-10-16"])
    assert result.exit_code == 2 and "no such file" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2017-02-30"], "--as-of"),
        (["--as-of", "2017-10-16", "--yellow-share", "1.5"], "yellow_share"),
        (["--as-of", "2017-10-16", "--catalog", "no-such-catalog"], "no-such-catalog"),
    ],
)
def test_bad_options_exit_2(args, message):
    result = runner.invoke(app, ["supervise", str(DATA / "in_progress.csv"), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr


# ---- CLI output ----------------------------------------------------------------------------------


def test_supervise_json():
    result = runner.invoke(
        app, ["supervise", str(DATA / "in_progress.csv"), "--as-of", "2017-10-16", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["as_of"] == "2017-10-16" and payload["limit"] == "statutory"
    assert payload["thresholds"] == {"yellow_days": 3, "yellow_share": 0.2}
    assert payload["rejected"] == []
    first = payload["rows"][0]
    assert first["row"] == 2 and first["item_id"] == "I04" and first["department"] == "fgw"
    assert (first["deadline"], first["working_days_used"], first["working_days_left"], first["status"]) == (
        "2017-10-24",
        14,
        6,
        "green",
    )
    stopped = payload["rows"][2]
    assert stopped["clock_stops"] == [
        {"kind": "supplement", "start": "2017-10-09", "end": "2017-10-11", "working_days": 3}
    ]
    assert {d["department"] for d in payload["departments"]} == {"fgw", "zhujian", "huanbao"}


def test_supervise_promised_limit_option():
    result = runner.invoke(
        app,
        [
            "supervise",
            str(DATA / "in_progress.csv"),
            "--as-of",
            "2017-10-16",
            "--limit",
            "promised",
            "--json",
        ],
    )
    rows = json.loads(result.stdout)["rows"]
    i26 = next(r for r in rows if r["item_id"] == "I26")  # statutory 15, promised 8
    assert (i26["limit_kind"], i26["limit_days"]) == ("promised", 8)


def test_yellow_days_option_changes_status():
    args = ["supervise", str(DATA / "in_progress.csv"), "--as-of", "2017-10-16", "--json"]
    result = runner.invoke(app, [*args, "--yellow-days", "6"])
    assert json.loads(result.stdout)["rows"][0]["status"] == "yellow"  # I04 has 6 left


def test_supervise_table():
    result = runner.invoke(
        app, ["supervise", str(DATA / "in_progress.csv"), "--as-of", "2017-10-16"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert (
        "2017-10-24" in result.stdout and "done late" in result.stdout and "Per department" in result.stdout
    )


def test_good_rows_reported_and_bad_ones_listed_by_default():
    args = ["supervise", str(DATA / "mixed.csv"), "--as-of", "2017-10-16"]
    stopped = runner.invoke(app, [*args, "--strict"])
    assert stopped.exit_code == 2 and stopped.stdout == ""
    assert "row 3, column 'item_id'" in stopped.stderr and "row 6, column 'accepted'" in stopped.stderr

    for extra in ([], ["--keep-going"]):  # --keep-going (the old opt-in) still works: it is the default now
        result = runner.invoke(app, [*args, *extra, "--json"])
        assert result.exit_code == 0, result.output
        payload = json.loads(result.stdout)
        assert [r["row"] for r in payload["rows"]] == [2, 4, 7]  # blank line 5 skipped but counted
        assert [(p["row"], p["column"]) for p in payload["rejected"]] == [(3, "item_id"), (6, "accepted")]
        assert "row 6, column 'accepted'" in result.stderr
        assert "Traceback" not in result.output + result.stderr

    table = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "2017-410300-04-01-000105" in table.stdout


# ---- the follow-up list (督办清单) in Excel ---------------------------------------------------------

# I02 (statutory limit 20 wd) as of Monday 2017-10-16; the acceptance day does not count. Counted by hand on the
# official calendar (National Day holidays 10-01..10-08, Saturday 09-30 a working day):
#   accepted 10-09: used 10-10..10-13 and 10-16 = 5, left 15        -> green
#   accepted 09-14: used 09-15..09-29 (11), 09-30, 10-09..10-16 (6) = 18, left 2 <= 3 -> yellow
#   accepted 09-01: used > 20                                        -> red
#   accepted 09-01, completed 09-20: used 13 <= 20                   -> done on time
FOLLOW_UP_CSV = """project_code,item_id,accepted,clock_stops,completed
2017-410300-04-01-000201,I02,2017-10-09,,
2017-410300-04-01-000202,I02,2017-09-14,,
2017-410300-04-01-000203,I02,2017-09-01,,
2017-410300-04-01-000204,I02,2017-09-01,,2017-09-20
2017-410300-04-01-000205,I99,2017-09-01,,
"""


def test_follow_up_list_to_excel_with_red_and_yellow_rows(tmp_path):
    from openpyxl import load_workbook

    source = tmp_path / "in_progress.csv"
    source.write_text(FOLLOW_UP_CSV, encoding="utf-8")
    out = tmp_path / "督办.xlsx"
    result = runner.invoke(
        app, ["supervise", str(source), "--as-of", "2017-10-16", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # stdout stays pure JSON; the file's path is said on stderr
    assert str(out) in result.stderr and "row 6, column 'item_id'" in result.stderr

    book = load_workbook(out)
    assert book.sheetnames == ["督办清单", "部门汇总", "问题行", "说明"]
    sheet = book["督办清单"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["督办等级 status", "行号 row", "项目代码 project code", "事项编码 item"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    # most urgent first: red, yellow, green, then completed
    assert [(r[1], r[0].split("：")[0]) for r in rows] == [(4, "红牌"), (3, "黄牌"), (2, "正常 on track"),
                                                          (5, "按时办结 done on time")]  # fmt: skip
    assert rows[1][12] == 2 and rows[2][12] == 15  # working days left, as counted by hand above
    assert rows[0][5] == "市发展改革委"  # department by name
    fills = [sheet.cell(row=i, column=c).fill.fgColor.rgb for i in range(2, 6) for c in (1, 5, 15)]
    assert fills[0:3] == ["00FFC7CE"] * 3  # the red row, every cell
    assert fills[3:6] == ["00FFEB9C"] * 3  # the yellow row
    assert all(f != "00FFC7CE" and f != "00FFEB9C" for f in fills[6:])  # green and completed rows: no fill
    problems = [[c.value for c in r] for r in book["问题行"].iter_rows(min_row=2)]
    assert problems[0][:2] == [6, "item_id"] and "I99" in str(problems[0][2])
    department = [[c.value for c in r] for r in book["部门汇总"].iter_rows(min_row=2)]
    assert department == [["市发展改革委", 4, 1, 1, 1, 1, 0, 0.25]]
    assert book["部门汇总"].cell(row=2, column=1).fill.fgColor.rgb == "00FFC7CE"


def test_follow_up_list_needs_an_xlsx_name(tmp_path):
    out = tmp_path / "list.csv"
    result = runner.invoke(
        app, ["supervise", str(DATA / "in_progress.csv"), "--as-of", "2017-10-16", "--out", str(out)]
    )
    assert result.exit_code == 2 and ".xlsx" in result.stderr and not out.exists()
    assert "Traceback" not in result.output + result.stderr
