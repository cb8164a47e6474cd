"""Every number a user gives is finite, a number (not a boolean) and within its field's sensible range.

Before: ``statutory_limit_days: .inf`` (or ``1e400``, text to YAML, inf to Python) passed ``check``; ``analyze``
printed "inf working days", DES a mean of 0.0 days, ``compare`` crashed with ZeroDivisionError; ``true`` was
1 day and ``1e-320`` was accepted as a limit.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from approval_model import bounds, models
from approval_model.problems import ScenarioError
from approval_model.scenario import load_process
from approval_sim.cli import app
from rules import rulebook

runner = CliRunner()

SCENARIO = {
    "name": "demo",
    "departments": [{"id": "fgw", "name": "市发展改革委"}, {"id": "gh", "name": "市规划局"}],
    "stages": [{"id": "S1", "name": "立项"}],
    "items": [
        {"id": "A", "name": "立项", "department": "fgw", "stage": "S1", "statutory_limit_days": 20},
        {
            "id": "B",
            "name": "规划",
            "department": "gh",
            "stage": "S1",
            "statutory_limit_days": 10,
            "prerequisites": ["A"],
        },
    ],
}

# YAML spellings of bad numbers, as a planner might type them (1e400 and 1e-320 are text to PyYAML)
INF, NAN, HUGE, TINY, TRUE = ".inf", ".nan", "1e400", "1e-320", "true"


def scenario_text(field: str, value: str, where: str = "item") -> str:
    """The demo scenario with one field of item B (or another place) set to a raw YAML value."""
    text = yaml.safe_dump(SCENARIO, allow_unicode=True, sort_keys=False)
    if where == "item":
        return text.replace(
            "  statutory_limit_days: 10\n", f"  statutory_limit_days: 10\n  {field}: {value}\n"
        )
    if where == "limit":
        return text.replace("statutory_limit_days: 10", f"statutory_limit_days: {value}")
    if where == "simulation":
        return text + f"simulation:\n  {field}: {value}\n"
    if where == "department":
        return text.replace("name: 市规划局", f"name: 市规划局\n  {field}: {value}")
    raise AssertionError(where)


def problem_line(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_process(path)
    (line,) = caught.value.lines()
    return line


@pytest.mark.parametrize(
    "value, shown",
    [(INF, "inf"), ("-.inf", "-inf"), (NAN, "nan"), (HUGE, "'1e400'"), (TINY, "'1e-320'"), (TRUE, "True"),
     ("1e300", "'1e300'"), ("1001", "1001")],
)  # fmt: skip
def test_statutory_limit_states_its_range(tmp_path, value, shown):
    line = problem_line(tmp_path, scenario_text("", value, where="limit"))
    assert "item 'B'" in line and "statutory_limit_days" in line
    assert f"must be a number from 0.01 to 1,000 working days (got {shown})" in line
    assert "Fix:" in line


@pytest.mark.parametrize(
    "field, value, where, range_text",
    [
        ("promised_limit_days", INF, "item", "a number from 0 to 1,000 working days"),
        ("promised_limit_days", TRUE, "item", "a number from 0 to 1,000 working days"),
        ("materials", TRUE, "item", "a whole number from 0 to 1,000 documents"),
        ("materials", "2.5", "item", "a whole number from 0 to 1,000 documents"),
        ("handling_scale", NAN, "item", "a number from 0.01 to 100 (a multiplier)"),
        ("excluded_days", HUGE, "item", "a number from 0 to 1,000 working days"),
        ("handling_days", "{distribution: exponential, mean: .inf}", "item", "0.01 to 1,000 working days"),
        ("handling_days", "{distribution: uniform, low: 1, high: 1e400}", "item", "0 to 1,000 working days"),
        ("handling_days", "{distribution: empirical, values: [1, .nan]}", "item", "0 to 1,000 working days"),
        ("supplement", "{probability: true}", "item", "a number from 0 to 1 (a share: 0.25 = 25 %)"),
        ("supplement", "{probability: 0.1, applicant_days: .inf}", "item", "0 to 1,000 working days"),
        ("capacity", TRUE, "department", "a whole number from 1 to 100,000 files at once"),
        ("capacity", "1e12", "department", "a whole number from 1 to 100,000 files at once"),
        ("serial_handover_days", INF, "simulation", "a number from 0 to 1,000 working days"),
        ("stage_coordination_days", TRUE, "simulation", "a number from 0 to 1,000 working days"),
        ("arrivals", "{per_working_day: .inf}", "simulation", "0.0001 to 10,000 projects per working day"),
        ("applies_when", "{min_investment_million_yuan: 1e400}", "item", "0 to 10,000,000 million yuan"),
    ],
)
def test_every_numeric_field_states_its_range(tmp_path, field, value, where, range_text):
    line = problem_line(tmp_path, scenario_text(field, value, where))
    assert field in line and range_text in line and "(got " in line


def test_edge_values_and_numbers_yaml_reads_as_text_are_accepted(tmp_path):
    path = tmp_path / "s.yaml"
    text = scenario_text("promised_limit_days", "0", "item").replace(
        "statutory_limit_days: 20", "statutory_limit_days: 1e3"
    )
    path.write_text(text.replace("statutory_limit_days: 10", "statutory_limit_days: 0.01"), encoding="utf-8")
    process = load_process(path)
    assert process.item("A").statutory_limit_days == 1000.0  # '1e3' is text in YAML 1.1; it is a number here
    assert process.item("B").statutory_limit_days == 0.01 and process.item("B").promised_limit_days == 0.0


def test_rule_parameters_state_their_range(tmp_path):
    from rules.loading import load

    path = tmp_path / "reform.yaml"
    path.write_text(
        "base: luoyang-2017-before\nname: reform\nrules:\n  - {rule: compress_time_limits, factor: .nan}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load(str(path))
    text = caught.value.render()
    assert "factor" in text and "a number from 0.01 to 1 (a share: 0.25 = 25 %)" in text and "got nan" in text


def test_profile_file_states_its_range(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text("investment_type: government\ninvestment_million_yuan: .inf\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", "--profile", str(path)])
    assert result.exit_code == 2, result.output
    assert "investment_million_yuan" in result.output and "0 to 10,000,000 million yuan" in result.output


@pytest.mark.parametrize("command", [["check"], ["analyze"], ["simulate", "-n", "50", "-r", "2"],
                                     ["simulate", "--engine", "des", "-n", "50", "-r", "2"],
                                     ["compare", "-n", "50", "-r", "2"]])  # fmt: skip
def test_commands_refuse_an_infinite_limit_with_exit_2(tmp_path, command):
    path = tmp_path / "inf.yaml"
    path.write_text(scenario_text("", INF, where="limit"), encoding="utf-8")
    result = runner.invoke(app, [*command, str(path)])
    assert result.exit_code == 2, result.output
    assert "must be a number from 0.01 to 1,000 working days (got inf)" in result.output
    assert "Traceback" not in result.output and "ZeroDivisionError" not in result.output


@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize(
    "value, shown", [(INF, "inf"), (HUGE, "'1e400'"), (TRUE, "True"), (TINY, "'1e-320'")]
)
def test_run_compare_refuses_an_absurd_limit_before_storing_anything(tmp_path, value, shown):
    """`run compare` crashed with ZeroDivisionError (exit 1) on an infinite limit, on either side."""
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(scenario_text("", "10", where="limit"), encoding="utf-8")
    bad.write_text(scenario_text("", value, where="limit"), encoding="utf-8")
    database = tmp_path / "runs.db"
    for pair in ((good, bad), (bad, good)):
        result = runner.invoke(app, ["run", "compare", *map(str, pair), "-n", "50", "-r", "2",
                                     "--no-robustness", "--database", f"sqlite:///{database}"])  # fmt: skip
        assert result.exit_code == 2, result.output
        assert "bad.yaml:20: item 'B'" in result.output
        assert f"must be a number from 0.01 to 1,000 working days (got {shown})" in result.output
        assert "Traceback" not in result.output and "run id:" not in result.output
    assert (
        not database.exists()
        or "completed"
        not in runner.invoke(app, ["runs", "list", "--json", "--database", f"sqlite:///{database}"]).stdout
    )


def _unbounded(annotation: object) -> bool:
    """Whether a float or int appears in the annotation without a bounds check beside it."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        checked = any(
            getattr(getattr(m, "func", None), "__self__", None).__class__ is bounds.Bounds for m in metadata
        )
        return not checked and _unbounded(base)
    if annotation in (float, int):
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False  # checked on its own
    return any(_unbounded(arg) for arg in typing.get_args(annotation))


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _numeric_models() -> list[type[BaseModel]]:
    """Every model of the domain and every rule's parameters, with the models nested in them."""
    pending = [m for m in vars(models).values() if isinstance(m, type) and issubclass(m, models.Strict)]
    pending += [rulebook.spec(name).params for name in rulebook.known_rules()]
    seen: list[type[BaseModel]] = []
    while pending:
        model = pending.pop()
        if model not in seen:
            seen.append(model)
            pending += [m for info in model.model_fields.values() for m in _models_in(info.annotation)]
    return seen


def test_no_model_field_takes_an_unbounded_number():
    """A guard for fields added later: declare them with approval_model.bounds (see its docstring)."""
    checked = _numeric_models()
    assert {"ApprovalItem", "HandlingDistribution", "CompressParams", "LimitOverride"} <= {
        m.__name__ for m in checked
    }
    offenders = [
        f"{model.__name__}.{name}"
        for model in checked
        for name, info in model.model_fields.items()
        if _unbounded(_with_metadata(info))
    ]
    assert offenders == []


def _with_metadata(info) -> object:  # noqa: ANN001 - pydantic FieldInfo
    """Pydantic moves the top-level Annotated metadata into FieldInfo.metadata; put it back."""
    if info.metadata:
        return typing.Annotated[info.annotation, *info.metadata]  # type: ignore[misc]
    return info.annotation


def test_the_guard_notices_a_plain_float():
    assert _unbounded(float | None) and _unbounded(tuple[int, ...]) and _unbounded(dict[str, float])
    assert not _unbounded(bounds.WorkingDays | None) and not _unbounded(types.NoneType)
