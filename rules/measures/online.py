"""Online parallel approval with time-limited completion (plan 1, 三(五) 网上并联审批、限时办结): items go online and
promised limits are capped at a share of the statutory ones."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from approval_model.bounds import (
    PositiveShare,
    WorkingDays,
)
from approval_model.models import Process, Provenance
from rules.engine import AuditEntry, Params, RuleError, Sourced, Status, audit_entry, register, sources_text
from rules.graph_ops import (
    check_known,
    updated,
)
from rules.policy import policy_source, rule_default

SRC_ONLINE = policy_source("online")
SRC_LIMITS = policy_source("limits")


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
            audit_entry(
                rule,
                "handled_online",
                SRC_ONLINE,
                items=tuple(switched),
                field="online",
                before=False,
                after=True,
                status="documented",
                note=f"{len(switched)} items switched; excluded (classified): {', '.join(params.exclude) or 'none'}",
            )
        )
    settings = process.simulation
    changes: dict[str, float] = {}
    if settings.handover_days != params.serial_handover_days:
        changes["serial_handover_days"] = params.serial_handover_days
    if (
        params.stage_coordination_days is not None
        and settings.coordination_days != params.stage_coordination_days
    ):
        changes["stage_coordination_days"] = params.stage_coordination_days
    for name, value in changes.items():
        audit.append(
            audit_entry(
                rule,
                "simulation_setting",
                SRC_ONLINE,
                field=f"simulation.{name}",
                before=getattr(settings, name) or 0.0,
                after=value,
            )
        )
    simulation = settings.model_copy(update=changes) if changes else settings
    return process.replace(items=items, simulation=simulation), audit


class LimitOverride(Sourced):
    item: str
    days: WorkingDays


class CompressParams(Params):
    factor: PositiveShare = Field(
        default=rule_default("compress_time_limits", "factor"),
        description="promised limit <= factor x statutory",
    )
    key_factor: PositiveShare | None = Field(
        default=rule_default("compress_time_limits", "key_factor"),
        description="factor for key nodes (关键节点)",
    )
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
        new, provenance, source = current, None, sources_text(SRC_LIMITS, params.sources)
        status: Status = "assumed"
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
            audit_entry(
                rule,
                "limit_compressed",
                source,
                items=(item.id,),
                field="promised_limit_days",
                before=item.promised_limit_days,
                after=new,
                status=status,
                note=how,
            )
        )
    return process.replace(items=tuple(items)), audit
