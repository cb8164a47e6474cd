"""Merging items (plan 1, 三(一) 整合 and 三(三)): items of one department with similar content or in one stage
become one; small government projects have their early approvals merged. Also the helpers other families use
to build a merged item (:func:`build_merged`, :func:`merged_ids`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, model_validator

from approval_model.bounds import (
    LimitDays,
    MaterialCount,
    MillionYuan,
)
from approval_model.models import Applicability, ApprovalItem, Prerequisite, Process, Provenance
from rules.engine import AuditEntry, Params, RuleError, Sourced, audit_entry, register, snapshot
from rules.graph_ops import (
    check_known,
    items_by_id,
    merge_cycle_path,
    replace_items,
    updated,
)
from rules.policy import policy_source, rule_default

SRC_MERGE = policy_source("merge")
SRC_GOVERNMENT = policy_source("government")


LimitPolicy = Literal["max", "sum"] | LimitDays


# ------------------------------------------------------------------------------------------------ merging
MERGED_FROM = "merged_from"


def merged_ids(item: ApprovalItem) -> tuple[str, ...]:
    """Ids of the items merged into this one by earlier rules (recorded in ``provenance['merged_from']``)."""
    record = item.provenance.get(MERGED_FROM)
    if record is None or not record.note:
        return ()
    return tuple(part.strip() for part in record.note.split(",") if part.strip())


def _field_provenance(members: Sequence[ApprovalItem], field: str, how: str) -> Provenance:
    documented = [
        r for m in members if (r := m.provenance.get(field)) is not None and r.status == "documented"
    ]
    if len(documented) == len(members):
        sources = tuple(dict.fromkeys(s for r in documented for s in r.sources))
        return Provenance(status="documented", sources=sources, note=how)
    return Provenance(status="assumed", note=how)


def _combine_limit(values: list[float], policy: LimitPolicy) -> float:
    if policy == "max":
        return max(values)
    if policy == "sum":
        return sum(values)
    return float(policy)


def build_merged(
    members: Sequence[ApprovalItem],
    *,
    new_id: str,
    name: str | None,
    limit: LimitPolicy,
    materials: Literal["union", "max"] | int,
    entry: Sourced,
    rule: str,
    applies_when: Applicability | None = None,
) -> tuple[ApprovalItem, str]:
    """One item standing for ``members`` (their first is the template); returns it and a note for the audit."""
    template = members[0]
    group = {m.id for m in members}
    statutory = _combine_limit([m.statutory_limit_days for m in members], limit)
    promised_values = [m.promised_limit_days for m in members]
    promised = None
    if any(p is not None for p in promised_values):
        effective = [
            p if p is not None else m.statutory_limit_days
            for p, m in zip(promised_values, members, strict=True)
        ]
        promised = min(_combine_limit(effective, limit), statutory)
    notes: list[str] = []
    merged_materials: int | tuple[str, ...]
    if materials == "max":
        largest = max(members, key=lambda m: m.material_count)
        merged_materials = largest.materials
        materials_how = f"the largest member's set ({largest.id}: {largest.material_count})"
    elif materials != "union":
        merged_materials = int(materials)
        materials_how = f"given: {materials}"
    elif len(named_lists := [m.materials for m in members if isinstance(m.materials, tuple)]) == len(members):
        merged_materials = tuple(dict.fromkeys(name for names in named_lists for name in names))
        materials_how = "union of the named materials, repeats once"
    else:
        named = tuple(
            dict.fromkeys(name for m in members if isinstance(m.materials, tuple) for name in m.materials)
        )
        merged_materials = len(named) + sum(m.materials for m in members if isinstance(m.materials, int))
        materials_how = (
            "counts added (the catalog does not say which documents repeat; see share_repeated_materials)"
        )
    prerequisites = []
    for member in members:
        prerequisites += [p for p in member.prerequisites if p.item not in group]
    unique = tuple({p.item: p for p in reversed(prerequisites)}.values())[::-1]
    bases = list(dict.fromkeys(m.legal_basis for m in members if m.legal_basis))
    applicability = applies_when or template.applies_when
    if applies_when is None and any(m.applies_when != template.applies_when for m in members):
        notes.append(f"applicability of the merged item is {template.id}'s")
    supplements = [m.supplement for m in members if m.supplement is not None]
    previous = [i for m in members for i in (*merged_ids(m), m.id) if i != new_id]
    provenance = dict(template.provenance)
    how = (
        {"max": "the longest", "sum": "the sum"}.get(limit, f"given {limit}")
        if isinstance(limit, str)
        else f"given {limit:g}"
    )
    provenance["statutory_limit_days"] = _field_provenance(
        members,
        "statutory_limit_days",
        f"{how} of {', '.join(f'{m.id} {m.statutory_limit_days:g}' for m in members)} ({rule})",
    )
    provenance["materials"] = _field_provenance(members, "materials", f"{materials_how} ({rule})")
    if promised is not None:
        provenance["promised_limit_days"] = _field_provenance(
            members, "promised_limit_days", f"{how} of the members' ({rule})"
        )
    provenance[MERGED_FROM] = Provenance(
        status=entry.status, sources=entry.sources, note=", ".join(dict.fromkeys(previous))
    )
    merged = ApprovalItem.model_validate(
        {
            **dict(template),
            "id": new_id,
            "name": name or "、".join(m.name for m in members),
            "name_en": None if name else template.name_en,
            "statutory_limit_days": statutory,
            "promised_limit_days": promised,
            "materials": merged_materials,
            "prerequisites": unique,
            "legal_basis": "；".join(bases) if bases else None,
            "online": all(m.online for m in members),
            "applies_when": applicability,
            "condition": template.condition,
            "gates_construction": any(m.gates_construction for m in members),
            "supplement": max(supplements, key=lambda s: s.probability) if supplements else None,
            "provenance": provenance,
            "note": " ".join(
                x for x in (template.note, f"Merged from {', '.join(m.id for m in members)} by {rule}.") if x
            ),
        }
    )
    return merged, "; ".join([materials_how, *notes])


def _cycle_error(process: Process, members: Sequence[str], path: list[str]) -> RuleError:
    return RuleError(
        f"merging {', '.join(members)} would create a cycle: {' -> '.join(path)} (an outside item sits between two of them)",
        "leave the outside item's members out of the group, or drop the edge first with narrow_scope",
    )


class MergeGroup(Sourced):
    items: tuple[str, ...] = Field(min_length=2)
    into: str | None = Field(
        default=None, description="id kept for the merged item (default: the first listed)"
    )
    name: str | None = None
    limit: LimitPolicy = "max"
    materials: Literal["union", "max"] | MaterialCount = "union"
    similar_content: bool = Field(default=False, description="allow items of different stages (管理内容相近)")

    @model_validator(mode="after")
    def _coherent(self) -> MergeGroup:
        if len(set(self.items)) != len(self.items):
            raise ValueError(f"items repeat an id: {list(self.items)}")
        if self.into is not None and self.into not in self.items:
            raise ValueError(f"'into' ({self.into}) must be one of the group's items {list(self.items)}")
        return self


class MergeParams(Params):
    groups: tuple[MergeGroup, ...] = ()
    auto: bool = Field(
        default=False,
        description="merge every set of items with the same department, stage and applicability",
    )

    @model_validator(mode="after")
    def _one_mode(self) -> MergeParams:
        if bool(self.groups) == self.auto:
            raise ValueError("give either 'groups' (explicit) or 'auto: true', not both and not neither")
        return self


def _merge_group(process: Process, group: MergeGroup, rule: str) -> tuple[Process, list[AuditEntry]]:
    by_id = items_by_id(process)
    target = group.into or group.items[0]
    check_known(process, [target])
    already = set(merged_ids(by_id[target]))
    check_known(process, [i for i in group.items if i not in already])
    present = [i for i in process.item_ids if i in group.items]  # process order
    if len(present) < 2:
        return process, []  # merged before: merging again changes nothing
    members = [by_id[target]] + [by_id[i] for i in present if i != target]
    departments = sorted({m.department for m in members})
    if len(departments) > 1:
        raise RuleError(
            f"items {', '.join(present)} belong to different departments ({', '.join(departments)}); "
            "the plan merges items of the same department",
            "merge within one department only",
        )
    kinds = sorted({m.kind for m in members})
    if len(kinds) > 1:
        raise RuleError(
            f"items {', '.join(present)} are different kinds of work ({', '.join(kinds)})",
            "merge approval items with approval items; intermediary services have their own rules "
            "(combined_assessment, combined_survey)",
        )
    stages = sorted({m.stage for m in members})
    if len(stages) > 1 and not group.similar_content:
        raise RuleError(
            f"items {', '.join(present)} are in different stages ({', '.join(stages)})",
            "merge items of one stage, or set 'similar_content: true' if their content is similar",
        )
    path = merge_cycle_path(process, present)
    if path:
        raise _cycle_error(process, present, path)
    merged, how = build_merged(
        members,
        new_id=target,
        name=group.name,
        limit=group.limit,
        materials=group.materials,
        entry=group,
        rule=rule,
    )
    items = replace_items(process, present, merged)
    entry = audit_entry(
        rule,
        "merged",
        SRC_MERGE,
        group,
        items=(target, *[m.id for m in members[1:]]),
        before={m.id: snapshot(m) for m in members},
        after=snapshot(merged),
        note="; ".join(x for x in (how, group.note) if x),
    )
    return process.replace(items=items), [entry]


def _auto_groups(process: Process) -> list[list[str]]:
    keys: dict[tuple[str, str, str], list[str]] = {}
    for item in process.items:
        if item.kind != "approval":
            continue  # the plan merges approval items (审批事项)
        key = (
            item.department,
            item.stage,
            json.dumps(item.applies_when.model_dump(mode="json"), sort_keys=True),
        )
        keys.setdefault(key, []).append(item.id)
    return [ids for ids in keys.values() if len(ids) > 1]


@register(
    "merge_same_department_stage",
    MergeParams,
    SRC_MERGE,
    "merge items of one department with similar content or in the same stage (limit, materials, prerequisites by policy)",
)
def merge_same_department_stage(process: Process, params: MergeParams) -> tuple[Process, list[AuditEntry]]:
    """同一部门实施的管理内容相近或同一办理阶段的多个审批事项 -> 整合 (国发〔2016〕29号).

    The merged item keeps the id of ``into``; its limit is the longest (or the sum, or a given value), its
    materials the union of named documents (counts are added: which ones repeat is unknown), its prerequisites the
    union of the members' outside prerequisites; dependents of any member depend on it. Merging again is a no-op.
    ``auto`` merges items with the same department, stage and applicability, skipping groups that would form a cycle.
    """
    rule = "merge_same_department_stage"
    audit: list[AuditEntry] = []
    if not params.auto:
        for group in params.groups:
            process, entries = _merge_group(process, group, rule)
            audit += entries
        return process, audit
    skipped: set[tuple[str, ...]] = set()
    while True:
        pending = [ids for ids in _auto_groups(process) if tuple(ids) not in skipped]
        if not pending:
            return process, audit
        ids = pending[0]
        path = merge_cycle_path(process, ids)
        if path:
            skipped.add(tuple(ids))
            audit.append(
                audit_entry(
                    rule,
                    "merge_skipped",
                    SRC_MERGE,
                    items=tuple(ids),
                    note=f"would create a cycle: {' -> '.join(path)}",
                )
            )
            continue
        process, entries = _merge_group(
            process, MergeGroup(items=tuple(ids), note="auto: same department, stage and applicability"), rule
        )
        audit += entries


class GovernmentMergeParams(Sourced):
    threshold_million_yuan: MillionYuan = Field(
        gt=0, description="projects below this total investment count as small"
    )
    items: tuple[str, ...] = Field(
        default=rule_default("merge_government_early_approvals", "items"),
        min_length=2,
        description="proposal, feasibility study and preliminary design approvals",
    )
    new_id: str = Field(
        default=rule_default("merge_government_early_approvals", "new_id"), pattern=r"^[A-Za-z0-9_\-.]+$"
    )
    name: str = rule_default("merge_government_early_approvals", "name")
    limit: LimitPolicy = "max"
    materials: Literal["union", "max"] | MaterialCount = "union"


@register(
    "merge_government_early_approvals",
    GovernmentMergeParams,
    SRC_GOVERNMENT,
    "small government projects: proposal, feasibility study and preliminary design approved as one item",
)
def merge_government_early_approvals(
    process: Process, params: GovernmentMergeParams
) -> tuple[Process, list[AuditEntry]]:
    """对投资规模较小、技术方案简单的项目，合理合并项目建议书、可行性研究报告、初步设计等审批环节.

    Adds one merged item applying below the threshold; the separate items then apply only at or above it, and
    every dependent of a separate item also accepts the merged one (a profile keeps whichever applies). The catalog
    therefore gains one entry: the cut shows per project (profile government-small), not in the catalog count.
    """
    rule = "merge_government_early_approvals"
    if params.new_id in process.item_ids:
        return process, []  # applied before
    check_known(process, params.items)
    by_id = items_by_id(process)
    members = [by_id[i] for i in process.item_ids if i in params.items]
    departments = sorted({m.department for m in members})
    if len(departments) > 1:
        raise RuleError(
            f"items {', '.join(params.items)} belong to different departments ({', '.join(departments)})",
            "list the proposal, feasibility and preliminary-design approvals of one department",
        )
    path = merge_cycle_path(process, [m.id for m in members])
    if path:
        raise _cycle_error(process, [m.id for m in members], path)
    threshold = params.threshold_million_yuan
    small = Applicability.model_validate(
        {**members[0].applies_when.model_dump(), "max_investment_million_yuan": threshold}
    )
    merged, how = build_merged(
        members,
        new_id=params.new_id,
        name=params.name,
        limit=params.limit,
        materials=params.materials,
        entry=params,
        rule=rule,
        applies_when=small,
    )
    merged = updated(
        merged,
        provenance={k: v for k, v in merged.provenance.items() if k != MERGED_FROM},
        condition=f"总投资{threshold:g}百万元以下、技术方案简单的政府投资项目",
    )
    audit = [
        audit_entry(
            rule,
            "merged_for_small_projects",
            SRC_GOVERNMENT,
            params,
            items=(params.new_id, *[m.id for m in members]),
            before={m.id: snapshot(m) for m in members},
            after=snapshot(merged),
            note=f"new item for government projects below {threshold:g} million yuan; {how}"
            + (f"; {params.note}" if params.note else ""),
        )
    ]
    group = {m.id for m in members}
    items: list[ApprovalItem] = []
    last = max(process.item_ids.index(m.id) for m in members)
    for position, item in enumerate(process.items):
        if item.id in group:
            large = Applicability.model_validate(
                {
                    **item.applies_when.model_dump(),
                    "min_investment_million_yuan": max(
                        threshold, item.applies_when.min_investment_million_yuan or 0
                    ),
                }
            )
            if large != item.applies_when:
                audit.append(
                    audit_entry(
                        rule,
                        "scope_narrowed",
                        SRC_GOVERNMENT,
                        params,
                        items=(item.id,),
                        field="applies_when",
                        before=item.applies_when.model_dump(mode="json", exclude_none=True),
                        after=large.model_dump(mode="json", exclude_none=True),
                        note=f"separate approval only from {threshold:g} million yuan",
                    )
                )
            item = updated(item, applies_when=large)
        elif any(p in group for p in item.prerequisite_ids):
            before = list(item.prerequisite_ids)
            extra = Prerequisite(
                item=params.new_id,
                status="assumed",
                note=f"small projects: instead of {', '.join(p for p in before if p in group)}",
            )
            item = updated(item, prerequisites=(*item.prerequisites, extra))
            audit.append(
                audit_entry(
                    rule,
                    "prerequisite_added",
                    SRC_GOVERNMENT,
                    items=(item.id, params.new_id),
                    field="prerequisites",
                    before=before,
                    after=list(item.prerequisite_ids),
                    note="the merged item stands in for the separate ones for small projects",
                )
            )
        items.append(item)
        if position == last:
            items.append(merged)
    return process.replace(items=tuple(items)), audit
