"""The audit of a reform: per rule what it did, per item before -> after, and whether each difference is traced
to a rule (a difference no rule explains came from a hand-written ``items:`` patch of a scenario file)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from approval_model.models import ApprovalItem, Process
from rules.scenario import AppliedRule

__all__ = ["COMPARED_FIELDS", "item_changes", "reform_diff"]

COMPARED_FIELDS = (
    "name",
    "department",
    "stage",
    "statutory_limit_days",
    "promised_limit_days",
    "materials",
    "prerequisites",
    "legal_basis",
    "online",
    "applies_when",
    "gates_construction",
    "supplement",
)


def _value(item: ApprovalItem, field: str) -> Any:
    if field == "materials":
        return item.material_count
    if field == "prerequisites":
        return list(item.prerequisite_ids)
    if field == "applies_when":
        return item.applies_when.model_dump(mode="json", exclude_none=True)
    if field == "supplement":
        return item.supplement.model_dump(mode="json") if item.supplement is not None else None
    return getattr(item, field)


def item_changes(before: ApprovalItem, after: ApprovalItem) -> dict[str, dict[str, Any]]:
    """Field -> {before, after} for every compared field that differs."""
    changes = {}
    for field in COMPARED_FIELDS:
        old, new = _value(before, field), _value(after, field)
        if old != new:
            changes[field] = {"before": old, "after": new}
    return changes


def reform_diff(
    base: Process, reformed: Process, applied: Sequence[AppliedRule], already: Sequence[AppliedRule] = ()
) -> dict[str, Any]:
    """JSON-ready audit of ``reformed`` against ``base``.

    ``applied`` are the rules applied while loading ``reformed`` (its bases included); those also applied while
    loading ``base`` (``already``) are left out, so the rules listed are the ones between the two.
    """
    seen = {(a.path or a.document, a.position) for a in already}
    rules = [a for a in applied if (a.path or a.document, a.position) not in seen]
    touched: dict[str, list[str]] = {}
    fates: dict[str, str] = {}
    gone: dict[str, str] = {}  # item merged, absorbed or cancelled -> the rule that did it
    for applied_rule in rules:
        for entry in applied_rule.audit:
            for item_id in entry.items:
                touched.setdefault(item_id, [])
                if applied_rule.rule not in touched[item_id]:
                    touched[item_id].append(applied_rule.rule)
            if entry.action == "cancelled":
                fates[entry.items[0]] = f"cancelled by {applied_rule.rule}"
                gone[entry.items[0]] = applied_rule.rule
            elif entry.action in ("merged", "absorbed"):
                for item_id in entry.items[1:]:
                    fates[item_id] = f"{entry.action} into {entry.items[0]} by {applied_rule.rule}"
                    gone[item_id] = applied_rule.rule
    before = {item.id: item for item in base.items}
    after = {item.id: item for item in reformed.items}
    items = []
    counts = {"unchanged": 0, "changed": 0, "removed": 0, "added": 0}
    for item_id in [*base.item_ids, *(i for i in reformed.item_ids if i not in before)]:
        if item_id in before and item_id in after:
            changes = item_changes(before[item_id], after[item_id])
            status = "changed" if changes else "unchanged"
        elif item_id in before:
            changes, status = {}, "removed"
        else:
            changes, status = {}, "added"
        counts[status] += 1
        if status == "unchanged":
            continue
        if status == "changed" and item_id not in touched and set(changes) == {"prerequisites"}:
            # only the prerequisites changed: explained when each one dropped was merged, absorbed or cancelled
            # by a rule (what waited for it now waits for the item that absorbed it, or for its prerequisites)
            dropped = set(changes["prerequisites"]["before"]) - set(changes["prerequisites"]["after"])
            if dropped and dropped <= set(gone):
                touched[item_id] = list(dict.fromkeys(gone[p] for p in sorted(dropped)))
        record: dict[str, Any] = {
            "id": item_id,
            "name": (after.get(item_id) or before[item_id]).name,
            "status": status,
            "rules": touched.get(item_id, []),
            "traced": item_id in touched,
        }
        if status == "removed":
            record["fate"] = fates.get(item_id, "removed without a rule (remove_items or a profile)")
            record["traced"] = item_id in fates
        if changes:
            record["changes"] = changes
        items.append(record)
    return {
        "base": base.name,
        "reformed": reformed.name,
        "rules": [a.as_json() for a in rules],
        "items": items,
        "summary": {
            **counts,
            "items_before": len(base.items),
            "items_after": len(reformed.items),
            "untraced": [r["id"] for r in items if not r["traced"]],
        },
    }
