"""`approval-sim server start|stop|status`: a local Prefect server kept running in the background.

With it running, `run`, `nightly` and `sensitivity` skip starting a temporary server (several seconds each),
and its UI shows every run. Prefect is imported inside the commands.
"""

from __future__ import annotations

from typing import Annotated

import typer

from approval_sim.errors import UserError, handle_user_errors
from approval_sim.options import JsonOption
from approval_sim.output import print_json

PortOption = Annotated[
    int | None,
    typer.Option(
        "--port", min=1, max=65535, help="port on 127.0.0.1 (default: $APPROVAL_SIM_SERVER_PORT, else 4200)"
    ),
]


def _show(status, as_json: bool, note: str = "") -> None:  # noqa: ANN001 - flows.background_server.ServerStatus
    if as_json:
        print_json(status.as_json())
        return
    if status.running:
        answers = "" if status.answers else " (its API does not answer yet; see the log)"
        typer.echo(f"running{answers}: {status.url}  (UI: {status.url.removesuffix('/api')})")
        typer.echo(f"pid: {status.pid}")
    else:
        typer.echo("not running" + (f"; {note}" if note else ""))
    typer.echo(f"log: {status.log}")
    typer.echo(f"pid file: {status.pid_file}")


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
            progress.step("starting `prefect server start` in the background"
                          + (" (new Prefect database from the template)" if seeded else ""))  # fmt: skip
        status, started = background_server.start(port, environment=server_environment())
    except ServerError as error:
        raise UserError(str(error)) from None
    if started:
        progress.step("started")
    else:
        elsewhere = port is not None and status.url != local_api_url(port)
        progress.step(
            "already running" + (" (on another port: `approval-sim server stop` first)" if elsewhere else "")
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
        typer.echo("no server started by approval-sim is running")
    else:
        typer.echo(f"stopped the Prefect server at {stopped.url} (pid {stopped.pid})")


@handle_user_errors
def status(as_json: JsonOption = False) -> None:
    """Whether the background server runs, with its URL, pid and log file; exit status 1 when it does not."""
    from flows import background_server
    from flows.server import default_port, healthy, local_api_url

    current = background_server.status()
    note = ""
    if not current.running and healthy(local_api_url(default_port())):
        note = f"a Prefect server approval-sim did not start answers at {local_api_url(default_port())}; commands use it"
    _show(current, as_json, note)
    if not current.running:
        raise typer.Exit(1)


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add the 'server' group to the main app."""
    server_app = typer.Typer(
        help="A local Prefect server in the background: faster runs, and the Prefect UI.",
        no_args_is_help=True,
    )
    server_app.command("start")(start)
    server_app.command("stop")(stop)
    server_app.command("status")(status)
    app.add_typer(server_app, name="server")
