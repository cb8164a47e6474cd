"""The nightly batch knows what it has done: its key is what determines its results, a second batch for the
same key never redoes live work, and every file keeps its own label.

Before: the batch key was only the date and the folder, so a rerun of a completed date with changed files,
seeds, -n or -r silently did nothing; a scenario's own ``base:`` file was not part of its runs' keys; a second
batch for the same date took over the first's live 'running' rows and computed everything again; x.yaml and
x.yml got the same label, and one of them no exports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows import nightly_plan
from flows.store import repository
from flows.store.database import get_engine
from flows.store.records import RunStart

pytestmark = pytest.mark.usefixtures("prefect_server")

AS_OF = date(2026, 11, 25)
BATCH = {"projects": 60, "replications": 2}
SMALL = "name: {name}\nbase: {base}\nbaseline: luoyang-2017-before\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "common.yaml").write_text(
        "name: common\nbase: luoyang-2017-after\nitems:\n  - {id: I05, statutory_limit_days: 12}\n",
        encoding="utf-8",
    )
    (scenarios / "mine.yaml").write_text(SMALL.format(name="mine", base="common.yaml"), encoding="utf-8")
    return scenarios


def _batch(folder: Path, url: str, seeds=(1,), **settings):
    from flows.nightly import nightly_batch

    return nightly_batch(str(folder), AS_OF, list(seeds), database_url=url, **{**BATCH, **settings})


def _computed(url: str) -> int:
    """Comparison runs computed so far (each stored once)."""
    return sum(1 for run in repository.list_runs(get_engine(url), limit=1000) if run.kind == "compare")


def test_an_unchanged_batch_is_skipped_and_a_changed_input_makes_new_runs(folder, tmp_path):
    url = f"sqlite:///{tmp_path / 'key.db'}"
    first = _batch(folder, url)
    assert first["runs"] == 2 and _computed(url) == 2  # common.yaml and mine.yaml, one seed each
    assert _batch(folder, url).get("skipped") is True and _computed(url) == 2

    # a file's own base changes: mine.yaml's runs are redone, common.yaml's too (it changed itself)
    (folder / "common.yaml").write_text(
        (folder / "common.yaml").read_text(encoding="utf-8").replace("12", "11"), encoding="utf-8"
    )
    again = _batch(folder, url)
    assert again.get("skipped") is None and again["runs"] == 2 and _computed(url) == 4

    # only mine.yaml changes: its run is redone, common.yaml's reused (the batch still reports both)
    (folder / "mine.yaml").write_text(SMALL.format(name="mine2", base="common.yaml"), encoding="utf-8")
    third = _batch(folder, url)
    assert third["runs"] == 2 and _computed(url) == 5

    # the settings are inputs too: another seed, -n or -r
    assert _batch(folder, url, seeds=(1, 2))["runs"] == 4 and _computed(url) == 7
    assert _batch(folder, url, projects=70)["runs"] == 2 and _computed(url) == 9
    assert _batch(folder, url, replications=3)["runs"] == 2 and _computed(url) == 11
    assert _batch(folder, url, replications=3).get("skipped") is True and _computed(url) == 11


def test_the_key_covers_every_file_a_scenario_reads(folder):
    jobs, bad = nightly_plan.plan_batch(folder, projects=60, replications=2)
    assert bad == []
    mine = next(job for job in jobs if Path(job.file).name == "mine.yaml")
    key = mine.batch_key(AS_OF, 1)
    (folder / "common.yaml").write_text(
        (folder / "common.yaml").read_text(encoding="utf-8") + "\n# a comment only\n", encoding="utf-8"
    )
    again = next(
        job
        for job in nightly_plan.plan_batch(folder, projects=60, replications=2)[0]
        if job.file == mine.file
    )
    assert again.batch_key(AS_OF, 1) != key  # the base's text is part of the key (content, not meaning)
    assert len(key) <= 300  # the column's size, whatever the file name
    long_name = folder / ("x" * 240 + ".yaml")
    long_name.write_text(SMALL.format(name="long", base="common.yaml"), encoding="utf-8")
    jobs, _ = nightly_plan.plan_batch(folder, projects=60, replications=2)
    assert all(len(job.batch_key(AS_OF, 123456)) <= 300 for job in jobs)


def _owned_by(engine, run_id: int, pid: int) -> None:  # noqa: ANN001 - a SQLAlchemy engine
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text("UPDATE run SET pid = :pid WHERE id = :id"), {"pid": pid, "id": run_id})


@pytest.fixture
def live_process():
    """A process that is alive while the test runs (the owner of a 'running' batch)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield child.pid
    child.kill()
    child.wait()


def test_a_second_batch_for_the_same_key_never_redoes_live_work(folder, tmp_path, live_process):
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    engine = get_engine(url)
    key = nightly_plan.nightly_key(
        AS_OF, folder, nightly_plan.batch_inputs(folder, [1], projects=60, replications=2)
    )
    batch_id = repository.start_run(
        engine, RunStart(kind="nightly", scenario=str(folder), as_of=AS_OF, batch_key=key)
    )
    _owned_by(engine, batch_id, live_process)  # another process, alive, is running this batch
    result = _batch(folder, url)
    assert result["busy"]["run_id"] == batch_id and result["busy"]["pid"] == live_process
    assert _computed(url) == 0  # nothing computed twice
    (run,) = repository.list_runs(engine, limit=10)
    assert run.status == "running" and run.id == batch_id  # the live batch is left alone

    from approval_sim.cli import app

    cli = CliRunner().invoke(
        app, ["nightly", "--scenarios", str(folder), "--as-of", AS_OF.isoformat(), "--seeds", "1", "-n", "60",
              "-r", "2", "--no-exports", "--database", url],
    )  # fmt: skip
    assert cli.exit_code == 2, cli.output
    assert f"pid {live_process}" in cli.output and "already running" in cli.output


def test_a_batch_whose_owner_died_is_taken_over(folder, tmp_path):
    url = f"sqlite:///{tmp_path / 'dead.db'}"
    engine = get_engine(url)
    key = nightly_plan.nightly_key(
        AS_OF, folder, nightly_plan.batch_inputs(folder, [1], projects=60, replications=2)
    )
    batch_id = repository.start_run(
        engine, RunStart(kind="nightly", scenario=str(folder), as_of=AS_OF, batch_key=key)
    )
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _owned_by(engine, batch_id, dead.pid)
    result = _batch(folder, url)
    assert result["batch_run_id"] == batch_id and result["runs"] == 2 and _computed(url) == 2


def test_x_yaml_and_x_yml_keep_their_own_labels_and_exports(tmp_path):
    folder = tmp_path / "pair"
    folder.mkdir()
    (folder / "x.yaml").write_text(SMALL.format(name="x-a", base="luoyang-2017-after"), encoding="utf-8")
    (folder / "x.yml").write_text(
        SMALL.format(name="x-b", base="luoyang-2017-parallel-only"), encoding="utf-8"
    )
    jobs, _ = nightly_plan.plan_batch(folder, projects=60, replications=2)
    labels = [job.spec.label for job in jobs]
    assert len(set(labels)) == 2 and any("x.yaml" in label for label in labels), labels
    url = f"sqlite:///{tmp_path / 'pair.db'}"
    result = _batch(folder, url, exports_dir=str(tmp_path / "exports"))
    assert result["runs"] == 2
    written = {Path(path).parent.name for path in result["exports"] if path.endswith(".xlsx")}
    assert len(written - {AS_OF.isoformat()}) == 2, written  # one export folder per file


def test_keys_do_not_depend_on_where_the_process_runs(folder, monkeypatch):
    jobs, _ = nightly_plan.plan_batch(folder, projects=60, replications=2)
    first = nightly_plan.batch_inputs(folder, [1], projects=60, replications=2)
    monkeypatch.chdir(folder.parent)
    assert nightly_plan.batch_inputs(Path(os.path.relpath(folder)), [1], projects=60, replications=2) == first
    assert nightly_plan.nightly_key(AS_OF, folder, first) != nightly_plan.nightly_key(
        date(2026, 11, 26), folder, first
    )
