"""What a nightly batch reports per scenario (exports/batch.py), on hand-made run records: the verdict over the
seeds (mixed when they differ), the mean reduction and its range, the rounding of the summary files."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from exports.batch import group_by_scenario, write_summary


def run(
    run_id: int, scenario: str, seed: int, verdict: str, reduction: float, holds: float | None = None
) -> dict:
    robustness = (
        {"verdict": "holds" if holds == 1 else "depends", "holds_share": holds, "band": [reduction - 0.1, reduction + 0.05], "samples": 64}
        if holds is not None
        else {"samples": 0, "skipped": "--no-robustness"}
    )  # fmt: skip
    return {
        "id": run_id, "scenario": scenario, "seed": seed, "verdict": verdict, "reduction_mean": reduction,
        "reduction_ci_low": reduction - 0.0123456, "reduction_ci_high": reduction + 0.0123456, "target": 0.2,
        "framing": "serial-to-parallel", "limit_basis": "promised", "profile": "government-small",
        "summaries": [{"role": "baseline", "mean_days": 123.456789}, {"role": "reform", "mean_days": 100.04}],
        "payload": {"robustness": robustness},
    }  # fmt: skip


RUNS = [
    run(7, "b -> y", 2, "fails", 0.18, holds=0.25),
    run(5, "a -> x", 1, "holds", 0.31234, holds=1.0),
    run(6, "b -> y", 1, "holds", 0.22, holds=0.75),
    run(8, "a -> x", 2, "holds", 0.29, holds=1.0),
]


def test_scenarios_over_their_seeds():
    results = group_by_scenario(RUNS)
    assert [r.label for r in results] == ["a -> x", "b -> y"]
    assert [[x["seed"] for x in r.runs] for r in results] == [[1, 2], [1, 2]]
    a, b = (r.as_json() for r in results)
    assert a["verdict"] == "holds" and b["verdict"] == "mixed"  # seeds disagree: said so, not hidden
    assert a["reduction"] == pytest.approx((0.31234 + 0.29) / 2, abs=1e-4)
    assert b["reduction_range"] == [0.18, 0.22]
    assert a["robustness"]["verdict"] == "holds" and b["robustness"]["verdict"] == "depends"
    assert b["robustness"]["holds_share"] == pytest.approx(0.5)
    assert b["robustness"]["band"] == [pytest.approx(0.08), pytest.approx(0.27)]
    assert (a["framing"], a["limit_basis"], a["profile"]) == (
        "serial-to-parallel",
        "promised",
        "government-small",
    )


def test_summary_files_are_rounded_with_units(tmp_path):
    csv_path, xlsx_path = write_summary(group_by_scenario(RUNS), tmp_path)
    with csv_path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    first = rows[0]
    assert first["运行编号 run"] == "5" and first["情景 scenario"] == "a -> x"
    assert first["平均压缩率 reduction（%）"] == "31.2"  # 0.31234 in percentage points, one decimal
    assert first["95% 置信区间下限 CI low（%）"] == "30.0"  # 0.31234 - 0.0123456 = 0.2999944
    assert first["改革前平均 before（工作日 wd）"] == "123.5"
    assert first["时限口径 limit basis"] == "承诺时限（无承诺则法定） promised"
    assert first["假设范围内达标比例 holds share（%）"] == "100.0"

    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["情景汇总", "运行明细"]
    scenarios = book["情景汇总"]
    assert [c.value for c in scenarios[2]][:2] == ["a -> x", 2]
    reduction = scenarios.cell(row=2, column=7)
    assert reduction.value == pytest.approx(0.3012, abs=1e-4) and reduction.number_format == "0.0%"
    assert scenarios.cell(row=3, column=6).value == "各种子不一 mixed"
