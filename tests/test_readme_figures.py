"""The README's table "What the built-in comparison says" still says what its commands print.

The guide's rule: figures in the README are measured, with the command that measures them, and they must
reproduce. This runs the table's own commands (the catalog targets, the static analysis and the built-in
comparison with its documented defaults: 10,000 projects x 10 replications, seed 0, robustness 500 samples)
and checks that the README's rows quote what they print, rounded as the README rounds. Costs ~3 s of CPU
(the comparison with its robustness analysis); the other tables of the README and docs are larger
comparisons and are re-measured by hand (/work/team/figures-11-12.md has the commands).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from approval_sim.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
runner = CliRunner()


def _json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _row(marker: str) -> str:
    """The one README table row that contains ``marker`` (spaces normalised)."""
    rows = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    found = [row for row in rows if marker in row]
    assert len(found) == 1, f"README: {len(found)} table rows contain {marker!r}"
    return re.sub(r"\s+", " ", found[0])


def _signed(share: float) -> str:
    """A change as the README writes it: U+2212 for minus, one decimal, a space before %."""
    sign = "−" if share < 0 else "+"
    return f"{sign}{abs(share) * 100:.1f} %"


def _pct(share: float) -> str:
    return f"{share * 100:.1f}"


@pytest.fixture(scope="module")
def metrics() -> dict:
    data = _json("catalog", "metrics")
    return {(t["name"], t["scope"]): t for t in data["targets"]}


def test_the_catalog_target_rows_quote_catalog_metrics(metrics):
    def change(row: dict) -> str:
        return _signed(row["after"] / row["before"] - 1)

    items = metrics["items", "catalog"]
    assert f"| {items['before']:.0f} | {items['after']:.0f} | {change(items)}" in _row(
        "approval items, whole"
    )
    handling = metrics["mean_handling_limit_days", "catalog"]
    row = _row("mean handling limit per item")
    assert f"| {handling['before']:.2f} wd | {handling['after']:.2f} wd | {change(handling)}" in row
    assert f"(without them {_signed(-handling['reduction_without_assumed'])})" in row
    statutory = metrics["mean_statutory_limit_days", "catalog"]
    row = _row("mean statutory (法定) limit")
    assert f"| {statutory['before']:.1f} wd | {statutory['after']:.1f} wd | {change(statutory)}" in row
    materials = metrics["materials", "catalog"]
    row = _row("application materials per item")
    assert f"| {materials['before']:.2f} | {materials['after']:.2f} | {change(materials)}" in row
    distinct = metrics["materials_per_project", "government-typical"]
    row = _row("distinct materials one government-typical project")
    assert f"| {distinct['before']:.0f} | {distinct['after']:.0f} | {change(distinct)}" in row
    online = metrics["online_share", "catalog"]
    assert f"| {_pct(online['before'])} % | {online['after'] * 100:.0f} % |" in _row("online share")


def test_the_static_row_quotes_analyze():
    data = _json("analyze", "luoyang-2017-before", "luoyang-2017-after")
    before, after = data["baseline"]["parallel_days"], data["reform"]["parallel_days"]
    row = _row("longest path of statutory limits")
    assert f"| {before:.0f} wd | {after:.0f} wd | {_signed(after / before - 1)} |" in row


def test_the_headline_rows_quote_the_built_in_comparison():
    """`approval-sim compare luoyang-2017-before luoyang-2017-after`: both framings, the robustness band,
    its holds-share, the deciding assumption and the top drivers of the prose below the table."""
    data = _json("compare", "luoyang-2017-before", "luoyang-2017-after")
    framings = {f["name"]: f for f in data["framings"]}
    assert data["headline"] == "serial-to-parallel"
    robust = data["robustness"]
    by_name = {f["name"]: f for f in robust["framings"]}
    for name, marker in (
        ("serial-to-parallel", "**headline framing `serial-to-parallel`**"),
        ("parallel-to-parallel", "| `parallel-to-parallel`: both in parallel, the rules alone"),
    ):
        f, row = framings[name], _row(marker)
        low, high = f["reduction"]["ci95"]
        assert (
            f"| {f['baseline_mean_days']:.1f} wd | {f['reform_mean_days']:.1f} wd | "
            f"{_signed(-f['reduction']['mean'])} (95 % CI {_pct(low)}–{_pct(high)} %)" in row
        ), row
        assert f"**{f['verdict']}**" in row
        band = by_name[name]["band"]
        share = f"{by_name[name]['holds_share']:.0%}".replace("%", " %")
        if band[0] < 0:
            assert f"{_signed(band[0])} to {_pct(band[1])} %, reaches 20 % in {share}" in row, row
        else:
            assert f"{_pct(band[0])}–{_pct(band[1])} %, reaches 20 % in {share}" in row, row
        assert f"**{by_name[name]['verdict']}**" in row
    assert robust["samples"] == 504 and "504 assumption sets" in README.read_text(encoding="utf-8")
    # the headline's drivers, quoted in "How to read it" (Sobol' total-order indices)
    text = re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))
    drivers = {d["assumption"]: d["total_index"] for d in robust["drivers"]}
    assert f"(longest or sum, {drivers['merged_limit']:.2f})" in text
    assert f"promised limits ({drivers['promise_keeping']:.2f})" in text
    assert f"serial handover time ({drivers['serial_handover_days']:.2f})" in text


def test_the_national_static_figures_quote_catalog_metrics():
    """ "Statically (`approval-sim catalog metrics national-2019-before national-2019-after`, ...): N working days
    on statutory limits, M on promised ones" (the whole process of national-2019-after, every step its limit)."""
    data = _json("catalog", "metrics", "national-2019-before", "national-2019-after")
    whole = {r["limit"]: r["after"] for r in data["time_targets"] if r["scope"] == "whole process"}
    text = re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))
    assert (
        f"{whole['statutory']:.0f} working days on statutory limits, {whole['promised']:.0f} on promised"
        in text
    )
