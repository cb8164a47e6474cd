"""Hostile YAML: an alias bomb, self-reference and deep nesting are refused at once, naming the file (exit 2).

Every YAML file the product reads goes through :mod:`approval_model.safe_yaml`: scenarios (also inside a nightly
batch, which reads the whole folder first), profile files and the calendar override file.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from approval_model import safe_yaml
from approval_model.problems import ScenarioError
from approval_model.scenario import load_process
from approval_sim.cli import app
from readers.calendar_overrides import read_calendar

runner = CliRunner()


def bomb_text(levels: int = 9, width: int = 9) -> str:
    """The 'billion laughs': each level lists the previous one `width` times (width^levels leaves)."""
    lines = ["name: demo", f"l0: &l0 [{', '.join(['x'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    lines.append(f"items: *l{levels - 1}")
    return "\n".join(lines) + "\n"


@contextmanager
def within(seconds: float):
    """Fail the test (instead of hanging for minutes) if the block takes longer than `seconds`."""

    def expired(*_):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_alias_budget_counts_expanded_nodes_exactly():
    # 3 levels x 3. Expanded: l0 = a list of 3 scalars (4 nodes), l1 = 1 + 3 x 4 = 13, l2 = 1 + 3 x 13 = 40,
    # items = l2 again (40); with the top mapping, its 5 keys and 'demo': 1 + 5 + 1 + 4 + 13 + 40 + 40 = 104.
    # Written out (an alias is the node it names): 1 + 5 + 1 + 4 + 1 (l1's list) + 1 (l2's list) = 13.
    # Aliases add 104 - 13 = 91 nodes.
    safe_yaml.check(_node(bomb_text(3, 3)))  # 91 <= budget
    with pytest.raises(safe_yaml.YamlShapeError, match="by 91 nodes"):
        _check_with_budget(bomb_text(3, 3), 90)


def _node(text: str):
    import yaml

    return yaml.compose(text, Loader=safe_yaml.FAST_LOADER)


def _check_with_budget(text: str, budget: int) -> None:
    original = safe_yaml.ALIAS_BUDGET
    safe_yaml.ALIAS_BUDGET = budget
    try:
        safe_yaml.check(_node(text))
    finally:
        safe_yaml.ALIAS_BUDGET = original


def test_small_aliases_stay_allowed():
    data = safe_yaml.load("h: &h {distribution: uniform, low: 1, high: 3}\na: *h\nb: [*h, *h]\n")
    assert data["a"] == data["b"][1] == {"distribution": "uniform", "low": 1, "high": 3}


def test_alias_bomb_scenario_fails_within_a_second_naming_the_file(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb_text(), encoding="utf-8")
    with within(1.0), pytest.raises(ScenarioError) as caught:
        load_process(path)
    text = caught.value.render()
    assert str(path) in text and "aliases" in text and "10,000" in text
    assert caught.value.problems[0].line == 3  # the first reuse of an anchor: l1 lists *l0


def test_alias_bomb_check_exits_2_without_traceback(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb_text(), encoding="utf-8")
    with within(1.0):
        result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "text, line",
    [
        ("name: &a [*a]\n", 1),
        ("name: demo\nitems:\n  - &item\n    id: A\n    again: *item\n", 5),
    ],
)
def test_self_reference_is_refused(tmp_path, text, line):
    path = tmp_path / "self.yaml"
    path.write_text(text, encoding="utf-8")
    with within(1.0):
        result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}" in result.output and "refers to the anchor" in result.output
    assert "RecursionError" not in result.output and "Traceback" not in result.output


def test_deep_nesting_is_refused(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("name: " + "[" * 200 + "]" * 200 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert "nested more than 64 levels" in result.output and "Traceback" not in result.output


def test_nightly_plan_reports_a_bomb_among_good_files(tmp_path):
    from flows.nightly_plan import plan_batch

    (tmp_path / "bomb.yaml").write_text(bomb_text(), encoding="utf-8")
    (tmp_path / "good.yaml").write_text("base: luoyang-2017-before\nname: good\n", encoding="utf-8")
    with within(5.0):  # loading the good file's built-in base costs a moment on a cold cache
        jobs, bad = plan_batch(tmp_path, projects=10, replications=2)
    assert [Path(job.file).name for job in jobs] == ["good.yaml"]
    assert [Path(b.file).name for b in bad] == ["bomb.yaml"] and "aliases" in bad[0].message


def test_profile_file_with_an_alias_bomb_exits_2(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text(bomb_text().replace("name: demo", "investment_type: government"), encoding="utf-8")
    with within(1.0):
        result = runner.invoke(app, ["analyze", "luoyang-2017-before", "--profile", str(path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and "aliases" in result.output


def test_calendar_override_file_with_self_reference_is_refused(tmp_path):
    from approval_model.calendar_dates import CalendarError

    path = tmp_path / "calendar.yaml"
    path.write_text("years: &y {2027: {holidays: [*y]}}\n", encoding="utf-8")
    with within(1.0), pytest.raises(CalendarError, match="refers to the anchor"):
        read_calendar(path)
