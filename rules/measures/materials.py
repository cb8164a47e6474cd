"""Application materials (plan 1, 三(一)): cancel the unnecessary ones, share repeated documents online."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field, field_validator, model_validator

from approval_model.bounds import (
    Count,
)
from approval_model.graph import ancestors
from approval_model.models import ApprovalItem, Process
from approval_model.problems import did_you_mean
from rules.engine import AuditEntry, Params, RuleError, Sourced, audit_entry, register
from rules.graph_ops import (
    check_known,
    items_by_id,
    updated,
)
from rules.policy import policy_source

SRC_CLEANUP = policy_source("cleanup")
SRC_MATERIALS = policy_source("materials")


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
    items = items_by_id(process)
    audit = []
    for cut in params.items:
        item = items[cut.item]
        new = _drop_materials(item, cut.count or len(cut.names), cut.names, rule)
        items[cut.item] = updated(item, materials=new)
        audit.append(
            audit_entry(
                rule,
                "materials_cancelled",
                SRC_CLEANUP,
                cut,
                items=(item.id,),
                field="materials",
                before=item.material_count,
                after=items[cut.item].material_count,
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
    items = items_by_id(process)
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
                    audit_entry(
                        rule,
                        "materials_shared",
                        SRC_MATERIALS,
                        items=(item_id,),
                        field="materials",
                        before=item.material_count,
                        after=items[item_id].material_count,
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
                if not set(shared.issued_by) & ancestors(process, item_id):
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
                audit_entry(
                    rule,
                    "materials_shared",
                    SRC_MATERIALS,
                    shared,
                    items=(item_id,),
                    field="materials",
                    before=item.material_count,
                    after=items[item_id].material_count,
                    note=f"'{shared.material}' shared online ({origin})"
                    + (f"; {shared.note}" if shared.note else ""),
                )
            )
    return process.replace(items=tuple(items[i] for i in process.item_ids)), audit
