"""Other commands in both languages at 80 columns (claims, supervise, catalog, analyze, reform diff, calendar,
every help screen), and refusals of bad input shown in Chinese with the place and the fix."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from rich.cells import cell_len
from typer.testing import CliRunner

from approval_sim.cli import app
from tests.terminal import fits
from tests.test_messages import BAD_SCENARIO

runner = CliRunner()

# ---- claims ----------------------------------------------------------------------------------------------


def test_claims_in_both_languages_at_80_columns_subjects_wrap_ids_whole(zh, narrow):
    from approval_model.claims import load_claims

    claims = {c.id: c for c in load_claims()}
    chinese = runner.invoke(app, ["claims"])
    english = runner.invoke(app, ["--lang", "en", "claims"])
    assert chinese.exit_code == english.exit_code == 0
    assert "方案3：办税便利化" in chinese.stdout and "条不一致" in chinese.stdout
    assert "Plan 3: 办税便利化 (tax facilitation)" in english.stdout and re.search(
        r"\d+ inconsistent", english.stdout
    )
    for text, subject in ((chinese.stdout, "subject"), (english.stdout, "subject_en")):
        fits(text)
        rows = [line.split("│") for line in text.splitlines() if line.startswith("│")]
        # every claim id whole in the key column, and its subject (wrapped over lines) never empty
        ids = [cells[1].strip() for cells in rows]
        shown = [i for i in ids if i]
        assert set(shown) == set(claims)
        for index, claim_id in enumerate(ids):
            if not claim_id:
                continue
            parts = [rows[index][2].strip()]
            for k in range(index + 1, len(ids)):
                if ids[k]:
                    break
                parts.append(rows[k][2].strip())
            expected = getattr(claims[claim_id], subject) or claims[claim_id].subject
            wrapped = "".join(parts) if subject == "subject" else " ".join(parts)
            assert wrapped.replace(" ", "") == expected.replace(" ", ""), claim_id


# ---- supervise -------------------------------------------------------------------------------------------

SUPERVISION = Path(__file__).parent / "data" / "supervision"


def test_supervise_in_both_languages_at_80_columns(zh, narrow):
    args = ["supervise", str(SUPERVISION / "in_progress.csv"), "--as-of", "2017-10-16"]
    chinese = runner.invoke(app, args)
    english = runner.invoke(app, ["--lang", "en", *args])
    assert chinese.exit_code == english.exit_code == 0
    assert "限时办结督办，截至 2017-10-16（法定时限）" in chinese.stdout and "分部门汇总" in chinese.stdout
    assert "超期办结" in chinese.stdout and "市住房城乡建设委" in chinese.stdout
    assert "Time-limit supervision as of 2017-10-16 (statutory limits)" in english.stdout
    assert "done late" in english.stdout
    for text in (chinese.stdout, english.stdout):
        fits(text)
        rows = [line.split("│") for line in text.splitlines() if line.startswith("│")]
        # the follow-up list keeps who must act: item id and department on every row
        assert [cells[2].strip() for cells in rows[:7]] == ["I04", "I27", "I26", "I05", "I12", "I27", "I02"]
        assert all(cells[3].strip() for cells in rows[:7])


def test_supervise_row_problems_in_chinese_with_row_column_and_fix(zh):
    result = runner.invoke(
        app, ["supervise", str(SUPERVISION / "mixed.csv"), "--as-of", "2017-10-16", "--strict"]
    )
    assert result.exit_code == 2
    assert "mixed.csv：2 个问题（因 --strict 未出报告；不加它则报告正确的行）" in result.stderr
    assert "第 3 行，'item_id' 列：未知的事项编号 'I99'（是否指 'I39'？）。修改方法：" in result.stderr
    assert "第 6 行，'accepted' 列：'yesterday' 不是日期。修改方法：日期写作 YYYY-MM-DD" in result.stderr
    english = runner.invoke(
        app,
        ["--lang", "en", "supervise", str(SUPERVISION / "mixed.csv"), "--as-of", "2017-10-16", "--strict"],
    )
    assert "row 3, column 'item_id': unknown item id 'I99' (did you mean 'I39'?). Fix:" in english.stderr
    json_zh = runner.invoke(
        app, ["supervise", str(SUPERVISION / "mixed.csv"), "--as-of", "2017-10-16", "--keep-going", "--json"]
    )
    json_en = runner.invoke(
        app,
        [
            "--lang",
            "en",
            "supervise",
            str(SUPERVISION / "mixed.csv"),
            "--as-of",
            "2017-10-16",
            "--keep-going",
            "--json",
        ],
    )
    assert json.loads(json_zh.stdout) == json.loads(json_en.stdout)
    assert (
        json.loads(json_zh.stdout)["rejected"][0]["message"] == "unknown item id 'I99' (did you mean 'I39'?)"
    )


# ---- every converted command: both languages, 80 columns --------------------------------------------------

COMMANDS = {
    "catalog list": (["catalog", "list", "luoyang-2017-full-after"], "个事项", "items"),
    "catalog names": (["catalog", "names"], "场景：", "scenarios:"),
    "catalog metrics": (["catalog", "metrics"], "方案 4 项目标中达到 2 项", "2 of 4 plan targets met"),
    "analyze": (["analyze", "luoyang-2017-before", "luoyang-2017-after"], "关键路径：", "critical path:"),
    "reform diff": (
        ["reform", "diff", "luoyang-2017-before", "luoyang-2017-after"],
        "改革审计",
        "reform audit",
    ),
    "calendar": (
        ["calendar", "add", "2027-01-01", "3"],
        "不在官方日历数据",
        "outside the official calendar data",
    ),
}


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_in_both_languages_fits_80_columns(zh, narrow, name):
    args, chinese_phrase, english_phrase = COMMANDS[name]
    chinese = runner.invoke(app, args)
    english = runner.invoke(app, ["--lang", "en", *args])
    assert chinese.exit_code == english.exit_code == 0, chinese.output
    assert chinese_phrase in chinese.stdout and english_phrase not in chinese.stdout
    assert english_phrase in english.stdout and chinese_phrase not in english.stdout
    if name != "calendar":  # the answer and its note stay on one line, for scripts that read the first word
        fits(chinese.stdout)
        fits(english.stdout)


def test_catalog_metrics_verdict_words(zh):
    chinese = runner.invoke(app, ["catalog", "metrics"]).stdout
    english = runner.invoke(app, ["--lang", "en", "catalog", "metrics"]).stdout
    # the plan's four: items and materials missed, handling limit and online share met (README, measured)
    assert chinese.count("达标") - chinese.count("未达标") >= 2 and "未达标" in chinese
    assert "PASS" in english and "FAIL" in english and "达标" not in english


def test_every_help_screen_is_chinese_by_default_and_whole_at_80_columns(zh, narrow):
    """Each command's help text is translated (the catalog check makes sure each has Chinese), --help's own
    line too, and no help text is cut to an ellipsis in the narrow help column (a Chinese sentence has no
    space to wrap at: it folds)."""
    import typer.main

    group = typer.main.get_command(app)
    paths = [[name] for name in group.commands]
    paths += [
        [name, sub] for name, command in group.commands.items() for sub in getattr(command, "commands", {})
    ]
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0
        assert re.search(r"[\u4e00-\u9fff]", result.output), path
        assert "显示此帮助并退出" in result.output and "Show this message" not in result.output, path
        assert not re.search(r"(?<!…)…(?!…)", result.output), (path, result.output)  # "……" is the text's own
        assert max(cell_len(line) for line in result.output.splitlines()) <= 80, path
    english = runner.invoke(app, ["--lang", "en", "supervise", "--help"]).output
    assert "Show this message" in english and "显示" not in english


def test_a_queue_that_cannot_keep_up_is_refused_in_chinese_with_the_fix(zh, tmp_path):
    """simulations.load raises with Messages: the domain stays language-neutral, the CLI shows Chinese."""
    scenario = {
        "name": "busy",
        "departments": [{"id": "d", "name": "某局", "capacity": 5}],
        "stages": [{"id": "S", "name": "阶段"}],
        "items": [
            {
                "id": "A",
                "name": "事项",
                "department": "d",
                "stage": "S",
                "statutory_limit_days": 5,
                "handling_days": {"distribution": "exponential", "mean": 2},
            },
        ],
        "simulation": {"arrivals": {"per_working_day": 3}},
    }
    path = tmp_path / "busy.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["simulate", str(path), "-n", "200", "-r", "2"])
    assert result.exit_code == 2
    # 3 projects a day x 2 working days of handling / 5 desks = 1.2 >= 1; 7 desks or < 2.5 a day fix it
    assert "错误：busy：排队无法消化" in result.stderr and "d：负荷率 1.20" in result.stderr
    assert "受理能力提高到 7 或以上，或到达率低于每工作日 2.5" in result.stderr
    english = runner.invoke(app, ["--lang", "en", "simulate", str(path), "-n", "200", "-r", "2"])
    assert "d: offered load 1.20" in english.stderr and "fix: capacity 7 or more" in english.stderr


def test_type_errors_of_a_scenario_in_chinese_and_english(zh, tmp_path):
    """pydantic's type errors become messages of the catalog (its own English words only as a last resort)."""
    scenario = dict(BAD_SCENARIO)
    scenario.pop("foo")
    scenario["items"] = [
        {"id": "A", "name": "立项", "department": "fgw", "stage": "S1", "statutory_limit_days": 5,
         "online": "maybe", "kind": "magic", "prerequisites": 7},
    ]  # fmt: skip
    path = tmp_path / "types.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    chinese = runner.invoke(app, ["check", str(path)])
    assert chinese.exit_code == 2, chinese.output  # never a traceback, even for prerequisites: 7
    assert (
        "'online' 应为布尔值（true 或 false）（实际为 'maybe'）。修改方法：填写预期类型的值" in chinese.stderr
    )
    assert "'prerequisites' 应为列表（实际为 7）" in chinese.stderr
    assert (
        "'kind' 必须是 'approval', 'intermediary', 'utility', 'notice' or 'applicant' 之一（实际为 'magic'）"
        in (chinese.stderr)
    )
    english = runner.invoke(app, ["--lang", "en", "check", str(path)])
    assert (
        "'online' must be true or false (got 'maybe'). Fix: write a value of the expected type"
        in english.stderr
    )
    assert "'prerequisites' must be a list (got 7)" in english.stderr


def test_a_table_that_cannot_be_read_is_refused_in_chinese(zh):
    """readers.tables raises with Messages: file, what is wrong with the header, and the columns it needs."""
    result = runner.invoke(app, ["supervise", str(SUPERVISION / "bad_header.csv"), "--as-of", "2017-10-16"])
    assert result.exit_code == 2
    assert (
        "bad_header.csv：第 1 行（表头）：缺少列 'accepted'; 未知的列 'accepted_on'（是否指 'accepted'？）"
        in result.stderr
    )
    assert "修改方法：列为 project_code, item_id, accepted, clock_stops, completed" in result.stderr
    english = runner.invoke(
        app, ["--lang", "en", "supervise", str(SUPERVISION / "bad_header.csv"), "--as-of", "2017-10-16"]
    )
    assert (
        "row 1 (header): missing column 'accepted'; unknown column 'accepted_on' (did you mean 'accepted'?)"
        in (english.stderr)
    )


def test_a_calendar_override_file_is_refused_in_chinese_with_the_entry_and_the_fix(zh, tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text(
        "years:\n  2027:\n    holidays: [2027-01-01, {from: 2027-02-10, to: 2027-02-06}]\n", encoding="utf-8"
    )
    chinese = runner.invoke(app, ["calendar", "add", "2027-01-01", "3", "--overrides", str(path)])
    assert chinese.exit_code == 2
    assert (
        f"错误：日历覆盖文件 '{path}'，2027 年，holidays 第 2 条：'from' 2027-02-10 晚于 'to' 2027-02-06。"
        in (chinese.stderr)
    )
    english = runner.invoke(
        app, ["--lang", "en", "calendar", "add", "2027-01-01", "3", "--overrides", str(path)]
    )
    assert (
        "year 2027, holidays entry #2: 'from' 2027-02-10 is after 'to' 2027-02-06. Fix: swap them"
        in english.stderr
    )
