"""The reform measures of 洛政办〔2017〕89号 plan 1, section 三, each a registered rule.

Every rule is ``(Process, Params) -> (Process, [AuditEntry])``. Where the pre-reform catalog does not say what a
rule needs (which items lack a legal basis, which documents repeat), the rule takes it as an explicit parameter;
the scenario file then says where each value comes from (source id) or that it is assumed. See docs/rules.md.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, field_validator, model_validator

from approval_model.bounds import (
    Count,
    LimitDays,
    MaterialCount,
    MillionYuan,
    PositiveShare,
    Share,
    WorkingDays,
)
from approval_model.models import Applicability, ApprovalItem, Prerequisite, Process, Provenance, Supplement
from approval_model.problems import did_you_mean
from rules.engine import AuditEntry, Params, RuleError, register, sources_text
from rules.graph_ops import check_known, merge_cycle_path, remove_items, replace_items, updated

__all__ = [
    "agent_construction",
    "accept_with_missing_materials",
    "cancel_unnecessary_materials",
    "cancel_without_legal_basis",
    "commitment_system",
    "compress_time_limits",
    "merge_government_early_approvals",
    "merge_same_department_stage",
    "merged_ids",
    "narrow_scope",
    "online_parallel_approval",
    "share_repeated_materials",
]

# policy sources (ids of the catalog's `sources:` table; the after-scenario adds the ones the base lacks)
SRC_CLEANUP = "SEED 三(一)"
SRC_MERGE = "SEED 三(一); GF2016_29"
SRC_MATERIALS = "SEED 三(一); RR_one_form (GB2019_11)"
SRC_COMMITMENT = "SEED 三(二); HENAN_FTZ_COMMIT; KAIFENG_FTZ"
SRC_GOVERNMENT = "SEED 三(三); HENAN2018_GOVINV"
SRC_AGENT = "SEED 三(四)"
SRC_ONLINE = "SEED 三(五); GB2014_59"
SRC_LIMITS = "SEED 二 and 三(五) (限时办结); XINYANG (2/3 and 1/2 rule)"
SRC_GAPS = "HENAN2017 (容缺办理)"

LimitPolicy = Literal["max", "sum"] | LimitDays


class Sourced(Params):
    """Parameter entries that carry where their value comes from (empty sources = assumed)."""

    sources: tuple[str, ...] = ()
    note: str | None = None

    @property
    def status(self) -> Literal["documented", "assumed"]:
        return "documented" if self.sources else "assumed"


def _by_id(process: Process) -> dict[str, ApprovalItem]:
    return {item.id: item for item in process.items}


def _snapshot(item: ApprovalItem) -> dict[str, object]:
    return {
        "name": item.name,
        "department": item.department,
        "stage": item.stage,
        "statutory_limit_days": item.statutory_limit_days,
        "promised_limit_days": item.promised_limit_days,
        "materials": item.material_count,
    }


def _inherited_audit(
    rule: str,
    inherited: dict[str, list[str]],
    before: dict[str, ApprovalItem],
    after: Sequence[ApprovalItem],
    source: str,
) -> list[AuditEntry]:
    now = {item.id: item for item in after}
    return [
        AuditEntry(
            rule=rule,
            action="prerequisites_inherited",
            items=(item_id,),
            field="prerequisites",
            before=list(before[item_id].prerequisite_ids),
            after=list(now[item_id].prerequisite_ids),
            source=source,
            note=f"keeps the ordering through the removed item(s); inherited {', '.join(added)}",
        )
        for item_id, added in inherited.items()
    ]


# ------------------------------------------------------------------------------------------------ cancel
class CancelEntry(Sourced):
    id: str
    basis_lapsed: str | None = Field(
        default=None,
        description="why a legal basis the catalog records no longer holds (e.g. a regulation change)",
    )


class CancelParams(Params):
    items: tuple[CancelEntry, ...] = Field(
        min_length=1, description="items to cancel: ids or {id, basis_lapsed, sources, note}"
    )

    @field_validator("items", mode="before")
    @classmethod
    def _plain_ids(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return [{"id": v} if isinstance(v, str) else v for v in value]
        return value


@register(
    "cancel_without_legal_basis",
    CancelParams,
    SRC_CLEANUP,
    "cancel items set by departments without a legal or regulatory basis; dependents keep the ordering through them",
)
def cancel_without_legal_basis(process: Process, params: CancelParams) -> tuple[Process, list[AuditEntry]]:
    """Cancel the listed items (无法律法规依据、各部门自行设定的审批事项，一律取消).

    An item whose ``legal_basis`` is recorded is refused unless the entry says why that basis lapsed
    (``basis_lapsed``): the rule must not silently cancel a lawful item. Dependents inherit the cancelled item's
    prerequisites, so cancelling never lengthens a path.
    """
    rule = "cancel_without_legal_basis"
    check_known(process, [entry.id for entry in params.items])
    by_id = _by_id(process)
    audit: list[AuditEntry] = []
    for entry in params.items:
        item = by_id[entry.id]
        if item.legal_basis is not None and entry.basis_lapsed is None:
            raise RuleError(
                f"item {item.id} ({item.name}) records a legal basis ('{item.legal_basis}'); "
                "this rule only cancels items without one",
                "add 'basis_lapsed: <why the basis no longer holds>' with its sources, or use narrow_scope",
            )
        audit.append(
            AuditEntry(
                rule=rule,
                action="cancelled",
                items=(item.id,),
                before=_snapshot(item),
                after=None,
                source=sources_text(SRC_CLEANUP, entry.sources),
                status=entry.status,
                note=entry.basis_lapsed
                or entry.note
                or "no legal basis recorded in the catalog (legal_basis: null)",
            )
        )
    items, inherited = remove_items(process, [entry.id for entry in params.items], "cancelled")
    audit += _inherited_audit(rule, inherited, by_id, items, SRC_CLEANUP)
    return process.replace(items=items), audit


# ------------------------------------------------------------------------------------------------ narrow scope
class DropPrerequisite(Sourced):
    item: str
    prerequisite: str


class NarrowApplicability(Sourced):
    item: str
    applies_when: Applicability


class NarrowParams(Params):
    drop_prerequisites: tuple[DropPrerequisite, ...] = ()
    applies_when: tuple[NarrowApplicability, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> NarrowParams:
        if not self.drop_prerequisites and not self.applies_when:
            raise ValueError("give 'drop_prerequisites' and/or 'applies_when'")
        return self


@register(
    "narrow_scope",
    NarrowParams,
    SRC_CLEANUP,
    "narrow the scope (applicability) of items or optimise their flow by dropping prerequisite edges",
)
def narrow_scope(process: Process, params: NarrowParams) -> tuple[Process, list[AuditEntry]]:
    """有法律法规依据但审批范围过宽或流程设置不合理的审批事项，缩小审批范围，优化审批流程."""
    rule = "narrow_scope"
    check_known(
        process,
        [d.item for d in params.drop_prerequisites]
        + [d.prerequisite for d in params.drop_prerequisites]
        + [n.item for n in params.applies_when],
    )
    items = {item.id: item for item in process.items}
    audit: list[AuditEntry] = []
    for drop in params.drop_prerequisites:
        item = items[drop.item]
        if drop.prerequisite not in item.prerequisite_ids:
            raise RuleError(
                f"item {drop.item} has no prerequisite {drop.prerequisite} "
                f"(it has: {', '.join(item.prerequisite_ids) or 'none'})",
                "drop an existing prerequisite edge",
            )
        new = tuple(p for p in item.prerequisites if p.item != drop.prerequisite)
        items[drop.item] = updated(item, prerequisites=new)
        audit.append(
            AuditEntry(
                rule=rule,
                action="prerequisite_dropped",
                items=(drop.item, drop.prerequisite),
                field="prerequisites",
                before=list(item.prerequisite_ids),
                after=[p.item for p in new],
                source=sources_text(SRC_CLEANUP, drop.sources),
                status=drop.status,
                note=drop.note,
            )
        )
    for narrow in params.applies_when:
        item = items[narrow.item]
        merged = Applicability.model_validate(
            {**item.applies_when.model_dump(), **narrow.applies_when.model_dump(exclude_unset=True)}
        )
        items[narrow.item] = updated(item, applies_when=merged)
        audit.append(
            AuditEntry(
                rule=rule,
                action="scope_narrowed",
                items=(narrow.item,),
                field="applies_when",
                before=item.applies_when.model_dump(mode="json", exclude_none=True),
                after=merged.model_dump(mode="json", exclude_none=True),
                source=sources_text(SRC_CLEANUP, narrow.sources),
                status=narrow.status,
                note=narrow.note,
            )
        )
    return process.replace(items=tuple(items[i] for i in process.item_ids)), audit


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


def _build_merged(
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
    by_id = _by_id(process)
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
    merged, how = _build_merged(
        members,
        new_id=target,
        name=group.name,
        limit=group.limit,
        materials=group.materials,
        entry=group,
        rule=rule,
    )
    items = replace_items(process, present, merged)
    entry = AuditEntry(
        rule=rule,
        action="merged",
        items=(target, *[m.id for m in members[1:]]),
        before={m.id: _snapshot(m) for m in members},
        after=_snapshot(merged),
        source=sources_text(SRC_MERGE, group.sources),
        status=group.status,
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
                AuditEntry(
                    rule=rule,
                    action="merge_skipped",
                    items=tuple(ids),
                    source=SRC_MERGE,
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
        default=("I01", "I02", "I03"),
        min_length=2,
        description="proposal, feasibility study and preliminary design approvals",
    )
    new_id: str = Field(default="I01_I03", pattern=r"^[A-Za-z0-9_\-.]+$")
    name: str = "政府投资项目建议书、可行性研究报告、初步设计合并审批（小型项目）"
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
    by_id = _by_id(process)
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
    merged, how = _build_merged(
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
        AuditEntry(
            rule=rule,
            action="merged_for_small_projects",
            items=(params.new_id, *[m.id for m in members]),
            before={m.id: _snapshot(m) for m in members},
            after=_snapshot(merged),
            source=sources_text(SRC_GOVERNMENT, params.sources),
            status=params.status,
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
                    AuditEntry(
                        rule=rule,
                        action="scope_narrowed",
                        items=(item.id,),
                        field="applies_when",
                        before=item.applies_when.model_dump(mode="json", exclude_none=True),
                        after=large.model_dump(mode="json", exclude_none=True),
                        source=sources_text(SRC_GOVERNMENT, params.sources),
                        status=params.status,
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
                AuditEntry(
                    rule=rule,
                    action="prerequisite_added",
                    items=(item.id, params.new_id),
                    field="prerequisites",
                    before=before,
                    after=list(item.prerequisite_ids),
                    source=SRC_GOVERNMENT,
                    status="assumed",
                    note="the merged item stands in for the separate ones for small projects",
                )
            )
        items.append(item)
        if position == last:
            items.append(merged)
    return process.replace(items=tuple(items)), audit


# ------------------------------------------------------------------------------------------------ materials
class MaterialCut(Sourced):
    item: str
    count: Count | None = None
    names: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _one(self) -> MaterialCut:
        if (self.count is None) == (not self.names):
            raise ValueError("give either 'count' (how many documents) or 'names' (which documents)")
        return self


class CancelMaterialsParams(Params):
    items: tuple[MaterialCut, ...] = Field(min_length=1)


def _drop_materials(item: ApprovalItem, count: int, names: Sequence[str], rule: str) -> int | tuple[str, ...]:
    if isinstance(item.materials, tuple):
        if not names:
            raise RuleError(
                f"item {item.id} lists its materials by name",
                f"give 'names' (one of: {', '.join(item.materials)})",
            )
        missing = [n for n in names if n not in item.materials]
        if missing:
            raise RuleError(
                f"item {item.id} has no material '{missing[0]}'{did_you_mean(missing[0], item.materials)}",
                f"name one of: {', '.join(item.materials)}",
            )
        return tuple(m for m in item.materials if m not in names)
    if count > item.materials:
        raise RuleError(
            f"item {item.id} has {item.materials} materials; {rule} cannot remove {count}",
            "remove at most as many materials as the item has",
        )
    return item.materials - count


@register(
    "cancel_unnecessary_materials",
    CancelMaterialsParams,
    SRC_CLEANUP,
    "cancel application materials that are unreasonable or unnecessary to provide (无理提供、无需提供)",
)
def cancel_unnecessary_materials(
    process: Process, params: CancelMaterialsParams
) -> tuple[Process, list[AuditEntry]]:
    """Remove the given number (or the named) documents from each listed item."""
    rule = "cancel_unnecessary_materials"
    check_known(process, [cut.item for cut in params.items])
    items = _by_id(process)
    audit = []
    for cut in params.items:
        item = items[cut.item]
        new = _drop_materials(item, cut.count or len(cut.names), cut.names, rule)
        items[cut.item] = updated(item, materials=new)
        audit.append(
            AuditEntry(
                rule=rule,
                action="materials_cancelled",
                items=(item.id,),
                field="materials",
                before=item.material_count,
                after=items[cut.item].material_count,
                source=sources_text(SRC_CLEANUP, cut.sources),
                status=cut.status,
                note="; ".join(x for x in (", ".join(cut.names) if cut.names else None, cut.note) if x)
                or None,
            )
        )
    return process.replace(items=tuple(items[i] for i in process.item_ids)), audit


class SharedMaterial(Sourced):
    material: str = Field(min_length=1)
    items: tuple[str, ...] = Field(min_length=1, description="items whose applicants submitted this document")
    kept_in: str | None = Field(default=None, description="the item where it is still submitted (once)")
    issued_by: tuple[str, ...] = Field(
        default=(), description="item(s) whose output it is, shared online by the departments"
    )

    @field_validator("issued_by", mode="before")
    @classmethod
    def _one_id(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_origin(self) -> SharedMaterial:
        if (self.kept_in is None) == (not self.issued_by):
            raise ValueError(
                "give either 'kept_in' (an item of the list keeps it) or 'issued_by' (the item that issues it)"
            )
        if self.kept_in is not None and self.kept_in not in self.items:
            raise ValueError(f"'kept_in' ({self.kept_in}) must be one of 'items'")
        if len(self.items) == 1 and self.kept_in is not None:
            raise ValueError("a material kept in its only item is not shared: list at least two items")
        return self


class ShareParams(Params):
    shared: tuple[SharedMaterial, ...] = ()
    auto: bool = Field(
        default=False, description="named materials in several items: keep in the first (topological order)"
    )

    @model_validator(mode="after")
    def _one_mode(self) -> ShareParams:
        if bool(self.shared) == self.auto:
            raise ValueError("give either 'shared' (explicit list) or 'auto: true', not both and not neither")
        return self


def _ancestors(process: Process, item_id: str) -> set[str]:
    by_id = _by_id(process)
    seen: set[str] = set()
    stack = list(by_id[item_id].prerequisite_ids)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(by_id[current].prerequisite_ids)
    return seen


@register(
    "share_repeated_materials",
    ShareParams,
    SRC_MATERIALS,
    "documents provided repeatedly are shared online between departments: submitted once (重复提供 -> 在线共享)",
)
def share_repeated_materials(process: Process, params: ShareParams) -> tuple[Process, list[AuditEntry]]:
    """Drop a repeated document from every listed item but the one that keeps it (or all, if an item issues it).

    A document issued by an item can only be shared with items that wait for that item (directly or not).
    Items with a material count lose one per shared document; items with named materials lose that name.
    """
    rule = "share_repeated_materials"
    items = _by_id(process)
    audit: list[AuditEntry] = []
    if params.auto:
        from approval_model.graph import topological_order

        order = topological_order(process)
        first_seen: dict[str, str] = {}
        for item_id in order:
            item = items[item_id]
            if not isinstance(item.materials, tuple):
                continue
            repeated = [name for name in item.materials if name in first_seen]
            for name in item.materials:
                first_seen.setdefault(name, item_id)
            if repeated:
                items[item_id] = updated(
                    item, materials=tuple(m for m in item.materials if m not in repeated)
                )
                audit.append(
                    AuditEntry(
                        rule=rule,
                        action="materials_shared",
                        items=(item_id,),
                        field="materials",
                        before=item.material_count,
                        after=items[item_id].material_count,
                        source=SRC_MATERIALS,
                        note="; ".join(
                            f"'{name}' already submitted for {first_seen[name]}" for name in repeated
                        ),
                    )
                )
        return process.replace(items=tuple(items[i] for i in process.item_ids)), audit
    for shared in params.shared:
        check_known(
            process, [*shared.items, *([shared.kept_in] if shared.kept_in else []), *shared.issued_by]
        )
        for item_id in shared.items:
            if item_id == shared.kept_in:
                continue
            if shared.issued_by:
                if item_id in shared.issued_by:
                    raise RuleError(
                        f"item {item_id} cannot receive '{shared.material}' from itself",
                        "list it in 'issued_by' or in 'items', not both",
                    )
                if not set(shared.issued_by) & _ancestors(process, item_id):
                    raise RuleError(
                        f"item {item_id} does not wait for {' or '.join(shared.issued_by)}, so '{shared.material}' "
                        "cannot be shared with it",
                        "list only items that follow the issuing item",
                    )
            item = items[item_id]
            new = _drop_materials(
                item, 1, [shared.material] if isinstance(item.materials, tuple) else [], rule
            )
            items[item_id] = updated(item, materials=new)
            origin = (
                f"kept in {shared.kept_in}" if shared.kept_in else f"issued by {' / '.join(shared.issued_by)}"
            )
            audit.append(
                AuditEntry(
                    rule=rule,
                    action="materials_shared",
                    items=(item_id,),
                    field="materials",
                    before=item.material_count,
                    after=items[item_id].material_count,
                    source=sources_text(SRC_MATERIALS, shared.sources),
                    status=shared.status,
                    note=f"'{shared.material}' shared online ({origin})"
                    + (f"; {shared.note}" if shared.note else ""),
                )
            )
    return process.replace(items=tuple(items[i] for i in process.item_ids)), audit


# ------------------------------------------------------------------------------------------------ commitment
class CommitmentParams(Sourced):
    items: tuple[str, ...] = Field(min_length=1, description="items that become after-the-fact inspection")
    materials_after: MaterialCount | None = Field(
        default=None, description="materials of each listed item afterwards (e.g. 1 commitment letter)"
    )


@register(
    "commitment_system",
    CommitmentParams,
    SRC_COMMITMENT,
    "承诺制 (FTZ filed enterprise projects): listed items stop gating construction, inspected during/after it",
)
def commitment_system(process: Process, params: CommitmentParams) -> tuple[Process, list[AuditEntry]]:
    """The listed items get ``gates_construction: false`` and leave their dependents' prerequisites (the
    dependents inherit the items' own prerequisites, so other ordering is kept). Use it on a process for FTZ filed
    projects (scenario ``ftz-commitment``), not on the whole city catalog."""
    rule = "commitment_system"
    check_known(process, params.items)
    source = sources_text(SRC_COMMITMENT, params.sources)
    audit: list[AuditEntry] = []
    for item_id in params.items:
        by_id = _by_id(process)
        item = by_id[item_id]
        changes: dict[str, object] = {"gates_construction": False}
        if params.materials_after is not None and params.materials_after < item.material_count:
            changes["materials"] = params.materials_after
        new_items = []
        for other in process.items:
            if other.id == item_id:
                new_items.append(updated(other, **changes))
            elif item_id in other.prerequisite_ids:
                kept = [p for p in other.prerequisites if p.item != item_id]
                inherited = [
                    p.model_copy(
                        update={"status": "assumed", "note": f"via {item_id} (now after-the-fact inspection)"}
                    )
                    for p in item.prerequisites
                    if p.item not in other.prerequisite_ids
                ]
                new_items.append(updated(other, prerequisites=tuple(kept + inherited)))
                audit.append(
                    AuditEntry(
                        rule=rule,
                        action="prerequisite_dropped",
                        items=(other.id, item_id),
                        field="prerequisites",
                        before=list(other.prerequisite_ids),
                        after=[p.item for p in kept + inherited],
                        source=source,
                        status=params.status,
                        note=f"{other.id} no longer waits for {item_id}",
                    )
                )
            else:
                new_items.append(other)
        audit.append(
            AuditEntry(
                rule=rule,
                action="after_the_fact_inspection",
                items=(item_id,),
                field="gates_construction",
                before=item.gates_construction,
                after=False,
                source=source,
                status=params.status,
                note=params.note,
            )
        )
        if "materials" in changes:
            audit.append(
                AuditEntry(
                    rule=rule,
                    action="materials_cancelled",
                    items=(item_id,),
                    field="materials",
                    before=item.material_count,
                    after=params.materials_after,
                    source=source,
                    status=params.status,
                    note="the enterprise's commitment replaces the application documents",
                )
            )
        process = process.replace(items=tuple(new_items))
    return process, audit


# ------------------------------------------------------------------------------------------------ online, limits
class OnlineParams(Params):
    exclude: tuple[str, ...] = Field(default=(), description="classified (涉密) items that stay offline")
    serial_handover_days: WorkingDays = 0.0
    stage_coordination_days: WorkingDays | None = None


@register(
    "online_parallel_approval",
    OnlineParams,
    SRC_ONLINE,
    "every non-classified item handled online; items with satisfied prerequisites submitted together",
)
def online_parallel_approval(process: Process, params: OnlineParams) -> tuple[Process, list[AuditEntry]]:
    """网上并联审批: approval items go online (``online: true``) and the serial window-to-window handover goes.

    Other kinds of work (intermediary services, utility hookups, notices, the applicant's work) are not
    approval items of the platform and are left as they are (utility online applications: utility_services).
    """
    rule = "online_parallel_approval"
    check_known(process, params.exclude)
    switched = [
        item.id
        for item in process.items
        if item.kind == "approval" and not item.online and item.id not in params.exclude
    ]
    items = tuple(
        updated(
            item,
            online=True,
            provenance={
                **item.provenance,
                "online": Provenance(
                    status="assumed",
                    note="online parallel approval (online_parallel_approval rule, SEED 三(五))",
                ),
            },
        )
        if item.id in switched
        else item
        for item in process.items
    )
    audit: list[AuditEntry] = []
    if switched:
        audit.append(
            AuditEntry(
                rule=rule,
                action="handled_online",
                items=tuple(switched),
                field="online",
                before=False,
                after=True,
                source=SRC_ONLINE,
                status="documented",
                note=f"{len(switched)} items switched; excluded (classified): {', '.join(params.exclude) or 'none'}",
            )
        )
    settings = process.simulation
    changes: dict[str, float] = {}
    if settings.serial_handover_days != params.serial_handover_days:
        changes["serial_handover_days"] = params.serial_handover_days
    if (
        params.stage_coordination_days is not None
        and settings.stage_coordination_days != params.stage_coordination_days
    ):
        changes["stage_coordination_days"] = params.stage_coordination_days
    for name, value in changes.items():
        audit.append(
            AuditEntry(
                rule=rule,
                action="simulation_setting",
                field=f"simulation.{name}",
                before=getattr(settings, name),
                after=value,
                source=SRC_ONLINE,
                status="assumed",
            )
        )
    simulation = settings.model_copy(update=changes) if changes else settings
    return process.replace(items=items, simulation=simulation), audit


class LimitOverride(Sourced):
    item: str
    days: WorkingDays


class CompressParams(Params):
    factor: PositiveShare = Field(default=2 / 3, description="promised limit <= factor x statutory")
    key_factor: PositiveShare | None = Field(default=0.5, description="factor for key nodes (关键节点)")
    key_items: tuple[str, ...] = ()
    items: tuple[str, ...] | None = Field(
        default=None, description="items to compress (default: every approval item)"
    )
    overrides: tuple[LimitOverride, ...] = ()
    rounding: Literal["floor", "none"] = "floor"
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _keys_need_factor(self) -> CompressParams:
        if self.key_items and self.key_factor is None:
            raise ValueError("'key_items' need a 'key_factor'")
        return self


@register(
    "compress_time_limits",
    CompressParams,
    SRC_LIMITS,
    "promised limits <= 2/3 of statutory, key nodes <= 1/2 (Xinyang), or a given factor; overrides per item",
)
def compress_time_limits(process: Process, params: CompressParams) -> tuple[Process, list[AuditEntry]]:
    """Cap each item's promised limit (承诺时限) at ``factor`` x its statutory limit (``key_factor`` for key items),
    rounded down to whole working days; statutory limits are set by law and are not changed. ``overrides`` set a
    promised limit from a source (it may not exceed the statutory limit)."""
    rule = "compress_time_limits"
    named = [*params.key_items, *(params.items or ()), *(o.item for o in params.overrides)]
    check_known(process, named)
    notices = [item.id for item in process.items if item.kind == "notice" and item.id in named]
    if notices:
        raise RuleError(
            f"{', '.join(notices)} {'is a' if len(notices) == 1 else 'are'} statutory minimum notice period(s); "
            "a promise cannot shorten them",
            "leave notices out of items, key_items and overrides",
        )
    chosen = (
        set(params.items)
        if params.items is not None
        else {item.id for item in process.items if item.kind == "approval"}
    )
    overrides = {o.item: o for o in params.overrides}
    audit: list[AuditEntry] = []
    items = []
    for item in process.items:
        current = (
            item.promised_limit_days if item.promised_limit_days is not None else item.statutory_limit_days
        )
        new, provenance, status, source = current, None, "assumed", sources_text(SRC_LIMITS, params.sources)
        if item.id in overrides:
            override = overrides[item.id]
            if override.days > item.statutory_limit_days:
                raise RuleError(
                    f"override for {item.id}: {override.days:g} days exceeds its statutory limit "
                    f"{item.statutory_limit_days:g}",
                    "a promised limit must not exceed the statutory one",
                )
            new, status = override.days, override.status
            source = sources_text(SRC_LIMITS, override.sources)
            provenance = Provenance(
                status=override.status, sources=override.sources, note=override.note or f"override ({rule})"
            )
            how = override.note or "override"
        elif item.id in chosen:
            key = item.id in params.key_items
            factor = params.key_factor if key else params.factor
            assert factor is not None  # CompressParams refuses key_items without a key_factor
            cap = item.statutory_limit_days * factor
            if params.rounding == "floor" and cap >= 1:
                cap = math.floor(cap + 1e-9)
            new = min(current, cap)
            how = f"<= {factor:.3g} x statutory {item.statutory_limit_days:g}{' (key node)' if key else ''}"
            provenance = Provenance(status="assumed", note=f"{how} ({rule})")
        if provenance is None or new == item.promised_limit_days:
            items.append(item)
            continue
        items.append(
            updated(
                item,
                promised_limit_days=new,
                provenance={**item.provenance, "promised_limit_days": provenance},
            )
        )
        audit.append(
            AuditEntry(
                rule=rule,
                action="limit_compressed",
                items=(item.id,),
                field="promised_limit_days",
                before=item.promised_limit_days,
                after=new,
                source=source,
                status=status,
                note=how,
            )
        )
    return process.replace(items=tuple(items)), audit


# ------------------------------------------------------------------------------------------------ 容缺, 代建
class GapsParams(Sourced):
    probability_factor: Share = Field(default=0.5, description="supplement probability multiplied by this")
    base_probability: Share | None = Field(
        default=None,
        description="probability for items without supplement data (else left alone)",
    )
    items: tuple[str, ...] | None = Field(default=None, description="default: every approval item")


@register(
    "accept_with_missing_materials",
    GapsParams,
    SRC_GAPS,
    "容缺办理: accept with non-essential materials missing, so fewer supplementary-material requests",
)
def accept_with_missing_materials(process: Process, params: GapsParams) -> tuple[Process, list[AuditEntry]]:
    """Scale each item's supplementary-request probability (``supplement.probability``), which the simulation uses."""
    rule = "accept_with_missing_materials"
    check_known(process, params.items or ())
    chosen = (
        set(params.items)
        if params.items is not None
        else {item.id for item in process.items if item.kind == "approval"}
    )
    source = sources_text(SRC_GAPS, params.sources)
    audit: list[AuditEntry] = []
    without: list[str] = []
    items = []
    for item in process.items:
        if item.id not in chosen:
            items.append(item)
            continue
        if item.supplement is None and params.base_probability is None:
            without.append(item.id)
            items.append(item)
            continue
        before = item.supplement.probability if item.supplement is not None else params.base_probability
        assert (
            before is not None
        )  # an item without supplement data was skipped unless base_probability is set
        supplement = item.supplement or Supplement(probability=before)
        after = round(before * params.probability_factor, 6)
        items.append(updated(item, supplement=supplement.model_copy(update={"probability": after})))
        audit.append(
            AuditEntry(
                rule=rule,
                action="supplement_reduced",
                items=(item.id,),
                field="supplement.probability",
                before=before,
                after=after,
                source=source,
                status=params.status,
                note=None if item.supplement else "base probability (the catalog has none)",
            )
        )
    if without:
        audit.append(
            AuditEntry(
                rule=rule,
                action="no_supplement_data",
                items=tuple(without),
                field="supplement",
                source=source,
                status=params.status,
                note="no supplement probability in the catalog and no base_probability given: unchanged",
            )
        )
    return process.replace(items=tuple(items)), audit


class AgentParams(Sourced):
    applicant_days_factor: PositiveShare | None = Field(
        default=None,
        description="assumed: a professional agent answers supplement requests faster",
    )


@register(
    "agent_construction",
    AgentParams,
    SRC_AGENT,
    "代建制 for municipal government projects: changes who manages construction, not the approval items or limits",
)
def agent_construction(process: Process, params: AgentParams) -> tuple[Process, list[AuditEntry]]:
    """代建制 hands the management of a government project's construction to a professional agent
    (管理机构+使用单位+代建单位+工程总承包). It removes no approval item, material or limit, so the static catalog is
    unchanged and the audit says so. Optionally (assumed) a professional agent answers supplementary-material
    requests faster: ``applicant_days_factor`` scales the numeric ``supplement.applicant_days`` of items that apply
    to government projects."""
    rule = "agent_construction"
    source = sources_text(SRC_AGENT, params.sources)
    audit = [
        AuditEntry(
            rule=rule,
            action="no_time_effect",
            source=source,
            status="documented",
            note="代建制 changes who manages construction (管理机构+使用单位+代建单位+工程总承包); "
            "it removes no approval item, material or time limit",
        )
    ]
    if params.applicant_days_factor is None:
        return process, audit
    items = []
    for item in process.items:
        types = item.applies_when.investment_types
        government = types is None or "government" in types
        if (
            government
            and item.supplement is not None
            and isinstance(item.supplement.applicant_days, float | int)
        ):
            days = round(item.supplement.applicant_days * params.applicant_days_factor, 6)
            items.append(
                updated(item, supplement=item.supplement.model_copy(update={"applicant_days": days}))
            )
            audit.append(
                AuditEntry(
                    rule=rule,
                    action="applicant_days_reduced",
                    items=(item.id,),
                    field="supplement.applicant_days",
                    before=item.supplement.applicant_days,
                    after=days,
                    source=source,
                    status="assumed",
                    note=params.note,
                )
            )
        else:
            items.append(item)
    return process.replace(items=tuple(items)), audit
