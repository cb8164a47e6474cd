"""The command line's vocabulary: every argument or option that more than one command takes, declared once.

A command writes ``projects: ProjectsOption = 10_000`` and gets the same name, short flag, bounds and help as
every other command with that role. docs/cli.md lists the vocabulary and the rules behind it (what is
positional, what is an option). Only light imports here: ``approval-sim --help`` must stay fast.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

import typer

from approval_model.limits import LimitBasis
from messages import ENV_VAR, N_, _

__all__ = [
    "BaselineArgument",
    "DaskOption",
    "DatabaseOption",
    "EngineName",
    "EngineOption",
    "FramingChoice",
    "FramingOption",
    "JsonOption",
    "LangOption",
    "LimitBasis",
    "LimitOption",
    "Mode",
    "ModeOption",
    "ProfileOption",
    "ProjectsOption",
    "ReformedArgument",
    "NoRobustnessOption",
    "ReplicationsOption",
    "RobustnessSamplesOption",
    "RunIdArgument",
    "ScenarioArgument",
    "SeedOption",
    "SidesModeOption",
    "TargetOption",
]


# The words of simulations.Mode and simulations.runner.Engine (Literal types there), spelled here too so that
# --help needs no numpy; tests/test_cli_vocabulary.py checks that they agree. The CLI offers serial and
# parallel handling; the partial handling of a declared share is reached through --framing.
Mode = Literal["serial", "parallel"]
EngineName = Literal["auto", "montecarlo", "des"]


class FramingChoice(StrEnum):
    serial_to_parallel = "serial-to-parallel"
    parallel_to_parallel = "parallel-to-parallel"
    partial_to_parallel = "partial-to-parallel"


SCENARIO_HELP = N_("built-in name (see 'approval-sim catalog names') or scenario file")

# ---- what a command works on: positional, in the order before -> after ----------------------------------
ScenarioArgument = Annotated[str, typer.Argument(help=SCENARIO_HELP)]
BaselineArgument = Annotated[
    str,
    typer.Argument(
        help=N_(
            "the process before the reform: built-in name (see 'approval-sim catalog names') or scenario file"
        )
    ),
]
ReformedArgument = Annotated[
    str | None,
    typer.Argument(
        help=N_("the process after the reform; without it: serial vs parallel handling of BASELINE"),
    ),
]

RunIdArgument = Annotated[int, typer.Argument(help=N_("a run id from 'approval-sim runs list'"))]

# ---- how ------------------------------------------------------------------------------------------------
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        help=N_(
            "project profile: government-typical, government-small, enterprise-approval-typical, "
            "enterprise-filing-typical, enterprise-filing-ftz, all (every item), or a YAML file; "
            "default: the scenario's own profile, else government-typical"
        ),
    ),
]
LimitOption = Annotated[
    LimitBasis | None,
    typer.Option(
        "--limit",
        "--limit-basis",
        help=N_(
            "which time limit counts: statutory (法定时限) or promised (承诺时限; statutory where an item "
            "promises none). In a simulation it scales the default handling time and is what 'overdue' is measured "
            "against. Default: the scenario's simulation.limit_basis (statutory unless the scenario says otherwise)"
        ),
    ),
]
ModeOption = Annotated[
    Mode,
    typer.Option(
        "--mode", help=N_("serial (window after window) or parallel (online parallel approval) handling")
    ),
]
SidesModeOption = Annotated[
    Mode | None,
    typer.Option(
        "--mode",
        help=N_(
            "both processes in this mode, as the headline framing (e.g. parallel = "
            "--framing parallel-to-parallel); prefer --framing"
        ),
    ),
]
ProjectsOption = Annotated[int, typer.Option("--projects", "-n", min=1, help=N_("projects per replication"))]
ReplicationsOption = Annotated[
    int, typer.Option("--replications", "-r", min=1, help=N_("independent replications (CI across them)"))
]
SeedOption = Annotated[int, typer.Option("--seed", min=0, help=N_("random seed (same seed, same numbers)"))]
EngineOption = Annotated[
    EngineName,
    typer.Option(
        "--engine", help=N_("auto: discrete-event when a department has a capacity or arrivals are set")
    ),
]


def _share(value: float) -> float:
    """A reduction target is a share strictly between 0 and 1: 0 is no promise, 1 is an instant process."""
    if not 0 < value < 1:
        raise typer.BadParameter(
            _("{value:g} is not a share between 0 and 1 (exclusive), e.g. 0.2 for 20 %").format(value=value)
        )
    return value


TargetOption = Annotated[
    float,
    typer.Option(
        "--target",
        callback=_share,
        help=N_("the reduction the reform promises, a share between 0 and 1 (0.2 = 20 % shorter)"),
    ),
]

FramingOption = Annotated[
    FramingChoice | None,
    typer.Option(
        "--framing",
        help=N_(
            "the framing quoted first (headline): serial-to-parallel (before window by window, after online in "
            "parallel: the change the plan describes), parallel-to-parallel (the rules alone) or partial-to-parallel "
            "(before a declared share of files in parallel, simulation.parallel_share); every framing that applies "
            "is reported; default: partial-to-parallel when the share is declared, else serial-to-parallel"
        ),
    ),
]

RobustnessSamplesOption = Annotated[
    int,
    typer.Option(
        "--robustness-samples",
        min=1,
        help=N_(
            "assumption sets of the robustness analysis (at least this many; Sobol' design N x (D + 2)); "
            "more gives steadier indices"
        ),
    ),
]
NoRobustnessOption = Annotated[
    bool,
    typer.Option(
        "--no-robustness",
        help=N_("skip the robustness analysis over the modelling assumptions (JSON: robustness.skipped)"),
    ),
]

# ---- output and infrastructure ----------------------------------------------------------------------------
# Read before click parses (approval_sim.language), wherever it stands on the line; declared here for --help.
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        envvar=ENV_VAR,
        metavar="zh|en",
        help=N_(
            "language of messages, tables and help: zh (Chinese, the default) or en (English); JSON is the "
            "same in both"
        ),
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help=N_("print JSON only (nothing else on stdout)"))]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="APPROVAL_SIM_DATABASE_URL",
        help=N_("results database URL (default: SQLite file in the user data dir)"),
    ),
]
DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask-address",
        envvar="APPROVAL_SIM_DASK_ADDRESS",
        help=N_("run tasks on an existing Dask cluster, e.g. tcp://10.0.0.5:8786"),
    ),
]
