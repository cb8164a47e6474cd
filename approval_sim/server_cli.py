"""`approval-sim server start|stop|status`: a local Prefect server kept running in the background.

With it running, `run`, `nightly` and `sensitivity` skip starting a temporary server (several seconds each),
and its UI shows every run. Prefect is imported inside the commands.
"""

from __future__ import annotations

from typing import Annotated

import typer

from approval_sim.errors import UserError, error_text, handle_user_errors
from approval_sim.options import JsonOption
from approval_sim.output import echo, print_json
from messages import N_, Message, _, localize

PortOption = Annotated[
    int | None,
    typer.Option(
        "--port",
        min=1,
        max=65535,
        help=N_("port on 127.0.0.1 (default: $APPROVAL_SIM_SERVER_PORT, else 4200)"),
    ),
]


def _show(status, as_json: bool, note: str = "") -> None:  # noqa: ANN001 - flows.background_server.ServerStatus
    if as_json:
        print_json(status.as_json())
        return
    if status.running:
        running = (
            _("running: {url}  (UI: {ui})")
            if status.answers
            else _("running (its API does not answer yet; see the log): {url}  (UI: {ui})")
        )
        echo(running.format(url=status.url, ui=status.url.removesuffix("/api")))
        echo(_("pid: {pid}").format(pid=status.pid))
    else:
        echo(_("not running; {note}").format(note=localize(note)) if note else _("not running"))
    echo(_("log: {path}").format(path=status.log))
    echo(_("pid file: {path}").format(path=status.pid_file))


@handle_user_errors
def start(port: PortOption = None, as_json: JsonOption = False) -> None:
    """Start the server in the background (returns once it answers); does nothing if it already runs."""
    from approval_sim.progress import Status

    progress = Status("server start")
    from flows import background_server
    from flows.server import ServerError, local_api_url
    from flows.session import seed_prefect_database, server_environment

    try:
        if not background_server.status().running:
            seeded = seed_prefect_database()
            progress.step(
                _(
                    "starting `prefect server start` in the background (new Prefect database from the template)"
                )
                if seeded
                else _("starting `prefect server start` in the background")
            )
        status, started = background_server.start(port, environment=server_environment())
    except ServerError as error:
        raise UserError(error_text(error)) from None
    if started:
        progress.step(_("started"))
    else:
        elsewhere = port is not None and status.url != local_api_url(port)
        progress.step(
            _("already running (on another port: `approval-sim server stop` first)")
            if elsewhere
            else _("already running")
        )
    _show(status, as_json)


@handle_user_errors
def stop(as_json: JsonOption = False) -> None:
    """Stop the background server started by `approval-sim server start`."""
    from flows import background_server

    stopped = background_server.stop()
    if as_json:
        print_json({"stopped": stopped is not None, "pid": stopped.pid if stopped else None})
    elif stopped is None:
        echo(_("no server started by approval-sim is running"))
    else:
        echo(_("stopped the Prefect server at {url} (pid {pid})").format(url=stopped.url, pid=stopped.pid))


@handle_user_errors
def status(as_json: JsonOption = False) -> None:
    """Whether the background server runs, with its URL, pid and log file; exit status 1 when it does not."""
    from flows import background_server
    from flows.server import default_port, healthy, local_api_url

    current = background_server.status()
    note = ""
    if not current.running and healthy(local_api_url(default_port())):
        note = Message(
            "a Prefect server approval-sim did not start answers at {url}; commands use it",
            url=local_api_url(default_port()),
        )
    _show(current, as_json, note)
    if not current.running:
        raise typer.Exit(1)


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add the 'server' group to the main app."""
    server_app = typer.Typer(
        help=N_("A local Prefect server in the background: faster runs, and the Prefect UI."),
        no_args_is_help=True,
    )
    server_app.command("start")(start)
    server_app.command("stop")(stop)
    server_app.command("status")(status)
    app.add_typer(server_app, name="server")
