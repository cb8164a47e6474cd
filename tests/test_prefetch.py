"""Work started ahead of its task: computed once, taken by the task, the same numbers as without it."""

from __future__ import annotations

import json
import threading

import pytest
from typer.testing import CliRunner

from flows import prefetch

calls: list[tuple] = []


def square(x: int) -> int:
    calls.append((x,))
    return x * x


def slow_fail(x: int) -> int:
    raise ValueError(f"bad {x}")


@pytest.fixture(autouse=True)
def clean():
    calls.clear()
    prefetch.forget()
    yield
    prefetch.forget()


def test_a_started_call_is_computed_once_and_taken_once():
    prefetch.start(square, 7)
    prefetch.start(square, 7)  # started already: not queued twice
    assert prefetch.call(square, 7) == 49
    assert calls == [(7,)]
    assert prefetch.call(square, 7) == 49  # taken: the next call computes
    assert calls == [(7,), (7,)]


def test_a_call_never_started_is_computed_here():
    assert prefetch.call(square, 3) == 9
    assert calls == [(3,)] and threading.current_thread() is threading.main_thread()


def test_an_error_reaches_the_caller():
    prefetch.start(slow_fail, 1)
    with pytest.raises(ValueError, match="bad 1"):
        prefetch.call(slow_fail, 1)


def test_other_arguments_are_other_calls():
    prefetch.start(square, 2)
    assert prefetch.call(square, 4) == 16
    assert prefetch.call(square, 2) == 4


@pytest.mark.usefixtures("prefect_server")
def test_run_compare_with_work_done_ahead_gives_the_flows_own_numbers(tmp_path, monkeypatch):
    """The CLI computes ahead (while a server would start); the flow called directly computes in its tasks."""
    from approval_sim.cli import app
    from flows import work
    from flows.pipelines import compare_scenarios

    simulated: list[tuple[int, ...]] = []
    real = work.run_pair_replications

    def counted(spec, indices):
        simulated.append(tuple(indices))
        return real(spec, indices)

    monkeypatch.setattr(work, "run_pair_replications", counted)

    arguments = ["luoyang-2017-before", "luoyang-2017-after", "-n", "300", "-r", "4", "--seed", "3"]
    result = CliRunner().invoke(app, ["run", "compare", *arguments, "--json",
                                      "--database", f"sqlite:///{tmp_path / 'a.db'}"])  # fmt: skip
    assert result.exit_code == 0, result.output
    ahead = json.loads(result.stdout)
    assert sorted(simulated) == [(0, 1), (2, 3)]  # each group once: the tasks took what was computed ahead
    direct = compare_scenarios("luoyang-2017-before", "luoyang-2017-after", projects=300, replications=4, seed=3,
                               database_url=f"sqlite:///{tmp_path / 'b.db'}")  # fmt: skip
    for payload in (ahead, direct):
        payload.pop("run_id")
    assert ahead == json.loads(json.dumps(direct, default=str))
