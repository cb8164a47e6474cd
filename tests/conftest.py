"""Shared fixtures: results databases (SQLite and a real PostgreSQL server), one Prefect test server."""

from __future__ import annotations

import os
import tempfile

import pytest

from tests import postgres_server

# Prefect reads these when first imported: keep its home (and database) out of the user's ~/.prefect,
# raise the start-up timeout of a cold server, keep the suite offline and quiet.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="approval-sim-prefect-"))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("APPROVAL_SIM_DATABASE_URL", None)
os.environ.pop("APPROVAL_SIM_DASK_ADDRESS", None)


@pytest.fixture(scope="session")
def prefect_server():
    """One Prefect test server for the whole session (start-up costs 10-20 s; tests share it)."""
    from prefect.testing.utilities import prefect_test_harness

    from flows.settings import no_heartbeat

    with prefect_test_harness(server_startup_timeout=120), no_heartbeat():
        yield


@pytest.fixture(scope="session")
def postgres_server_url():
    with postgres_server.server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty results database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'results.db'}"
    server = request.getfixturevalue("postgres_server_url")
    if server is None:
        pytest.skip("PostgreSQL binaries not installed (apt-get install postgresql; .ci/run does this)")
    return postgres_server.fresh_database(server)
