"""Shared fixtures: results databases (SQLite and a real PostgreSQL server)."""

from __future__ import annotations

import pytest

from tests import postgres_server


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
