"""Structural edits of a process shared by the rules: remove items (keeping the ordering through them), merge
items into one, and the checks that keep the prerequisite graph acyclic. Deterministic: process order throughout."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from approval_model.models import ApprovalItem, Prerequisite, Process
from approval_model.problems import did_you_mean
from rules.engine import AuditEntry, RuleError, audit_entry

__all__ = [
    "items_by_id",
    "check_known",
    "dependents",
    "inherited_entries",
    "merge_cycle_path",
    "remove_items",
    "replace_items",
    "updated",
]


def items_by_id(process: Process) -> dict[str, ApprovalItem]:
    """The process's items by id."""
    return {item.id: item for item in process.items}


def check_known(process: Process, item_ids: Iterable[str], what: str = "item") -> None:
    """RuleError for the first id that is not an item of the process."""
    known = process.item_ids
    for item_id in item_ids:
        if item_id not in known:
            raise RuleError(
                f"unknown {what} '{item_id}'{did_you_mean(item_id, known)} in process '{process.name}'",
                f"name an item of the process ({', '.join(known[:8])}{', ...' if len(known) > 8 else ''})",
            )


def dependents(process: Process, item_id: str) -> list[str]:
    """Items that list ``item_id`` as a prerequisite, in process order."""
    return [item.id for item in process.items if item_id in item.prerequisite_ids]


def _unique(prerequisites: Iterable[Prerequisite]) -> tuple[Prerequisite, ...]:
    kept: dict[str, Prerequisite] = {}
    for prerequisite in prerequisites:
        kept.setdefault(prerequisite.item, prerequisite)
    return tuple(kept.values())


def remove_items(
    process: Process, removed: Sequence[str], reason: str
) -> tuple[tuple[ApprovalItem, ...], dict[str, list[str]]]:
    """Items without ``removed``; a dependent inherits the removed item's prerequisites (ordering kept).

    Returns the new items and, per dependent, the prerequisites it inherited (for the audit).
    """
    gone = set(removed)
    by_id = {item.id: item for item in process.items}

    def surviving_ancestors(item_id: str, seen: frozenset[str]) -> list[Prerequisite]:
        result: list[Prerequisite] = []
        for prerequisite in by_id[item_id].prerequisites:
            if prerequisite.item not in gone:
                result.append(prerequisite)
            elif prerequisite.item not in seen:
                for deeper in surviving_ancestors(prerequisite.item, seen | {prerequisite.item}):
                    result.append(
                        Prerequisite(
                            item=deeper.item, status="assumed", note=f"via {prerequisite.item} ({reason})"
                        )
                    )
        return result

    items: list[ApprovalItem] = []
    inherited: dict[str, list[str]] = {}
    for item in process.items:
        if item.id in gone:
            continue
        if not any(p in gone for p in item.prerequisite_ids):
            items.append(item)
            continue
        new = _unique(surviving_ancestors(item.id, frozenset()))
        added = [p.item for p in new if p.item not in item.prerequisite_ids]
        if added:
            inherited[item.id] = added
        items.append(updated(item, prerequisites=new))
    return tuple(items), inherited


def inherited_entries(
    rule: str,
    inherited: dict[str, list[str]],
    before: dict[str, ApprovalItem],
    after: Sequence[ApprovalItem],
    policy: str,
) -> list[AuditEntry]:
    """The audit of :func:`remove_items`: each dependent that inherited a removed item's prerequisites."""
    now = {item.id: item for item in after}
    return [
        audit_entry(
            rule,
            "prerequisites_inherited",
            policy,
            items=(item_id,),
            field="prerequisites",
            before=list(before[item_id].prerequisite_ids),
            after=list(now[item_id].prerequisite_ids),
            note=f"keeps the ordering through the removed item(s); inherited {', '.join(added)}",
        )
        for item_id, added in inherited.items()
    ]


def merge_cycle_path(process: Process, members: Sequence[str]) -> list[str] | None:
    """A path member -> outsider(s) -> member, which would become a cycle once the members are one item."""
    group = set(members)
    successors: dict[str, list[str]] = {item.id: [] for item in process.items}
    for item in process.items:
        for prerequisite in item.prerequisite_ids:
            successors[prerequisite].append(item.id)
    for start in members:
        # depth-first through outsiders only
        stack = [(outsider, [start, outsider]) for outsider in successors[start] if outsider not in group]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            for following in successors[node]:
                if following in group:
                    return [*path, following]
                stack.append((following, [*path, following]))
    return None


def replace_items(process: Process, members: Sequence[str], merged: ApprovalItem) -> tuple[ApprovalItem, ...]:
    """Members replaced by ``merged`` (at the position of the first member present); dependents re-pointed."""
    group = set(members)
    items: list[ApprovalItem] = []
    placed = False
    for item in process.items:
        if item.id in group:
            if not placed:
                items.append(merged)
                placed = True
            continue
        if any(p in group for p in item.prerequisite_ids):
            repointed = [
                p.model_copy(update={"item": merged.id, "note": sources_note(p.note, f"was {p.item}")})
                if p.item in group
                else p
                for p in item.prerequisites
            ]
            item = updated(item, prerequisites=_unique(repointed))
        items.append(item)
    return tuple(items)


def updated(item: ApprovalItem, **changes: object) -> ApprovalItem:
    """A re-validated copy of an item (``model_copy`` would skip validation of the new values)."""
    return ApprovalItem.model_validate({**dict(item), **changes})


def sources_note(note: str | None, addition: str) -> str:
    return f"{note}; {addition}" if note else addition
