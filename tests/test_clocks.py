"""The two clocks: approval time (working days the government holds at least one approval file, clock running)
and elapsed time (calendar days, everything), with where the elapsed time goes, computed by hand on small
processes and checked against an independent day-by-day count on the built-in four-stage catalog."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from approval_model.limits import LimitBasis
from approval_model.models import Process
from approval_model.timeline import static_clocks, static_schedule
from rules.loading import for_profile, load
from rules.metrics import catalog_metrics
from simulations import compare, simulate
from simulations.clocks import union_length


def fixed(days: float) -> dict[str, Any]:
    return {"distribution": "fixed", "value": days}


def process(items: list[dict[str, Any]], **extra: Any) -> Process:
    return Process.model_validate(
        {
            "name": "clocks",
            "departments": [{"id": "gov", "name": "政府"}, {"id": "firm", "name": "中介"}],
            "stages": [{"id": "S1", "name": "一"}, {"id": "S2", "name": "二"}],
            "items": [
                {"name": i["id"], "department": "gov", "stage": "S1", "statutory_limit_days": 20, **i}
                for i in items
            ],
            "simulation": {"start_date": "2017-03-06"},
            **extra,
        }
    )


def clocks(p: Process, engine: str = "montecarlo", mode: str = "parallel") -> dict[str, Any]:
    return simulate(p, mode=mode, projects=20, replications=2, seed=0, engine=engine).summary()


def with_notice(notice: bool) -> Process:
    items = [{"id": "A", "handling_days": fixed(5)}]
    if notice:
        items.append(
            {
                "id": "N",
                "kind": "notice",
                "day_unit": "calendar",
                "statutory_limit_days": 20,
                "prerequisites": ["A"],
            }
        )
    items.append({"id": "B", "handling_days": fixed(5), "prerequisites": ["N" if notice else "A"]})
    return process(items)


@pytest.mark.parametrize("engine", ["montecarlo", "des"])
def test_a_notice_adds_elapsed_time_but_no_approval_time(engine: str):
    without, inserted = clocks(with_notice(False), engine), clocks(with_notice(True), engine)
    assert without["approval_days"]["mean"] == inserted["approval_days"]["mean"] == 10
    # 2017-03-06 + 10 wd = 03-20 (14 days); with the 20-day notice: 04-11 (36 days, see test_kinds)
    assert without["elapsed_days"]["mean"] == 14 and inserted["elapsed_days"]["mean"] == 36
    kinds = inserted["elapsed_by_kind"]
    assert kinds["notice"]["days"] == 20 and kinds["approval"]["days"] == 16  # 03-06..13 (7), 04-02..11 (9)
    assert sum(v["days"] for v in kinds.values()) == pytest.approx(36)


def test_parallel_approvals_count_once_and_intermediary_work_not_at_all():
    # A [0,10] and B [0,6] in parallel, then C [10,14]; the firm's report X [0,12] runs beside them and gates D
    p = process(
        [
            {"id": "A", "handling_days": fixed(10)},
            {"id": "B", "handling_days": fixed(6)},
            {"id": "C", "handling_days": fixed(4), "prerequisites": ["A"], "stage": "S2"},
            {"id": "X", "kind": "intermediary", "department": "firm", "handling_days": fixed(12)},
            {"id": "D", "handling_days": fixed(3), "prerequisites": ["X"], "stage": "S2"},
        ]
    )
    summary = clocks(p)
    assert summary["mean_days"] == 15  # X (12) then D (3)
    assert summary["approval_days"]["mean"] == 15  # [0,10] U [0,6] U [10,14] U [12,15]
    assert (
        summary["stage_approval_days"]["S1"]["mean"] == 10
        and summary["stage_approval_days"]["S2"]["mean"] == 5
    )
    # with D waiting for C instead, the government is idle while nothing but the report runs: none here, but
    # the report alone (no approval running) is not on the clock
    alone = process(
        [
            {"id": "X", "kind": "intermediary", "handling_days": fixed(12)},
            {"id": "A", "handling_days": fixed(5), "prerequisites": ["X"]},
        ]
    )
    assert clocks(alone)["approval_days"]["mean"] == 5 and clocks(alone)["mean_days"] == 17


@pytest.mark.parametrize("engine", ["montecarlo", "des"])
def test_stopped_clock_time_is_not_approval_time(engine: str):
    # handling 10, the applicant's 补正 5 (always), expert review 3: elapsed 18 working days, approval 10
    p = process(
        [
            {
                "id": "A",
                "handling_days": fixed(10),
                "supplement": {"probability": 1.0, "applicant_days": 5},
                "excluded_days": 3,
            }
        ]
    )
    summary = clocks(p, engine)
    assert summary["mean_days"] == pytest.approx(18)
    assert summary["approval_days"]["mean"] == pytest.approx(10)
    assert summary["counted_mean_days"] == pytest.approx(10)


def test_serial_mode_counts_every_approval_one_after_another():
    p = process([{"id": "A", "handling_days": fixed(10)}, {"id": "B", "handling_days": fixed(6)}])
    assert clocks(p, mode="serial")["approval_days"]["mean"] == 16
    assert clocks(p, mode="parallel")["approval_days"]["mean"] == 10


def test_all_approval_catalogs_have_the_approval_clock_equal_to_end_to_end():
    summary = simulate(load("luoyang-2017-after"), projects=500, replications=2, seed=4).summary()
    assert summary["approval_days"]["mean"] == pytest.approx(summary["mean_days"])
    assert summary["elapsed_days"]["mean"] == pytest.approx(summary["calendar"]["mean_days"], abs=0.005)
    assert summary["elapsed_by_kind"]["approval"]["share"] == pytest.approx(1.0)


def test_union_length_by_hand_and_by_brute_force():
    starts = np.array([[0.0, 2.0], [5.0, 0.0], [3.0, 10.0]])
    ends = np.array([[4.0, 3.0], [6.0, 1.0], [4.5, 10.0]])
    assert union_length(starts, ends).tolist() == [5.5, 2.0]  # [0,4.5] U [5,6]; [0,1] U [2,3] U a point
    rng = np.random.default_rng(0)
    s = rng.uniform(0, 50, (12, 40))
    e = s + rng.uniform(0, 10, (12, 40))
    grid = np.linspace(0, 61, 61_001)
    brute = [
        ((grid[:, None] >= s[:, k]) & (grid[:, None] <= e[:, k])).any(axis=1).mean() * 61 for k in range(40)
    ]
    assert np.allclose(union_length(s, e), brute, atol=0.01)


# ---------------------------------------------------------------------------------------------- the national plan
def day_by_day_approval(p: Process, limit: LimitBasis) -> tuple[int, dict[str, int]]:
    """A second method: count the working days d (1, 2, ...) on which some approval item is in handling, i.e.
    start < d <= finish, on the schedule of every item taking its limit (all positions are whole days)."""
    times = static_schedule(p, limit)
    approvals = [(i, times[i.id]) for i in p.items if i.kind == "approval"]
    end = int(max(f for _, (_, f) in approvals))
    busy = {d for _, (s, f) in approvals for d in range(1, end + 1) if s < d <= f}
    per_stage = {
        stage.id: len(
            {d for i, (s, f) in approvals if i.stage == stage.id for d in range(1, end + 1) if s < d <= f}
        )
        for stage in p.stages
    }
    return len(busy), per_stage


def test_the_four_stage_after_catalog_against_120_working_days():
    """A typical government project (profile government-typical) of national-2019-after, every step taking its
    promised limit: the approval clock, counted day by day, is 69 working days <= 120 (met); on statutory limits
    177 > 120 (not met). catalog metrics and the day-by-day count agree."""
    project = for_profile(load("national-2019-after"), "government-typical")
    for limit, expected in ((LimitBasis.promised, 69), (LimitBasis.statutory, 177)):
        whole, per_stage = day_by_day_approval(project, limit)
        computed = static_clocks(project, limit)
        assert whole == computed.approval_days == expected
        assert per_stage == computed.stage_approval_days
    rows = {
        (r["limit"], r["scope"]): r
        for r in catalog_metrics(load("national-2019-before"), load("national-2019-after")).as_json()[
            "time_targets"
        ]
    }
    promised, statutory = rows[("promised", "whole process")], rows[("statutory", "whole process")]
    assert (promised["after"], promised["max_days"], promised["met"]) == (69, 120, True)
    assert (statutory["after"], statutory["met"]) == (177, False)
    assert promised["status"] == "documented" and "GB2019_11" in promised["sources"]
    assert {r["scope"] for r in rows.values()} == {
        "whole process",
        "stage S1",
        "stage S2",
        "stage S3",
        "stage S4",
    }


def test_simulated_clocks_equal_the_static_ones_when_every_step_takes_its_limit():
    project = for_profile(load("national-2019-after"), "government-typical")
    limits = project.replace(
        items=[
            i.model_copy(update={"handling_days": None}).model_dump()
            | {"handling_days": fixed(i.statutory_limit_days)}
            for i in project.items
        ]
    )
    static = static_clocks(limits, LimitBasis.statutory)
    summary = simulate(limits, projects=10, replications=2, seed=0).summary()
    assert summary["approval_days"]["mean"] == pytest.approx(static.approval_days)
    assert summary["elapsed_days"]["mean"] == pytest.approx(static.elapsed_days)
    for stage, days in static.stage_approval_days.items():
        assert summary["stage_approval_days"][stage]["mean"] == pytest.approx(days)


def test_compare_checks_the_targets_and_reports_both_clocks():
    result = compare(
        load("national-2019-before"), load("national-2019-after"), projects=300, replications=3, seed=2
    ).summary()
    for measure in ("approval_days", "elapsed_days"):
        block = result[measure]
        assert set(block) == {"baseline", "reform", "reduction"}
        assert set(block["reform"]) == {"mean", "p50", "p90"}
    for framing in result["framings"]:
        assert {"approval_days", "elapsed_days"} <= set(framing)
    checks = {c["scope"]: c for c in result["target_checks"]}
    whole = checks["whole process"]
    assert whole["max_days"] == 120 and whole["unit"] == "working days"
    assert whole["mean"] == pytest.approx(result["approval_days"]["reform"]["mean"])
    expected = (
        "holds"
        if whole["mean_ci95"][1] <= 120
        else "fails"
        if whole["mean_ci95"][0] > 120
        else "inconclusive"
    )
    assert whole["verdict"] == expected
    assert set(checks) == {"whole process", "stage S1", "stage S2", "stage S3", "stage S4"}
    assert set(result["elapsed_by_kind"]["reform"]) == {
        "approval",
        "intermediary",
        "utility",
        "notice",
        "applicant",
        "coordination",
    }


def test_the_gapless_shortcut_equals_the_general_union(monkeypatch):
    """Plain catalogs (approvals only, no stopped clock, no coordination) take shortcuts: the approval clock
    follows the schedule's chains (one interval from the start to the latest end, no sort), every calendar day
    of the path approval. The general computation (a sorted union of every approval item's interval, the path
    walked item by item on the calendar) must agree."""
    import simulations.clocks as clocks_module
    from simulations.intervals import union_length
    from simulations.montecarlo import start_times

    def sorted_unions(compiled, draws, plan, starts, first, applicant, second, rows, stages):
        begin = start_times(compiled, plan, "parallel")[rows]
        end = begin + first[rows]
        stage_of = np.array([compiled.item_stage[j] for j in rows])
        per_stage = np.zeros((stages, begin.shape[1]))
        for g in range(stages):
            if (stage_of == g).any():
                per_stage[g] = union_length(begin[stage_of == g], end[stage_of == g])
        return union_length(begin, end), per_stage

    process = load("luoyang-2017-after")
    shortcut = simulate(process, projects=300, replications=2, seed=5).summary()
    monkeypatch.setattr(clocks_module, "_gapless", lambda *args: False)
    monkeypatch.setattr(clocks_module, "_chained_approval", sorted_unions)
    general = simulate(process, projects=300, replications=2, seed=5).summary()
    for key in ("approval_days", "elapsed_days", "stage_approval_days", "elapsed_by_kind"):
        assert shortcut[key] == general[key], key


def test_where_the_elapsed_time_goes_by_hand():
    """The split of the elapsed clock by whose time it is (docs/kinds-and-clocks.md), on the calendar from
    Monday 2017-03-06 (no holiday until 清明), derived by hand:

    - an approval of 5 wd (Mon 03-06 -> Mon 03-13, 7 days) then 5 wd of excluded expert review (-> Mon 03-20,
      7 days): 14 days, approval 7, intermediary 7 (excluded time goes to intermediary);
    - an approval of 5 wd with a 补正 (always) of 5 applicant wd somewhere inside it: 10 wd -> 14 days; any
      5-working-day window that starts in the first week holds that week's weekend, so the applicant has 7 days
      and the approval the other 7 (补正 time goes to applicant);
    - one day of stage coordination at the start and on entering S2, approvals A (S1) and B (S2) of 5 wd each:
      Mon 03-06 coordination (1 day), A Tue 03-07 .. Mon 03-13 (7 days), Tue 03-14 coordination (1 day),
      B Wed 03-15 .. Tue 03-21 (7 days): 16 days, coordination 2, approval 14.
    """

    def split(p: Process) -> dict[str, float]:
        summary = clocks(p)
        kinds = {k: v["days"] for k, v in summary["elapsed_by_kind"].items() if v["days"]}
        assert sum(kinds.values()) == pytest.approx(summary["elapsed_days"]["mean"])
        return kinds

    expert = process([{"id": "A", "handling_days": fixed(5), "excluded_days": 5}])
    assert split(expert) == pytest.approx({"approval": 7, "intermediary": 7})
    supplement = process(
        [{"id": "A", "handling_days": fixed(5), "supplement": {"probability": 1.0, "applicant_days": 5}}]
    )
    assert split(supplement) == pytest.approx({"approval": 7, "applicant": 7})
    staged = process(
        [
            {"id": "A", "handling_days": fixed(5)},
            {"id": "B", "handling_days": fixed(5), "stage": "S2", "prerequisites": ["A"]},
        ],
    )
    staged = staged.model_copy(
        update={"simulation": staged.simulation.model_copy(update={"stage_coordination_days": 1.0})}
    )
    assert split(staged) == pytest.approx({"approval": 14, "coordination": 2})
