"""Prefect API servers the commands talk to: health checks, and temporary servers bound to their command.

A temporary server is ``python -m flows.server_child``: it ends itself when the command that started it dies,
even by ``kill -9`` (see that module). Each one is also recorded in the state folder, and every command that
starts a server first ends the recorded ones whose command is gone (a second line of defence, e.g. for a
child that was stopped with SIGSTOP when its parent died). Prefect is not imported here.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PORT_ENV = "APPROVAL_SIM_SERVER_PORT"
STATE_DIR_ENV = "APPROVAL_SIM_STATE_DIR"
DEFAULT_PORT = 4200
STARTUP_TIMEOUT_ENV = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
STOP_TIMEOUT = 10.0
LOG_TAIL_LINES = 15


class ServerError(RuntimeError):
    """A Prefect server could not be started or reached; the message says what to do."""


def default_port() -> int:
    """The port of the long-running local server: $APPROVAL_SIM_SERVER_PORT, else 4200 (Prefect's)."""
    text = os.environ.get(PORT_ENV, "").strip()
    if not text:
        return DEFAULT_PORT
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ServerError(f"{PORT_ENV}={text!r} is not a port number (1-65535)")
    return int(text)


def local_api_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api"


def state_dir() -> Path:
    """Pid files and logs of the servers approval-sim starts: $APPROVAL_SIM_STATE_DIR, else the user state dir."""
    configured = os.environ.get(STATE_DIR_ENV)
    if configured:
        return Path(configured)
    from platformdirs import user_state_dir

    return Path(user_state_dir("approval-sim", appauthor=False))


def healthy(api_url: str, timeout: float = 1.0, api_key: str | None = None) -> bool:
    """True when a Prefect API answers ``GET {api_url}/health`` with ``true``."""
    try:
        request = urllib.request.Request(f"{api_url.rstrip('/')}/health")
        if api_key:
            request.add_header("Authorization", f"Bearer {api_key}")
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) API URL
            return response.status == 200 and response.read(16).strip() == b"true"
    except (OSError, ValueError):
        return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether a server could not listen on the port (as uvicorn does: connections in TIME_WAIT don't count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# ------------------------------------------------------------------------------------------ process identity


@dataclass(frozen=True)
class ProcessId:
    """A process by pid and start time, so that a recycled pid is never mistaken for it."""

    pid: int
    started: float

    @classmethod
    def of(cls, pid: int) -> ProcessId | None:
        import psutil

        try:
            return cls(pid, psutil.Process(pid).create_time())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None

    def alive(self) -> bool:
        import psutil

        try:
            process = psutil.Process(self.pid)
            return process.create_time() == self.started and process.status() != psutil.STATUS_ZOMBIE
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return False

    def end(self, timeout: float = STOP_TIMEOUT, *, group: bool = False) -> None:
        """SIGTERM (to its process group when ``group``), then SIGKILL if it is still there after ``timeout``."""
        import psutil

        try:
            process = psutil.Process(self.pid)
            if process.create_time() != self.started:
                return
            if group and hasattr(os, "killpg"):
                os.killpg(self.pid, signal.SIGTERM)
            else:
                process.terminate()
            try:
                process.wait(timeout)
            except psutil.TimeoutExpired:
                if group and hasattr(os, "killpg"):
                    os.killpg(self.pid, signal.SIGKILL)
                else:
                    process.kill()
                process.wait(timeout)
        except (psutil.NoSuchProcess, ProcessLookupError):
            pass


# ------------------------------------------------------------------------------------------ temporary servers


def _records() -> Path:
    return state_dir() / "temporary-servers"


def end_orphans() -> list[int]:
    """End recorded temporary servers whose command died (pids ended); forget records of finished ones."""
    ended: list[int] = []
    folder = _records()
    if not folder.is_dir():
        return ended
    for record in folder.glob("*.json"):
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            server = ProcessId(int(data["pid"]), float(data["started"]))
            parent = ProcessId(int(data["parent"]), float(data["parent_started"]))
        except (OSError, ValueError, KeyError, TypeError):
            record.unlink(missing_ok=True)
            continue
        if server.alive():
            if parent.alive():
                continue
            server.end()
            ended.append(server.pid)
        record.unlink(missing_ok=True)
        if data.get("log"):
            Path(data["log"]).unlink(missing_ok=True)
    return ended


class TemporaryServer:
    """A Prefect API server in a child process that lives as long as this process, and no longer.

    ``start()`` returns at once (the server imports and starts in parallel with the caller's own work);
    ``wait()`` blocks until it answers. ``ui=True`` serves the UI and runs Prefect's background services (what
    ``prefect server start`` runs, e.g. for ``serve``); otherwise it is an API-only server like Prefect's own
    ephemeral one. Its output goes to a log file in the state folder, shown when it fails to start.
    """

    def __init__(
        self, port: int | None = None, *, ui: bool = False, environment: dict[str, str] | None = None
    ):
        self.fixed_port = port
        self.port = port
        self.ui = ui
        self.environment = environment or {}
        self.process: subprocess.Popen | None = None
        self.record: Path | None = None
        self.log: Path | None = None

    @property
    def api_url(self) -> str:
        return local_api_url(self.port or 0)

    def start(self) -> None:
        if self.process is not None:
            return
        folder = _records()
        folder.mkdir(parents=True, exist_ok=True)
        self.port = self.fixed_port or free_port()
        self.log = folder / f"server-{os.getpid()}-{self.port}.log"
        # -P: the user's working directory (which may hold its own `flows` package) is not put on sys.path
        command = [sys.executable, "-P", "-m", "flows.server_child", "--port", str(self.port),
                   "--parent", str(os.getpid())]  # fmt: skip
        if self.ui:
            command.append("--ui")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **self.environment},
                # its own session: Ctrl-C in the terminal reaches the command, which then stops the server
                # after its flow has recorded the interruption
                start_new_session=True,
            )  # fmt: skip
        self._write_record()

    def _write_record(self) -> None:
        assert self.process is not None
        server, parent = ProcessId.of(self.process.pid), ProcessId.of(os.getpid())
        if server is None or parent is None:  # it already exited: wait() reports why
            return
        self.record = _records() / f"{self.process.pid}.json"
        self.record.write_text(json.dumps({"pid": server.pid, "started": server.started, "parent": parent.pid,
                                           "parent_started": parent.started, "port": self.port, "log": str(self.log)}),
                               encoding="utf-8")  # fmt: skip

    def wait(self, timeout: float | None = None) -> str:
        """Block until the server answers; its API URL. Raises ServerError with the log's tail if it cannot."""
        if timeout is None:
            timeout = float(os.environ.get(STARTUP_TIMEOUT_ENV) or 120)
        deadline = time.monotonic() + timeout
        retries = 0 if self.fixed_port else 2  # a free port can be taken between choosing it and binding it
        while True:
            assert self.process is not None
            if healthy(self.api_url, timeout=2.0):
                return self.api_url
            if self.process.poll() is not None:
                if retries and self.log and "address already in use" in tail(self.log).lower():
                    retries -= 1
                    self._forget()
                    self.start()
                    continue
                message = f"the temporary Prefect server exited with status {self.process.returncode}"
                raise ServerError(self._with_log(message))
            if time.monotonic() > deadline:
                self.stop()
                raise ServerError(self._with_log(
                    f"the temporary Prefect server did not answer within {timeout:.0f} s "
                    f"(raise {STARTUP_TIMEOUT_ENV}, or keep a server running: approval-sim server start)"
                ))  # fmt: skip
            time.sleep(0.1)

    def _with_log(self, message: str) -> str:
        lines = tail(self.log) if self.log else ""
        return f"{message}; its log ({self.log}) ends:\n{lines}" if lines else message

    def _forget(self) -> None:
        if self.record is not None:
            self.record.unlink(missing_ok=True)
        self.process = None
        self.record = None

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``) and remove its record and log."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._forget()
        if self.log is not None:
            with contextlib.suppress(OSError):
                self.log.unlink()
