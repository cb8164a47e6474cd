"""Results in both languages at 80 columns: compare and simulate (verdict words, bottleneck table), runs list
and show, and the nightly batch's scenario line. JSON does not change with the language."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from approval_sim.cli import app
from messages import set_language
from tests.terminal import fits

runner = CliRunner()

# ---- compare and simulate: both languages, verdict words, 80 columns -------------------------------------

COMPARE = [
    "compare",
    "luoyang-2017-before",
    "luoyang-2017-after",
    "-n",
    "2000",
    "-r",
    "3",
    "--robustness-samples",
    "8",
]


def test_compare_in_chinese_with_chinese_verdicts(zh, narrow):
    result = runner.invoke(app, COMPARE)
    assert result.exit_code == 0, result.output
    text = result.stdout
    # the built-in pair: the plan's serial-to-parallel change holds, the rules alone do not reach 20 %
    assert "串联改并联（方案所述的变化）：" in text and "对照 20% 目标：[" not in text
    assert "对照 20% 目标：达标" in text and "对照 20% 目标：未达标" in text
    assert "办理时间按法定时限推算" in text
    assert "均值压缩：" in text and "95% 置信区间" in text
    assert "对建模假设的稳健性" in text
    assert "改革后的瓶颈事项（按关键度）" in text and "关键度" in text
    for english in ("holds", "fails", "reduction", "verdict", "working days", "bottlenecks"):
        assert english not in text
    fits(text)


def test_compare_in_english_by_option(zh, narrow):
    result = runner.invoke(app, ["--lang", "en", *COMPARE])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "verdict on 20% (serial-to-parallel): holds" in text
    assert "parallel-to-parallel: 129" in text and "fails on 20%" in text
    assert "bottlenecks in the reform (by criticality)" in text
    assert "达标" not in text and "压缩" not in text
    fits(text)


def test_compare_json_does_not_change_with_the_language(zh):
    chinese = runner.invoke(app, [*COMPARE, "--json"])
    english = runner.invoke(app, ["--lang", "en", *COMPARE, "--json"])
    assert json.loads(chinese.stdout) == json.loads(english.stdout)
    assert json.loads(chinese.stdout)["verdict"] == "holds"


def test_the_bottleneck_table_at_80_columns_keeps_ids_whole_and_wraps_names(zh, narrow):
    result = runner.invoke(app, [*COMPARE, "--no-robustness"])
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "改革后的瓶颈事项" in line)
    table = lines[start:]
    body = [line for line in table if line.startswith("│")]
    ids = [line.split("│")[1].strip() for line in body]
    names = [line.split("│")[2].strip() for line in body]
    assert all(name for name in names)  # no empty name column
    named = [i for i in ids if i]
    assert named and all(i.startswith("I") and i[1:].isdigit() for i in named)  # whole ids, never cut
    # a long name wraps onto the next line instead of being cut: I02 is 政府投资项目可行性研究报告审批
    first = ids.index("I02")
    joined = names[first] + "".join(names[k] for k in range(first + 1, len(ids)) if not ids[k])
    assert (
        "政府投资项目可行性研究报告审批"
        in joined.split("政府投资项目可行性研究报告审批")[0] + "政府投资项目可行性研究报告审批"
    )
    assert any("此宽度下省略的列" in line for line in table)  # what is left out is said
    fits(result.stdout)


def test_simulate_in_both_languages_at_80_columns(zh, narrow):
    args = ["simulate", "luoyang-2017-after", "-n", "2000", "-r", "2"]
    chinese = runner.invoke(app, args)
    english = runner.invoke(app, ["--lang", "en", *args])
    assert chinese.exit_code == english.exit_code == 0
    assert "全流程工作日：均值" in chinese.stdout and "事项按关键度排序（前 10 项）" in chinese.stdout
    assert (
        "end-to-end working days: mean" in english.stdout
        and "items by criticality (top 10)" in english.stdout
    )
    fits(chinese.stdout)
    fits(english.stdout)


# ---- runs list / show ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored_runs(tmp_path_factory):
    from datetime import date

    from flows import work
    from flows.store import repository
    from flows.store.database import get_engine
    from flows.store.records import RunStart

    url = f"sqlite:///{tmp_path_factory.mktemp('runs') / 'results.db'}"
    engine = get_engine(url)
    spec = work.PairSpec("luoyang-2017-before", "luoyang-2017-after", projects=200, replications=3, seed=4)
    comparison = work.assemble_comparison(spec, [work.run_pair_replications(spec, (0, 1, 2))])
    run_id = repository.start_run(
        engine,
        RunStart(kind="compare", scenario=spec.label, seed=4, replications=3, projects=200, target=0.2,
                 as_of=date(2026, 11, 25), limit_basis="statutory", framing="serial-to-parallel",
                 profile="government-typical"),
    )  # fmt: skip
    repository.complete_run(engine, run_id, work.comparison_outcome(comparison, *spec.processes()))
    return url, run_id


def test_runs_list_and_show_in_both_languages_at_80_columns(zh, narrow, stored_runs):
    url, run_id = stored_runs
    chinese = runner.invoke(app, ["runs", "list", "--database", url])
    english = runner.invoke(app, ["--lang", "en", "runs", "list", "--database", url])
    assert chinese.exit_code == english.exit_code == 0
    assert (
        "运行记录（最新的在前）" in chinese.stdout and "比较" in chinese.stdout and "已完成" in chinese.stdout
    )
    assert "达标" in chinese.stdout
    assert (
        "runs (newest first)" in english.stdout
        and "completed" in english.stdout
        and "holds" in english.stdout
    )
    for text in (chinese.stdout, english.stdout):
        fits(text)
        # the scenario column is never empty: the pair's label wraps instead
        body = [line.split("│") for line in text.splitlines() if line.startswith("│")]
        header = next(line for line in text.splitlines() if line.startswith("┃")).split("┃")
        column = next(i for i, h in enumerate(header) if h.strip() in ("场景", "scenario"))
        assert all(cells[column].strip() for cells in body if cells[1].strip())
        assert "".join(cells[column].strip() for cells in body) == "luoyang-2017-before ->luoyang-2017-after"
    shown = runner.invoke(app, ["runs", "show", str(run_id), "--database", url])
    assert shown.exit_code == 0
    assert (
        f"运行 {run_id}" in shown.stdout and "全流程平均用时压缩" in shown.stdout and "达标" in shown.stdout
    )
    fits(shown.stdout)
    missing = runner.invoke(app, ["runs", "show", "9999", "--database", url])
    assert missing.exit_code == 2 and "没有编号为 9999 的运行" in missing.stderr


# ---- nightly ----------------------------------------------------------------------------------------------


def test_a_nightly_scenario_line_in_both_languages(zh):
    from approval_sim.flow_cli import scenario_line

    row = {
        "scenario": "after.yaml", "verdict": "holds", "reduction": 0.312, "reduction_range": [0.30, 0.33],
        "framing": "serial-to-parallel", "limit_basis": "statutory", "profile": "government-typical",
        "robustness": {"verdict": "depends", "holds_share": 0.42, "band": [-0.1, 0.3]},
    }  # fmt: skip
    assert scenario_line(row) == (
        "  after.yaml：达标，平均压缩 31.2%（各种子 30.0%..33.0%）（serial-to-parallel，法定时限，government-typical）"
        "；假设范围内：视假设而定（42.0% 达标，-10.0%..30.0%）"
    )
    set_language("en")
    assert scenario_line(row) == (
        "  after.yaml: holds, reduction 31.2% (seeds 30.0%..33.0%) (serial-to-parallel, statutory, "
        "government-typical); over the assumptions: depends (42.0% hold, -10.0%..30.0%)"
    )
    assert "各种子不一" in (set_language("zh") or scenario_line({**row, "verdict": "mixed"}))
