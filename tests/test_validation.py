"""Validation against documented reform figures: the committed docs/validation.md is what the command generates,
the model figures are what the analysis gives, the gap is model - reported, and the helpers are right."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from approval_model.graph import analyse
from approval_sim import validation_cli
from flows import validation
from flows.validation import (
    CONSTRUCTION_PERMIT,
    longest_path_to,
    render_markdown,
    upstream_process,
    validation_rows,
)
from rules.loading import for_profile
from rules.loading import load as _load_uncached

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "validation.md"
runner = CliRunner()


@cache
def load(name: str):
    return _load_uncached(name)


@pytest.fixture(scope="module")
def rows():
    return validation_rows()


@pytest.fixture(scope="module")
def by_key(rows):
    return {row.key: row for row in rows}


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()
    validation_cli.register(app, typer.Typer())

    @app.command("noop")  # a second command keeps `validate` a named subcommand
    def noop() -> None:
        pass

    return app


# ---- the committed file is the generated one ----------------------------------------------------------------


def test_committed_validation_md_matches_the_generator(rows):
    assert DOC.read_text(encoding="utf-8") == render_markdown(rows), (
        "docs/validation.md is out of date: run `uv run approval-sim validate --write docs/validation.md`"
    )


def test_validate_write_regenerates_the_committed_file(cli, tmp_path):
    target = tmp_path / "validation.md"
    result = runner.invoke(cli, ["validate", "--write", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")
    assert runner.invoke(cli, ["validate", "--check", str(DOC)]).exit_code == 0


def test_validate_check_fails_with_a_diff_on_a_stale_file(cli, tmp_path):
    stale = tmp_path / "validation.md"
    stale.write_text(
        DOC.read_text(encoding="utf-8").replace("| 1 | A_henan_2017", "| 1 | A_henan_2O17"), "utf-8"
    )
    result = runner.invoke(cli, ["validate", "--check", str(stale)])
    assert result.exit_code == 1
    assert "out of date" in result.stderr
    assert "-| 1 | A_henan_2O17" in result.stderr and "+| 1 | A_henan_2017" in result.stderr
    missing = runner.invoke(cli, ["validate", "--check", str(tmp_path / "none.md")])
    assert missing.exit_code == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr


def test_validate_prints_the_table_and_json(cli, rows):
    text = runner.invoke(cli, ["validate"])
    assert text.exit_code == 0 and text.stdout == DOC.read_text(encoding="utf-8")
    payload = json.loads(runner.invoke(cli, ["validate", "--json"]).stdout)
    assert [p["key"] for p in payload] == [r.key for r in rows]
    assert {"anchor", "reported", "model", "gap", "unit", "verdict", "basis", "explanation"} <= set(
        payload[0]
    )


def test_generation_is_deterministic():
    first = render_markdown()
    validation._run.cache_clear()  # simulate again from scratch: fixed seed, same numbers
    validation._process.cache_clear()
    assert render_markdown() == first


# ---- the figures ---------------------------------------------------------------------------------------------


def test_gap_is_model_minus_reported(rows):
    for row in rows:
        if row.model is None or row.reported is None:
            assert row.gap is None
        else:
            assert row.gap == pytest.approx(row.model - row.reported, abs=0.051), row.key


def test_henan_after_row_is_the_promised_longest_path_to_the_construction_permit(by_key):
    row = by_key["henan2017-start-after"]
    process = for_profile(load("anchor-2017-after"), "enterprise-approval-typical")
    expected = analyse(upstream_process(process, CONSTRUCTION_PERMIT), "promised").parallel_days
    assert row.model == pytest.approx(expected)
    # by hand: I14 13 + I04 10 + I09 13 + I11 10 + I25 6 + I26 7 promised wd, + 1 wd at the start and 1 at P_LX -> P_BJ
    days, path = longest_path_to(process, CONSTRUCTION_PERMIT, "promised")
    assert path == ("I14", "I04", "I09", "I11", "I25", "I26")
    assert days == 13 + 10 + 13 + 10 + 6 + 7 + 2 == row.model
    assert (
        row.gap == 1 and row.verdict == "model higher"
    )  # the 60-wd target missed by the assumed coordination


def test_whole_process_rows_are_the_analysis_of_the_whole_process(by_key):
    process = for_profile(load("anchor-2017-after"), "government-typical")
    expected = analyse(process, "promised").parallel_days
    for key in ("pilot2018-whole-after", "henan2020-whole", "anhui2019-all", "suining2019-whole"):
        assert by_key[key].model == pytest.approx(expected), key
    assert by_key["pilot2018-whole-after"].verdict == "consistent"


def test_item_count_rows_say_what_cannot_be_reproduced(by_key):
    counts = by_key["henan2017-items"]
    assert (
        counts.verdict == "not reproducible" and counts.model == len(load("luoyang-2017-before").items) == 42
    )
    cut = by_key["henan2017-items-reduction"]
    assert cut.model == pytest.approx(round(100 * (1 - 36 / 42), 1))
    assert cut.reported == pytest.approx(round(100 * (1 - 59 / 113), 1)) and cut.verdict == "model lower"
    assert by_key["quanzhou2015-filing-after"].verdict == "by construction"


def test_before_rows_are_simulated_means_within_their_static_bounds(by_key):
    row = by_key["henan2017-start-before"]
    assert row.model == row.simulated["mean_days"]
    process = upstream_process(for_profile(load("anchor-2017-before"), "enterprise-approval-typical"), "I26")
    bounds = analyse(process)
    assert bounds.parallel_days < row.model < bounds.serial_days
    assert bounds.serial_days == sum(i.statutory_limit_days for i in process.items) + 2 * (
        len(process.items) - 1
    )


# ---- helpers and scenarios -------------------------------------------------------------------------------------


def test_longest_path_to_the_sink_is_the_parallel_total():
    process = for_profile(load("luoyang-2017-before"), "government-typical")
    whole = analyse(process)
    days, path = longest_path_to(process, whole.critical_path[-1])
    assert days == whole.parallel_days and path == whole.critical_path
    to_start, start_path = longest_path_to(process, "I26")
    assert start_path[-1] == "I26" and to_start < whole.parallel_days


def test_upstream_process_keeps_exactly_the_ancestors():
    process = for_profile(load("luoyang-2017-after"), "enterprise-filing-typical")
    upstream = upstream_process(process, "I11")
    # I14 reaches I11 through I08, which inherits it from the feasibility approval I02 (not applicable here)
    assert set(upstream.item_ids) == {"I05", "I07", "I08", "I09", "I11", "I14"}
    with pytest.raises(ValueError, match="no item I99"):
        upstream_process(process, "I99")


def test_commitment_items_leave_the_path_to_construction():
    process = for_profile(load("anchor-2017-ftz-commitment"), "enterprise-filing-ftz")
    ids = set(upstream_process(process, "I26").item_ids)
    committed = {item.id for item in process.items if not item.gates_construction}
    assert committed and not committed & ids


def test_anchor_scenarios_carry_their_stated_assumptions():
    assert load("anchor-2017-before").simulation.serial_handover_days == 2
    assert load("anchor-2017-before").item_ids == load("luoyang-2017-before").item_ids
    for name in ("anchor-2017-after", "anchor-2017-ftz-commitment"):
        assert load(name).simulation.stage_coordination_days == 1
    assert load("anchor-2017-after").item_ids == load("luoyang-2017-after").item_ids


@pytest.mark.parametrize(
    ("model", "reported", "relation", "high", "expected"),
    [
        (61, 60, "at_most", None, "model higher"),
        (60, 60, "at_most", None, "consistent"),
        (180, 180, "at_least", None, "consistent"),
        (177.3, 180, "at_least", None, "model lower"),
        (299, 200, "range", 300, "consistent"),
        (300, 200, "range", 300, "model higher"),
        (18, 17, "about", None, "consistent"),
        (11, 2, "about", None, "model higher"),
    ],
)
def test_verdict_reads_bounds_ranges_and_about(model, reported, relation, high, expected):
    assert validation._verdict(model, reported, relation, high) == expected
