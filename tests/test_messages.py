"""Chinese first: the catalog is complete and used, the language switch (--lang, APPROVAL_SIM_LANG) works,
and JSON does not change with the language."""

from __future__ import annotations

import ast
import json
import pickle
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from approval_model.problems import Problem, ScenarioError
from approval_sim.cli import app
from messages import Message, _, fields, localize, parse_language, set_language
from tools import message_catalog

runner = CliRunner()

BAD_SCENARIO = {
    "name": "bad",
    "departments": [{"id": "fgw", "name": "市发展改革委"}],
    "stages": [{"id": "S1", "name": "立项"}],
    "items": [
        {"id": "A", "name": "立项", "department": "zrzy", "stage": "S1", "statutory_limit_days": -3},
    ],
    "foo": 1,
}


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(BAD_SCENARIO, allow_unicode=True), encoding="utf-8")
    return path


# ---- the catalog -----------------------------------------------------------------------------------------


def test_every_string_has_chinese_every_entry_is_used_and_the_mo_is_compiled():
    """The extractor (Babel, over every package, plus the help of every command) against the catalog."""
    assert message_catalog.problems() == []


def test_translations_keep_the_placeholders_of_their_source():
    """A translation that drops or renames a field would raise (or say something else) at run time."""
    catalog = message_catalog.read_catalog()
    for entry in catalog:
        if entry.id and entry.string and isinstance(entry.id, str):
            assert sorted(fields(entry.id)) == sorted(fields(str(entry.string))), entry.id


def test_the_extractor_sees_marked_strings_messages_and_command_help():
    found = {f.msgid: f.place for f in message_catalog.extracted()}
    assert "error: {message}" in found  # _()
    assert "working days" in found  # N_() in the domain
    assert "unknown department '{department}'{hint}" in found  # Message()
    assert found["Runs, newest first."] == "command runs list"  # a docstring shown as help


# ---- Message and the language ----------------------------------------------------------------------------


def test_a_message_is_english_text_and_localizes_when_shown(zh):
    message = Message("unknown department '{department}'{hint}", department="zz", hint="")
    assert message == "unknown department 'zz'"
    assert json.dumps({"m": message}) == '{"m": "unknown department \'zz\'"}'
    assert localize(message) == "未知的部门 'zz'"
    assert pickle.loads(pickle.dumps(message)).localized() == "未知的部门 'zz'"
    set_language("en")
    assert localize(message) == "unknown department 'zz'"
    assert localize("plain text") == "plain text"


def test_a_message_is_a_brace_template_even_without_values(zh):
    assert Message("write {{per_working_day: 0.5}}") == "write {per_working_day: 0.5}"


def test_nested_messages_localize_at_every_depth(zh):
    problem = Problem(
        ("items", 0, "stage"), Message("stage '{stage}' is not declared{hint}", stage="X", hint="")
    )
    error = ScenarioError("f.yaml", [problem])
    assert str(error) == "f.yaml: 1 problem\n  - f.yaml: items[0].stage: stage 'X' is not declared"
    assert error.localized() == "f.yaml：1 个问题\n  - f.yaml: items[0].stage：阶段 'X' 未声明"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zh", "zh"),
        ("zh_CN.UTF-8", "zh"),
        ("zh-Hans", "zh"),
        ("EN", "en"),
        ("en_US.UTF-8", "en"),
        ("fr", None),
    ],
)
def test_language_names(text, expected):
    assert parse_language(text) == expected


def test_chinese_is_the_default(zh):
    assert _("error: {message}") == "错误：{message}"


# ---- the switch on the command line ----------------------------------------------------------------------


def test_scenario_errors_in_chinese_by_default_with_place_and_fix(zh, bad_file):
    result = runner.invoke(app, ["check", str(bad_file)])
    assert result.exit_code == 2
    text = result.stderr
    assert f"{bad_file}：3 个问题" in text
    # the place stays what the user finds in the file (line, id, key path), the words are Chinese
    assert (
        f"{bad_file}:6: 事项 'A'（items[0].department）：未知的部门 'zrzy'。修改方法：请使用已声明的部门之一（fgw）"
        in text
    )
    assert "必须是 0.01 到 1,000 之间的数字（单位：工作日；实际为 -3）" in text
    assert "未知的键 'foo'" in text
    assert "Fix" not in text and "unknown" not in text


@pytest.mark.parametrize("how", ["option", "option-after", "env"])
def test_the_same_errors_in_english_by_option_or_environment(zh, bad_file, how, monkeypatch):
    args = ["check", str(bad_file)]
    if how == "option":
        args = ["--lang", "en", *args]
    elif how == "option-after":
        args = [*args, "--lang=en"]
    else:
        monkeypatch.setenv("APPROVAL_SIM_LANG", "en")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert f"{bad_file}: 3 problems" in result.stderr
    assert (
        "items[0].department): unknown department 'zrzy'. Fix: use one of the declared departments (fgw)"
        in (result.stderr)
    )
    assert "must be a number from 0.01 to 1,000 working days (got -3)" in result.stderr
    assert "未知" not in result.stderr


def test_the_option_wins_over_the_environment(zh, bad_file, monkeypatch):
    monkeypatch.setenv("APPROVAL_SIM_LANG", "en")
    result = runner.invoke(app, ["--lang", "zh", "check", str(bad_file)])
    assert "未知的部门" in result.stderr


@pytest.mark.parametrize("how", ["option", "env"])
def test_an_unknown_language_is_refused_in_both_languages(zh, how, monkeypatch):
    args = ["catalog", "names"]
    if how == "option":
        args = ["--lang", "fr", *args]
    else:
        monkeypatch.setenv("APPROVAL_SIM_LANG", "klingon")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "只能是 zh 或 en" in result.stderr and "must be zh or en" in result.stderr


def test_help_in_the_chosen_language(zh):
    chinese = runner.invoke(app, ["--help"]).output
    assert "检查场景文件" in chinese and "命令" in chinese and "Check a scenario file" not in chinese
    english = runner.invoke(app, ["--lang", "en", "--help"]).output
    assert "Check a scenario file" in english and "检查场景文件" not in english
    sub = runner.invoke(app, ["runs", "list", "--help"]).output
    assert "运行记录，最新的在前" in sub


def test_json_is_the_same_in_both_languages(zh):
    args = ["analyze", "luoyang-2017-before", "luoyang-2017-after", "--json"]
    chinese = runner.invoke(app, args)
    english = runner.invoke(app, ["--lang", "en", *args])
    assert chinese.exit_code == english.exit_code == 0
    assert json.loads(chinese.stdout) == json.loads(english.stdout)


# ---- no bare English in the converted modules ------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
# modules whose every user-facing string goes through the catalog; add a module here once converted
CONVERTED = [
    "approval_sim/cli.py",
    "approval_sim/errors.py",
    "approval_sim/language.py",
    "approval_model/problems.py",
    "approval_model/consistency.py",
    "approval_sim/sim_cli.py",
    "approval_sim/calibrate_cli.py",
    "approval_sim/workbook_cli.py",
    "approval_sim/sim_views.py",
    "approval_sim/clock_views.py",
    "approval_sim/output.py",
    "approval_sim/tables.py",
    "approval_sim/words.py",
    "approval_sim/run_views.py",
    "approval_sim/runs_cli.py",
    "approval_sim/views.py",
    "approval_sim/process_cli.py",
    "approval_sim/calendar_cli.py",
    "approval_sim/server_cli.py",
    "approval_sim/sensitivity_cli.py",
    "approval_sim/options.py",
    "approval_sim/progress.py",
    "approval_sim/plan_cli.py",
    "approval_model/supervision.py",
    "approval_model/supervision_records.py",
    "approval_sim/rules_cli.py",
    "approval_sim/validation_cli.py",
    "approval_model/scenario.py",
    "approval_model/scenario_document.py",
    "approval_model/scenario_merge.py",
    "approval_model/scenario_problems.py",
    "approval_model/models.py",
    "approval_model/safe_yaml.py",
    "approval_model/profiles.py",
    "rules/scenario.py",
    "simulations/load.py",
    "flows/session.py",
    "approval_sim/flow_cli.py",
    "approval_sim/export_cli.py",
    "readers/tables.py",
    "readers/calendar_overrides.py",
    "workbooks/cells.py",
    "workbooks/importer.py",
    "workbooks/sheets.py",
    "workbooks/tables.py",
]
MARKERS = {"_", "N_", "Message", "pgettext", "ngettext"}
DATA_CALLS = {"get", "join", "strftime", "isoformat", "startswith", "endswith", "replace", "removesuffix"}
# call -> positional arguments that users read (None: all) and keywords that users read
SINKS: dict[str, tuple[tuple[int, ...] | None, tuple[str, ...]]] = {
    "print": (None, ()),
    "echo": ((0,), ()),
    "write": ((0,), ()),
    "UserError": ((0,), ()),
    "ValueError": ((0,), ()),
    "fail": ((0,), ()),
    "warn": ((0,), ()),
    "Problem": ((1, 2), ("message", "fix")),
    "RowProblem": ((3, 4), ("message", "fix")),
    "problem": ((1, 2), ()),  # workbooks' SheetReader.problem(place, message, fix)
    "CellError": ((0, 1), ()),
    "WorkbookProblem": ((1, 2), ()),
    "bad": ((2, 3), ()),
    "Table": ((), ("title", "caption")),
    "add_column": ((0,), ("header",)),
    "add_row": (None, ()),
}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _bare_english(node: ast.AST) -> list[str]:
    """English words in string literals of ``node`` that no translation marker wraps."""
    if isinstance(node, ast.Call) and _name(node) in MARKERS:
        return []
    if isinstance(node, ast.Subscript):  # data["key"]: a key, not words
        return _bare_english(node.value)
    if isinstance(node, ast.Call) and _name(node) in DATA_CALLS:  # data.get("key"), ", ".join(...)
        return _bare_english(node.func)
    if isinstance(node, ast.Compare):  # verdict == "holds": a value, not words
        return []
    if isinstance(node, ast.IfExp):
        return _bare_english(node.body) + _bare_english(node.orelse)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = re.sub(r"\[/?[a-z ]*\]", "", node.value)  # rich markup is not words
        return [node.value] if re.search(r"[A-Za-z]{3,}", text) else []
    found: list[str] = []
    for child in ast.iter_child_nodes(node):
        found += _bare_english(child)
    return found


def _user_facing_literals(path: Path) -> list[str]:
    return _literals_in(ast.parse(path.read_text(encoding="utf-8")), path.name)


def _literals_in(tree: ast.AST, name: str) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        positions, keywords = SINKS.get(_name(node), ((), ()))
        args = node.args if positions is None else [a for i, a in enumerate(node.args) if i in positions]
        values = args + [k.value for k in node.keywords if k.arg in (*keywords, "help")]
        for value in values:
            found += [f"{name}:{node.lineno}: {text!r}" for text in _bare_english(value)]
    return found


@pytest.mark.parametrize("module", CONVERTED)
def test_no_bare_english_in_a_converted_module(module):
    assert _user_facing_literals(ROOT / module) == []


def test_the_literal_check_finds_bare_english(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'console.print(f"reduction {x}")\nconsole.print(_("reduction {x}"))\ntable.add_column("item")\n'
        'Problem(("items", 0), Message("bad"), "fix it")\nconsole.print("[bold]{x}[/bold]")\n',
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[1] for line in _user_facing_literals(sample)] == [
        "'reduction '",
        "'item'",
        "'fix it'",
    ]


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


def _fits(text: str, width: int = 80) -> None:
    from rich.cells import cell_len

    for line in text.splitlines():
        assert cell_len(line) <= width, line
    assert "…" not in text  # nothing cut to an ellipsis


@pytest.fixture
def narrow(monkeypatch):
    """A terminal of 80 columns (rich reads COLUMNS when the output is not a terminal)."""
    monkeypatch.setenv("COLUMNS", "80")


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
    _fits(text)


def test_compare_in_english_by_option(zh, narrow):
    result = runner.invoke(app, ["--lang", "en", *COMPARE])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "verdict on 20% (serial-to-parallel): holds" in text
    assert "parallel-to-parallel: 129" in text and "fails on 20%" in text
    assert "bottlenecks in the reform (by criticality)" in text
    assert "达标" not in text and "压缩" not in text
    _fits(text)


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
    _fits(result.stdout)


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
    _fits(chinese.stdout)
    _fits(english.stdout)


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
        _fits(text)
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
    _fits(shown.stdout)
    missing = runner.invoke(app, ["runs", "show", "9999", "--database", url])
    assert missing.exit_code == 2 and "没有编号为 9999 的运行" in missing.stderr


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
        _fits(text)
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
        _fits(text)
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
        _fits(chinese.stdout)
        _fits(english.stdout)


def test_catalog_metrics_verdict_words(zh):
    chinese = runner.invoke(app, ["catalog", "metrics"]).stdout
    english = runner.invoke(app, ["--lang", "en", "catalog", "metrics"]).stdout
    # the plan's four: items and materials missed, handling limit and online share met (README, measured)
    assert chinese.count("达标") - chinese.count("未达标") >= 2 and "未达标" in chinese
    assert "PASS" in english and "FAIL" in english and "达标" not in english


def test_every_help_screen_is_chinese_by_default(zh):
    """Each command's help text is translated (the catalog check makes sure each has Chinese)."""
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
