"""Prefect environment defaults, applied before Prefect is imported (see shared prefect-notes).

Offline machines: no telemetry. Cold ephemeral-server start can take ~20 s, close to Prefect's default
timeout, so it is raised. The app's own database is never Prefect's (PREFECT_HOME stays Prefect's own).
"""

from __future__ import annotations

import os

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
}


def configure_prefect_environment() -> None:
    """Set the defaults above unless the user set them; call before the first `import prefect`."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
