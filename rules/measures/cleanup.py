"""Cleaning up the catalog (洛政办〔2017〕89号 plan 1, 三(一) 清理规范): cancel items without a legal basis and
narrow the scope of the ones that keep it."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from approval_model.models import Applicability, Process
from rules.engine import AuditEntry, Params, RuleError, Sourced, audit_entry, register, snapshot
from rules.graph_ops import (
    check_known,
    inherited_entries,
    items_by_id,
    remove_items,
    updated,
)
from rules.policy import policy_source

SRC_CLEANUP = policy_source("cleanup")


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
    by_id = items_by_id(process)
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
            audit_entry(
                rule,
                "cancelled",
                SRC_CLEANUP,
                entry,
                items=(item.id,),
                before=snapshot(item),
                after=None,
                note=entry.basis_lapsed
                or entry.note
                or "no legal basis recorded in the catalog (legal_basis: null)",
            )
        )
    items, inherited = remove_items(process, [entry.id for entry in params.items], "cancelled")
    audit += inherited_entries(rule, inherited, by_id, items, SRC_CLEANUP)
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
            audit_entry(
                rule,
                "prerequisite_dropped",
                SRC_CLEANUP,
                drop,
                items=(drop.item, drop.prerequisite),
                field="prerequisites",
                before=list(item.prerequisite_ids),
                after=[p.item for p in new],
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
            audit_entry(
                rule,
                "scope_narrowed",
                SRC_CLEANUP,
                narrow,
                items=(narrow.item,),
                field="applies_when",
                before=item.applies_when.model_dump(mode="json", exclude_none=True),
                after=merged.model_dump(mode="json", exclude_none=True),
                note=narrow.note,
            )
        )
    return process.replace(items=tuple(items[i] for i in process.item_ids)), audit
