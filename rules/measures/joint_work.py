"""The joint procedures of 国办发〔2019〕11号: work several departments or services did one by one, done once.

* ``joint_drawing_review`` — 联合审图: fire, civil-air-defence and other design checks absorbed by the
  construction-drawing review;
* ``joint_acceptance`` — 联合验收: the separate completion acceptances become one;
* ``regional_assessment`` — 区域评估: per-project assessments no longer apply inside a development zone;
* ``combined_assessment`` (多评合一) and ``combined_survey`` (多测合一): several intermediary reports or surveys
  done as one.

The other measures of the 2019 reform are :mod:`rules.measures.national_2019`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from approval_model.bounds import MaterialCount, WorkingDays
from approval_model.models import (
    Applicability,
    ApprovalItem,
    Process,
    Provenance,
)
from rules.engine import AuditEntry, RuleError, Sourced, audit_entry, register, snapshot
from rules.graph_ops import check_known, items_by_id, merge_cycle_path, replace_items, updated
from rules.measures.merging import LimitPolicy, build_merged
from rules.measures.services import require_kind
from rules.policy import policy_source, rule_default

SRC_JOINT_REVIEW = policy_source("joint_review")
SRC_JOINT_ACCEPTANCE = policy_source("joint_acceptance")
SRC_REGIONAL = policy_source("regional")
SRC_COMBINED = policy_source("combined")
SRC_SURVEY = policy_source("survey")


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
    by_id = items_by_id(process)
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
        audit_entry(
            rule,
            "absorbed",
            SRC_JOINT_REVIEW,
            params,
            items=(params.review, *params.absorbed),
            before={m.id: snapshot(m) for m in [review, *absorbed]},
            after=snapshot(merged),
            note=params.note,
        )
    ]
    return process.replace(items=replace_items(process, members, merged)), audit


class JointAcceptanceParams(Sourced):
    items: tuple[str, ...] = Field(min_length=2, description="the separate acceptances (approval items)")
    new_id: str = Field(default=rule_default("joint_acceptance", "new_id"), pattern=r"^[A-Za-z0-9_\-.]+$")
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
    by_id = items_by_id(process)
    members = [by_id[i] for i in process.item_ids if i in params.items]
    universal = any(m.applies_when == Applicability() for m in members)
    merged, how = build_merged(
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
        audit_entry(
            rule,
            "merged",
            SRC_JOINT_ACCEPTANCE,
            params,
            items=(params.new_id, *[m.id for m in members if m.id != params.new_id]),
            before={m.id: snapshot(m) for m in members},
            after=snapshot(merged),
            note="; ".join(x for x in (how, params.note) if x),
        )
    ]
    return process.replace(items=replace_items(process, [m.id for m in members], merged)), audit


# ------------------------------------------------------------------------------------------------ assessments
class RegionalParams(Sourced):
    items: tuple[str, ...] = Field(
        min_length=1, description="per-project assessments a zone-wide one replaces"
    )
    zone_condition: str = Field(default=rule_default("regional_assessment", "zone_condition"), min_length=1)


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
            audit_entry(
                rule,
                "scope_narrowed",
                SRC_REGIONAL,
                params,
                items=(item.id,),
                field="applies_when",
                before=item.applies_when.model_dump(mode="json", exclude_none=True),
                after=rule_.model_dump(mode="json", exclude_none=True),
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
    by_id = items_by_id(process)
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
    merged, how = build_merged(
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
        audit_entry(
            rule,
            "merged",
            source,
            params,
            items=(target, *[m.id for m in members[1:]]),
            before={m.id: snapshot(m) for m in members},
            after=snapshot(merged),
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
