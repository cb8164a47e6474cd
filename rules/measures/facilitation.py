"""Helping applicants through (容缺办理, plan 1 三(四) 代建制): accept with non-essential materials missing, and
professional agents for government projects."""

from __future__ import annotations

from pydantic import Field

from approval_model.bounds import (
    PositiveShare,
    Share,
)
from approval_model.models import Process, Supplement
from rules.engine import AuditEntry, Sourced, audit_entry, register, sources_text
from rules.graph_ops import (
    check_known,
    updated,
)
from rules.policy import policy_source, rule_default

SRC_AGENT = policy_source("agent")
SRC_GAPS = policy_source("gaps")


# ------------------------------------------------------------------------------------------------ 容缺, 代建
class GapsParams(Sourced):
    probability_factor: Share = Field(
        default=rule_default("accept_with_missing_materials", "probability_factor"),
        description="supplement probability multiplied by this",
    )
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
            audit_entry(
                rule,
                "supplement_reduced",
                source,
                items=(item.id,),
                field="supplement.probability",
                before=before,
                after=after,
                status=params.status,
                note=None if item.supplement else "base probability (the catalog has none)",
            )
        )
    if without:
        audit.append(
            audit_entry(
                rule,
                "no_supplement_data",
                source,
                items=tuple(without),
                field="supplement",
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
        audit_entry(
            rule,
            "no_time_effect",
            source,
            status="documented",
            note="代建制 changes who manages construction (管理机构+使用单位+代建单位+工程总承包); it removes no approval item, material or time limit",
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
                audit_entry(
                    rule,
                    "applicant_days_reduced",
                    source,
                    items=(item.id,),
                    field="supplement.applicant_days",
                    before=item.supplement.applicant_days,
                    after=days,
                    note=params.note,
                )
            )
        else:
            items.append(item)
    return process.replace(items=tuple(items)), audit
