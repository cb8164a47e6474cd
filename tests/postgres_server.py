"""A throwaway PostgreSQL server for the test session (Debian's binaries; `.ci/run` installs them).

Uses $APPROVAL_SIM_TEST_POSTGRES_URL when set; otherwise starts a server from /usr/lib/postgresql/*/bin on a
free loopback port and stops it at the end. Each test gets a fresh database.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "APPROVAL_SIM_TEST_POSTGRES_URL"


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def server() -> Iterator[str | None]:
    """Yield a server URL (without database name) or None when PostgreSQL is not available."""
    if os.environ.get(ENV):
        yield os.environ[ENV].rsplit("/", 1)[0]
        return
    bindir = binaries()
    if bindir is None:
        yield None
        return
    workdir = Path(tempfile.mkdtemp(prefix="approval-sim-pg-"))
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
    port = _free_port()
    data = workdir / "data"
    subprocess.run(
        _as_postgres(
            [str(bindir / "initdb"), "-D", str(data), "-U", "approval", "--auth=trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(workdir / "log"),
                "-w",
                "-o",
                options,
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://approval@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


def fresh_database(server_url: str) -> str:
    """Create an empty database on the server and return its SQLAlchemy URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"
