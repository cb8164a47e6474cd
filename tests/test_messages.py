"""Chinese first: the catalog is complete and used, the language switch (--lang, APPROVAL_SIM_LANG) works,
and JSON does not change with the language. The converted modules (CONVERTED) have no bare English.

The output of the commands in both languages at 80 columns: tests/test_messages_results.py (compare, simulate,
runs, nightly) and tests/test_messages_commands.py (the other commands, refusals of bad input)."""

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
    "simulations/sweep.py",
    "exports/__init__.py",
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
