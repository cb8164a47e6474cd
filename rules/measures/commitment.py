"""The commitment system (承诺制, plan 1, 三(二)): for filed FTZ projects, listed items stop gating construction."""

from __future__ import annotations

from pydantic import Field

from approval_model.bounds import (
    MaterialCount,
)
from approval_model.models import Process
from rules.engine import AuditEntry, Sourced, audit_entry, register, sources_text
from rules.graph_ops import (
    check_known,
    items_by_id,
    updated,
)
from rules.policy import policy_source

SRC_COMMITMENT = policy_source("commitment")


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
        by_id = items_by_id(process)
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
                    audit_entry(
                        rule,
                        "prerequisite_dropped",
                        source,
                        items=(other.id, item_id),
                        field="prerequisites",
                        before=list(other.prerequisite_ids),
                        after=[p.item for p in kept + inherited],
                        status=params.status,
                        note=f"{other.id} no longer waits for {item_id}",
                    )
                )
            else:
                new_items.append(other)
        audit.append(
            audit_entry(
                rule,
                "after_the_fact_inspection",
                source,
                items=(item_id,),
                field="gates_construction",
                before=item.gates_construction,
                after=False,
                status=params.status,
                note=params.note,
            )
        )
        if "materials" in changes:
            audit.append(
                audit_entry(
                    rule,
                    "materials_cancelled",
                    source,
                    items=(item_id,),
                    field="materials",
                    before=item.material_count,
                    after=params.materials_after,
                    status=params.status,
                    note="the enterprise's commitment replaces the application documents",
                )
            )
        process = process.replace(items=tuple(new_items))
    return process, audit
