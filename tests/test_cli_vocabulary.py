"""One CLI vocabulary (docs/cli.md): an option that several commands take is the same option everywhere, and
the choices the vocabulary made (target bounds, the limit basis, the baseline's shape) hold on every command."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
import typer
from typer.testing import CliRunner

from approval_sim.cli import app

runner = CliRunner()


def _commands(group, prefix: tuple[str, ...] = ()):  # noqa: ANN001 - typer's (vendored click) group
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):
            yield from _commands(command, path)
        else:
            yield " ".join(path), command


COMMANDS = dict(_commands(typer.main.get_command(app)))


def _declaration(param) -> tuple:  # noqa: ANN001
    return (
        tuple(sorted(param.opts)),
        param.help,
        param.type_descriptor.annotation,
        (param.min, param.max),
        param.envvar,
        param.type_descriptor.parameter_info.callback,
    )


SHARED = [
    "--json",
    "--profile",
    "--projects",
    "--replications",
    "--seed",
    "--engine",
    "--limit",
    "--target",
    "--database",
    "--dask-address",
]


# options that keep another meaning on one command: `bench --projects` counts benchmark projects, and
# `runs list --limit` is the older spelling of `runs list --last` (kept for scripts; docs/cli.md)
OWN_MEANING = {("bench", "--projects"), ("runs list", "--limit")}


@pytest.mark.parametrize("option", SHARED)
def test_a_shared_option_is_declared_once(option):
    """Same names, help, type, bounds and check wherever the option appears."""
    found = defaultdict(list)
    for name, command in COMMANDS.items():
        for param in command.params:
            if option in param.opts and (name, option) not in OWN_MEANING:
                found[_declaration(param)].append(name)
    assert len(found) == 1, f"{option} is declared {len(found)} ways: {dict(found)}"


def test_every_command_that_reports_figures_takes_json():
    """Only commands whose output is a file list, a one-line OK or a server go without --json."""
    without = {name for name, c in COMMANDS.items() if not any("--json" in p.opts for p in c.params)}
    assert without == {"check", "export", "serve"}


@pytest.mark.parametrize(
    "command", ["simulate", "compare", "run simulate", "run compare", "analyze", "supervise"]
)
def test_the_limit_basis_is_one_option_with_its_alias(command):
    from approval_model.limits import LimitBasis

    (param,) = [p for p in COMMANDS[command].params if "--limit" in p.opts]
    assert set(param.opts) == {"--limit", "--limit-basis"}
    assert param.type_descriptor.annotation is LimitBasis


@pytest.mark.parametrize("command", ["compare", "run compare"])
@pytest.mark.parametrize("target", ["0", "1", "1.5", "-0.2"])
def test_target_is_a_share_strictly_between_0_and_1_everywhere(command, target):
    result = runner.invoke(app, [*command.split(), "luoyang-2017-before", "--target", target, "--json"])
    assert result.exit_code == 2
    assert "is not a share between 0 and 1" in result.output and "Traceback" not in result.output


def test_analyze_counts_the_scenarios_own_basis_unless_told(tmp_path):
    promised = tmp_path / "promised.yaml"
    promised.write_text("base: luoyang-2017-after\nsimulation: {limit_basis: promised}\n", encoding="utf-8")
    own = json.loads(runner.invoke(app, ["analyze", str(promised), "--json"]).stdout)
    told = json.loads(runner.invoke(app, ["analyze", str(promised), "--limit", "statutory", "--json"]).stdout)
    plain = json.loads(
        runner.invoke(app, ["analyze", "luoyang-2017-after", "--limit-basis", "promised", "--json"]).stdout
    )
    assert own["limit"] == "promised" and told["limit"] == "statutory"
    assert own["parallel_days"] == plain["parallel_days"] < told["parallel_days"]


def test_runs_list_last_keeps_its_older_spelling():
    (param,) = [p for p in COMMANDS["runs list"].params if "--last" in p.opts]
    assert set(param.opts) == {"--last", "--limit"}


def test_sensitivity_takes_the_baseline_first_like_compare(monkeypatch):
    """`sensitivity BASE REFORMED` is `sensitivity REFORMED --baseline BASE`; giving both is an error."""
    from approval_sim import sensitivity_cli

    calls = []

    def stop(database):  # noqa: ANN001 - stands in for the database and Prefect: only the arguments matter
        calls.append(database)
        raise typer.Exit(0)

    monkeypatch.setattr("approval_sim.flow_cli.prepare_database", stop)
    assert sensitivity_cli.PARAMETER_NAMES  # the command under test
    positional = runner.invoke(app, ["sensitivity", "luoyang-2017-before", "no-such-reformed"])
    option = runner.invoke(app, ["sensitivity", "no-such-reformed", "--baseline", "luoyang-2017-before"])
    assert positional.exit_code == option.exit_code == 2
    assert "no-such-reformed" in positional.stderr and "no-such-reformed" in option.stderr
    both = runner.invoke(
        app, ["sensitivity", "luoyang-2017-before", "luoyang-2017-after", "--baseline", "luoyang-2017-before"]
    )
    assert both.exit_code == 2 and "give the baseline once" in both.stderr
    too_few = runner.invoke(app, ["sensitivity", "luoyang-2017-after", "-r", "1"])
    assert too_few.exit_code == 2 and "at least 2" in too_few.stderr and calls == []


def test_the_cli_spells_engines_and_modes_as_the_simulation_does():
    from typing import get_args

    from approval_sim.options import EngineName, Mode
    from simulations.compiled import Mode as SimulationMode
    from simulations.runner import Engine

    assert get_args(EngineName) == get_args(Engine)
    assert set(get_args(Mode)) <= set(get_args(SimulationMode))
