"""The round trip that proves calibration: simulate a scenario with known distributions, write the platform
records ('simulate --event-log'), calibrate from them, and recover what the scenario declared.

Expected values are the scenario's own parameters (examples/calibration/known-distributions.yaml: a lognormal of
mean 10, a triangular 2-5-14 of mean 7, ...), not anything the code computed; tolerances are a few standard errors
of 20,000 projects. benchmarks/calibration_round_trip.py prints the accuracy over several seeds.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from approval_model.scenario import load_process
from approval_sim.cli import app
from exports.event_log import write_records
from simulations import compile_process, replication_seeds
from simulations.records import HEADER, RecordGroup, records
from simulations.timeline import timeline

runner = CliRunner()
PROJECTS = 20_000

KNOWN = Path(__file__).resolve().parent.parent / "examples" / "calibration" / "known-distributions.yaml"


@pytest.fixture(scope="module")
def known(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("known")
    path = folder / "known.yaml"
    path.write_text(KNOWN.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def round_trip(known) -> tuple[dict, Path]:
    folder = known.parent
    log = folder / "records.csv"
    result = runner.invoke(
        app,
        [
            "simulate",
            str(known),
            "-p",
            "all",
            "-n",
            str(PROJECTS),
            "-r",
            "1",
            "--event-log",
            str(log),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["event_log"]["rows"] == 3 * PROJECTS
    overlay = folder / "calibrated.yaml"
    result = runner.invoke(
        app, ["calibrate", str(log), "--scenario", str(known), "--out", str(overlay), "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), overlay


def test_means_families_and_parameters_are_recovered(round_trip):
    report, _ = round_trip
    items = report["items"]
    assert report["records"] == 3 * PROJECTS and report["in_progress"] == 0 and report["rejected"] == []
    a, b, c = items["A"]["handling_days"], items["B"]["handling_days"], items["C"]["handling_days"]
    assert (a["family"], b["family"], c["family"]) == ("lognormal", "triangular", "exponential")
    assert a["mean_days"] == pytest.approx(10.0, rel=0.02)
    assert a["parameters"]["sd"] == pytest.approx(3.0, rel=0.05)
    assert b["mean_days"] == pytest.approx(7.0, rel=0.02)
    assert [b["parameters"][k] for k in ("low", "mode", "high")] == pytest.approx([2, 5, 14], abs=0.15)
    assert c["mean_days"] == pytest.approx(4.0, rel=0.03)


def test_supplement_probability_and_applicant_time_are_recovered(round_trip):
    report, _ = round_trip
    a, c = report["items"]["A"]["supplement"], report["items"]["C"]["supplement"]
    assert a["probability"] == pytest.approx(0.30, abs=0.015)
    assert c["probability"] == pytest.approx(0.10, abs=0.01)
    assert report["items"]["B"]["supplement"]["probability"] == 0
    applicant = a["applicant_days"]
    assert applicant["family"] == "uniform"
    assert applicant["mean_days"] == pytest.approx(6.0, rel=0.02)
    assert c["applicant_days"]["mean_days"] == pytest.approx(4.0, rel=0.02)  # a fixed 4 days


def test_arrival_rate_is_recovered(round_trip):
    report, _ = round_trip
    arrivals = report["arrivals"]
    assert arrivals["projects"] == PROJECTS
    assert arrivals["per_working_day"] == pytest.approx(2.0, rel=0.02)
    assert arrivals["by_type"]["type 00"]["share"] == 1.0  # profile 'all': no investment type


def test_the_overlay_is_a_scenario_on_its_base_with_provenance(round_trip, known):
    report, overlay = round_trip
    process = load_process(overlay)
    assert process.lineage == ("known-distributions",)
    assert process.simulation.arrivals["per_working_day"] == pytest.approx(2.0, rel=0.02)
    a = process.item("A")
    assert a.handling_days.distribution == "lognormal"
    assert a.supplement.probability == pytest.approx(0.30, abs=0.015)
    provenance = a.provenance["handling_days"]
    assert provenance.status == "documented" and provenance.sources == ("PLATFORM_RECORDS",)
    assert provenance.note.startswith(f"calibrated from {PROJECTS:,} records")
    assert "records.csv" in process.sources["PLATFORM_RECORDS"]
    assert process.item("B").supplement is None  # none declared, none seen: nothing invented


def test_records_in_progress_at_the_export_date_are_censored(known, tmp_path):
    """An export four months into the run: the files open then are censored, and the mean still comes back
    (the completed records alone are the shorter ones)."""
    compiled = compile_process(load_process(known))
    events = timeline(compiled, "parallel", PROJECTS, replication_seeds(0, 1)[0])
    as_of = date(2018, 1, 31)
    log = tmp_path / "mid.csv"
    write_records(
        log,
        HEADER,
        records([RecordGroup(events, np.arange(1, PROJECTS + 1), "03")], compiled.start_date, as_of=as_of),
    )
    out = tmp_path / "mid.yaml"
    result = runner.invoke(
        app,
        [
            "calibrate",
            str(log),
            "--scenario",
            str(known),
            "--out",
            str(out),
            "--as-of",
            "2018-01-31",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["as_of"] == "2018-01-31" and report["in_progress"] >= 40
    a = report["items"]["A"]
    assert a["in_progress"] >= 20
    assert a["handling_days"]["mean_days"] == pytest.approx(10.0, rel=0.04)
    assert a["observed_mean_days"] < a["handling_days"]["mean_days"]
    assert report["arrivals"]["by_type"]["enterprise_filing"]["share"] == 1.0  # type segment 03
