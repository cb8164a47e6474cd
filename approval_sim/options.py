"""Options shared by several commands, defined once so that names, short flags and help stay the same."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Mode(StrEnum):
    serial = "serial"
    parallel = "parallel"


class EngineChoice(StrEnum):
    auto = "auto"
    montecarlo = "montecarlo"
    des = "des"


class FramingChoice(StrEnum):
    serial_to_parallel = "serial-to-parallel"
    parallel_to_parallel = "parallel-to-parallel"
    partial_to_parallel = "partial-to-parallel"


class LimitKind(StrEnum):
    statutory = "statutory"
    promised = "promised"


ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        help="project profile: government-typical, government-small, enterprise-approval-typical, "
        "enterprise-filing-typical, enterprise-filing-ftz, all (every item), or a YAML file; "
        "default: the scenario's own profile, else government-typical",
    ),
]
ProjectsOption = Annotated[int, typer.Option("--projects", "-n", min=1, help="projects per replication")]
ReplicationsOption = Annotated[
    int, typer.Option("--replications", "-r", min=1, help="independent replications (CI across them)")
]
SeedOption = Annotated[int, typer.Option("--seed", min=0, help="random seed (same seed, same numbers)")]
EngineOption = Annotated[
    EngineChoice,
    typer.Option(
        "--engine", help="auto: discrete-event when a department has a capacity or arrivals are set"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON only")]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="APPROVAL_SIM_DATABASE_URL",
        help="results database URL (default: SQLite file in the user data dir)",
    ),
]
DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask-address",
        envvar="APPROVAL_SIM_DASK_ADDRESS",
        help="run tasks on an existing Dask cluster, e.g. tcp://10.0.0.5:8786",
    ),
]
BasisOption = Annotated[
    LimitKind | None,
    typer.Option(
        "--limit",
        help="limits departments work to in the simulation: statutory (法定) or promised (承诺时限, where an item "
        "has one); scales the default handling time and the overdue test; default: the scenario's "
        "simulation.limit_basis (statutory)",
    ),
]
FramingOption = Annotated[
    FramingChoice | None,
    typer.Option(
        "--framing",
        help="the framing quoted first (headline): serial-to-parallel (before window by window, after online in "
        "parallel: the change the plan describes), parallel-to-parallel (the rules alone) or partial-to-parallel "
        "(before a declared share of files in parallel, simulation.parallel_share); every framing that applies "
        "is reported; default: partial-to-parallel when the share is declared, else serial-to-parallel",
    ),
]
