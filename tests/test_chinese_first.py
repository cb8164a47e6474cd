"""Chinese first, where the audit of issue 14 found English a Chinese user still saw by default: the
sensitivity report's skipped variations, the nightly batch's progress lines (both made in the domain or
the flow, so stored in English, and shown in the user's language)."""

from __future__ import annotations

import json
import re

import pytest
from rich.cells import cell_len

from approval_model.models import Process
from messages import Message, localize
from simulations.sweep import build_variations

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def skipped() -> list[dict]:
    """Every kind of skipped variation a small process has, as the flow stores them (JSON: plain text)."""
    process = Process.model_validate(
        {
            "name": "small",
            "departments": [
                {"id": "one", "name": "单窗口", "capacity": 1},
                {"id": "free", "name": "无限"},
                {"id": "idle", "name": "闲置", "capacity": 4},
            ],
            "stages": [{"id": "S1", "name": "立项"}],
            "items": [
                {"id": "A", "name": "甲", "department": "one", "stage": "S1", "statutory_limit_days": 5},
                {"id": "B", "name": "乙", "department": "free", "stage": "S1", "statutory_limit_days": 3},
            ],
        }
    )
    _variations, found = build_variations(process)
    return json.loads(json.dumps([s.as_dict() for s in found]))


def _report(skipped: list[dict]) -> dict:
    return {
        "process": "small",
        "mean_days": 5.0,
        "mean_days_ci95": [4.9, 5.1],
        "mode": "parallel",
        "engine": "montecarlo",
        "projects": 1000,
        "replications": 2,
        "seed": 0,
        "by": 0.2,
        "variations": [],
        "skipped": skipped,
    }


def test_skipped_variations_are_said_in_chinese_by_default(zh, skipped, capsys, monkeypatch):
    from approval_sim import sensitivity_cli

    monkeypatch.setenv("COLUMNS", "80")
    reasons = {s["reason"] for s in skipped}
    # the stored reasons stay English (JSON is a contract) ...
    assert {"handles no item", "no capacity: files never queue there", "nothing waits for it"} <= reasons
    sensitivity_cli._print(7, _report(skipped), 15)
    out = capsys.readouterr().out
    # ... and none of them reaches a Chinese user in English: every reason line is Chinese
    lines = [line for line in out.splitlines() if line.startswith("  ")]
    assert len(lines) == len({(s["parameter"], s["reason"]) for s in skipped})
    for line in lines:
        assert CJK.search(line.split("：", 1)[-1]), line
        assert not re.search(r"[A-Za-z]{3,} [a-z]{3,}", line), line
    assert "不办理任何事项" in out and "1,000 个项目" in out
    assert all(cell_len(line) <= 80 for line in out.splitlines())


def test_skipped_variations_in_english_by_option(skipped, capsys):
    from approval_sim import sensitivity_cli

    sensitivity_cli._print(7, _report(skipped), 15)
    out = capsys.readouterr().out
    assert "capacity: handles no item" in out and not CJK.search(out.replace("补正", ""))


@pytest.mark.parametrize(
    ("message", "chinese"),
    [
        (
            Message(
                "{files} scenario file(s), {comparisons} comparison(s) to run, {invalid} invalid file(s)",
                files=3,
                comparisons=5,
                invalid=1,
            ),
            "3 个场景文件，待运行 5 项比较，1 个无效文件",
        ),
        (Message("compared {file} for seed(s) {seeds}", file="a.yaml", seeds="0, 1"), "已比较 a.yaml"),
        (
            Message("exported {label} ({count} seed(s))", label="x -> y", count=2),
            "已导出 x -> y（2 个随机种子）",
        ),
    ],
)
def test_nightly_progress_lines_in_chinese(zh, message, chinese):
    """The flow reports these through flows.progress; the command's status line localizes them."""
    assert chinese in localize(message)
    assert str(message).isascii()  # the flow's own text (logs) stays English


# ---- Prefect's lines never after the command's own output ----------------------------------------------


def test_prefect_lines_on_the_status_in_chinese(zh, capsys):
    import logging

    from approval_sim.progress import Status, prefect_console_to

    status = Status("demo")
    with prefect_console_to(status):
        logging.getLogger("approval-sim-test").warning("something Prefect says")
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1].endswith(" s  Prefect 警告：something Prefect says"), err


def test_a_flow_command_drains_prefects_queues_before_the_command_prints(monkeypatch):
    """Prefect's log and event workers say "Still processing items..." while they drain: that happens when the
    flow returns, on the status line, not after the results when the command exits."""
    from approval_sim import progress
    from flows import session

    order: list[str] = []
    monkeypatch.setattr(session, "drain_prefect_workers", lambda: order.append("drained"))
    command = progress.FlowCommand("demo")
    monkeypatch.setattr(command.session, "ready", lambda: None)
    try:
        assert command.run(lambda: order.append("flow") or 42) == 42
        order.append("results printed")
    finally:
        command._console.close()
    assert order == ["flow", "drained", "results printed"]


def test_assumptions_by_their_chinese_label_by_default(zh, monkeypatch):
    """The robustness lines name an assumption by the label of approval_model/data/assumptions.yaml."""
    from pathlib import Path

    import yaml

    from approval_sim import words

    data = yaml.safe_load(
        (Path(__file__).parents[1] / "approval_model" / "data" / "assumptions.yaml").read_text(
            encoding="utf-8"
        )
    )
    label = data["promise_keeping"]["label"]
    assert CJK.search(label)
    assert words.assumption("promise_keeping") == f"{label}（promise_keeping）"
    assert words.assumption("promise_keeping", with_key=False) == label
    assert words.assumption("not_an_assumption") == "not_an_assumption"
    monkeypatch.setenv("APPROVAL_SIM_LANG", "en")
    assert words.assumption("promise_keeping") == "promise_keeping"


# ---- catalog import: a planner's workbook refused in Chinese -------------------------------------------


def test_a_bad_catalog_workbook_is_refused_in_chinese_with_place_and_fix(zh, tmp_path):
    import openpyxl
    from typer.testing import CliRunner

    from approval_sim.cli import app

    runner = CliRunner()
    book = tmp_path / "catalog.xlsx"
    assert runner.invoke(app, ["catalog", "export", "luoyang-2017-after", "--out", str(book)]).exit_code == 0
    workbook = openpyxl.load_workbook(book)
    items = workbook["事项 items"]
    header = [cell.value for cell in items[1]]
    limit = next(i for i, h in enumerate(header, start=1) if h and h.endswith("statutory_limit_days"))
    items.cell(row=5, column=limit, value="twenty")
    workbook.save(book)
    out = tmp_path / "x.yaml"
    chinese = runner.invoke(app, ["catalog", "import", str(book), "--out", str(out)])
    assert chinese.exit_code == 2 and not out.exists()
    assert "1 个问题；未写出任何文件" in chinese.stderr
    assert "工作表 '事项 items'" in chinese.stderr and "第 5 行" in chinese.stderr
    assert "法定时限（工作日） statutory_limit_days" in chinese.stderr
    assert "'twenty' 不是数字。修改方法：" in chinese.stderr
    english = runner.invoke(app, ["--lang", "en", "catalog", "import", str(book), "--out", str(out)])
    assert english.exit_code == 2
    assert "1 problem; nothing was written" in english.stderr
    assert "sheet '事项 items', row 5, column" in english.stderr
    assert "'twenty' is not a number. Fix: type a plain number without units, e.g. 20" in english.stderr
    missing = runner.invoke(app, ["catalog", "import", str(tmp_path / "none.xlsx"), "--out", str(out)])
    assert missing.exit_code == 2 and "没有这个文件" in missing.stderr


def test_the_stage_clock_names_the_stages_in_chinese(zh):
    """国办发〔2019〕11号's four stages by name; English keeps the ids scripts quote."""
    from typer.testing import CliRunner

    from approval_sim.cli import app

    arguments = ["simulate", "national-2019-after", "-n", "200", "-r", "1"]
    chinese = CliRunner().invoke(app, arguments).stdout
    line = next(line for line in chinese.splitlines() if line.startswith("各阶段审批时间"))
    for name in ("立项用地规划许可阶段", "工程建设许可阶段", "施工许可阶段"):
        assert name in chinese, line
    assert not re.search(r"\bS[1-4]\b", line), line
    english = CliRunner().invoke(app, ["--lang", "en", *arguments]).stdout
    assert re.search(r"approval clock by stage \(mean wd\): S1 \d", english), english


def test_what_an_export_lacks_is_said_in_chinese(zh):
    """export's notes (what a run has no data for) were '中文 (English)' in both languages."""
    from exports import missing

    run = {"status": "failed", "kind": "nightly", "summaries": [], "payload": {}}
    english = missing(run)
    chinese = [localize(note) for note in english]
    assert (
        "run is failed: overview only" in english
        and "nightly batch: results are in the child runs" in english
    )
    assert "运行状态为 失败，只有概览" in chinese and "夜间批次：结果在各子运行中" in chinese
    assert not any(re.search(r"[A-Za-z]{4,}", note) for note in chinese), chinese
