"""What long commands say while they work: a first status line at once, progress, and Prefect's own log
lines kept apart from the command's output."""

from __future__ import annotations

import ast
import logging
import os
import subprocess
import sys
from datetime import date

import pytest
from typer.testing import CliRunner

from approval_sim.cli import app
from approval_sim.progress import Status, prefect_console_to

HEAVY = ("prefect", "numpy", "sqlalchemy", "networkx", "matplotlib")  # (typer itself loads pydantic)


@pytest.mark.parametrize(
    "arguments",
    [
        ["run", "compare", "no-such-scenario"],
        ["run", "simulate", "no-such-scenario"],
        ["sensitivity", "no-such-scenario"],
        ["nightly", "--scenarios", "."],
    ],
)
def test_the_first_status_line_comes_before_any_heavy_import(arguments, tmp_path):
    code = (
        "import sys\n"
        "from approval_sim import progress\n"
        "seen = []\n"
        "original = progress.Status._write\n"
        "def spy(self, line):\n"
        f"    seen.append((line, [m for m in {HEAVY!r} if m in sys.modules]))\n"
        "    original(self, line)\n"
        "progress.Status._write = spy\n"
        "from approval_sim.cli import app\n"
        f"try:\n    app({arguments!r})\nexcept SystemExit:\n    pass\n"
        "print(repr(seen[0]))\n"
    )
    environment = {**os.environ, "APPROVAL_SIM_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                            env=environment, timeout=300, check=True)  # fmt: skip
    line, loaded = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    assert line.startswith(f"approval-sim {arguments[0]}") and loaded == []


def test_status_lines_carry_the_elapsed_time(capsys):
    status = Status("demo: something long")
    status.step("half-way")
    out, err = capsys.readouterr()
    assert out == ""
    first, second = err.splitlines()
    assert first == "approval-sim demo: something long"
    assert second.endswith(" s  half-way") and float(second.split()[0]) >= 0


def test_prefect_console_lines_go_through_the_status_and_are_restored(capsys):
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.logging.handlers import PrefectConsoleHandler

    ensure_logging_setup()
    root = logging.getLogger()
    before = list(root.handlers)
    assert any(isinstance(h, PrefectConsoleHandler) for h in before), before
    internal = logging.getLogger("prefect._internal")  # its own stream handler (errors of Prefect internals)
    internal_before = list(internal.handlers)
    assert internal_before and not internal.propagate
    status = Status("demo")
    with prefect_console_to(status):
        logging.getLogger("approval-sim-test").warning("something Prefect says")  # propagates to the root
        # what Prefect's event worker says while it drains at the end of a command
        logging.getLogger("EventsWorker").warning("Still processing items: 3 items remaining...")
        assert not any(isinstance(h, PrefectConsoleHandler) for h in root.handlers)
    assert root.handlers == before and internal.handlers == internal_before
    out, err = capsys.readouterr()
    assert out == "", out
    # Prefect's own "still sending" note is left out: it is not the user's business, and it came after the
    # command's results on the terminal
    assert err.splitlines()[-1].endswith(" s  Prefect warning: something Prefect says"), err
    assert "Still processing items" not in err


def test_prefect_error_lines_about_a_failure_the_command_explains_are_held_back(capsys):
    """A database failure that ends the command is its one 'error:' line; Prefect said the same sentence three
    times before it (task failed, flow finished Failed, exception). Other lines, warnings included, still show."""
    from prefect.logging.configuration import ensure_logging_setup

    ensure_logging_setup()
    status, held = Status("demo"), []
    with prefect_console_to(status, held):
        logger = logging.getLogger("approval-sim-test")
        logger.error("Finished in state Failed('Task run encountered an exception DatabaseFailure: full')")
        logger.warning("a warning about DatabaseFailure stays")
        logger.error("another failure stays")
    err = capsys.readouterr().err
    assert "Finished in state" not in err and "DatabaseFailure stays" in err and "another failure" in err
    assert held == [
        "Prefect error: Finished in state Failed('Task run encountered an exception DatabaseFailure: full')"
    ]


@pytest.mark.usefixtures("prefect_server")
def test_run_compare_reports_progress_on_stderr_and_only_the_result_on_stdout(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(app, ["run", "compare", "luoyang-2017-before", "luoyang-2017-after", "-n", "200",
                                      "-r", "3", "--database", url])  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert (
        lines[0]
        == "approval-sim run compare: luoyang-2017-before vs luoyang-2017-after, 200 projects x 3 replications"
    )
    assert any("Prefect: using PREFECT_API_URL at http://127.0.0.1:" in line for line in lines)
    assert any(line.endswith("simulated 3/3 replications of 200 projects") for line in lines)
    assert (
        result.stdout.splitlines()[0] == "run id: 1" and "approval-sim" not in result.stdout.splitlines()[0]
    )


@pytest.mark.usefixtures("prefect_server")
def test_a_rerun_batch_keeps_prefects_warning_apart_from_the_commands_message(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "a.yaml").write_text("name: a\nbase: luoyang-2017-after\nbaseline: luoyang-2017-before\n")
    arguments = ["nightly", "--scenarios", str(folder), "--as-of", date(2026, 1, 5).isoformat(), "--seeds", "1",
                 "-n", "100", "-r", "2", "--no-exports", "--database", f"sqlite:///{tmp_path / 'n.db'}"]  # fmt: skip
    first = CliRunner().invoke(app, arguments)
    assert first.exit_code == 0, first.output
    assert "compared a.yaml for seed(s) 1" in first.stderr
    again = CliRunner().invoke(app, arguments)
    assert again.exit_code == 0, again.output
    assert again.stdout == "nightly batch 2026-01-05: already completed, nothing to do\n"
    (warning,) = [line for line in again.stderr.splitlines() if "Prefect warning" in line]
    assert warning.endswith(
        "Prefect warning: nightly batch for 2026-01-05 with these inputs already completed; nothing to do"
    )
