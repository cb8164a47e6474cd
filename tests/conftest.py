"""Shared fixtures: results databases (SQLite and a real PostgreSQL server), one Prefect test server."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from flows.server import free_port
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
# never a fixed port, never the user's own server or state: a free port for "the local server", a fresh
# state folder for pid files and records, and no configured Prefect server
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("PREFECT_PROFILE", None)
os.environ["APPROVAL_SIM_SERVER_PORT"] = str(free_port())
os.environ["APPROVAL_SIM_STATE_DIR"] = tempfile.mkdtemp(prefix="approval-sim-state-")
# The product speaks Chinese by default. The suite's assertions on wording were written in English and run in
# English, deliberately; tests of the Chinese output choose Chinese themselves (tests/test_messages.py and the
# 'zh' fixture below), and JSON is the same in both languages.
os.environ["APPROVAL_SIM_LANG"] = "en"


@pytest.fixture
def zh(monkeypatch):
    """This test runs in Chinese, the product's default language (no APPROVAL_SIM_LANG at all)."""
    from messages import set_language

    monkeypatch.delenv("APPROVAL_SIM_LANG", raising=False)
    set_language(None)
    yield
    set_language(None)


@pytest.fixture
def narrow(monkeypatch):
    """A terminal of 80 columns (rich reads COLUMNS when the output is not a terminal)."""
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture(scope="session")
def prefect_server():
    """One Prefect server for the whole session, started the way the commands start theirs (a temporary
    server bound to this process, on a Prefect database made from the template); its URL is configured
    (settings and environment), so the commands under test use it."""
    from flows.session import PrefectSession

    session = PrefectSession()
    session.open()
    try:
        url = session.ready()
        os.environ["PREFECT_API_URL"] = url
        yield url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        session.close()


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


CACHES = (".venv/", ".pytest_cache/", ".hypothesis/", ".ruff_cache/", ".mypy_cache/", "__pycache__/")


def _tree_state(root: Path) -> set[str] | None:
    """What git sees as changed, new or ignored under the repository, caches aside (None outside git)."""
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--ignored"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if status.returncode != 0:
        return None
    lines = status.stdout.splitlines()
    return {line for line in lines if not any(line[3:].startswith(c) or f"/{c}" in line for c in CACHES)}


@pytest.fixture(scope="session", autouse=True)
def nothing_written_into_the_repository():
    """Tests write under tmp_path, never into the repository (not even into git-ignored folders)."""
    root = Path(__file__).resolve().parents[1]
    before = _tree_state(root)
    yield
    after = _tree_state(root)
    if before is not None and after is not None:
        assert after <= before, f"the test run wrote into the repository: {sorted(after - before)}"
