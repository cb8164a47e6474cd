"""The long-running local Prefect server of ``approval-sim server start|stop|status``.

It is ``prefect server start`` (API, UI, scheduler) detached from the terminal, on 127.0.0.1 and the default
port ($APPROVAL_SIM_SERVER_PORT, else 4200), with a pid file (JSON: pid, start time, port, URL, log) and a log
file in the state folder. Unlike a command's temporary server it outlives the command that started it, on
purpose; ``server stop`` ends it. Commands find it through the pid file or the default port.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from flows.server import (
    STARTUP_TIMEOUT_ENV,
    ProcessId,
    ServerError,
    default_port,
    healthy,
    local_api_url,
    port_in_use,
    state_dir,
    tail,
)

PID_FILE = "prefect-server.json"
LOG_FILE = "prefect-server.log"


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    answers: bool
    pid: int | None
    url: str | None
    pid_file: Path
    log: Path

    def as_json(self) -> dict:
        return {"running": self.running, "answers": self.answers, "pid": self.pid, "url": self.url,
                "pid_file": str(self.pid_file), "log": str(self.log)}  # fmt: skip


def pid_file() -> Path:
    return state_dir() / PID_FILE


def log_file() -> Path:
    return state_dir() / LOG_FILE


def _recorded() -> tuple[ProcessId, dict] | None:
    try:
        data = json.loads(pid_file().read_text(encoding="utf-8"))
        return ProcessId(int(data["pid"]), float(data["started"])), data
    except (OSError, ValueError, KeyError, TypeError):
        return None


def status() -> ServerStatus:
    """Whether the recorded server process is alive, and whether its API answers."""
    recorded = _recorded()
    if recorded is None or not recorded[0].alive():
        return ServerStatus(False, False, None, None, pid_file(), log_file())
    process, data = recorded
    url = str(data["url"])
    return ServerStatus(True, healthy(url), process.pid, url, pid_file(), log_file())


def start(
    port: int | None = None, environment: dict[str, str] | None = None, timeout: float | None = None
) -> tuple[ServerStatus, bool]:
    """Start the server unless it runs; (its status, whether this call started it). Waits until it answers."""
    current = status()
    if current.running:
        return current, False
    port = port or default_port()
    url = local_api_url(port)
    if healthy(url):
        raise ServerError(
            f"a Prefect server that approval-sim did not start already answers at {url}; the commands use it "
            f"as it is (stop it first to manage one with approval-sim, or choose another --port)"
        )
    if port_in_use(port):
        raise ServerError(f"port {port} on 127.0.0.1 is in use by another program; choose --port or set "
                          f"APPROVAL_SIM_SERVER_PORT")  # fmt: skip
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with log_file().open("ab") as log:
        log.write(
            f"\n--- approval-sim server start, port {port}, {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode()
        )
        log.flush()
        process = subprocess.Popen(
            [sys.executable, "-P", "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, **(environment or {})},
        )  # fmt: skip
    identity = ProcessId.of(process.pid)
    if identity is not None:
        pid_file().write_text(json.dumps({"pid": identity.pid, "started": identity.started, "port": port, "url": url,
                                          "log": str(log_file())}), encoding="utf-8")  # fmt: skip
    deadline = time.monotonic() + (timeout or float(os.environ.get(STARTUP_TIMEOUT_ENV) or 120))
    while not healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            if identity is not None:
                identity.end(group=True)
            pid_file().unlink(missing_ok=True)
            raise ServerError(f"the Prefect server did not start (exit status {process.poll()}); "
                              f"its log ({log_file()}) ends:\n{tail(log_file())}")  # fmt: skip
        time.sleep(0.2)
    return status(), True


def stop() -> ServerStatus | None:
    """End the recorded server (its whole process group); the status it had, or None if none was running."""
    recorded = _recorded()
    if recorded is None or not recorded[0].alive():
        pid_file().unlink(missing_ok=True)
        return None
    before = status()
    recorded[0].end(group=True)
    pid_file().unlink(missing_ok=True)
    return before
