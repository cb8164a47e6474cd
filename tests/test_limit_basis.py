"""simulation.limit_basis / --limit: departments working to their promised instead of their statutory limits."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from approval_model.models import Process
from approval_sim.cli import app
from rules.loading import with_limit_basis
from simulations.runner import simulate


def process(basis: str = "statutory", handling: dict | None = None) -> Process:
    def item(ident: str, statutory: float, promised: float, prerequisites=()) -> dict:
        data = {"id": ident, "name": ident, "department": "d", "stage": "S", "statutory_limit_days": statutory,
                "promised_limit_days": promised, "prerequisites": list(prerequisites)}  # fmt: skip
        if handling is not None:
            data["handling_days"] = handling
        return data

    return Process.model_validate({
        "name": "p", "departments": [{"id": "d", "name": "部门"}], "stages": [{"id": "S", "name": "阶段"}],
        "items": [item("A", 20, 10), item("B", 12, 6, ["A"]), item("C", 30, 15, ["A"])],
        "simulation": {"limit_basis": basis},
    })  # fmt: skip


def test_promised_limits_scale_every_default_handling_time_exactly():
    """Common random numbers: halving every limit halves every project's end-to-end time."""
    statutory = simulate(process("statutory"), projects=500, replications=2, seed=3)
    promised = simulate(process("promised"), projects=500, replications=2, seed=3)
    for a, b in zip(statutory.results, promised.results, strict=True):
        np.testing.assert_allclose(b.end_to_end_days, a.end_to_end_days / 2, rtol=1e-12)


def test_overdue_is_measured_against_the_limit_worked_to():
    fixed = {"distribution": "fixed", "value": 8}  # within every statutory limit, beyond B's promised 6 days
    statutory = simulate(process("statutory", fixed), projects=50, replications=2).summary()
    promised = simulate(process("promised", fixed), projects=50, replications=2).summary()
    assert statutory["on_time_rate"] == 1.0 and promised["on_time_rate"] == 0.0
    assert [promised["items"][i]["overdue_rate"] for i in "ABC"] == [0.0, 1.0, 0.0]
    assert promised["items"]["A"]["statutory_limit_days"] == 20 and promised["items"]["A"]["limit_days"] == 10
    assert promised["limit_basis"] == "promised"


def test_items_without_a_promise_keep_their_statutory_limit():
    data = process("promised").model_dump()
    data["items"][0]["promised_limit_days"] = None
    summary = simulate(Process.model_validate(data), projects=10, replications=2).summary()
    assert summary["items"]["A"]["limit_days"] == 20 and summary["items"]["B"]["limit_days"] == 6


def test_override_and_validation():
    assert with_limit_basis(process("statutory"), "promised").simulation.limit_basis == "promised"
    assert with_limit_basis(process("promised"), None).simulation.limit_basis == "promised"
    with pytest.raises(ValidationError):
        process("approved")


def test_cli_limit_option():
    runner = CliRunner()
    args = ["compare", "luoyang-2017-before", "luoyang-2017-after", "-n", "300", "-r", "3", "--json"]
    statutory = json.loads(runner.invoke(app, args).stdout)
    promised = json.loads(runner.invoke(app, [*args, "--limit", "promised"]).stdout)
    assert (
        statutory["reform"]["limit_basis"] == "statutory" and promised["reform"]["limit_basis"] == "promised"
    )
    # the plan compresses promised limits, so the reform gains more when departments work to them
    assert promised["reduction"]["mean"] > statutory["reduction"]["mean"]
    bad = runner.invoke(app, [*args, "--limit", "approved"])
    assert bad.exit_code == 2
