"""Calibration from hand-written platform records: what is counted (checked against a hand count on the 2017
calendar), which rows are skipped and how they are reported, --strict, arrivals and files open at once."""

from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np
import pytest
from typer.testing import CliRunner

from approval_model.calendar import default_calendar
from approval_model.scenario import load_process
from approval_model.supervision_records import COLUMN_ALIASES, REQUIRED_COLUMNS, parse_records
from approval_sim.cli import app
from calibration.observations import observe
from exports.event_log import write_records
from readers.tables import read_table
from simulations import compile_process, replication_seeds
from simulations.records import HEADER, RecordGroup, records
from simulations.timeline import timeline

runner = CliRunner()

CATALOG = """\
name: three-items
departments:
  - {id: d1, name: 一局}
  - {id: d2, name: 二局, capacity: 2}
stages:
  - {id: s1, name: 阶段一}
items:
  - {id: A, name: 事项甲, department: d1, stage: s1, statutory_limit_days: 20}
  - {id: B, name: 事项乙, department: d2, stage: s1, statutory_limit_days: 15, prerequisites: [A]}
  - {id: C, name: 事项丙, department: d2, stage: s1, statutory_limit_days: 3}
"""
# October 2017: Mon 9 .. Fri 13, Mon 16 are working days
RECORDS = """\
项目代码,事项编号,受理日期,停止计时,办结日期
2017-410300-00-01-000001,A,2017-10-09,补正:2017-10-10..2017-10-12,2017-10-16
2017-410300-00-01-000002,A,2017-10-10,,2017-10-10
2017-410300-00-02-000003,A,2017-10-11,,
2017-410300-00-03-000004,C,2017-10-11,补正:2017-10-12..,
2017-4103-01,A,2017-10-09,,2017-10-10
2017-410300-00-01-000005,Z9,2017-10-09,,2017-10-10
2017-410300-00-01-000006,C,2017-10-12,,2017-10-11
2017-410300-00-01-000007,C,2017-10-09,,2017-10-13
"""


@pytest.fixture
def files(tmp_path):
    catalog = tmp_path / "three.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    records = tmp_path / "records.csv"
    records.write_text(RECORDS, encoding="utf-8")
    return catalog, records


def _observations(catalog, records, as_of=date(2017, 10, 16)):
    process = load_process(catalog)
    rows, problems = parse_records(
        read_table(records, COLUMN_ALIASES, REQUIRED_COLUMNS), process.item_ids, as_of
    )
    return observe(rows, process, as_of, default_calendar()), problems


def test_day_counts_follow_the_records(files):
    observed, problems = _observations(*files)
    a, c = observed.items["A"], observed.items["C"]
    # row 2: Mon 9 -> Mon 16 is 5 working days, the 补正 from Tue 10 to Thu 12 is 2 of them: 3 days handling
    # row 3: accepted and decided on Tue 10: 0 days; row 4: open since Wed 11, at least 3 + 1 days by Mon 16
    assert sorted(a.handling.tolist()) == [0.0, 3.0]
    assert a.handling_censored.tolist() == [4.0]
    assert a.applicant.tolist() == [2.0] and a.supplemented == 1 and a.completed == 2
    # row 5: C handled Wed 11 -> 补正 from Thu 12, still open: 1 day handled so far, the applicant >= 2 + 1 days
    # row 9: C Mon 9 -> Fri 13 = 4 working days > its 3-day limit: done late (supervision's deadline: Thu 12)
    assert c.handling.tolist() == [4.0] and c.handling_censored.tolist() == [1.0]
    assert c.applicant_censored.tolist() == [3.0]
    assert (c.done_late, c.completed) == (1, 1)
    assert sorted(p.row for p in problems) == [6, 7, 8]


def test_arrivals_per_project_type(files):
    observed, _ = _observations(*files)
    arrivals = observed.arrivals
    # five projects, first arrivals Mon 9 (two), Tue 10, Wed 11 (two): 4 gaps over 2 working days
    assert arrivals["projects"] == 5 and arrivals["working_days"] == 2
    assert arrivals["per_working_day"] == pytest.approx(2.0)
    assert arrivals["by_type"]["government"]["projects"] == 3  # type segment 01
    assert arrivals["by_type"]["government"]["per_working_day"] == pytest.approx(1.2)
    assert arrivals["by_type"]["enterprise_approval"]["share"] == pytest.approx(0.2)  # 02
    assert arrivals["by_type"]["enterprise_filing"]["share"] == pytest.approx(0.2)  # 03


def test_files_open_all_day_bound_the_capacity_from_below(files, tmp_path):
    catalog, _ = files
    records = tmp_path / "busy.csv"
    records.write_text(
        "项目代码,事项编号,受理日期,停止计时,办结日期\n"
        "2017-410300-00-01-000001,C,2017-10-09,,2017-10-13\n"
        "2017-410300-00-01-000002,C,2017-10-09,,2017-10-13\n"
        "2017-410300-00-01-000003,C,2017-10-10,,2017-10-16\n"
        "2017-410300-00-01-000004,C,2017-10-09,补正:2017-10-11..2017-10-12,2017-10-16\n",
        encoding="utf-8",
    )
    observed, _ = _observations(catalog, records, date(2017, 10, 16))
    # open all of Tue 10: files 1, 2 and 4 (file 3 was accepted that day); Wed 11: 1, 2 and 3 (file 4 is in 补正).
    # Counting the day of acceptance, or the stop, would give 4.
    assert observed.departments["d2"]["max_open_all_day"] == 3
    assert observed.departments["d2"]["on"] == "2017-10-10"
    out = tmp_path / "o.yaml"
    result = runner.invoke(
        app,
        [
            "calibrate",
            str(records),
            "--scenario",
            str(catalog),
            "--out",
            str(out),
            "--min-records",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["departments"]["d2"]["capacity_raised_to"] == 3
    assert load_process(out).department("d2").capacity == 3


def test_unusable_rows_are_listed_with_their_numbers_and_skipped(files, tmp_path):
    catalog, records = files
    out = tmp_path / "o.yaml"
    result = runner.invoke(
        app, ["calibrate", str(records), "--scenario", str(catalog), "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [
        (6, "project_code"),
        (7, "item_id"),
        (8, "completed"),
    ]
    assert "row 7, column 'item_id': unknown item id 'Z9'" in result.stderr
    assert report["records"] == 5
    # too few records for a fit: every assumption is kept, and the report says why
    assert report["items"]["A"]["kept_assumption"] == "3 records (fewer than 30)"
    assert out.exists()


def test_an_excel_export_of_the_same_records_gives_the_same_calibration(files, tmp_path):
    """The platform's .xlsx export: real Excel dates, an empty cell for an open file; same rows kept and skipped
    (with the same row numbers) as the CSV, and the same day counts."""
    import openpyxl

    catalog, records = files
    book = openpyxl.Workbook()
    sheet = book.active
    for number, line in enumerate(RECORDS.splitlines()):
        cells: list[object] = [cell or None for cell in line.split(",")]
        if number:
            for column in (2, 4):  # 受理日期, 办结日期 as Excel dates where they are dates
                text = cells[column]
                if isinstance(text, str) and text.count("-") == 2:
                    cells[column] = datetime.strptime(text, "%Y-%m-%d")
        sheet.append(cells)
    workbook = tmp_path / "records.xlsx"
    book.save(workbook)
    reports = []
    for path in (records, workbook):
        result = runner.invoke(
            app,
            ["calibrate", str(path), "--scenario", str(catalog), "--out", str(tmp_path / f"{path.suffix[1:]}.yaml"),
             "--min-records", "2", "--json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.stdout))
    csv_report, xlsx_report = reports
    assert [r["row"] for r in xlsx_report["rejected"]] == [6, 7, 8]
    assert xlsx_report["records"] == 5 and xlsx_report["in_progress"] == 2
    for key in ("items", "arrivals", "departments", "date_range"):
        assert xlsx_report[key] == csv_report[key]


def test_an_overlay_in_another_folder_names_its_base_relative_to_itself(files, tmp_path):
    catalog, records = files
    out = tmp_path / "calibrated" / "city.yaml"
    out.parent.mkdir()
    result = runner.invoke(
        app, ["calibrate", str(records), "--scenario", str(catalog), "--out", str(out), "--min-records", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "base: ../three.yaml" in out.read_text(encoding="utf-8")
    process = load_process(out)
    assert process.lineage == ("three-items",)
    # A's two completed records (0 and 3 days) and one open file: calibrated, not the base's assumption
    assert process.item("A").provenance["handling_days"].sources == ("PLATFORM_RECORDS",)


def test_strict_makes_an_unusable_row_an_error_and_writes_nothing(files, tmp_path):
    catalog, records = files
    out = tmp_path / "o.yaml"
    result = runner.invoke(
        app, ["calibrate", str(records), "--scenario", str(catalog), "--out", str(out), "--strict"]
    )
    assert result.exit_code == 2
    assert "3 row problem(s) (--strict; nothing written)" in result.stderr
    assert "row 8, column 'completed': completed 2017-10-11 is before it was accepted" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("项目代码,事项,受理,办结日期\n", "missing column 'accepted'"),
        ("项目代码,事项编号,受理日期,办结日子\n", "unknown column '办结日子'"),
        ("项目代码,事项编号,受理日期\n2017-410300-00-01-1,A,2017-10-09\n", "no usable record"),
    ],
)
def test_a_log_that_cannot_be_used_is_a_clear_error(files, tmp_path, content, message):
    catalog, _ = files
    records = tmp_path / "bad.csv"
    records.write_text(content, encoding="utf-8")
    result = runner.invoke(
        app, ["calibrate", str(records), "--scenario", str(catalog), "--out", str(tmp_path / "o.yaml")]
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_event_log_dates_follow_the_statutory_calendar(tmp_path):
    """Fixed times from Thu 2017-09-28: Fri 29, the make-up working Saturday 30, then the National Day holidays
    to Sun Oct 8: A's 3 working days end on Mon Oct 9, and B's 4 days after it on Fri Oct 13."""
    path = tmp_path / "fixed.yaml"
    path.write_text(
        CATALOG.replace(
            "statutory_limit_days: 20}",
            "statutory_limit_days: 20, handling_days: {distribution: fixed, value: 3}}",
        ).replace(
            "prerequisites: [A]}", "prerequisites: [A], handling_days: {distribution: fixed, value: 4}}"
        )
        + "simulation: {start_date: 2017-09-28}\n",
        encoding="utf-8",
    )
    process = load_process(path)
    compiled = compile_process(process)
    events = timeline(compiled, "parallel", 1, replication_seeds(0, 1)[0])
    log = tmp_path / "log.csv"
    write_records(log, HEADER, records([RecordGroup(events, np.array([7]), "01")], compiled.start_date))
    lines = log.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADER)
    rows = {line.split(",")[1]: line.split(",") for line in lines[1:]}
    assert rows["A"] == ["2017-410300-00-01-000007", "A", "2017-09-28", "", "2017-10-09"]
    assert rows["B"][2:] == ["2017-10-09", "", "2017-10-13"]
    assert rows["C"][2] == "2017-09-28"  # no prerequisite: accepted on arrival


def test_the_fit_report_speaks_chinese_by_default(files, tmp_path, zh):
    catalog, records = files
    result = runner.invoke(
        app, ["calibrate", str(records), "--scenario", str(catalog), "--out", str(tmp_path / "o.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "各事项办理用时" in result.stdout and "保留原假设" in result.stdout
    assert "3 行无法使用，已跳过" in result.stderr
