"""The `approval-sim` command line. Thin: it parses options, calls the domain and prints.

Each ``*_cli`` module defines its commands as plain functions (wrapped by ``handle_user_errors``) and a
``register(app, catalog_app)`` that adds them, with any command group of its own. Shared options live in
:mod:`approval_sim.options` (docs/cli.md). Heavy modules (pydantic models, networkx, numpy, Prefect,
matplotlib) are imported inside the commands so that ``approval-sim --help`` stays fast.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

import typer

from approval_sim import (
    calendar_cli,
    calibrate_cli,
    export_cli,
    flow_cli,
    plan_cli,
    process_cli,
    rules_cli,
    runs_cli,
    sensitivity_cli,
    server_cli,
    sim_cli,
    validation_cli,
    workbook_cli,
)
from approval_sim.language import LocalizedGroup
from approval_sim.options import LangOption
from messages import N_

app = typer.Typer(
    name="approval-sim",
    cls=LocalizedGroup,
    help=N_("Model and simulate Chinese investment-project approval (Luoyang 2017 放管服 reform)."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(
    help=N_("Browse approval catalogs (built-in or scenario files)."), no_args_is_help=True
)
app.add_typer(catalog_app, name="catalog")


@app.callback()
def _options(lang: LangOption = None) -> None:
    """The options every command takes (the language is chosen before parsing: approval_sim.language)."""


for _module in (
    process_cli,
    rules_cli,
    sim_cli,
    plan_cli,
    flow_cli,
    sensitivity_cli,
    runs_cli,
    export_cli,
    validation_cli,
    calendar_cli,
    server_cli,
    workbook_cli,
    calibrate_cli,
):
    _module.register(app, catalog_app)


def main() -> None:
    try:
        app()
    except SystemExit as stop:
        _leave(stop.code)
    _leave(0)


def _leave(code: object) -> None:
    """Exit without the interpreter's teardown once Prefect is loaded: freeing its ~3,000 modules and objects
    takes 0.5-1.5 s after the work is done. Exit handlers still run (thread joins and Prefect's log and event
    drains, then atexit), and the output is flushed."""
    if code is not None and not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
        code = 1
    if "prefect" not in sys.modules or not hasattr(threading, "_shutdown"):
        sys.exit(code)
    threading._shutdown()  # what Py_Finalize does first: join non-daemon threads, run their exit hooks
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    main()
