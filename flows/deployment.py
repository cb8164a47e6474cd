"""The served nightly deployment: the batch at 02:00 Asia/Shanghai, on a persistent Prefect server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.settings import configure_prefect_environment

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"


def nightly_deployment(
    scenario_dir: str,
    *,
    cron: str = NIGHTLY_CRON,
    seeds: list[int] | None = None,
    projects: int = 2_000,
    replications: int = 5,
    exports_dir: str | None = None,
    name: str = "nightly",
) -> Any:
    """A RunnerDeployment of the nightly batch with its cron schedule (no server contacted)."""
    configure_prefect_environment()
    from prefect.schedules import Cron

    from flows.nightly import nightly_batch

    parameters: dict[str, Any] = {
        "scenario_dir": str(Path(scenario_dir).resolve()),
        "projects": projects,
        "replications": replications,
    }
    if seeds is not None:
        parameters["seeds"] = seeds
    if exports_dir is not None:
        parameters["exports_dir"] = str(Path(exports_dir).resolve())
    return nightly_batch.to_deployment(
        name=name, schedules=[Cron(cron, timezone=TIMEZONE)], parameters=parameters
    )
