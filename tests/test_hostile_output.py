"""Hostile names in every output: CSV cells never become formulas, the workbook keeps text exactly as written,
Markdown artifacts keep their tables, and the terminal shows escape sequences instead of obeying them.

Before: names starting with '=', '+', '-', '@' went raw into run-N-items.csv, run-N-departments.csv and
batch-summary.csv; the workbook showed an added "'"; '|' broke the artifact's table and raw HTML reached the
Prefect UI; "\\e[31m" in a name recoloured the terminal and "[/]" crashed `catalog list` with a MarkupError.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from approval_sim.cli import app
from approval_sim.output import printable
from exports import export_run
from exports.csv_files import csv_cell
from flows import work
from flows.report import markdown_summary
from flows.store import repository
from flows.store.database import get_engine
from flows.store.records import RunStart

runner = CliRunner()

FORMULA = '=HYPERLINK("http://example.invalid/?leak","点我")'
PLUS = "+cmd|' /C calc'!A0"
MINUS = "-2+3 | pipe <script>alert(1)</script>"
AT = "@SUM(1,2)"
DOLLARS = "$\\frac{a$ 50%"  # TeX to matplotlib unless told otherwise
ESCAPES = "[/]市规划局 \x1b[31mRED\x1b[0m \x1b]0;pwned\x07"

EVIL = f"""\
name: "evil\\e[2J"
title: "\\e[2Jevil"
departments:
  - {{id: d1, name: '{FORMULA}'}}
  - {{id: d2, name: "[/]市规划局 \\e[31mRED\\e[0m \\e]0;pwned\\a"}}
stages:
  - {{id: S1, name: "{AT}"}}
items:
  - {{id: A, name: "{PLUS}", department: d1, stage: S1, statutory_limit_days: 20}}
  - {{id: B, name: "{MINUS}", department: d2, stage: S1, statutory_limit_days: 10, prerequisites: [A]}}
  - {{id: C, name: "\\tTAB", department: d2, stage: S1, statutory_limit_days: 5, prerequisites: [A]}}
  - {{id: D, name: '{DOLLARS}', department: d1, stage: S1, statutory_limit_days: 5, prerequisites: [B, C]}}
"""


@pytest.fixture(scope="module")
def evil_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("evil") / "evil.yaml"
    path.write_text(EVIL, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def stored_run(evil_file, tmp_path_factory) -> dict:
    """A comparison of the evil catalog (serial vs parallel), stored and read back."""
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'runs.db'}")
    spec = work.PairSpec(str(evil_file), None, projects=50, replications=2, seed=1)
    comparison = work.assemble_comparison(spec, [work.run_pair_replications(spec, (0, 1))])
    outcome = work.comparison_outcome(comparison, *spec.processes(), spec.catalogs())
    run_id = repository.start_run(
        engine, RunStart(kind="compare", scenario=f"{FORMULA} {ESCAPES}", seed=1, target=0.2)
    )
    repository.complete_run(engine, run_id, outcome)
    return {"run": repository.get_run(engine, run_id), "url": str(engine.url)}


# ------------------------------------------------------------------------------------------------ CSV


@pytest.mark.parametrize(
    "text, expected",
    [
        (FORMULA, "'" + FORMULA),
        (PLUS, "'" + PLUS),
        (MINUS, "'" + MINUS),
        (AT, "'" + AT),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("  =1+1", "'  =1+1"),  # spreadsheets skip leading blanks before a formula
        ("＝1+1", "'＝1+1"),  # full-width, as a Chinese input method types it
        ("市发展改革委", "市发展改革委"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_cell_neutralises_formula_leading_text_the_owasp_way(text, expected):
    assert csv_cell(text) == expected


def test_csv_cell_leaves_numbers_numbers():
    assert csv_cell(-0.125) == -0.125 and csv_cell(3) == 3 and csv_cell(None) == ""


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_run_csv_files_start_no_cell_with_a_formula_character(stored_run, tmp_path):
    written = export_run(stored_run["run"], {"csv"}, tmp_path)
    cells = [cell for path in written for row in _csv_rows(path) for cell in row]
    assert "'" + FORMULA in cells and "'" + PLUS in cells and "'" + MINUS in cells
    dangerous = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or re.match(r"-(?![\d.])", c)]
    assert dangerous == []


def test_batch_summary_csv_is_neutralised(tmp_path):
    from exports.batch import ScenarioResult, write_summary

    run = {
        "id": 7,
        "scenario": FORMULA,
        "seed": 1,
        "verdict": "holds",
        "reduction_mean": -0.05,
        "summaries": [],
    }
    csv_path, _ = write_summary([ScenarioResult(FORMULA, [run])], tmp_path)
    header, row = _csv_rows(csv_path)[:2]
    assert row[:3] == ["7", "'" + FORMULA, "1"] and "-5.0" in row  # the negative reduction stays a number


# ------------------------------------------------------------------------------------------------ xlsx


def test_workbook_keeps_text_exactly_as_written(stored_run, tmp_path):
    (path,) = export_run(stored_run["run"], {"xlsx"}, tmp_path)
    values = {
        cell.value: cell.data_type
        for sheet in load_workbook(path)
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    assert values.get(FORMULA) == "s"  # text, not a formula, and no added "'"
    assert values.get(PLUS) == "s" and "'" + FORMULA not in values


def test_figures_and_report_take_dollar_signs_literally(stored_run, tmp_path):
    written = export_run(stored_run["run"], {"png", "svg", "html"}, tmp_path)  # raised ValueError (mathtext)
    assert any(path.suffix == ".html" for path in written)


# ------------------------------------------------------------------------------------------------ Markdown


def test_markdown_artifact_keeps_its_tables_and_shows_no_raw_html(stored_run):
    class Bad:
        file = "x`y.yaml"
        message = "broken\n```\n<img src=x onerror=alert(1)>\n```"

    text = markdown_summary(
        [(f"{MINUS} {ESCAPES}", 1, stored_run["run"])], title=f"Nightly {MINUS}", bad=[Bad()]
    )
    outside_code = re.sub(r"^(`{3,})\n.*?^\1$", "", text, flags=re.M | re.S)
    assert "<script" not in outside_code and "<img" not in outside_code
    for line in text.splitlines():
        if line.startswith("|"):  # every table row has as many unescaped pipes as its header
            assert len(re.findall(r"(?<!\\)\|", line)) in (11, 8), line
    assert "\x1b" not in text
    fence = re.search(r"^(`{4,})$", text, re.M)
    assert fence is not None  # longer than any run of backticks in the message, so it cannot be closed early


# ------------------------------------------------------------------------------------------------ terminal


def test_printable_shows_control_characters_and_keeps_chinese():
    assert printable("市\x1b[31m规划\x07局\u202e") == "市\\x1b[31m规划\\x07局\\u202e"
    assert printable("line\nnext\ttab") == "line\nnext\ttab"


@pytest.mark.parametrize(
    "command",
    [
        ["catalog", "list"],
        ["check"],
        ["analyze"],
        ["simulate", "-n", "30", "-r", "2"],
        ["compare", "-n", "30", "-r", "2", "--no-robustness"],
    ],
)
def test_terminal_output_shows_escape_sequences_instead_of_obeying_them(evil_file, command):
    result = runner.invoke(app, [*command[:2], str(evil_file), *command[2:]] if command[0] == "catalog" else
                           [command[0], str(evil_file), *command[1:]])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "MarkupError" not in result.output


def test_catalog_list_shows_the_names_literally(evil_file):
    result = runner.invoke(app, ["catalog", "list", str(evil_file)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    flat = re.sub(r"[\s│┃|]+", "", result.output)
    assert "[/]市规划局" in flat and "\\x1b[31mRED" in flat


def test_runs_show_of_a_run_with_hostile_names(stored_run):
    result = runner.invoke(
        app, ["runs", "show", str(stored_run["run"]["id"]), "--database", stored_run["url"]]
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\\x1b[31mRED" in result.output
    assert result.output.startswith("run ")  # our own markup still renders (no literal '[bold]')


def test_error_messages_show_escape_sequences(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(EVIL.replace("department: d1", 'department: "\\e[2Jnobody"'), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\\x1b[2Jnobody" in result.output
