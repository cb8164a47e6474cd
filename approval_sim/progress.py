"""What a long command says while it works: a status line at once, then steps, on stderr.

The first line is written before anything heavy is imported. Results go to stdout; status lines, Prefect's
own log lines (prefixed ``Prefect``) and progress go to stderr, one whole line at a time under one lock, so
that they never run into each other or into the command's output.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TypeVar

from approval_sim.output import printable
from messages import _, pgettext

T = TypeVar("T")
DRAINING = "Still processing items:"  # what Prefect's log and event workers say while they send their queues


class Status:
    """Lines on stderr: the headline now, then ``  <elapsed> s  <message>``."""

    def __init__(self, headline: str) -> None:
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._write(f"approval-sim {headline}")

    def step(self, message: str) -> None:
        """A step; a ``messages.Message`` (e.g. from a flow's progress report) in the user's language."""
        from messages import localize

        self._write(f"  {time.monotonic() - self.started:5.1f} s  {localize(message)}")

    def _write(self, line: str) -> None:
        with self._lock:
            sys.stdout.flush()
            sys.stderr.write(printable(line) + "\n")
            sys.stderr.flush()


def _level(name: str) -> str:
    """A log level's name in the user's language."""
    words = {
        "DEBUG": pgettext("log level", "debug"),
        "INFO": pgettext("log level", "info"),
        "WARNING": pgettext("log level", "warning"),
        "ERROR": pgettext("log level", "error"),
        "CRITICAL": pgettext("log level", "critical"),
    }
    return words.get(name, name.lower())


# Failures the command itself explains in its one error line when they end it: Prefect's own lines about them
# (the task's failure, the flow's state, its exception: the same sentence three times) are held back.
_EXPLAINED_LATER = ("DatabaseFailure", "RunBusy")


class _StatusHandler(logging.Handler):
    """Prefect's console log lines, as status lines; errors the command will explain itself go to ``held``."""

    def __init__(self, status: Status, level: int, held: list[str]) -> None:
        super().__init__(level)
        self.status = status
        self.held = held

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from flows.store.failures import without_sql

            message = without_sql(record.getMessage())  # a failed write's SQL and parameters stay out
            if message.startswith(DRAINING):  # Prefect's queues emptying as the flow ends: nothing to act on
                return
            line = _("Prefect {level}: {message}").format(level=_level(record.levelname), message=message)
            if record.levelno >= logging.ERROR and any(name in message for name in _EXPLAINED_LATER):
                self.held.append(line)
            else:
                self.status.step(line)
        except Exception:  # noqa: BLE001 - logging must never break the command
            self.handleError(record)


@contextmanager
def prefect_console_to(status: Status, held: list[str] | None = None) -> Iterator[None]:
    """Route Prefect's console handlers (its stream handlers: the console one and its internal loggers')
    through ``status``, then restore them. Error lines the command explains itself when it fails are put in
    ``held`` (shown at once when no list is given)."""
    held = [] if held is None else held
    from prefect.logging.configuration import ensure_logging_setup

    ensure_logging_setup()  # Prefect sets its handlers up on first use: set them up now, to replace them
    loggers = [logging.getLogger(), *(
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    )]  # fmt: skip
    swapped: list[tuple[logging.Logger, logging.Handler, logging.Handler]] = []
    for logger in loggers:
        for handler in list(logger.handlers):
            if type(handler).__module__ == "prefect.logging.handlers" and isinstance(
                handler, logging.StreamHandler
            ):
                status_handler = _StatusHandler(status, handler.level, held)
                logger.handlers[logger.handlers.index(handler)] = status_handler
                swapped.append((logger, handler, status_handler))
    try:
        yield
    finally:
        for logger, original, replacement in swapped:
            if replacement in logger.handlers:
                logger.handlers[logger.handlers.index(replacement)] = original


class FlowCommand:
    """A command that runs Prefect flows: status line, server found or started early, progress, clean stop.

    ``with FlowCommand("run compare: a vs b") as command: ...; command.run(lambda: flow(...))``.
    """

    def __init__(self, headline: str) -> None:
        self.status = Status(headline)
        from flows.session import PrefectSession

        self.session = PrefectSession(self.status.step)
        self._console = ExitStack()  # Prefect's lines on the status from the first flow to the very end
        self._routed = False
        self._held: list[str] = []  # Prefect's lines about a failure the command's error line explains

    def __enter__(self) -> FlowCommand:
        from approval_sim.errors import UserError, error_text
        from flows import progress
        from flows.server import ServerError

        self._progress = progress.listening(self.status.step)
        self._progress.__enter__()
        try:
            self.session.open()
        except ServerError as error:
            self.__exit__(None, None, None)
            raise UserError(error_text(error)) from None
        return self

    def run(self, call: Callable[[], T]) -> T:
        """Wait for the server, then run ``call`` (the flow) with Prefect's log lines on the status."""
        from approval_sim.errors import UserError, error_text
        from flows.server import ServerError
        from flows.session import drain_prefect_workers

        try:
            self.session.ready()
        except ServerError as error:
            raise UserError(error_text(error)) from None
        if not self._routed:
            self._console.enter_context(prefect_console_to(self.status, self._held))
            self._routed = True
        try:
            return call()
        finally:
            # what Prefect still has queued (logs, events) is sent now: anything it says while draining
            # ("Still processing items...") comes on the status before the command prints its results,
            # not after them on the terminal
            drain_prefect_workers()

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        from flows import prefetch

        try:
            self.session.close()  # drains Prefect's log and event queues, which may say so
        finally:
            self._console.close()
            prefetch.forget()
            self._progress.__exit__(None, None, None)
            if exc_type is None:  # the command survived them: nothing else will say what went wrong
                for line in self._held:
                    self.status.step(line)
