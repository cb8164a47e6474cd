"""Prefect servers: the pre-migrated template, finding a running server, temporary servers that never outlive
their command (kill -9 included), and `approval-sim server start|stop|status`.

Every server here runs on a free port, in temporary PREFECT_HOME and state folders, and is stopped by the test.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flows import prefect_template
from flows.prefect_env import quick_settings
from flows.server import ProcessId, end_orphans, free_port, healthy

ROOT = Path(__file__).resolve().parent.parent


def wait_until(condition, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def schema(database: Path) -> tuple[set[tuple], list]:
    """Every table, index and trigger with its definition, and the Alembic revision.

    A definition is compared as the sorted set of its lines: Prefect's table-rebuilding migrations write a
    table's constraints in an order that changes from one migration run to the next.
    """
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        objects = {
            (kind, name, table, tuple(sorted(line.strip().rstrip(",") for line in (sql or "").splitlines())))
            for kind, name, table, sql in rows
        }
        return objects, connection.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        connection.close()


def isolated_environment(tmp_path: Path) -> dict[str, str]:
    """A command's environment with its own Prefect home, state folder and local-server port, no server."""
    environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    environment.update({
        "PREFECT_HOME": str(tmp_path / "prefect-home"), "APPROVAL_SIM_STATE_DIR": str(tmp_path / "state"),
        "APPROVAL_SIM_SERVER_PORT": str(free_port()), "APPROVAL_SIM_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
    })  # fmt: skip
    return environment


# ------------------------------------------------------------------------------------------ the template


def test_the_template_is_the_schema_prefect_migrates_itself(tmp_path):
    """The slow way (Prefect runs its ~200 migrations) and the template give the same database."""
    assert prefect_template.template_path().is_file(), (
        "no template for this Prefect version: run `uv run python -m flows.prefect_template`"
    )
    migrated = prefect_template.migrate_fresh(tmp_path)
    seeded = tmp_path / "seeded" / "prefect.db"
    assert prefect_template.seed_database(f"sqlite+aiosqlite:///{seeded}")
    expected_objects, expected_version = schema(migrated)
    objects, version = schema(seeded)
    assert len(expected_objects) > 100 and expected_version and len(expected_version) == 1
    assert objects == expected_objects and version == expected_version


def test_seeding_never_touches_an_existing_database(tmp_path):
    target = tmp_path / "home" / "prefect.db"
    url = f"sqlite+aiosqlite:///{target}"
    assert prefect_template.seed_database(url) is True
    target.write_bytes(b"someone else's database")
    assert prefect_template.seed_database(url) is False
    assert target.read_bytes() == b"someone else's database"
    assert not list(target.parent.glob(".*partial"))  # no leftovers


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:////data/prefect.db", Path("/data/prefect.db")),
        ("sqlite+aiosqlite:///relative.db?timeout=5", Path("relative.db")),
        ("sqlite+aiosqlite:///file::memory:?cache=shared&uri=true", None),
        ("sqlite+aiosqlite:///:memory:", None),
        ("postgresql+asyncpg://user:pw@host/prefect", None),
    ],
)
def test_only_sqlite_files_are_seeded(url, expected):
    assert prefect_template.sqlite_file(url) == expected


def test_the_app_database_head_revision_is_alembics():
    from alembic.script import ScriptDirectory

    from flows.store.database import MIGRATIONS, head_revision

    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()


# ------------------------------------------------------------------------------------------ finding servers


class _Health(http.server.BaseHTTPRequestHandler):
    body = b"true"

    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_api():
    """A local HTTP server answering /api/health; yields (url, handler class) to change its answer."""
    handler = type("Handler", (_Health,), {"body": b"true"})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api", handler
    finally:
        server.shutdown()
        server.server_close()


def test_health_check_wants_prefects_answer(fake_api):
    url, handler = fake_api
    assert healthy(url)
    handler.body = b'{"status": "ok"}'  # some other program on the port
    assert not healthy(url)
    assert not healthy(f"http://127.0.0.1:{free_port()}/api")  # nobody listens
    assert not healthy("not a url")


def test_a_configured_url_comes_first_then_the_default_port(fake_api, monkeypatch, tmp_path):
    from flows.prefect_env import QuickSettings
    from flows.session import find_running_server

    url, _ = fake_api
    port = int(url.split(":")[2].split("/")[0])
    monkeypatch.setenv("APPROVAL_SIM_STATE_DIR", str(tmp_path))
    quiet = QuickSettings(None, None, "sqlite+aiosqlite:///x.db", True)
    monkeypatch.setenv("APPROVAL_SIM_SERVER_PORT", str(port))
    found = find_running_server(settings=quiet)
    assert found is not None and found.url == url and "port" in found.source
    notes = []
    dead = f"http://127.0.0.1:{free_port()}/api"
    found = find_running_server(notes.append, settings=QuickSettings(dead, None, "", True))
    assert found is not None and found.url == url and dead in notes[0]  # falls back, says so
    monkeypatch.setenv("APPROVAL_SIM_SERVER_PORT", str(free_port()))
    assert find_running_server(settings=quiet) is None
    found = find_running_server(settings=QuickSettings(url, None, "", True))
    assert found is not None and found.source == "PREFECT_API_URL"


def test_a_wrong_quick_guess_is_corrected_once_prefect_is_loaded(fake_api, monkeypatch, tmp_path):
    """The quick guess (environment only) said: no server configured. Prefect's own settings name one: the
    temporary server started on the guess is stopped and the configured server is used."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows import session as session_module
    from flows.prefect_env import QuickSettings

    url, _ = fake_api
    monkeypatch.setenv("APPROVAL_SIM_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("APPROVAL_SIM_SERVER_PORT", str(free_port()))
    guess = QuickSettings(None, None, f"sqlite+aiosqlite:///{tmp_path / 'prefect.db'}", True)
    monkeypatch.setattr(session_module, "quick_settings", lambda: guess)
    notes: list[str] = []
    with temporary_settings({PREFECT_API_URL: url}):
        session = session_module.PrefectSession(notes.append)
        session.open()
        assert session.temporary is not None and session.temporary.process is not None
        started = session.temporary.process
        try:
            assert session.ready() == url
        finally:
            session.close()
    assert started.poll() is not None and session.temporary is None
    assert any("choosing the server again" in note for note in notes)
    assert not list((tmp_path / "temporary-servers").glob("*.json"))


def test_quick_settings_defer_to_prefect_when_anything_else_configures_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH", "PREFECT_API_KEY",
                 "PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    quick = quick_settings()
    assert quick is not None and quick.api_url is None and quick.ephemeral_enabled
    assert quick.database_url == f"sqlite+aiosqlite:///{tmp_path / 'home' / 'prefect.db'}"
    monkeypatch.setenv("PREFECT_API_URL", "http://example.test/api")
    assert quick_settings().api_url == "http://example.test/api"
    monkeypatch.delenv("PREFECT_API_URL")
    monkeypatch.setenv("PREFECT_PROFILE", "local")  # Prefect's packaged "local" profile sets a URL
    assert quick_settings() is None
    monkeypatch.delenv("PREFECT_PROFILE")
    profiles = tmp_path / "home" / "profiles.toml"
    profiles.parent.mkdir()
    profiles.write_text('active = "mine"\n[profiles.mine]\nPREFECT_SERVER_EPHEMERAL_ENABLED = "true"\n')
    assert quick_settings() is not None
    profiles.write_text('active = "mine"\n[profiles.mine]\nPREFECT_API_URL = "http://10.0.0.1:4200/api"\n')
    assert quick_settings() is None
    profiles.unlink()
    (tmp_path / ".env").write_text("PREFECT_API_URL=http://10.0.0.1:4200/api\n")
    assert quick_settings() is None
    (tmp_path / ".env").unlink()
    (tmp_path / "prefect.toml").write_text("[api]\nurl = 'http://10.0.0.1:4200/api'\n")
    assert quick_settings() is None


# ------------------------------------------------------------------------------------------ no orphans


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


def test_recorded_servers_of_dead_commands_are_ended(tmp_path, monkeypatch):
    monkeypatch.setenv("APPROVAL_SIM_STATE_DIR", str(tmp_path))
    folder = tmp_path / "temporary-servers"
    folder.mkdir()
    dead_parent = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                                 text=True, check=True)  # fmt: skip
    orphan, kept = _sleeper(), _sleeper()
    try:
        me = ProcessId.of(os.getpid())
        for server, parent in ((orphan, ProcessId(int(dead_parent.stdout), me.started)), (kept, me)):
            record = {"pid": server.pid, "started": ProcessId.of(server.pid).started, "parent": parent.pid,
                      "parent_started": parent.started, "port": 1}  # fmt: skip
            (folder / f"{server.pid}.json").write_text(json.dumps(record))
        (folder / "garbage.json").write_text("{not json")
        assert end_orphans() == [orphan.pid]
        assert orphan.wait(10) is not None and kept.poll() is None
        assert sorted(p.name for p in folder.iterdir()) == [f"{kept.pid}.json"]
        kept.kill()
        kept.wait(10)
        assert end_orphans() == [] and not list(folder.iterdir())  # finished servers are forgotten
    finally:
        for process in (orphan, kept):
            process.kill()
            process.wait()


BIND = {
    "pdeathsig": "bind_to_parent(int(sys.argv[1]))",
    # as on macOS: no prctl, the watchdog alone
    "watchdog-only": "sys.platform = 'darwin'\nbind_to_parent(int(sys.argv[1]))",
    # a flow run `serve` started: the variable names its parent
    "asked": "bind_if_asked()",
}


@pytest.mark.parametrize("how", list(BIND))
def test_a_bound_child_ends_when_its_parent_is_killed(how):
    """The middle process starts a bound child, then is killed with SIGKILL: the child must go too."""
    child = (
        "import sys, time\n"
        "from flows.server_child import bind_if_asked, bind_to_parent\n"
        f"{BIND[how]}\nprint('bound', flush=True)\ntime.sleep(120)\n"
    )
    middle = (
        "import os, subprocess, sys, time\n"
        "os.environ['APPROVAL_SIM_BOUND_TO'] = str(os.getpid())\n"
        f"child = subprocess.Popen([sys.executable, '-c', {child!r}, str(os.getpid())], stdout=subprocess.PIPE, text=True)\n"
        "assert child.stdout.readline().strip() == 'bound'\n"
        "print(child.pid, flush=True)\ntime.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", middle], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        child = ProcessId.of(int(parent.stdout.readline()))
        assert child is not None and child.alive()
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert wait_until(lambda: not child.alive(), timeout=5.0), "the child outlived its killed parent"
    finally:
        parent.kill()
        parent.wait()


@pytest.mark.parametrize("command", ["run compare", "nightly", "serve"])
def test_kill_9_of_a_command_ends_its_temporary_server(command, tmp_path):
    """The issue's case: `run compare` or `nightly` killed with SIGKILL while its flow runs; and `serve`,
    whose server (with the UI) is its own when none was running."""
    environment = isolated_environment(tmp_path)
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "a.yaml").write_text("name: a\nbase: luoyang-2017-after\nbaseline: luoyang-2017-before\n")
    arguments, ready = {
        "run compare": (["run", "compare", "luoyang-2017-before", "luoyang-2017-after", "-n", "200000", "-r", "200"],
                        "temporary server ready"),
        "nightly": (["nightly", "--scenarios", str(folder), "--seeds", "1,2,3", "-n", "200000", "-r", "50",
                     "--no-exports"], "temporary server ready"),
        "serve": (["serve", "--scenarios", str(folder)], "Prefect UI:"),
    }[command]  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "approval_sim.cli", *arguments], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path)  # fmt: skip
    records = tmp_path / "state" / "temporary-servers"
    server = None
    try:
        assert process.stderr is not None
        for line in process.stderr:  # the command says when its server is ready
            if ready in line:
                break
        (record,) = records.glob("*.json")
        data = json.loads(record.read_text())
        server = ProcessId(data["pid"], data["started"])
        assert server.alive() and healthy(f"http://127.0.0.1:{data['port']}/api")
        assert process.poll() is None, "the command finished before it could be killed; give it more work"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        assert wait_until(lambda: not server.alive(), timeout=15.0), (
            "the temporary server outlived its command"
        )
    finally:
        process.kill()
        process.wait()
        if server is not None and server.alive():
            server.end()


# ------------------------------------------------------------------------------------------ commands


def run_cli(*arguments: str, environment: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "approval_sim.cli", *arguments], env=environment, cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


def test_server_start_status_stop_and_commands_use_it(tmp_path):
    environment = isolated_environment(tmp_path)
    url = f"http://127.0.0.1:{environment['APPROVAL_SIM_SERVER_PORT']}/api"
    stopped = run_cli("server", "status", "--json", environment=environment, cwd=tmp_path)
    assert stopped.returncode == 1 and json.loads(stopped.stdout)["running"] is False
    try:
        started = run_cli("server", "start", environment=environment, cwd=tmp_path)
        assert started.returncode == 0, started.stderr
        assert started.stderr.startswith("approval-sim server start") and url in started.stdout
        status = run_cli("server", "status", "--json", environment=environment, cwd=tmp_path)
        info = json.loads(status.stdout)
        assert status.returncode == 0 and info["running"] and info["answers"] and info["url"] == url
        assert Path(info["log"]).is_file() and Path(info["pid_file"]).is_file()
        again = run_cli("server", "start", environment=environment, cwd=tmp_path)
        assert (
            again.returncode == 0
            and "already running" in again.stderr
            and f"pid: {info['pid']}" in again.stdout
        )

        compared = run_cli("run", "compare", "luoyang-2017-before", "-n", "100", "-r", "2", "--json",
                           environment=environment, cwd=tmp_path)  # fmt: skip
        assert compared.returncode == 0, compared.stderr
        assert f"using the server of approval-sim server start at {url}" in compared.stderr
        assert "temporary" not in compared.stderr and json.loads(compared.stdout)["run_id"] == 1
        assert not list((tmp_path / "state").glob("temporary-servers/*.json"))
        # the other flow commands find it the same way (issue 14: run, nightly and sensitivity)
        scenarios = tmp_path / "scenarios"
        scenarios.mkdir()
        (scenarios / "a.yaml").write_text(
            "name: a\nbase: luoyang-2017-after\nbaseline: luoyang-2017-before\n"
        )
        for arguments in (
            ("sensitivity", "luoyang-2017-after", "-n", "50", "-r", "2", "--vary", "kind", "--json"),
            ("nightly", "--scenarios", str(scenarios), "--seeds", "1", "-n", "50", "-r", "2", "--no-exports",
             "--json"),
        ):  # fmt: skip
            used = run_cli(*arguments, environment=environment, cwd=tmp_path)
            assert used.returncode == 0, used.stderr
            assert f"using the server of approval-sim server start at {url}" in used.stderr, arguments
            assert "temporary" not in used.stderr, arguments
            assert json.loads(used.stdout)
    finally:
        stop = run_cli("server", "stop", environment=environment, cwd=tmp_path)
    assert stop.returncode == 0 and "stopped the Prefect server" in stop.stdout
    process = ProcessId(info["pid"], 0)
    assert wait_until(lambda: ProcessId.of(process.pid) is None, timeout=10)
    assert not healthy(url)
    assert run_cli("server", "status", environment=environment, cwd=tmp_path).returncode == 1
    assert "no server" in run_cli("server", "stop", environment=environment, cwd=tmp_path).stdout


def test_server_start_refuses_a_port_another_program_holds(tmp_path):
    import socket

    environment = isolated_environment(tmp_path)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", int(environment["APPROVAL_SIM_SERVER_PORT"])))
        holder.listen()
        result = run_cli("server", "start", environment=environment, cwd=tmp_path)
    assert result.returncode == 2 and "in use by another program" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_port_setting_is_a_clear_error(tmp_path):
    environment = {**isolated_environment(tmp_path), "APPROVAL_SIM_SERVER_PORT": "42x"}
    result = run_cli("run", "compare", "luoyang-2017-before", "-n", "10", "-r", "2", environment=environment,
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2 and "APPROVAL_SIM_SERVER_PORT='42x'" in result.stderr
    assert "Traceback" not in result.stderr
