"""Property tests: no rule creates a cycle or an item without a department; cancelling never lengthens the
longest path; sharing materials never increases their count; merging is idempotent."""

from __future__ import annotations

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approval_model.graph import parallel_total_days, process_graph
from approval_model.models import Process
from rules.engine import RuleError
from rules.rulebook import apply_rule

VOCABULARY = ("申请表", "身份证明", "批复", "图纸", "合同")


@st.composite
def processes(draw) -> Process:
    count = draw(st.integers(2, 8))
    items = []
    for index in range(count):
        earlier = [f"T{j}" for j in range(index)]
        named = draw(st.booleans())
        items.append(
            {
                "id": f"T{index}",
                "name": f"事项{index}",
                "department": draw(st.sampled_from(["d1", "d2"])),
                "stage": draw(st.sampled_from(["S1", "S2"])),
                "statutory_limit_days": draw(st.integers(1, 30)),
                "materials": tuple(draw(st.lists(st.sampled_from(VOCABULARY), unique=True, max_size=4)))
                if named
                else draw(st.integers(0, 6)),
                "prerequisites": draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3))
                if earlier
                else [],
                "online": draw(st.booleans()),
            }
        )
    return Process.model_validate(
        {
            "name": "random",
            "departments": [{"id": "d1", "name": "甲"}, {"id": "d2", "name": "乙"}],
            "stages": [{"id": "S1", "name": "一"}, {"id": "S2", "name": "二"}],
            "items": items,
        }
    )


def assert_sound(process: Process) -> None:
    assert nx.is_directed_acyclic_graph(process_graph(process))
    departments = {d.id for d in process.departments}
    assert all(item.department in departments for item in process.items)
    ids = set(process.item_ids)
    assert all(p in ids for item in process.items for p in item.prerequisite_ids)


def total_materials(process: Process) -> int:
    return sum(item.material_count for item in process.items)


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(processes(), st.data())
def test_no_rule_breaks_the_process(process, data):
    ids = list(process.item_ids)
    subset = data.draw(st.lists(st.sampled_from(ids), unique=True, min_size=1, max_size=len(ids) - 1))
    calls = [
        ("cancel_without_legal_basis", {"items": subset}),
        ("merge_same_department_stage", {"auto": True}),
        ("share_repeated_materials", {"auto": True}),
        ("online_parallel_approval", {}),
        ("compress_time_limits", {"key_items": subset}),
        ("commitment_system", {"items": subset}),
        ("accept_with_missing_materials", {"base_probability": 0.3}),
        ("agent_construction", {}),
    ]
    for name, params in calls:
        result, audit = apply_rule(process, name, params)
        assert_sound(result)
        assert all(entry.rule == name for entry in audit)


@FAST
@given(processes(), st.data())
def test_explicit_merge_either_refuses_or_stays_acyclic(process, data):
    group = data.draw(st.lists(st.sampled_from(process.item_ids), unique=True, min_size=2, max_size=3))
    try:
        result, _ = apply_rule(
            process, "merge_same_department_stage", {"groups": [{"items": group, "similar_content": True}]}
        )
    except RuleError as error:
        assert "different departments" in error.message or "cycle" in error.message
        return
    assert_sound(result)
    again, audit = apply_rule(
        result, "merge_same_department_stage", {"groups": [{"items": group, "similar_content": True}]}
    )
    assert again.items == result.items and audit == []


@FAST
@given(processes(), st.data())
def test_cancelling_never_lengthens_the_longest_path(process, data):
    subset = data.draw(
        st.lists(st.sampled_from(process.item_ids), unique=True, min_size=1, max_size=len(process.items) - 1)
    )
    result, _ = apply_rule(process, "cancel_without_legal_basis", {"items": subset})
    assert parallel_total_days(result) <= parallel_total_days(process)


@FAST
@given(processes())
def test_sharing_never_increases_materials_and_auto_merge_is_idempotent(process):
    shared, _ = apply_rule(process, "share_repeated_materials", {"auto": True})
    assert total_materials(shared) <= total_materials(process)
    merged, _ = apply_rule(process, "merge_same_department_stage", {"auto": True})
    again, audit = apply_rule(merged, "merge_same_department_stage", {"auto": True})
    assert again.items == merged.items and not [e for e in audit if e.action == "merged"]
