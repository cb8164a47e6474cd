"""The measures of 国办发〔2019〕11号 (工程建设项目审批制度改革, first piloted by 国办发〔2018〕33号), each a rule.

* ``four_stage_model`` — 统一审批流程: four stages (立项用地规划许可 / 工程建设许可 / 施工许可 / 竣工验收), one lead
  department per stage (一家牵头、并联审批、限时办结);
* ``merge_departments``, ``transfer_items`` — the 2018-2019 institutional changes the reform builds on
  (自然资源和规划局; fire design review and acceptance moved to housing and construction);
* the joint procedures (联合审图, 联合验收, 区域评估, 多评合一, 多测合一) are :mod:`rules.measures.joint_work`;
* ``notification_commitment`` — 告知承诺制: decided on the applicant's written commitment, at once;
* ``one_form_per_stage`` — 一张表单: one application form per stage;
* ``amend_statutory_limits`` — a law or regulation changed a statutory limit (documented sources only).

The parameters say which items each measure touches; the scenario file gives the source of each list (or
marks it assumed). See docs/rules.md and docs/kinds-and-clocks.md.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from approval_model.bounds import Count, LimitDays, MaterialCount, WorkingDays
from approval_model.models import (
    Department,
    HandlingDistribution,
    Process,
    Provenance,
    Stage,
)
from rules.engine import AuditEntry, Params, RuleError, Sourced, audit_entry, register, snapshot
from rules.graph_ops import check_known, items_by_id, updated
from rules.measures.services import require_kind
from rules.policy import policy_source, rule_default

__all__ = [
    "amend_statutory_limits",
    "four_stage_model",
    "merge_departments",
    "notification_commitment",
    "one_form_per_stage",
    "transfer_items",
]

SRC_STAGES = policy_source("stages")
SRC_INSTITUTIONS = policy_source("institutions")
SRC_COMMITMENT = policy_source("notification")
SRC_ONE_FORM = policy_source("one_form")
SRC_LAW = policy_source("law")


# ------------------------------------------------------------------------------------------------ stages
class StageSpec(Sourced):
    id: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$")
    name: str = Field(min_length=1)
    name_en: str | None = None
    lead_department: str | None = None
    items: tuple[str, ...] = Field(default=(), description="the items handled in this stage")


class FourStageParams(Params):
    stages: tuple[StageSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_item_once(self) -> FourStageParams:
        seen: dict[str, str] = {}
        for stage in self.stages:
            for item_id in stage.items:
                if item_id in seen:
                    raise ValueError(f"item {item_id} is placed in two stages ({seen[item_id]}, {stage.id})")
                seen[item_id] = stage.id
        ids = [s.id for s in self.stages]
        if len(set(ids)) != len(ids):
            raise ValueError(f"stage ids repeat: {ids}")
        return self


@register(
    "four_stage_model",
    FourStageParams,
    SRC_STAGES,
    "the four stages of the 2019 reform, each item placed in one, one lead department per stage (一家牵头)",
)
def four_stage_model(process: Process, params: FourStageParams) -> tuple[Process, list[AuditEntry]]:
    """Replace the stages by the listed ones, in order; every item of the catalog must be placed in exactly one
    (the parameters say where each goes), and each stage names its lead department (一家牵头). The stages' time is
    what the per-stage targets (``targets.stage_approval_days``) measure."""
    rule = "four_stage_model"
    placed = {item_id: stage.id for stage in params.stages for item_id in stage.items}
    check_known(process, list(placed))
    missing = [i for i in process.item_ids if i not in placed]
    if missing:
        raise RuleError(
            f"items not placed in any stage: {', '.join(missing)}",
            "list every item of the catalog under one of the stages",
        )
    departments = {d.id for d in process.departments}
    for stage in params.stages:
        if stage.lead_department is not None and stage.lead_department not in departments:
            raise RuleError(
                f"stage {stage.id}: unknown lead department '{stage.lead_department}'",
                f"use one of {', '.join(sorted(departments))}",
            )
    stages = tuple(
        Stage(id=s.id, name=s.name, name_en=s.name_en, lead_department=s.lead_department)
        for s in params.stages
    )
    items = tuple(
        updated(item, stage=placed[item.id]) if item.stage != placed[item.id] else item
        for item in process.items
    )
    audit = [
        audit_entry(
            rule,
            "stage_model",
            SRC_STAGES,
            stage,
            items=stage.items,
            field="stage",
            before=sorted({process.item(i).stage for i in stage.items}),
            after=stage.id,
            note=f"{stage.name}; lead department {stage.lead_department or '(none)'}"
            + (f"; {stage.note}" if stage.note else ""),
        )
        for stage in params.stages
    ]
    return process.replace(stages=stages, items=items), audit


# ------------------------------------------------------------------------------------------------ institutions
class MergedDepartment(Params):
    id: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$")
    name: str = Field(min_length=1)
    name_en: str | None = None
    role: str | None = None


class MergeDepartmentsParams(Sourced):
    departments: tuple[str, ...] = Field(min_length=2)
    into: MergedDepartment


@register(
    "merge_departments",
    MergeDepartmentsParams,
    SRC_INSTITUTIONS,
    "departments merged by an institutional reform: their items are handled by the merged department",
)
def merge_departments(process: Process, params: MergeDepartmentsParams) -> tuple[Process, list[AuditEntry]]:
    """The listed departments become one (e.g. 国土资源局 + 城乡规划局 -> 自然资源和规划局): their items, and any
    stage they lead, move to it. Items are not merged by this rule (merge_same_department_stage does that)."""
    rule = "merge_departments"
    known = {d.id for d in process.departments}
    unknown = [d for d in params.departments if d not in known]
    if unknown:
        raise RuleError(
            f"unknown department(s) {', '.join(unknown)}", f"use some of {', '.join(sorted(known))}"
        )
    gone = set(params.departments)
    merged = Department(
        id=params.into.id,
        name=params.into.name,
        name_en=params.into.name_en,
        role=params.into.role,
        provenance=Provenance(status=params.status, sources=params.sources, note=params.note),
    )
    departments = [d for d in process.departments if d.id not in gone and d.id != merged.id] + [merged]
    moved = [item.id for item in process.items if item.department in gone]
    items = tuple(updated(i, department=merged.id) if i.department in gone else i for i in process.items)
    stages = tuple(
        s.model_copy(update={"lead_department": merged.id}) if s.lead_department in gone else s
        for s in process.stages
    )
    audit = [
        audit_entry(
            rule,
            "department_merged",
            SRC_INSTITUTIONS,
            params,
            items=tuple(moved),
            field="department",
            before=list(params.departments),
            after=merged.id,
            note=f"{merged.name}" + (f"; {params.note}" if params.note else ""),
        )
    ]
    return process.replace(departments=tuple(departments), stages=stages, items=items), audit


class TransferParams(Sourced):
    items: tuple[str, ...] = Field(min_length=1)
    to: str


@register(
    "transfer_items",
    TransferParams,
    SRC_INSTITUTIONS,
    "items move to another department (职责划转), e.g. fire design review and acceptance to housing and construction",
)
def transfer_items(process: Process, params: TransferParams) -> tuple[Process, list[AuditEntry]]:
    """职责划转: the listed items are handled by department ``to`` (nothing else changes)."""
    rule = "transfer_items"
    check_known(process, params.items)
    if params.to not in {d.id for d in process.departments}:
        raise RuleError(f"unknown department '{params.to}'", "name a declared department")
    by_id = items_by_id(process)
    items = tuple(updated(i, department=params.to) if i.id in params.items else i for i in process.items)
    audit = [
        audit_entry(
            rule,
            "department_transferred",
            SRC_INSTITUTIONS,
            params,
            items=(item_id,),
            field="department",
            before=by_id[item_id].department,
            after=params.to,
            note=params.note,
        )
        for item_id in params.items
        if by_id[item_id].department != params.to
    ]
    return process.replace(items=items), audit


# ------------------------------------------------------------------------------------------------ commitment
class NotificationParams(Sourced):
    items: tuple[str, ...] = Field(min_length=1)
    decision_days: WorkingDays = Field(default=0.0, description="working days from commitment to decision")
    materials_after: MaterialCount | None = None


@register(
    "notification_commitment",
    NotificationParams,
    SRC_COMMITMENT,
    "告知承诺制: the approval is decided on the applicant's written commitment, at once; checked afterwards",
)
def notification_commitment(process: Process, params: NotificationParams) -> tuple[Process, list[AuditEntry]]:
    """The listed approval items are decided ``decision_days`` after the commitment is filed (a procedure, not a
    promise: ``handling_days`` becomes that fixed time whatever limit basis is simulated); the item still gates
    what waits for it (unlike the FTZ 承诺制, ``commitment_system``)."""
    rule = "notification_commitment"
    require_kind(process, list(params.items), "approval", rule)
    by_id = items_by_id(process)
    items = dict(by_id)
    audit: list[AuditEntry] = []
    for item_id in params.items:
        item = by_id[item_id]
        changes: dict[str, object] = {
            "handling_days": HandlingDistribution(distribution="fixed", value=params.decision_days),
            "promised_limit_days": min(params.decision_days, item.statutory_limit_days),
            "supplement": None,
            "provenance": {
                **item.provenance,
                "promised_limit_days": Provenance(
                    status=params.status, sources=params.sources, note=params.note
                ),
            },
        }
        if params.materials_after is not None and params.materials_after < item.material_count:
            changes["materials"] = params.materials_after
        items[item_id] = updated(item, **changes)
        audit.append(
            audit_entry(
                rule,
                "decided_on_commitment",
                SRC_COMMITMENT,
                params,
                items=(item_id,),
                field="handling_days",
                before=snapshot(item),
                after=snapshot(items[item_id]),
                note=params.note,
            )
        )
    return process.replace(items=tuple(items[i] for i in process.item_ids)), audit


class OneFormParams(Sourced):
    shared_documents: Count = Field(
        default=1,
        description="documents every item asked for that the stage's one form replaces",
    )
    form_name: str = Field(
        default=rule_default("one_form_per_stage", "form_name"),
        description="the name of that document where materials are named",
    )
    stages: tuple[str, ...] | None = Field(default=None, description="default: every stage")


@register(
    "one_form_per_stage",
    OneFormParams,
    SRC_ONE_FORM,
    "一张表单: one application form per stage instead of one per item",
)
def one_form_per_stage(process: Process, params: OneFormParams) -> tuple[Process, list[AuditEntry]]:
    """In each stage the approval items share one application form: the first item of the stage (catalog order)
    keeps its form, every other one hands in ``shared_documents`` fewer (counted materials; or drops the document
    named ``form_name`` from named ones). Items that already need none keep none."""
    rule = "one_form_per_stage"
    stage_ids = [s.id for s in process.stages]
    unknown = [s for s in params.stages or () if s not in stage_ids]
    if unknown:
        raise RuleError(f"unknown stage(s) {', '.join(unknown)}", f"use some of {', '.join(stage_ids)}")
    chosen = set(params.stages or stage_ids)
    first_in_stage: set[str] = set()
    items = []
    audit: list[AuditEntry] = []
    for item in process.items:
        if item.kind != "approval" or item.stage not in chosen:
            items.append(item)
            continue
        if item.stage not in first_in_stage:
            first_in_stage.add(item.stage)
            items.append(item)
            continue
        if isinstance(item.materials, tuple):
            new: int | tuple[str, ...] = tuple(m for m in item.materials if m != params.form_name)
        else:
            new = max(item.materials - params.shared_documents, 0)
        if new == item.materials:
            items.append(item)
            continue
        changed = updated(item, materials=new)
        items.append(changed)
        audit.append(
            audit_entry(
                rule,
                "materials_shared",
                SRC_ONE_FORM,
                params,
                items=(item.id,),
                field="materials",
                before=item.material_count,
                after=changed.material_count,
                note=f"the stage's one form ({item.stage}) replaces this item's own"
                + (f"; {params.note}" if params.note else ""),
            )
        )
    return process.replace(items=tuple(items)), audit


class Amendment(Sourced):
    item: str
    days: LimitDays
    in_force: date | None = Field(default=None, description="date the amended limit applies from")

    @model_validator(mode="after")
    def _documented(self) -> Amendment:
        if not self.sources:
            raise ValueError("a changed statutory limit needs the source of the amended law in 'sources'")
        return self


class AmendParams(Params):
    items: tuple[Amendment, ...] = Field(min_length=1)


@register(
    "amend_statutory_limits",
    AmendParams,
    SRC_LAW,
    "a law or regulation changed an item's statutory limit (documented amendments only)",
)
def amend_statutory_limits(process: Process, params: AmendParams) -> tuple[Process, list[AuditEntry]]:
    """Set the statutory limit (法定时限) of the listed items, each with the amended law as its source; a promised
    limit above the new statutory one is lowered to it."""
    rule = "amend_statutory_limits"
    check_known(process, [a.item for a in params.items])
    items = items_by_id(process)
    audit: list[AuditEntry] = []
    for amendment in params.items:
        item = items[amendment.item]
        provenance = {
            **item.provenance,
            "statutory_limit_days": Provenance(
                status="documented", sources=amendment.sources, note=amendment.note
            ),
        }
        changes: dict[str, object] = {"statutory_limit_days": amendment.days, "provenance": provenance}
        if item.promised_limit_days is not None and item.promised_limit_days > amendment.days:
            changes["promised_limit_days"] = amendment.days
        items[item.id] = updated(item, **changes)
        audit.append(
            audit_entry(
                rule,
                "statutory_limit_amended",
                SRC_LAW,
                amendment,
                items=(item.id,),
                field="statutory_limit_days",
                before=item.statutory_limit_days,
                after=amendment.days,
                status="documented",
                note="; ".join(
                    x
                    for x in (
                        f"in force {amendment.in_force}" if amendment.in_force else None,
                        amendment.note,
                    )
                    if x
                )
                or None,
            )
        )
    return process.replace(items=tuple(items[i] for i in process.item_ids)), audit
