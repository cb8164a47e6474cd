"""Each reform rule on a small hand-made process: the expected result and the expected audit."""

from __future__ import annotations

from typing import Any

import pytest

from approval_model.graph import parallel_total_days
from approval_model.models import Process
from approval_model.profiles import applicable_process, builtin_profiles
from rules.engine import RuleError
from rules.measures import merged_ids
from rules.rulebook import apply_rule, apply_rules, known_rules


def make(items: list[dict[str, Any]], **simulation: float) -> Process:
    """Items default to department d1, stage S1, 10 days, no materials."""
    return Process.model_validate(
        {
            "name": "hand",
            "departments": [{"id": "d1", "name": "甲"}, {"id": "d2", "name": "乙"}],
            "stages": [{"id": "S1", "name": "一"}, {"id": "S2", "name": "二"}],
            "items": [
                {"name": item["id"], "department": "d1", "stage": "S1", "statutory_limit_days": 10, **item}
                for item in items
            ],
            "simulation": simulation,
        }
    )


def chain() -> Process:
    # A(10) -> X(20) -> B(5); C(3) independent
    return make(
        [
            {"id": "A", "materials": 2},
            {"id": "X", "statutory_limit_days": 20, "materials": 3, "prerequisites": ["A"]},
            {"id": "B", "statutory_limit_days": 5, "materials": 4, "prerequisites": ["X"]},
            {"id": "C", "statutory_limit_days": 3, "legal_basis": "某法"},
        ]
    )


def actions(audit) -> list[tuple[str, tuple[str, ...]]]:
    return [(entry.action, entry.items) for entry in audit]


def test_registry_has_the_plan_measures():
    assert {
        "cancel_without_legal_basis",
        "narrow_scope",
        "merge_same_department_stage",
        "share_repeated_materials",
        "commitment_system",
        "merge_government_early_approvals",
        "online_parallel_approval",
        "compress_time_limits",
        "accept_with_missing_materials",
        "agent_construction",
    } <= set(known_rules())


# ---------------------------------------------------------------------------------------------- cancel
def test_cancel_removes_item_and_dependents_inherit_its_prerequisites():
    result, audit = apply_rule(chain(), "cancel_without_legal_basis", {"items": ["X"]})
    assert result.item_ids == ("A", "B", "C")
    assert result.item("B").prerequisite_ids == ("A",)
    assert parallel_total_days(result) == 15  # A + B, X's 20 days gone
    assert actions(audit) == [("cancelled", ("X",)), ("prerequisites_inherited", ("B",))]
    assert audit[0].before["statutory_limit_days"] == 20 and audit[0].after is None
    assert audit[0].status == "assumed" and "SEED 三(一)" in audit[0].source
    assert result.lineage[-1] == "rule:cancel_without_legal_basis"


def test_cancel_refuses_an_item_with_a_legal_basis_unless_it_lapsed():
    with pytest.raises(RuleError, match="records a legal basis"):
        apply_rule(chain(), "cancel_without_legal_basis", {"items": ["C"]})
    result, audit = apply_rule(
        chain(),
        "cancel_without_legal_basis",
        {"items": [{"id": "C", "basis_lapsed": "law amended", "sources": ["L1"]}]},
    )
    assert "C" not in result.item_ids
    assert audit[0].status == "documented" and audit[0].note == "law amended" and "L1" in audit[0].source


def test_cancel_unknown_item_suggests_a_name():
    with pytest.raises(RuleError, match="unknown item 'x'"):
        apply_rule(chain(), "cancel_without_legal_basis", {"items": ["x"]})


# ---------------------------------------------------------------------------------------------- narrow scope
def test_narrow_scope_drops_an_edge_and_narrows_applicability():
    result, audit = apply_rule(
        chain(),
        "narrow_scope",
        {
            "drop_prerequisites": [{"item": "B", "prerequisite": "X", "sources": ["S"]}],
            "applies_when": [{"item": "C", "applies_when": {"min_investment_million_yuan": 10}}],
        },
    )
    assert result.item("B").prerequisite_ids == ()
    assert result.item("C").applies_when.min_investment_million_yuan == 10
    assert actions(audit) == [("prerequisite_dropped", ("B", "X")), ("scope_narrowed", ("C",))]
    assert audit[0].before == ["X"] and audit[0].after == [] and audit[0].status == "documented"
    with pytest.raises(RuleError, match="has no prerequisite A"):
        apply_rule(chain(), "narrow_scope", {"drop_prerequisites": [{"item": "B", "prerequisite": "A"}]})


# ---------------------------------------------------------------------------------------------- merging
def merge_case() -> Process:
    return make(
        [
            {"id": "P", "statutory_limit_days": 4},
            {"id": "A", "statutory_limit_days": 10, "materials": ["申请表", "图纸"], "prerequisites": ["P"]},
            {
                "id": "B",
                "statutory_limit_days": 20,
                "promised_limit_days": 8,
                "materials": ["申请表", "批复"],
            },
            {"id": "D", "prerequisites": ["B"], "department": "d2"},
        ]
    )


def test_merge_takes_longest_limit_union_of_materials_and_repoints_dependents():
    result, audit = apply_rule(
        merge_case(), "merge_same_department_stage", {"groups": [{"items": ["A", "B"]}]}
    )
    merged = result.item("A")
    assert result.item_ids == ("P", "A", "D")
    assert merged.statutory_limit_days == 20
    assert merged.promised_limit_days == 10  # longest of A's statutory 10 (no promise) and B's promised 8
    assert merged.materials == ("申请表", "图纸", "批复")
    assert merged.prerequisite_ids == ("P",)
    assert result.item("D").prerequisite_ids == ("A",)
    assert merged_ids(merged) == ("B",)
    assert actions(audit) == [("merged", ("A", "B"))]
    assert audit[0].before["B"]["statutory_limit_days"] == 20 and audit[0].after["materials"] == 3


def test_merging_twice_changes_nothing():
    params = {"groups": [{"items": ["A", "B"], "into": "B"}]}
    once, _ = apply_rule(merge_case(), "merge_same_department_stage", params)
    twice, audit = apply_rule(once, "merge_same_department_stage", params)
    assert twice.items == once.items and audit == []
    auto_once, _ = apply_rule(merge_case(), "merge_same_department_stage", {"auto": True})
    auto_twice, audit = apply_rule(auto_once, "merge_same_department_stage", {"auto": True})
    assert auto_twice.items == auto_once.items and audit == []


def test_merge_sum_policy_and_count_materials_add_up():
    process = make([{"id": "A", "materials": 3}, {"id": "B", "materials": 4, "statutory_limit_days": 5}])
    result, _ = apply_rule(
        process, "merge_same_department_stage", {"groups": [{"items": ["A", "B"], "limit": "sum"}]}
    )
    assert result.item("A").statutory_limit_days == 15 and result.item("A").materials == 7


def test_merge_refuses_other_departments_other_stages_and_cycles():
    with pytest.raises(RuleError, match="different departments"):
        apply_rule(merge_case(), "merge_same_department_stage", {"groups": [{"items": ["B", "D"]}]})
    staged = make([{"id": "A"}, {"id": "B", "stage": "S2"}])
    with pytest.raises(RuleError, match="different stages"):
        apply_rule(staged, "merge_same_department_stage", {"groups": [{"items": ["A", "B"]}]})
    result, _ = apply_rule(
        staged, "merge_same_department_stage", {"groups": [{"items": ["A", "B"], "similar_content": True}]}
    )
    assert result.item_ids == ("A",)
    with pytest.raises(RuleError, match=r"cycle: A -> X -> B"):
        apply_rule(chain(), "merge_same_department_stage", {"groups": [{"items": ["A", "B"]}]})


def test_auto_merge_skips_a_group_that_would_form_a_cycle():
    result, audit = apply_rule(chain(), "merge_same_department_stage", {"auto": True})
    # A, X, B, C share department, stage and applicability, but A..B runs through X only if X stays outside:
    # all four are one group, so no outsider sits between them and the merge is safe
    assert result.item_ids == ("A",) and actions(audit) == [("merged", ("A", "X", "B", "C"))]
    split = make(
        [
            {"id": "A"},
            {"id": "X", "department": "d2", "prerequisites": ["A"]},
            {"id": "B", "prerequisites": ["X"]},
        ]
    )
    result, audit = apply_rule(split, "merge_same_department_stage", {"auto": True})
    assert result.item_ids == ("A", "X", "B") and actions(audit) == [("merge_skipped", ("A", "B"))]


def test_merge_government_early_approvals_adds_a_small_project_item():
    process = make(
        [
            {"id": "I01", "applies_when": {"investment_types": ["government"]}, "materials": 4},
            {
                "id": "I02",
                "applies_when": {"investment_types": ["government"]},
                "prerequisites": ["I01"],
                "materials": 6,
                "statutory_limit_days": 20,
            },
            {
                "id": "I03",
                "applies_when": {"investment_types": ["government"]},
                "prerequisites": ["I02"],
                "materials": 5,
            },
            {"id": "D", "prerequisites": ["I03"]},
        ]
    )
    result, audit = apply_rule(
        process, "merge_government_early_approvals", {"threshold_million_yuan": 10, "materials": "max"}
    )
    new = result.item("I01_I03")
    assert result.item_ids == ("I01", "I02", "I03", "I01_I03", "D")
    assert (new.statutory_limit_days, new.materials) == (20, 6)
    assert new.applies_when.max_investment_million_yuan == 10
    assert result.item("I01").applies_when.min_investment_million_yuan == 10
    assert result.item("D").prerequisite_ids == ("I03", "I01_I03")
    assert actions(audit)[0] == ("merged_for_small_projects", ("I01_I03", "I01", "I02", "I03"))
    small = applicable_process(result, builtin_profiles()["government-small"])
    assert small.item_ids == ("I01_I03", "D") and small.item("D").prerequisite_ids == ("I01_I03",)
    again, audit = apply_rule(result, "merge_government_early_approvals", {"threshold_million_yuan": 10})
    assert again.items == result.items and audit == []


# ---------------------------------------------------------------------------------------------- materials
def test_share_issued_document_drops_it_from_later_items_only_if_they_wait():
    result, audit = apply_rule(
        chain(),
        "share_repeated_materials",
        {"shared": [{"material": "A的批复", "issued_by": "A", "items": ["X", "B"], "sources": ["S"]}]},
    )
    assert (result.item("X").materials, result.item("B").materials) == (2, 3)
    assert actions(audit) == [("materials_shared", ("X",)), ("materials_shared", ("B",))]
    assert audit[0].before == 3 and audit[0].after == 2
    with pytest.raises(RuleError, match="does not wait for A"):
        apply_rule(
            chain(),
            "share_repeated_materials",
            {"shared": [{"material": "m", "issued_by": "A", "items": ["C"]}]},
        )


def test_share_kept_in_and_auto_on_named_materials():
    process = make(
        [
            {"id": "A", "materials": ["表", "证"]},
            {"id": "B", "materials": ["表", "图"], "prerequisites": ["A"]},
        ]
    )
    kept, _ = apply_rule(
        process,
        "share_repeated_materials",
        {"shared": [{"material": "表", "kept_in": "A", "items": ["A", "B"]}]},
    )
    auto, audit = apply_rule(process, "share_repeated_materials", {"auto": True})
    assert kept.item("B").materials == auto.item("B").materials == ("图",)
    assert auto.item("A").materials == ("表", "证") and "already submitted for A" in audit[0].note


def test_cancel_unnecessary_materials():
    result, audit = apply_rule(
        chain(), "cancel_unnecessary_materials", {"items": [{"item": "B", "count": 3}]}
    )
    assert result.item("B").materials == 1 and (audit[0].before, audit[0].after) == (4, 1)
    with pytest.raises(RuleError, match="has 2 materials"):
        apply_rule(chain(), "cancel_unnecessary_materials", {"items": [{"item": "A", "count": 3}]})


# ---------------------------------------------------------------------------------------------- commitment, online, limits
def test_commitment_system_stops_gating_and_keeps_other_ordering():
    result, audit = apply_rule(chain(), "commitment_system", {"items": ["X"], "materials_after": 1})
    assert result.item("X").gates_construction is False and result.item("X").materials == 1
    assert result.item("B").prerequisite_ids == ("A",)
    assert ("after_the_fact_inspection", ("X",)) in actions(audit)
    assert ("prerequisite_dropped", ("B", "X")) in actions(audit)


def test_online_parallel_approval_switches_items_and_removes_handover():
    process = make([{"id": "A"}, {"id": "B", "online": True}, {"id": "K"}], serial_handover_days=2)
    result, audit = apply_rule(process, "online_parallel_approval", {"exclude": ["K"]})
    assert [i.online for i in result.items] == [True, True, False]
    assert result.simulation.serial_handover_days == 0
    assert actions(audit) == [("handled_online", ("A",)), ("simulation_setting", ())]
    assert (audit[1].before, audit[1].after) == (2, 0)


def test_compress_time_limits_two_thirds_half_for_key_nodes_and_overrides():
    process = make(
        [
            {"id": "A", "statutory_limit_days": 20},
            {"id": "K", "statutory_limit_days": 20, "promised_limit_days": 15},
            {"id": "P", "statutory_limit_days": 20, "promised_limit_days": 5},
            {"id": "O", "statutory_limit_days": 20},
        ]
    )
    result, audit = apply_rule(
        process,
        "compress_time_limits",
        {"key_items": ["K"], "overrides": [{"item": "O", "days": 7, "sources": ["SEED"]}]},
    )
    assert [i.promised_limit_days for i in result.items] == [13, 10, 5, 7]
    assert [i.statutory_limit_days for i in result.items] == [20] * 4  # set by law: untouched
    assert actions(audit) == [
        ("limit_compressed", ("A",)),
        ("limit_compressed", ("K",)),
        ("limit_compressed", ("O",)),
    ]
    assert audit[2].status == "documented" and audit[0].status == "assumed"
    with pytest.raises(RuleError, match="exceeds its statutory limit"):
        apply_rule(process, "compress_time_limits", {"overrides": [{"item": "O", "days": 30}]})


def test_accept_with_missing_materials_scales_supplement_probability():
    process = make([{"id": "A", "supplement": {"probability": 0.4}}, {"id": "B"}])
    result, audit = apply_rule(process, "accept_with_missing_materials", {"probability_factor": 0.5})
    assert result.item("A").supplement.probability == 0.2 and result.item("B").supplement is None
    assert actions(audit) == [("supplement_reduced", ("A",)), ("no_supplement_data", ("B",))]
    based, _ = apply_rule(
        process, "accept_with_missing_materials", {"probability_factor": 0.5, "base_probability": 0.3}
    )
    assert based.item("B").supplement.probability == 0.15


def test_agent_construction_has_no_effect_on_the_catalog():
    process = make([{"id": "A", "supplement": {"probability": 0.4, "applicant_days": 10}}])
    result, audit = apply_rule(process, "agent_construction")
    assert result.items == process.items and actions(audit) == [("no_time_effect", ())]
    faster, audit = apply_rule(process, "agent_construction", {"applicant_days_factor": 0.5})
    assert faster.item("A").supplement.applicant_days == 5 and faster.item("A").statutory_limit_days == 10


# ---------------------------------------------------------------------------------------------- composition
def test_order_matters_compress_then_sum_merge_differs_from_merge_then_compress():
    process = make([{"id": "A", "statutory_limit_days": 20}, {"id": "B", "statutory_limit_days": 10}])
    merge = ("merge_same_department_stage", {"groups": [{"items": ["A", "B"], "limit": "sum"}]})
    compress = ("compress_time_limits", {})
    first, _ = apply_rules(process, [compress, merge])
    second, _ = apply_rules(process, [merge, compress])
    assert first.item("A").promised_limit_days == 13 + 6
    assert second.item("A").promised_limit_days == 20  # 2/3 of 30


def test_order_matters_sharing_needs_the_issuing_item():
    share = ("share_repeated_materials", {"shared": [{"material": "m", "issued_by": "X", "items": ["B"]}]})
    cancel = ("cancel_without_legal_basis", {"items": ["X"]})
    result, _ = apply_rules(chain(), [share, cancel])
    assert result.item("B").materials == 3
    with pytest.raises(RuleError, match="unknown item 'X'"):
        apply_rules(chain(), [cancel, share])


def test_same_rules_same_process_same_result():
    calls = [
        ("merge_same_department_stage", {"auto": True}),
        "online_parallel_approval",
        ("compress_time_limits", {}),
    ]
    first = apply_rules(merge_case(), calls)
    second = apply_rules(merge_case(), calls)
    assert first[0] == second[0]
    assert [e.model_dump() for e in first[1]] == [e.model_dump() for e in second[1]]


@pytest.mark.parametrize(
    ("key", "text"),
    [("rules", "rules: [online_parallel_approval]"), ("rules_from", "rules_from: luoyang-2017-after")],
)
def test_a_scenario_with_rules_read_without_the_rules_engine_is_a_plain_error(tmp_path, key, text):
    """Issue 15: the domain does not import the rules package; reading a file that needs it without a rule
    engine is a plain scenario error naming the key and the fix, not an ImportError or silently no rules."""
    from approval_model.problems import ScenarioError
    from approval_model.scenario import load_process
    from rules.loading import load

    path = tmp_path / "needs-rules.yaml"
    path.write_text(f"name: needs-rules\nbase: luoyang-2017-before\n{text}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_process(path)
    message = str(caught.value)
    assert "needs-rules.yaml" in message and key in message
    assert "no rule engine was given" in message and "rules.loading.load" in message
    assert load(path).name == "needs-rules"  # with the engine: the rules apply
