"""Rules that touch other kinds of work (洛政办〔2017〕89号 plans 1 and 4) and the measures of 国办发〔2019〕11号, on
small hand-made processes and on the built-in pairs luoyang-2017-full-* and national-2019-*."""

from __future__ import annotations

from typing import Any

import pytest

from approval_model.models import Process
from approval_model.profiles import applicable_process, builtin_profiles
from rules.engine import RuleError
from rules.loading import for_profile, load
from rules.rulebook import apply_rule


def make(items: list[dict[str, Any]]) -> Process:
    """Items default to department d1, stage S1, 10 working days, kind approval."""
    return Process.model_validate(
        {
            "name": "hand",
            "departments": [
                {"id": "d1", "name": "甲"},
                {"id": "d2", "name": "乙"},
                {"id": "firm", "name": "中介"},
            ],
            "stages": [{"id": "S1", "name": "一"}, {"id": "S2", "name": "二"}],
            "items": [
                {"name": item["id"], "department": "d1", "stage": "S1", "statutory_limit_days": 10, **item}
                for item in items
            ],
        }
    )


def mixed() -> Process:
    # R (report, intermediary, 30 cd) -> A (approval) -> N (notice 20 cd) -> B (approval); U (utility) after B
    return make(
        [
            {
                "id": "R",
                "kind": "intermediary",
                "day_unit": "calendar",
                "department": "firm",
                "statutory_limit_days": 30,
            },
            {"id": "A", "prerequisites": ["R"], "materials": 4},
            {
                "id": "N",
                "kind": "notice",
                "day_unit": "calendar",
                "statutory_limit_days": 20,
                "prerequisites": ["A"],
            },
            {"id": "B", "prerequisites": ["N"], "materials": 3, "stage": "S2"},
            {"id": "C", "materials": 5, "stage": "S2"},
            {
                "id": "U",
                "kind": "utility",
                "statutory_limit_days": 59,
                "materials": 8,
                "prerequisites": ["B"],
            },
        ]
    )


# ---------------------------------------------------------------------------------------------- plan 1 rules, kind-aware
def test_plan_rules_leave_other_kinds_alone():
    online, _ = apply_rule(mixed(), "online_parallel_approval")
    assert {i.id for i in online.items if i.online} == {"A", "B", "C"}
    compressed, _ = apply_rule(mixed(), "compress_time_limits", {"factor": 0.5, "key_factor": None})
    assert {i.id: i.promised_limit_days for i in compressed.items} == {
        "R": None,
        "A": 5,
        "N": None,
        "B": 5,
        "C": 5,
        "U": None,
    }


def test_a_notice_period_cannot_be_compressed():
    with pytest.raises(RuleError, match="statutory minimum notice"):
        apply_rule(mixed(), "compress_time_limits", {"items": ["N"], "key_factor": None})


def test_merging_refuses_different_kinds():
    process = make([{"id": "A"}, {"id": "R", "kind": "intermediary"}])
    with pytest.raises(RuleError, match="different kinds of work"):
        apply_rule(process, "merge_same_department_stage", {"groups": [{"items": ["A", "R"]}]})
    merged, _ = apply_rule(process, "merge_same_department_stage", {"auto": True})
    assert merged.item_ids == ("A", "R")  # auto merges approval items only


# ---------------------------------------------------------------------------------------------- services
def test_intermediary_services_promise_a_share_of_their_time_in_their_own_unit():
    result, audit = apply_rule(mixed(), "regulate_intermediary_services", {"limit_factor": 0.8})
    report = result.item("R")
    assert report.promised_limit_days == 24 and report.day_unit == "calendar"
    assert [e.action for e in audit] == ["service_time_limited"] and audit[0].status == "assumed"
    cancelled, _ = apply_rule(mixed(), "regulate_intermediary_services", {"cancel": [{"id": "R"}]})
    assert "R" not in cancelled.item_ids and cancelled.item("A").prerequisite_ids == ()
    with pytest.raises(RuleError, match="works on items of kind 'intermediary'; A is approval"):
        apply_rule(mixed(), "regulate_intermediary_services", {"cancel": [{"id": "A"}]})


def test_utility_services_apply_the_plans_figures():
    params = {
        "limits": [{"item": "U", "days": 38, "sources": ["SEED"]}],
        "materials": [{"item": "U", "count": 5, "sources": ["SEED"]}],
        "online_application": True,
    }
    result, audit = apply_rule(mixed(), "utility_services", params)
    utility = result.item("U")
    assert (utility.statutory_limit_days, utility.promised_limit_days, utility.materials, utility.online) == (
        59,
        38,
        5,
        True,
    )
    assert {e.status for e in audit if e.action != "handled_online"} == {"documented"}
    with pytest.raises(RuleError, match="exceeds its limit"):
        apply_rule(mixed(), "utility_services", {"limits": [{"item": "U", "days": 60}]})


def test_the_full_luoyang_pair_carries_the_seeds_utility_figures():
    """Plan 4's figures, as written in the seed: before -> after working days and materials."""
    before, after = load("luoyang-2017-full-before"), load("luoyang-2017-full-after")
    expected = {"U01": (22, 7), "U02": (29, 18), "U03": (59, 38), "U04": (84, 53), "U05": (45, 30)}
    for item_id, (was, now) in expected.items():
        assert before.item(item_id).statutory_limit_days == was
        assert after.item(item_id).promised_limit_days == now
        assert after.item(item_id).kind == "utility" and after.item(item_id).day_unit == "working"
    assert after.item("U06").promised_limit_days == 20
    assert [after.item(i).material_count for i in ("U01", "U03")] == [3, 5]
    assert before.item("U06").provenance["statutory_limit_days"].status == "assumed"


def test_the_full_pair_applies_plan_1_exactly_as_the_plain_pair():
    """rules_from: the approval items of luoyang-2017-full-after are those of luoyang-2017-after (the drawing review
    I25 aside: the full pair records it as a technical review, kind intermediary)."""
    plain, full = load("luoyang-2017-after"), load("luoyang-2017-full-after")
    plain_items = {i.id: i for i in plain.items}
    approvals = [i for i in full.items if i.kind == "approval"]
    assert {i.id for i in approvals} == set(plain_items) - {"I25"}
    for item in approvals:
        theirs = plain_items[item.id]
        for field in (
            "statutory_limit_days",
            "promised_limit_days",
            "materials",
            "online",
            "applies_when",
            "department",
            "stage",
        ):
            assert getattr(item, field) == getattr(theirs, field), (item.id, field)
        # prerequisites: the same approval items, plus the steps the full catalog adds
        assert set(theirs.prerequisite_ids) - {"I25"} <= set(item.prerequisite_ids)


def test_the_full_catalog_documents_or_assumes_every_number():
    for name in ("luoyang-2017-full-before",):
        for item in load(name).items:
            if item.kind == "approval":
                continue
            record = item.provenance.get("statutory_limit_days")
            assert record is not None, item.id
            assert record.status == "documented" or record.note, item.id


# ---------------------------------------------------------------------------------------------- 2019 measures
def test_four_stage_model_places_every_item_and_names_the_leads():
    params = {
        "stages": [
            {"id": "T1", "name": "立项", "lead_department": "d1", "items": ["R", "A", "N"]},
            {"id": "T2", "name": "施工", "lead_department": "d2", "items": ["B", "C", "U"]},
        ]
    }
    result, audit = apply_rule(mixed(), "four_stage_model", params)
    assert [(s.id, s.lead_department) for s in result.stages] == [("T1", "d1"), ("T2", "d2")]
    assert {i.id: i.stage for i in result.items}["U"] == "T2"
    params["stages"][1]["items"] = ["B", "C"]
    with pytest.raises(RuleError, match="items not placed in any stage: U"):
        apply_rule(mixed(), "four_stage_model", params)


def test_joint_acceptance_replaces_the_acceptances_with_one_item():
    process = make(
        [
            {"id": "P", "statutory_limit_days": 15},
            {"id": "K1", "statutory_limit_days": 20, "materials": 5, "prerequisites": ["P"]},
            {
                "id": "K2",
                "statutory_limit_days": 10,
                "materials": 6,
                "prerequisites": ["P"],
                "department": "d2",
            },
            {"id": "F", "prerequisites": ["K1", "K2"]},
        ]
    )
    params = {"items": ["K1", "K2"], "department": "d2", "promised_days": 10, "sources": ["GB2019_11"]}
    result, _ = apply_rule(process, "joint_acceptance", params)
    joint = result.item("I41")
    assert (joint.department, joint.statutory_limit_days, joint.promised_limit_days, joint.materials) == (
        "d2",
        20,
        10,
        6,
    )
    assert result.item("F").prerequisite_ids == ("I41",) and joint.prerequisite_ids == ("P",)


def test_joint_drawing_review_absorbs_the_design_checks():
    process = make(
        [
            {"id": "W", "statutory_limit_days": 20},
            {"id": "REV", "kind": "intermediary", "prerequisites": ["W"], "materials": 3},
            {"id": "FIRE", "prerequisites": ["W"], "materials": 4},
            {"id": "PERMIT", "prerequisites": ["REV", "FIRE"]},
        ]
    )
    result, audit = apply_rule(process, "joint_drawing_review", {"review": "REV", "absorbed": ["FIRE"]})
    assert "FIRE" not in result.item_ids
    assert result.item("PERMIT").prerequisite_ids == ("REV",)
    assert result.item("REV").statutory_limit_days == 10 and result.item("REV").materials == 3
    assert audit[0].action == "absorbed"


def test_regional_assessment_drops_items_inside_a_zone_only():
    national = load("national-2019-after")
    zone = for_profile(national, "enterprise-filing-zone")
    outside = applicable_process(
        national,
        builtin_profiles()["enterprise-filing-zone"].model_copy(
            update={
                "site_conditions": tuple(
                    c
                    for c in builtin_profiles()["enterprise-filing-zone"].site_conditions
                    if c != "development_zone"
                )
            }
        ),
    )
    assert {"I43", "X08"} <= set(outside.item_ids)
    assert not {"I43", "X08", "I19", "X07"} & set(zone.item_ids)
    assert "I43" in for_profile(load("national-2019-before"), "enterprise-filing-zone").item_ids


def test_combined_assessment_needs_services_of_one_unit_and_compatible_projects():
    process = make(
        [
            {"id": "E", "kind": "intermediary", "day_unit": "calendar", "statutory_limit_days": 30},
            {
                "id": "W",
                "kind": "intermediary",
                "day_unit": "calendar",
                "statutory_limit_days": 20,
                "applies_when": {"any_site_conditions": ["soil_disturbance"]},
            },
            {
                "id": "Q",
                "kind": "intermediary",
                "statutory_limit_days": 20,
                "applies_when": {"any_site_conditions": ["soil_disturbance"]},
            },
            {"id": "G", "prerequisites": ["W"]},
        ]
    )
    result, _ = apply_rule(process, "combined_assessment", {"items": ["E", "W"]})
    combined = result.item("E")
    assert combined.statutory_limit_days == 30 and combined.applies_when.any_site_conditions is None
    assert result.item("G").prerequisite_ids == ("E",)
    with pytest.raises(RuleError, match="different units"):
        apply_rule(process, "combined_survey", {"items": ["E", "Q"]})
    with pytest.raises(RuleError, match="kind 'intermediary'; G is approval"):
        apply_rule(process, "combined_assessment", {"items": ["E", "G"]})


def test_notification_commitment_decides_at_once_whatever_the_limit_basis():
    result, _ = apply_rule(mixed(), "notification_commitment", {"items": ["A"], "materials_after": 1})
    committed = result.item("A")
    assert committed.handling_days.value == 0 and committed.promised_limit_days == 0
    assert committed.statutory_limit_days == 10 and committed.materials == 1


def test_one_form_per_stage_keeps_one_form_per_stage():
    result, audit = apply_rule(mixed(), "one_form_per_stage", {"sources": ["GB2019_11"]})
    # S1: A keeps its form (first approval item of the stage); S2: B keeps, C loses one; U is not an approval
    assert {i.id: i.material_count for i in result.items} == {"R": 0, "A": 4, "N": 0, "B": 3, "C": 4, "U": 8}
    assert [e.items for e in audit] == [("C",)]


def test_amended_statutory_limits_need_the_amending_law():
    result, audit = apply_rule(
        mixed(), "amend_statutory_limits", {"items": [{"item": "A", "days": 7, "sources": ["MOHURD18_42"]}]}
    )
    assert result.item("A").statutory_limit_days == 7 and audit[0].status == "documented"
    with pytest.raises(Exception, match="needs the source of the amended law"):
        apply_rule(mixed(), "amend_statutory_limits", {"items": [{"item": "A", "days": 7}]})


def test_national_after_has_four_stages_led_by_one_department_each():
    national = load("national-2019-after")
    assert [(s.name, s.lead_department) for s in national.stages] == [
        ("立项用地规划许可阶段", "fgw"),
        ("工程建设许可阶段", "zrzy"),
        ("施工许可阶段", "zhujian"),
        ("竣工验收阶段", "zhujian"),
    ]
    assert national.targets is not None and national.targets.approval_days.max_days == 120
    assert sum(t.max_days for t in national.targets.stage_approval_days.values()) == 90
    ids = set(national.item_ids)
    assert "I41" in ids and not {"I21", "I34", "I35", "I36", "I38", "I24", "I07"} & ids
    assert national.item("I26").statutory_limit_days == 7
    assert national.item("I06").name == "建设项目用地预审与选址意见书"


def test_reform_diff_traces_every_change_of_the_new_pairs():
    from rules.diff import reform_diff
    from rules.scenario import load_with_audit

    for before, after in (
        ("luoyang-2017-full-before", "luoyang-2017-full-after"),
        ("national-2019-before", "national-2019-after"),
    ):
        base, base_applied = load_with_audit(before)
        reformed, applied = load_with_audit(after)
        assert reform_diff(base, reformed, applied, base_applied)["summary"]["untraced"] == []
