"""Rules of 洛政办〔2017〕89号 that touch work outside the approval clock: intermediary services and utility hookups.

* ``regulate_intermediary_services`` — plan 1 二/三(一): "审批前置要件和中介服务事项更加明晰规范", "对投资项目审批事项
  所涉及保留的中介服务事项进行动态调整": intermediary services without a basis are no longer required, the retained ones
  work to a published service time (a promised limit, like the departments' 承诺时限);
* ``utility_services`` — plan 4 (民生服务) 二 and 三(二)-(四): electricity, water and gas connection time limits
  and application materials, online applications (网上报装).

Both only touch items of their kind (``intermediary``, ``utility``) and refuse any other id, so the approval
rules of plan 1 and these never step on each other. See docs/kinds-and-clocks.md.
"""

from __future__ import annotations

import math

from pydantic import Field, model_validator

from approval_model.bounds import MaterialCount, PositiveShare, WorkingDays
from approval_model.models import ApprovalItem, Process, Provenance
from rules.engine import AuditEntry, RuleError, Sourced, audit_entry, register
from rules.graph_ops import check_known, remove_items, updated
from rules.policy import policy_source

__all__ = ["regulate_intermediary_services", "utility_services", "require_kind"]

SRC_INTERMEDIARY = policy_source("intermediary")
SRC_UTILITY = policy_source("utility")


def require_kind(process: Process, item_ids: list[str], kind: str, rule: str) -> None:
    """RuleError for an id that is not an item of ``kind`` (after the unknown-id check)."""
    check_known(process, item_ids)
    kinds = {item.id: item.kind for item in process.items}
    wrong = [i for i in item_ids if kinds[i] != kind]
    if wrong:
        raise RuleError(
            f"{rule} works on items of kind '{kind}'; {', '.join(f'{i} is {kinds[i]}' for i in wrong)}",
            f"name items of kind '{kind}' only",
        )


def _current(item: ApprovalItem) -> float:
    return item.promised_limit_days if item.promised_limit_days is not None else item.statutory_limit_days


class CancelledService(Sourced):
    id: str


class IntermediaryParams(Sourced):
    cancel: tuple[CancelledService, ...] = Field(
        default=(), description="intermediary services no longer required: {id, sources, note}"
    )
    limit_factor: PositiveShare | None = Field(
        default=None,
        description="retained services promise at most this share of their current time (floored to whole days)",
    )
    items: tuple[str, ...] | None = Field(
        default=None, description="services the limit applies to (default: every intermediary service)"
    )

    @model_validator(mode="after")
    def _something(self) -> IntermediaryParams:
        if not self.cancel and self.limit_factor is None:
            raise ValueError("give 'cancel' and/or 'limit_factor'")
        return self


@register(
    "regulate_intermediary_services",
    IntermediaryParams,
    SRC_INTERMEDIARY,
    "intermediary services: cancel those no longer required, retained ones work to a published service time",
)
def regulate_intermediary_services(
    process: Process, params: IntermediaryParams
) -> tuple[Process, list[AuditEntry]]:
    """中介服务 清理规范: cancelled services leave the process (what waited for them waits for their own
    prerequisites); retained ones get a promised service time of ``limit_factor`` x their current time, floored
    to whole days in the item's own unit (a calendar-day service stays in calendar days)."""
    rule = "regulate_intermediary_services"
    cancelled = [entry.id for entry in params.cancel]
    require_kind(process, [*cancelled, *(params.items or ())], "intermediary", rule)
    audit: list[AuditEntry] = []
    by_id = {item.id: item for item in process.items}
    for entry in params.cancel:
        audit.append(
            audit_entry(
                rule,
                "cancelled",
                SRC_INTERMEDIARY,
                entry,
                items=(entry.id,),
                before={"name": by_id[entry.id].name, "kind": "intermediary"},
                after=None,
                note=entry.note,
            )
        )
    if cancelled:
        items, inherited = remove_items(process, cancelled, "intermediary service no longer required")
        for item_id, added in inherited.items():
            audit.append(
                audit_entry(
                    rule,
                    "prerequisites_inherited",
                    SRC_INTERMEDIARY,
                    items=(item_id,),
                    field="prerequisites",
                    after=added,
                    note="keeps the ordering through the cancelled service(s)",
                )
            )
        process = process.replace(items=items)
    if params.limit_factor is not None:
        chosen = (
            set(params.items)
            if params.items is not None
            else {i.id for i in process.items if i.kind == "intermediary"}
        ) - set(cancelled)
        new_items = []
        for item in process.items:
            if item.id not in chosen:
                new_items.append(item)
                continue
            current = _current(item)
            cap = current * params.limit_factor
            new = min(current, math.floor(cap + 1e-9) if cap >= 1 else cap)
            if new == item.promised_limit_days:
                new_items.append(item)
                continue
            how = f"<= {params.limit_factor:.3g} x {current:g} {item.day_unit} days ({rule})"
            new_items.append(
                updated(
                    item,
                    promised_limit_days=new,
                    provenance={
                        **item.provenance,
                        "promised_limit_days": Provenance(
                            status=params.status, sources=params.sources, note=params.note or how
                        ),
                    },
                )
            )
            audit.append(
                audit_entry(
                    rule,
                    "service_time_limited",
                    SRC_INTERMEDIARY,
                    params,
                    items=(item.id,),
                    field="promised_limit_days",
                    before=item.promised_limit_days,
                    after=new,
                    note="; ".join(x for x in (how, params.note) if x),
                )
            )
        process = process.replace(items=tuple(new_items))
    return process, audit


class UtilityLimit(Sourced):
    item: str
    days: WorkingDays = Field(description="promised connection time, in the item's unit")


class UtilityMaterials(Sourced):
    item: str
    count: MaterialCount


class UtilityParams(Sourced):
    limits: tuple[UtilityLimit, ...] = ()
    materials: tuple[UtilityMaterials, ...] = ()
    online_application: bool = Field(default=False, description="applications online (网上报装)")

    @model_validator(mode="after")
    def _something(self) -> UtilityParams:
        if not self.limits and not self.materials and not self.online_application:
            raise ValueError("give 'limits', 'materials' and/or 'online_application: true'")
        return self


@register(
    "utility_services",
    UtilityParams,
    SRC_UTILITY,
    "utility hookups (electricity, water, gas): connection time limits, application materials, online applications",
)
def utility_services(process: Process, params: UtilityParams) -> tuple[Process, list[AuditEntry]]:
    """压缩供电、供水、供气报装时限: each listed hookup promises a connection time (its limit before stays the
    ``statutory_limit_days`` it had, as for an approval item's 承诺时限), materials are cut to the given count,
    and applications go online."""
    rule = "utility_services"
    named = [x.item for x in params.limits] + [x.item for x in params.materials]
    require_kind(process, named, "utility", rule)
    items = {item.id: item for item in process.items}
    audit: list[AuditEntry] = []
    for limit in params.limits:
        item = items[limit.item]
        if limit.days > item.statutory_limit_days:
            raise RuleError(
                f"{item.id}: a promised {limit.days:g} days exceeds its limit of {item.statutory_limit_days:g}",
                "a promise must not exceed the limit it shortens",
            )
        items[item.id] = updated(
            item,
            promised_limit_days=limit.days,
            provenance={
                **item.provenance,
                "promised_limit_days": Provenance(
                    status=limit.status, sources=limit.sources, note=limit.note
                ),
            },
        )
        audit.append(
            audit_entry(
                rule,
                "limit_compressed",
                SRC_UTILITY,
                limit,
                items=(item.id,),
                field="promised_limit_days",
                before=item.promised_limit_days,
                after=limit.days,
                note=limit.note,
            )
        )
    for cut in params.materials:
        item = items[cut.item]
        items[item.id] = updated(
            item,
            materials=cut.count,
            provenance={
                **item.provenance,
                "materials": Provenance(status=cut.status, sources=cut.sources, note=cut.note),
            },
        )
        audit.append(
            audit_entry(
                rule,
                "materials_cancelled",
                SRC_UTILITY,
                cut,
                items=(item.id,),
                field="materials",
                before=item.material_count,
                after=cut.count,
                note=cut.note,
            )
        )
    if params.online_application:
        switched = [i for i, item in items.items() if item.kind == "utility" and not item.online]
        for item_id in switched:
            items[item_id] = updated(items[item_id], online=True)
        if switched:
            audit.append(
                audit_entry(
                    rule,
                    "handled_online",
                    SRC_UTILITY,
                    params,
                    items=tuple(switched),
                    field="online",
                    before=False,
                    after=True,
                    note=params.note,
                )
            )
    return process.replace(items=tuple(items[i] for i in process.item_ids)), audit
