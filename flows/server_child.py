"""A Prefect server bound to the process that started it: ``python -P -m flows.server_child --port P --parent PID``.

It ends when its parent dies, even by ``kill -9``: on Linux the kernel sends it SIGTERM at once
(``prctl(PR_SET_PDEATHSIG)``); on every platform a watchdog thread notices within half a second that its parent
changed, asks the server to stop (SIGTERM) and exits hard if the graceful stop takes too long. The parent must
start it from its main thread (PR_SET_PDEATHSIG fires when the creating *thread* ends).

Without ``--ui`` it runs what Prefect's own temporary server runs (the API only, uvicorn with
``create_app``); with ``--ui`` it runs ``prefect server start`` (UI and background services, e.g. the scheduler).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

POLL_SECONDS = 0.5
GRACE_SECONDS = 10.0
PR_SET_PDEATHSIG = 1
BOUND_TO_ENV = "APPROVAL_SIM_BOUND_TO"


def bind_to_parent(parent: int) -> None:
    """End this process when ``parent`` dies (see the module docstring)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the kernel could be told
        os._exit(0)
    threading.Thread(target=_watch, args=(parent,), name="parent-watchdog", daemon=True).start()


def bind_if_asked() -> None:
    """Bind this process to its parent when the parent asked for it ($APPROVAL_SIM_BOUND_TO = the parent's pid).

    ``serve`` sets it: Prefect's runner starts each scheduled flow run as a subprocess that imports the flows,
    and those must not run on when ``serve`` is killed. Processes further down inherit the variable but have
    another parent, so they are left alone.
    """
    if os.environ.get(BOUND_TO_ENV) == str(os.getppid()):
        bind_to_parent(os.getppid())


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_SECONDS)
    os._exit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flows.server_child")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True, help="pid of the process this server serves")
    parser.add_argument("--ui", action="store_true", help="serve the UI and run the background services")
    args = parser.parse_args(argv)
    bind_to_parent(args.parent)
    if args.ui:
        import runpy

        sys.argv = ["prefect", "server", "start", "--host", "127.0.0.1", "--port", str(args.port)]
        runpy.run_module("prefect", run_name="__main__", alter_sys=True)
        return
    # what prefect.server.api.server.SubprocessASGIServer runs: no UI, the services of an ephemeral server
    os.environ.update(
        {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    )
    # registering Prefect's block types costs ~0.8 s on a new database and the flows use no blocks; a UI
    # server (`approval-sim server start`, `serve`) registers them when it starts. Without memoizing: a memo
    # written here would tell that server the types were registered.
    if not {"PREFECT_SERVER_REGISTER_BLOCKS_ON_START", "PREFECT_API_BLOCKS_REGISTER_ON_START"} & set(
        os.environ
    ):
        os.environ["PREFECT_SERVER_REGISTER_BLOCKS_ON_START"] = "false"
        os.environ["PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION"] = "false"
    import uvicorn

    uvicorn.run(
        "prefect.server.api.server:create_app", factory=True, host="127.0.0.1", port=args.port,
        log_level="error", lifespan="on",
    )  # fmt: skip


if __name__ == "__main__":
    main()
