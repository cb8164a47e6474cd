"""The foundation commands: catalog list, check, analyze; exit codes and messages, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from approval_model.graph import analyse
from approval_model.profiles import applicable_process, load_profile
from approval_model.scenario import load_process
from approval_sim.cli import app

runner = CliRunner()

SCENARIO = {
    "name": "demo",
    "departments": [{"id": "fgw", "name": "市发展改革委"}],
    "stages": [{"id": "S1", "name": "立项"}],
    "items": [
        {"id": "A", "name": "立项", "department": "fgw", "stage": "S1", "statutory_limit_days": 20},
        {
            "id": "B",
            "name": "选址",
            "department": "fgw",
            "stage": "S1",
            "statutory_limit_days": 10,
            "prerequisites": ["A"],
        },
        {
            "id": "C",
            "name": "规划",
            "department": "fgw",
            "stage": "S1",
            "statutory_limit_days": 15,
            "prerequisites": ["A"],
        },
    ],
}


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_check_ok(tmp_path):
    result = runner.invoke(app, ["check", str(write(tmp_path, SCENARIO))])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "3 items" in result.output


def test_check_reports_every_problem_with_exit_2(tmp_path):
    bad = json.loads(json.dumps(SCENARIO))
    bad["items"][1]["statutory_limit_days"] = -3
    bad["items"][2]["department"] = "nobody"
    result = runner.invoke(app, ["check", str(write(tmp_path, bad))])
    assert result.exit_code == 2
    assert "2 problems" in result.output
    assert (
        "must be a number from 0.01 to 1,000 working days (got -3)" in result.output
        and "unknown department 'nobody'" in result.output
    )
    assert "Traceback" not in result.output


def test_check_yaml_syntax_error_exit_2(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [x\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "YAML syntax error" in result.output and "Traceback" not in result.output


def test_analyze_json_on_a_file(tmp_path):
    result = runner.invoke(app, ["analyze", str(write(tmp_path, SCENARIO)), "--profile", "all", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["serial_days"] == 45 and payload["parallel_days"] == 35
    assert payload["critical_path"] == ["A", "C"]
    assert abs(payload["reduction"] - (1 - 35 / 45)) < 1e-6


def test_analyze_builtin_default_matches_the_domain():
    result = runner.invoke(app, ["analyze", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    expected = analyse(
        applicable_process(load_process("luoyang-2017-before"), load_profile("government-typical"))
    )
    assert payload["serial_days"] == expected.serial_days
    assert payload["parallel_days"] == expected.parallel_days
    assert payload["critical_path"] == list(expected.critical_path)
    assert payload["profile"] == "government-typical"


def test_analyze_human_output_mentions_the_figures():
    result = runner.invoke(app, ["analyze"])
    assert result.exit_code == 0
    assert "serial" in result.output and "parallel" in result.output and "critical path" in result.output


def test_analyze_two_processes_reports_reduction(tmp_path):
    faster = json.loads(json.dumps(SCENARIO))
    faster["items"][2]["statutory_limit_days"] = 5
    first = write(tmp_path, SCENARIO)
    second = tmp_path / "faster.yaml"
    second.write_text(yaml.safe_dump(faster, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(first), str(second), "--profile", "all", "--json"])
    payload = json.loads(result.stdout)
    assert payload["baseline"]["parallel_days"] == 35 and payload["reform"]["parallel_days"] == 30
    assert abs(payload["reduction"]["parallel"] - (1 - 30 / 35)) < 1e-6


def test_catalog_list_json_fields():
    result = runner.invoke(app, ["catalog", "list", "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) == len(load_process("luoyang-2017-before").items)
    first = items[0]
    for key in ("id", "name", "department", "stage", "statutory_limit_days", "materials", "provenance"):
        assert key in first
    assert first["provenance"]["statutory_limit_days"]["status"] in ("documented", "assumed")


def test_catalog_list_table_shows_provenance():
    result = runner.invoke(app, ["catalog", "list"], env={"COLUMNS": "220"})
    assert result.exit_code == 0
    assert "documented" in result.output and "assumed" in result.output


def test_unknown_scenario_and_profile_exit_2():
    result = runner.invoke(app, ["analyze", "no-such-catalog"])
    assert result.exit_code == 2 and "no such file or built-in scenario" in result.output
    result = runner.invoke(app, ["analyze", "--profile", "goverment-typical"])
    assert result.exit_code == 2 and "did you mean 'government-typical'" in result.output


def test_help_is_light():
    """`approval-sim --help` must not import Prefect, matplotlib or numpy."""
    code = (
        "import sys\n"
        "from approval_sim.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('prefect', 'matplotlib', 'numpy', 'networkx') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in output
