"""Every output that shows a figure says what produced it: limit basis (法定 / 承诺), framing, project profile and
the verdict over the modelling assumptions; runs list / show, Excel 概览, CSV overview, HTML report, artifact."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from approval_sim.cli import app
from exports import export_run
from flows import work
from flows.report import basis_line, markdown_summary
from flows.store import repository
from flows.store.database import forget_engines, get_engine, migrate
from flows.store.records import RunStart

runner = CliRunner()


def stored_compare(engine, basis: str | None, framing: str | None = None) -> int:
    """A comparison stored the way the compare flow stores one (start from the spec, outcome with robustness)."""
    from flows.pipelines import _pair_start

    spec = work.PairSpec("luoyang-2017-before", "luoyang-2017-after", projects=200, replications=2, seed=3,
                         limit_basis=basis, framing=framing, robustness_samples=30)  # fmt: skip
    run_id = repository.start_run(engine, _pair_start(spec))
    comparison = work.assemble_comparison(spec, [work.run_pair_replications(spec, (0, 1))])
    outcome = work.comparison_outcome(
        comparison, *spec.processes(), spec.catalogs(), robustness=spec.robustness()
    )
    repository.complete_run(engine, run_id, outcome)
    return run_id


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('basis') / 'runs.db'}"
    engine = get_engine(url)
    return url, {
        "statutory": stored_compare(engine, None),
        "promised": stored_compare(engine, "promised", "parallel-to-parallel"),
    }


def test_runs_list_and_show_carry_basis_framing_profile_and_robustness(runs):
    url, ids = runs
    listed = {
        r["id"]: r
        for r in json.loads(runner.invoke(app, ["runs", "list", "--json", "--database", url]).stdout)
    }
    assert listed[ids["statutory"]]["limit_basis"] == "statutory"  # the scenario's own, resolved and stored
    assert listed[ids["statutory"]]["framing"] == "serial-to-parallel"
    assert listed[ids["statutory"]]["profile"] == "government-typical"  # the default, named
    assert listed[ids["promised"]]["limit_basis"] == "promised"
    assert listed[ids["promised"]]["framing"] == "parallel-to-parallel"
    assert listed[ids["statutory"]]["robustness_verdict"] in ("holds", "fails", "depends")
    shown = json.loads(
        runner.invoke(app, ["runs", "show", str(ids["promised"]), "--json", "--database", url]).stdout
    )
    assert (shown["limit_basis"], shown["framing"], shown["profile"]) == (
        "promised",
        "parallel-to-parallel",
        "government-typical",
    )
    assert shown["payload"]["headline"] == "parallel-to-parallel"
    table = runner.invoke(app, ["runs", "list", "--database", url], env={"COLUMNS": "250"})
    assert "promised" in table.stdout and "parallel-to-paral" in table.stdout
    text = runner.invoke(
        app, ["runs", "show", str(ids["promised"]), "--database", url], env={"COLUMNS": "250"}
    )
    assert "limit_basis promised" in text.stdout and "framing parallel-to-parallel" in text.stdout
    assert "over the modelling assumptions" in text.stdout


def test_excel_csv_and_html_say_which_limits_and_framing(runs, tmp_path):
    url, ids = runs
    engine = get_engine(url)
    for basis, expected, absent in (
        ("promised", "承诺时限", "办理时间按法定时限推算"),
        ("statutory", "法定时限", "承诺时限推算"),
    ):
        run = repository.get_run(engine, ids[basis])
        out = tmp_path / basis
        files = {p.name: p for p in export_run(run, {"xlsx", "csv", "html"}, out)}
        sheet = load_workbook(files[f"run-{run['id']}.xlsx"])["概览"]
        values = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2) if row[0].value}
        assert values["时限口径"].startswith(expected)
        assert values["比较口径"].startswith("并联对并联" if basis == "promised" else "串联改并联")
        assert values["项目画像"] == "一般政府投资项目"
        assert values["假设范围内的结论"].endswith(f"（{run['robustness_verdict']}）")
        with files[f"run-{run['id']}-overview.csv"].open(encoding="utf-8-sig") as handle:
            rows = {r[0]: r for r in csv.reader(handle)}
        assert rows["时限口径"][1].startswith(expected)
        page = files[f"run-{run['id']}-report.html"].read_text(encoding="utf-8")
        footer = page[page.index("<footer>") :]
        assert "时间均为法定工作日" not in page and absent not in footer
        assert ("承诺时限推算" if basis == "promised" else "办理时间按法定时限推算") in footer
        assert 'id="basis"' in page and "时限口径：" in page and "比较口径：" in page


def test_artifact_markdown_and_description_name_the_basis():
    rows = [
        ("a", 1, {"limit_basis": "promised", "framing": "parallel-to-parallel", "profile": "government-small",
                  "verdict": "holds", "robustness_verdict": "depends"}),
        ("b", 2, {"limit_basis": "statutory", "framing": "serial-to-parallel", "profile": "government-small"}),
    ]  # fmt: skip
    line = basis_line([r for _, _, r in rows])
    assert line == (
        "limit basis promised 承诺, statutory 法定; framing parallel-to-parallel, serial-to-parallel; "
        "profile government-small"
    )
    markdown = markdown_summary(rows, title="t", bad=[])
    assert "| 1 | a | promised 承诺 | parallel-to-parallel | government-small | **holds** |" in markdown
    assert markdown.split("\n")[2] == line
    assert basis_line([{}]) == "limit basis not recorded; framing not recorded; profile not recorded"


def test_a_database_at_the_previous_version_gains_the_basis_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url)
    migrate(old, "0003")
    old_id = None
    with old.begin() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("run")}
        assert "limit_basis" not in columns
    old.dispose()
    engine = get_engine(url)
    try:
        assert {"limit_basis", "framing", "robustness_verdict"} <= {
            c["name"] for c in inspect(engine).get_columns("run")
        }
        old_id = repository.start_run(engine, RunStart(kind="compare", scenario="x"))
        run = repository.get_run(engine, old_id)
        assert run["limit_basis"] is None and run["framing"] is None
        # an export of a run that recorded no basis says so rather than guessing
        from exports.overview import overview_table

        rows = {r[0]: r[1] for r in overview_table(run).rows}
        assert rows["时限口径"] == "未记录（旧版本运行）"
    finally:
        engine.dispose()
        forget_engines()


@pytest.mark.parametrize(
    ("option", "words"), [([], "statutory limits"), (["--limit", "promised"], "promised limits")]
)
def test_compare_text_says_which_limits_the_figures_rest_on(option, words, zh):
    """The CLI text of `compare` (issue 11 point 4: CLI text too) names the basis, in Chinese by default."""
    del zh  # the default language
    args = ["compare", "luoyang-2017-before", "luoyang-2017-after", "-n", "50", "-r", "2", "--no-robustness"]
    result = runner.invoke(app, [*args, *option])
    assert result.exit_code == 0, result.output
    text = "".join(result.stdout.split())  # rich wraps the header line
    assert ("办理时间按承诺时限（无承诺则法定）推算" if option else "办理时间按法定时限推算") in text
    english = runner.invoke(app, ["--lang", "en", *args, *option])
    assert f"handling times scale with {words}" in " ".join(english.stdout.split())
