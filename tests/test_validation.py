"""Validation against documented reform figures.

The rows are checked against values derived without the code that computes them (hand sums of the catalog's
limits, the scenario files read as plain YAML, the arithmetic of the reported figures); the data file is checked
for consistency with its own anchors and sources; docs/validation.md is checked to show what the model gives now.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from approval_model.graph import analyse
from approval_sim import validation_cli
from rules.loading import for_profile
from rules.loading import load as _load_uncached
from validation import (
    CONSTRUCTION_PERMIT,
    longest_path_to,
    render_markdown,
    upstream_process,
    validation_rows,
)
from validation.measure import clear_caches
from validation.reported import anchors, row_specs, sources
from validation.rows import verdict_of

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "validation.md"
SCENARIOS = ROOT / "approval_model" / "data" / "scenarios"
runner = CliRunner()


@cache
def load(name: str):
    return _load_uncached(name)


def raw_item(scenario: str, item_id: str) -> dict:
    """An item as the scenario file writes it (no model, no rules involved)."""
    data = yaml.safe_load((SCENARIOS / f"{scenario}.yaml").read_text(encoding="utf-8"))
    return next(item for item in data["items"] if item["id"] == item_id)


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


# ---- rows against values derived independently ---------------------------------------------------------------


def test_henan_after_is_the_hand_summed_promised_path_to_the_construction_permit(by_key):
    # promised wd along I14 -> I04 -> I09 -> I11 -> I25 -> I26, plus 1 wd of coordination at the start and 1 when
    # the path enters P_BJ (anchor-2017-after: stage_coordination_days 1)
    row = by_key["henan2017-start-after"]
    assert row.model == 13 + 10 + 13 + 10 + 6 + 7 + 2 == 61
    assert row.gap == 1 and row.verdict == "model higher"
    assert "(I14 → I04 → I09 → I11 → I25 → I26)" in row.explanation


def test_quanzhou_rows_read_the_catalog_files_and_xinyangs_half_for_key_nodes(by_key):
    statutory = raw_item("luoyang-2017-before", "I04")["statutory_limit_days"]["value"]
    assert by_key["quanzhou2015-hezhun-before"].model == statutory == 20
    # the after-catalog caps key nodes (I04 among them) at 1/2 of the statutory limit, floored: 20 / 2 = 10
    assert by_key["quanzhou2015-hezhun-after"].model == math.floor(statutory / 2) == 10
    assert by_key["quanzhou2015-hezhun-after"].verdict == "model higher"  # 10 is not about 3


def test_kaifeng_sums_are_the_item_by_item_sums(by_key):
    ftz = for_profile(load("luoyang-2017-before"), "enterprise-filing-ftz")
    assert by_key["kaifeng-items-before"].model == len(ftz.items) == 18
    assert by_key["kaifeng-materials-before"].model == sum(item.material_count for item in ftz.items)
    promised = sum(
        item.promised_limit_days if item.promised_limit_days is not None else item.statutory_limit_days
        for item in ftz.items
    )
    assert by_key["kaifeng-promised-before"].model == promised == 193  # serial: one limit after another
    after = by_key["kaifeng-promised-after"].model
    assert by_key["kaifeng-promised-reduction"].model == round(100 * (1 - after / promised), 1)


def test_item_cut_is_the_plain_count_of_the_catalogs(by_key):
    before = yaml.safe_load((SCENARIOS / "luoyang-2017-before.yaml").read_text(encoding="utf-8"))
    assert len(before["items"]) == 42
    cut = by_key["henan2017-items-reduction"]
    assert cut.model == round(100 * (1 - 36 / 42), 1) == 14.3  # 42 -> 36 items (README, catalog metrics)
    assert cut.verdict == "model lower" and by_key["henan2017-items"].verdict == "not reproducible"


def test_before_rows_are_simulated_means_within_hand_computed_bounds(by_key):
    row = by_key["henan2017-start-before"]
    process = upstream_process(for_profile(load("anchor-2017-before"), "enterprise-approval-typical"), "I26")
    serial = sum(i.statutory_limit_days for i in process.items) + 2 * (
        len(process.items) - 1
    )  # 2-wd handover
    assert row.model == row.simulated["mean_days"]
    assert analyse(process).parallel_days < row.model < serial
    assert row.verdict == "model lower"  # 177.3 < 180+


def test_reductions_are_their_rows_arithmetic(by_key):
    before = by_key["henan2017-start-before"].model
    after = by_key["henan2017-start-after"].model
    assert by_key["henan2017-start-reduction"].model == round(100 * (1 - after / before), 1)


def test_whole_process_rows_are_one_measurement(by_key):
    process = for_profile(load("anchor-2017-after"), "government-typical")
    expected = analyse(process, "promised").parallel_days
    for key in ("pilot2018-whole-after", "henan2020-whole", "anhui2019-all", "suining2019-whole"):
        assert by_key[key].model == pytest.approx(expected), key
    assert by_key["pilot2018-whole-after"].verdict == "consistent"


def test_gap_is_model_minus_reported(rows):
    for row in rows:
        if row.model is None or row.reported is None:
            assert row.gap is None
        else:
            assert row.gap == pytest.approx(row.model - row.reported, abs=0.051), row.key


# ---- the data file ---------------------------------------------------------------------------------------------


def test_reported_reductions_are_the_arithmetic_of_their_anchors():
    reported = {spec.key: spec.reported.value for spec in row_specs()}
    facts = anchors()
    henan, xinyang = facts["A_henan_2017"], facts["A_xinyang_2018"]
    assert reported["henan2017-start-reduction"] == round(
        100 * (1 - henan["after"]["value"] / henan["before"]["value"]), 1
    )
    assert reported["henan2017-items-reduction"] == round(
        100 * (1 - henan["items_after"] / henan["items_before"]), 1
    )
    assert reported["xinyang2018-items-reduction"] == round(
        100 * (1 - xinyang["items_after"] / xinyang["items_before"]), 1
    )
    national = facts["A_national_2021"]
    assert reported["national2021-items-reduction"] == round(
        100 * (1 - national["items_after"]["value"] / national["items_before"]["value"]), 1
    )
    kaifeng = facts["A_kaifeng_ftz_2017"]
    assert (
        (reported["kaifeng-items-before"], reported["kaifeng-items-after"])
        == (17, 2)
        == tuple(kaifeng["items"].values())
    )


def test_every_row_names_a_known_anchor_and_sourced_ids():
    known, titles = anchors(), sources()
    for spec in row_specs():
        for anchor in spec.anchor.split(","):
            assert anchor.strip() in known, spec.key
        assert spec.sources and set(spec.sources) <= set(titles), spec.key
    for anchor in known.values():
        assert set(anchor["sources"]) <= set(titles)


def test_no_row_reads_outside_the_repository():
    text = (ROOT / "validation" / "data" / "rows.yaml").read_text(encoding="utf-8")
    assert "shared/" not in text.replace("reference/README.md", "")


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
    assert verdict_of(model, reported, relation, high) == expected


# ---- helpers and scenarios -------------------------------------------------------------------------------------


def test_longest_path_to_the_sink_is_the_parallel_total():
    process = for_profile(load("luoyang-2017-before"), "government-typical")
    whole = analyse(process)
    days, path = longest_path_to(process, whole.critical_path[-1])
    assert days == whole.parallel_days and path == whole.critical_path
    to_start, start_path = longest_path_to(process, CONSTRUCTION_PERMIT)
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


# ---- the page and the command -----------------------------------------------------------------------------------


def test_docs_validation_md_shows_what_the_model_gives_now(rows):
    """The page is generated; this only says it is current (its figures are checked above, independently)."""
    assert DOC.read_text(encoding="utf-8") == render_markdown(rows), (
        "docs/validation.md is out of date: run `uv run approval-sim validate --write docs/validation.md`"
    )


def test_generation_is_reproducible():
    first = render_markdown()
    clear_caches()  # load and simulate again from scratch: fixed seed, same numbers
    assert render_markdown() == first


def test_validate_write_and_check(cli, tmp_path):
    target = tmp_path / "validation.md"
    result = runner.invoke(cli, ["validate", "--write", str(target)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["validate", "--check", str(target)]).exit_code == 0
    stale = tmp_path / "stale.md"
    stale.write_text(
        target.read_text(encoding="utf-8").replace("| 1 | A_henan_2017", "| 1 | A_henan_2O17"), "utf-8"
    )
    result = runner.invoke(cli, ["validate", "--check", str(stale)])
    assert result.exit_code == 1 and "out of date" in result.stderr
    assert "-| 1 | A_henan_2O17" in result.stderr and "+| 1 | A_henan_2017" in result.stderr
    missing = runner.invoke(cli, ["validate", "--check", str(tmp_path / "none.md")])
    assert missing.exit_code == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr


def test_validate_prints_json(cli, rows):
    payload = json.loads(runner.invoke(cli, ["validate", "--json"]).stdout)
    assert [p["key"] for p in payload] == [r.key for r in rows]
    assert {
        "anchor",
        "reported",
        "model",
        "gap",
        "unit",
        "verdict",
        "basis",
        "explanation",
        "simulated",
    } <= set(payload[0])
