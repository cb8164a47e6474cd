"""The measures of 国办发〔2019〕11号 (工程建设项目审批制度改革, first piloted by 国办发〔2018〕33号), each a rule.

* ``four_stage_model`` — 统一审批流程: four stages (立项用地规划许可 / 工程建设许可 / 施工许可 / 竣工验收), one lead
  department per stage (一家牵头、并联审批、限时办结);
* ``merge_departments``, ``transfer_items`` — the 2018-2019 institutional changes the reform builds on
  (自然资源和规划局; fire design review and acceptance moved to housing and construction);
* ``joint_drawing_review`` — 联合审图: fire, civil-air-defence and other design checks absorbed by the
  construction-drawing review;
* ``joint_acceptance`` — 联合验收: the separate completion acceptances become one;
* ``regional_assessment`` — 区域评估: per-project assessments no longer apply inside a development zone;
* ``combined_assessment`` (多评合一) and ``combined_survey`` (多测合一): several intermediary reports or surveys
  done as one;
* ``notification_commitment`` — 告知承诺制: decided on the applicant's written commitment, at once;
* ``one_form_per_stage`` — 一张表单: one application form per stage;
* ``amend_statutory_limits`` — a law or regulation changed a statutory limit (documented sources only).

The parameters say which items each measure touches; the scenario file gives the source of each list (or
marks it assumed). See docs/rules.md and docs/kinds-and-clocks.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from approval_model.bounds import Count, LimitDays, MaterialCount, WorkingDays
from approval_model.models import (
    Applicability,
    ApprovalItem,
    Department,
    HandlingDistribution,
    Process,
    Provenance,
    Stage,
)
from rules.engine import AuditEntry, Params, RuleError, register, sources_text
from rules.graph_ops import check_known, merge_cycle_path, replace_items, updated
from rules.measures import LimitPolicy, Sourced, _build_merged, _snapshot
from rules.services import require_kind

__all__ = [
    "amend_statutory_limits",
    "combined_assessment",
    "combined_survey",
    "four_stage_model",
    "joint_acceptance",
    "joint_drawing_review",
    "merge_departments",
    "notification_commitment",
    "one_form_per_stage",
    "regional_assessment",
    "transfer_items",
]

SRC_2019 = "GB2019_11 (国办发〔2019〕11号); GB2018_33"
SRC_STAGES = f"{SRC_2019}: 统一审批流程, 四个阶段, 一家牵头"
SRC_INSTITUTIONS = "机构改革 2018-2019"
SRC_JOINT_REVIEW = f"{SRC_2019}: 联合审图"
SRC_JOINT_ACCEPTANCE = f"{SRC_2019}: 联合验收"
SRC_REGIONAL = f"{SRC_2019}: 区域评估; RR_regional_evaluation (HENAN2017)"
SRC_COMBINED = f"{SRC_2019}: 多评合一"
SRC_SURVEY = f"{SRC_2019}: 多测合一"
SRC_COMMITMENT = f"{SRC_2019}: 告知承诺制"
SRC_ONE_FORM = f"{SRC_2019}: 一张表单; RR_one_form"
SRC_LAW = "amended law or regulation"


def _by_id(process: Process) -> dict[str, ApprovalItem]:
    return {item.id: item for item in process.items}


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
        AuditEntry(
            rule=rule,
            action="stage_model",
            items=stage.items,
            field="stage",
            before=sorted({process.item(i).stage for i in stage.items}),
            after=stage.id,
            source=sources_text(SRC_STAGES, stage.sources),
            status=stage.status,
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
        AuditEntry(
            rule=rule,
            action="department_merged",
            items=tuple(moved),
            field="department",
            before=list(params.departments),
            after=merged.id,
            source=sources_text(SRC_INSTITUTIONS, params.sources),
            status=params.status,
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
    by_id = _by_id(process)
    items = tuple(updated(i, department=params.to) if i.id in params.items else i for i in process.items)
    audit = [
        AuditEntry(
            rule=rule,
            action="department_transferred",
            items=(item_id,),
            field="department",
            before=by_id[item_id].department,
            after=params.to,
            source=sources_text(SRC_INSTITUTIONS, params.sources),
            status=params.status,
            note=params.note,
        )
        for item_id in params.items
        if by_id[item_id].department != params.to
    ]
    return process.replace(items=items), audit


# ------------------------------------------------------------------------------------------------ joint review
def _outside_prerequisites(members: Sequence[ApprovalItem], exclude: set[str]) -> tuple:
    kept: dict[str, object] = {}
    for member in members:
        for prerequisite in member.prerequisites:
            if prerequisite.item not in exclude:
                kept.setdefault(prerequisite.item, prerequisite)
    return tuple(kept.values())


class JointReviewParams(Sourced):
    review: str = Field(description="the construction-drawing review item that absorbs the others")
    absorbed: tuple[str, ...] = Field(
        min_length=1, description="design checks that stop being separate steps"
    )
    materials: Literal["keep", "union"] = Field(
        default="keep",
        description="keep: the review's own documents (one set of drawings serves every check)",
    )


@register(
    "joint_drawing_review",
    JointReviewParams,
    SRC_JOINT_REVIEW,
    "联合审图: fire, civil-air-defence and other design checks absorbed by the construction-drawing review",
)
def joint_drawing_review(process: Process, params: JointReviewParams) -> tuple[Process, list[AuditEntry]]:
    """The absorbed checks leave the process; the review waits for what they waited for, and what waited for
    them waits for the review. The review keeps its own kind, department and limits (the absorbed checks are
    done within it, no separate step)."""
    rule = "joint_drawing_review"
    members = [params.review, *params.absorbed]
    check_known(process, members)
    path = merge_cycle_path(process, members)
    if path:
        raise RuleError(
            f"absorbing {', '.join(params.absorbed)} into {params.review} would create a cycle: {' -> '.join(path)}",
            "leave out the check that an outside step separates from the review",
        )
    by_id = _by_id(process)
    review = by_id[params.review]
    absorbed = [by_id[i] for i in params.absorbed]
    changes: dict[str, object] = {
        "prerequisites": _outside_prerequisites([review, *absorbed], set(members)),
        "note": " ".join(x for x in (review.note, f"Absorbed {', '.join(params.absorbed)} ({rule}).") if x),
    }
    if params.materials == "union":
        changes["materials"] = review.material_count + sum(a.material_count for a in absorbed)
    merged = updated(review, **changes)
    audit = [
        AuditEntry(
            rule=rule,
            action="absorbed",
            items=(params.review, *params.absorbed),
            before={m.id: _snapshot(m) for m in [review, *absorbed]},
            after=_snapshot(merged),
            source=sources_text(SRC_JOINT_REVIEW, params.sources),
            status=params.status,
            note=params.note,
        )
    ]
    return process.replace(items=replace_items(process, members, merged)), audit


class JointAcceptanceParams(Sourced):
    items: tuple[str, ...] = Field(min_length=2, description="the separate acceptances (approval items)")
    new_id: str = Field(default="I41", pattern=r"^[A-Za-z0-9_\-.]+$")
    name: str = "竣工联合验收"
    department: str = Field(description="the department that leads the joint acceptance")
    limit: LimitPolicy = "max"
    promised_days: WorkingDays | None = None
    materials: Literal["union", "max"] | MaterialCount = "max"


@register(
    "joint_acceptance",
    JointAcceptanceParams,
    SRC_JOINT_ACCEPTANCE,
    "联合验收: the separate completion acceptances (planning, land, fire, air defence, archives...) done as one",
)
def joint_acceptance(process: Process, params: JointAcceptanceParams) -> tuple[Process, list[AuditEntry]]:
    """One acceptance item led by ``department`` replaces the listed ones (in the stage of the first): its
    statutory limit is the longest of theirs (or the sum, or a given number), its promised limit the given one,
    its materials one application set (the largest, by default)."""
    rule = "joint_acceptance"
    require_kind(process, list(params.items), "approval", rule)
    if params.department not in {d.id for d in process.departments}:
        raise RuleError(f"unknown department '{params.department}'", "name a declared department")
    if params.new_id in process.item_ids and params.new_id not in params.items:
        raise RuleError(f"item {params.new_id} already exists", "choose another new_id")
    path = merge_cycle_path(process, params.items)
    if path:
        raise RuleError(
            f"joining {', '.join(params.items)} would create a cycle: {' -> '.join(path)}",
            "leave out the acceptance that an outside step separates from the others",
        )
    by_id = _by_id(process)
    members = [by_id[i] for i in process.item_ids if i in params.items]
    universal = any(m.applies_when == Applicability() for m in members)
    merged, how = _build_merged(
        members,
        new_id=params.new_id,
        name=params.name,
        limit=params.limit,
        materials=params.materials,
        entry=params,
        rule=rule,
        applies_when=Applicability() if universal else None,
    )
    changes: dict[str, object] = {"department": params.department}
    if params.promised_days is not None:
        changes["promised_limit_days"] = min(params.promised_days, merged.statutory_limit_days)
        changes["provenance"] = {
            **merged.provenance,
            "promised_limit_days": Provenance(status=params.status, sources=params.sources, note=params.note),
        }
    merged = updated(merged, **changes)
    audit = [
        AuditEntry(
            rule=rule,
            action="merged",
            items=(params.new_id, *[m.id for m in members if m.id != params.new_id]),
            before={m.id: _snapshot(m) for m in members},
            after=_snapshot(merged),
            source=sources_text(SRC_JOINT_ACCEPTANCE, params.sources),
            status=params.status,
            note="; ".join(x for x in (how, params.note) if x),
        )
    ]
    return process.replace(items=replace_items(process, [m.id for m in members], merged)), audit


# ------------------------------------------------------------------------------------------------ assessments
class RegionalParams(Sourced):
    items: tuple[str, ...] = Field(
        min_length=1, description="per-project assessments a zone-wide one replaces"
    )
    zone_condition: str = Field(default="development_zone", min_length=1)


@register(
    "regional_assessment",
    RegionalParams,
    SRC_REGIONAL,
    "区域评估: per-project assessments (and the reports behind them) no longer apply inside an assessed zone",
)
def regional_assessment(process: Process, params: RegionalParams) -> tuple[Process, list[AuditEntry]]:
    """The listed items stop applying to projects with the site condition ``zone_condition`` (the zone was
    assessed once, 区域评估); projects outside keep them. A profile decides, so the catalog keeps every item."""
    rule = "regional_assessment"
    check_known(process, params.items)
    items = []
    audit: list[AuditEntry] = []
    for item in process.items:
        if item.id not in params.items:
            items.append(item)
            continue
        excluded = tuple(
            dict.fromkeys((*(item.applies_when.excluded_site_conditions or ()), params.zone_condition))
        )
        rule_ = item.applies_when.model_copy(update={"excluded_site_conditions": excluded})
        items.append(updated(item, applies_when=rule_))
        audit.append(
            AuditEntry(
                rule=rule,
                action="scope_narrowed",
                items=(item.id,),
                field="applies_when",
                before=item.applies_when.model_dump(mode="json", exclude_none=True),
                after=rule_.model_dump(mode="json", exclude_none=True),
                source=sources_text(SRC_REGIONAL, params.sources),
                status=params.status,
                note=f"not for projects with '{params.zone_condition}'"
                + (f"; {params.note}" if params.note else ""),
            )
        )
    return process.replace(items=tuple(items)), audit


class CombinedParams(Sourced):
    items: tuple[str, ...] = Field(min_length=2, description="the intermediary services done as one")
    into: str | None = Field(
        default=None, description="id kept for the combined service (default: the first)"
    )
    name: str | None = None
    limit: LimitPolicy = "max"


def _combined(
    process: Process, params: CombinedParams, rule: str, source: str
) -> tuple[Process, list[AuditEntry]]:
    require_kind(process, list(params.items), "intermediary", rule)
    target = params.into or params.items[0]
    if target not in params.items:
        raise RuleError(f"'into' ({target}) is not one of the items", "name one of the listed items")
    by_id = _by_id(process)
    members = [by_id[target]] + [by_id[i] for i in process.item_ids if i in params.items and i != target]
    units = sorted({m.day_unit for m in members})
    if len(units) > 1:
        raise RuleError(
            f"{', '.join(params.items)} count different units ({', '.join(units)} days): one limit cannot serve both",
            "combine services whose times are in the same unit",
        )
    rules_of = {m.applies_when for m in members}
    if len(rules_of) == 1:
        applicability = members[0].applies_when
    elif Applicability() in rules_of:
        applicability = Applicability()  # one member is needed by every project, so the combined one is too
    else:
        raise RuleError(
            f"{', '.join(params.items)} apply to different projects and none to every project",
            "combine services that apply to the same projects, or include one every project needs",
        )
    path = merge_cycle_path(process, [m.id for m in members])
    if path:
        raise RuleError(
            f"combining {', '.join(params.items)} would create a cycle: {' -> '.join(path)}",
            "leave out the service that an outside step separates from the others",
        )
    merged, how = _build_merged(
        members,
        new_id=target,
        name=params.name,
        limit=params.limit,
        materials="union",
        entry=params,
        rule=rule,
        applies_when=applicability,
    )
    audit = [
        AuditEntry(
            rule=rule,
            action="merged",
            items=(target, *[m.id for m in members[1:]]),
            before={m.id: _snapshot(m) for m in members},
            after=_snapshot(merged),
            source=sources_text(source, params.sources),
            status=params.status,
            note="; ".join(x for x in (how, params.note) if x),
        )
    ]
    return process.replace(items=replace_items(process, [m.id for m in members], merged)), audit


@register(
    "combined_assessment",
    CombinedParams,
    SRC_COMBINED,
    "多评合一: several assessment reports (EIA, soil and water, energy, safety...) prepared as one by one firm",
)
def combined_assessment(process: Process, params: CombinedParams) -> tuple[Process, list[AuditEntry]]:
    """The listed intermediary reports become one service: its time is the longest of theirs (done together),
    its prerequisites theirs, and what waited for any of them waits for it."""
    return _combined(process, params, "combined_assessment", SRC_COMBINED)


@register(
    "combined_survey",
    CombinedParams,
    SRC_SURVEY,
    "多测合一: several surveys (planning verification, land, property, air-defence surveys) done as one",
)
def combined_survey(process: Process, params: CombinedParams) -> tuple[Process, list[AuditEntry]]:
    """The listed surveys become one survey service (as ``combined_assessment``)."""
    return _combined(process, params, "combined_survey", SRC_SURVEY)


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
    by_id = _by_id(process)
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
            AuditEntry(
                rule=rule,
                action="decided_on_commitment",
                items=(item_id,),
                field="handling_days",
                before=_snapshot(item),
                after=_snapshot(items[item_id]),
                source=sources_text(SRC_COMMITMENT, params.sources),
                status=params.status,
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
        default="申请表", description="the name of that document where materials are named"
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
            AuditEntry(
                rule=rule,
                action="materials_shared",
                items=(item.id,),
                field="materials",
                before=item.material_count,
                after=changed.material_count,
                source=sources_text(SRC_ONE_FORM, params.sources),
                status=params.status,
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
    items = _by_id(process)
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
            AuditEntry(
                rule=rule,
                action="statutory_limit_amended",
                items=(item.id,),
                field="statutory_limit_days",
                before=item.statutory_limit_days,
                after=amendment.days,
                source=sources_text(SRC_LAW, amendment.sources),
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
