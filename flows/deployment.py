"""The served nightly deployment: the batch at 02:00 Asia/Shanghai, on a persistent Prefect server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from flows.settings import configure_prefect_environment

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"
DEFAULT_PORT = 4200


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

    from flows.pipelines import nightly_batch

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


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=2) as response:  # noqa: S310 - loopback URL
            return response.status == 200
    except OSError:
        return False


def ensure_server(port: int = DEFAULT_PORT, timeout: float = 120.0) -> tuple[str, subprocess.Popen | None]:
    """Use $PREFECT_API_URL, or a server already on the port, or start `prefect server start` and wait for it."""
    configure_prefect_environment()
    api_url = os.environ.get("PREFECT_API_URL") or f"http://127.0.0.1:{port}/api"
    if _healthy(api_url):
        return api_url, None
    if os.environ.get("PREFECT_API_URL"):
        raise RuntimeError(
            f"the Prefect server at PREFECT_API_URL={api_url} does not answer; start it or unset the variable"
        )
    prefect = shutil.which("prefect") or str(Path(sys.executable).with_name("prefect"))
    process = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"`prefect server start` exited with status {process.returncode}")
        if _healthy(api_url):
            return api_url, process
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"the Prefect server did not become healthy within {timeout:.0f} s")
