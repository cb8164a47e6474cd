"""The Prefect API a command's flows talk to: a running server when one answers, else a temporary one.

In order: the configured ``PREFECT_API_URL`` (environment, Prefect profile, or temporary settings), the
server of ``approval-sim server start`` (its pid file), a server on the default port
($APPROVAL_SIM_SERVER_PORT, else 4200, e.g. the one ``approval-sim serve`` runs). A quick health check
decides. With none answering, the command starts a temporary server of its own as early as possible, so that
it starts while the command loads its scenarios and modules, and stops it at the end. The temporary server
ends with the command even if the command is killed (``flows.server``). A new Prefect database is created
from the pre-migrated template (``flows.prefect_template``). Prefect's database stays Prefect's: the app's
results go to its own database.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from flows import background_server, prefect_template
from flows.prefect_env import QuickSettings, quick_settings
from flows.server import (
    ServerError,
    TemporaryServer,
    default_port,
    end_orphans,
    healthy,
    local_api_url,
)
from flows.settings import configure_prefect_environment
from messages import Message

Notify = Callable[[str], None]
CONFIGURED_TIMEOUT = 3.0  # a configured server may be remote
LOCAL_TIMEOUT = 1.0


@dataclass(frozen=True)
class Found:
    url: str
    source: str


def prefect_settings():  # noqa: ANN201 - prefect.settings.Settings
    configure_prefect_environment()
    from prefect.settings import get_current_settings

    return get_current_settings()


def settings_from_prefect() -> QuickSettings:
    """What decides the server, as Prefect itself resolves it (environment, profile, files, temporary settings)."""
    settings = prefect_settings()
    database = settings.server.database.connection_url
    return QuickSettings(
        api_url=settings.api.url,
        api_key=settings.api.key.get_secret_value() if settings.api.key is not None else None,
        database_url=database.get_secret_value() if database is not None else "",
        ephemeral_enabled=settings.server.ephemeral.enabled,
    )


def server_environment() -> dict[str, str]:
    """The Prefect settings in force here, as variables for a server process (as Prefect passes them)."""
    return prefect_settings().to_environment_variables(exclude_unset=True)


def seed_prefect_database(settings: QuickSettings | None = None) -> bool:
    """Create Prefect's database from the template if it does not exist yet."""
    return prefect_template.seed_database((settings or settings_from_prefect()).database_url)


def find_running_server(
    notify: Notify = lambda _: None, port: int | None = None, settings: QuickSettings | None = None
) -> Found | None:
    """The first server that answers: configured URL, ``approval-sim server start``'s, the default port's.

    With ``port``, only the configured URL and that port count.
    """
    settings = settings or settings_from_prefect()
    configured = settings.api_url
    if configured:
        if healthy(configured, CONFIGURED_TIMEOUT, settings.api_key):
            return Found(configured, "PREFECT_API_URL")
        notify(Message("PREFECT_API_URL={url} does not answer; looking for a local server", url=configured))
    managed = background_server.status()
    wanted = port is None or managed.url == local_api_url(port)
    if managed.running and managed.url and wanted and healthy(managed.url, LOCAL_TIMEOUT):
        return Found(managed.url, Message("the server of approval-sim server start"))
    port = port or default_port()
    url = local_api_url(port)
    if url != configured and healthy(url, LOCAL_TIMEOUT):
        return Found(url, Message("the Prefect server on port {port}", port=port))
    return None


class PrefectSession:
    """Open (find or start a server) early, ``ready()`` just before the first flow, ``close()`` at the end."""

    def __init__(self, notify: Notify = lambda _: None) -> None:
        self.notify = notify
        self.found: Found | None = None
        self.temporary: TemporaryServer | None = None
        self.guessed: QuickSettings | None = None
        self._settings = ExitStack()

    def open(self) -> None:
        """Find a running server, else start a temporary one (before importing Prefect when possible)."""
        configure_prefect_environment()
        self.guessed = quick_settings()
        self._open(self.guessed or settings_from_prefect(), inherit=self.guessed is not None)

    def _open(self, settings: QuickSettings, *, inherit: bool) -> None:
        self.found = find_running_server(self.notify, settings=settings)
        if self.found is not None:
            self.notify(
                Message("Prefect: using {server} at {url}", server=self.found.source, url=self.found.url)
            )
            return
        if not settings.ephemeral_enabled:
            raise ServerError(
                "no Prefect server answers and temporary servers are disabled "
                "(PREFECT_SERVER_EPHEMERAL_ENABLED=false); start one: approval-sim server start"
            )
        for pid in end_orphans():
            self.notify(
                Message("ended a temporary Prefect server left by a killed command (pid {pid})", pid=pid)
            )
        seeded = seed_prefect_database(settings)
        # settings known from the environment alone reach the child by inheritance, without importing Prefect
        self.temporary = TemporaryServer(environment=None if inherit else server_environment())
        self.temporary.start()
        self.notify(
            Message(
                "Prefect: starting a temporary server (new Prefect database from the template); keep one running to "
                "skip this: approval-sim server start"
            )
            if seeded
            else Message(
                "Prefect: starting a temporary server; keep one running to skip this: approval-sim server start"
            )
        )

    def ready(self) -> str:
        """Wait for the server, point Prefect's client at it (no flow heartbeats); its API URL."""
        if self.guessed is not None and _decisive(settings_from_prefect()) != _decisive(self.guessed):
            self.notify(
                Message("Prefect's settings differ from the environment's; choosing the server again")
            )
            self._stop_temporary()
            self.guessed = None
            self._open(settings_from_prefect(), inherit=False)
        if self.found is None:
            assert self.temporary is not None, "open() first"
            url = self.temporary.wait()
            self.notify(Message("Prefect: temporary server ready at {url}", url=url))
            self.found = Found(url, "temporary server")
        from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

        self._settings.enter_context(
            temporary_settings({PREFECT_API_URL: self.found.url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})
        )
        return self.found.url

    def _stop_temporary(self) -> None:
        if self.temporary is not None:
            if self.temporary.process is not None:
                drain_prefect_workers()
            self.temporary.stop()
            self.temporary = None

    def close(self) -> None:
        try:
            self._stop_temporary()
        finally:
            self._settings.close()

    def __enter__(self) -> PrefectSession:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _decisive(settings: QuickSettings) -> tuple:
    """What decides which server to use (the database file only matters to a server starting anew)."""
    return (settings.api_url, settings.api_key, settings.ephemeral_enabled)


def drain_prefect_workers(timeout: float = 5.0) -> None:
    """Send the logs and events still queued before their server stops (else the exit hangs for ~70 s)."""
    if "prefect.logging.handlers" not in sys.modules:  # no flow ran: nothing queued
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=timeout)
    EventsWorker.drain_all(timeout=timeout)
