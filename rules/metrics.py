"""The four catalog targets of 洛政办〔2017〕89号 plan 1 (section 二), on the plan's own terms.

Targets (to be reached by the end of 2017), the rows with ``role: target``:

- ``items``: approval items of the whole catalog, about -20 % (报建审批事项整合减少20%左右);
- ``mean_handling_limit_days``: the limit each item is handled within, about -20 % (审批事项平均办理时限缩减20%左右):
  its promised limit (承诺时限) where the catalog has one, else its statutory limit. The plan's mechanism is
  "实行限时办结制度，缩短审批办理时限": a city cannot amend a statutory (法定) limit, it compresses the limit it
  promises to work to. ``mean_statutory_limit_days`` stays beside it as information (``role: information``);
- ``materials``: application materials per item, about -20 % (申报材料平均减少20%左右), the plan's wording;
- ``online_share``: share of (non-classified) items handled online, 100 % (非涉密投资项目网上在线办理率达到100%).

The same targets as one project sees them (``role: project``, one row per built-in profile): the items it passes
through and the distinct materials it hands in (each document once per project: a document named in several items
counts once; counted, unnamed documents are distinct per item, because the catalog does not say which repeat, so
a merged item's counts add up and a shared document leaves the receiving items' counts). They are judged against
the same 20 % but do not enter ``all_met``, which is the plan's four targets.

A reduction target is met when the reduction is at least the target (no rounding of "about"). Where the "before"
limit of an item is an assumption (a promised limit marked assumed, or no promised limit so the statutory one is
used), the time row says how many; where the "after" limits rest on limits a rule set by assumption, the row says
whether the target would still be met if those promised cuts were not achieved (``met_without_assumed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from approval_model.analysis import analysis_comparison, analysis_json
from approval_model.limits import LimitBasis
from approval_model.models import ApprovalItem, Process
from approval_model.profiles import applicable_process, builtin_profiles
from messages import Message
from rules.graph_ops import remove_items
from rules.measures import merged_ids
from rules.time_targets import time_target_rows

__all__ = [
    "PROJECT_PROFILES",
    "TARGETS",
    "CatalogMetrics",
    "Target",
    "approval_layer",
    "catalog_figures",
    "catalog_metrics",
    "handling_limit",
    "project_materials",
]

TARGET = 0.20
# name -> (description, what it measures and why, target value, kind: 'reduction' (a cut) or 'level' (the after value))
TARGETS: dict[str, tuple[str, str, float, str]] = {
    "items": (
        Message("approval items (报建审批事项)"),
        Message(
            "every item of the catalog, whatever project it applies to: the plan's target counts the catalog"
        ),
        TARGET,
        "reduction",
    ),
    "mean_handling_limit_days": (
        Message("mean handling limit per item, working days (审批事项平均办理时限)"),
        Message(
            "the limit each item is handled within: promised (承诺时限) where the catalog has one, else statutory; "
            "the plan cuts the limit departments promise (限时办结), which the city controls"
        ),
        TARGET,
        "reduction",
    ),
    "materials": (
        Message("mean application materials per item (申报材料平均)"),
        Message(
            "the plan's wording, per item: merging items raises it (a merged item carries its members' documents)"
        ),
        TARGET,
        "reduction",
    ),
    "online_share": (
        Message("share of non-classified items handled online (网上在线办理率)"),
        Message(
            "items that can be handled online; the catalog marks no item classified (涉密), so every item counts"
        ),
        1.0,
        "level",
    ),
}
INFORMATION = {
    "mean_statutory_limit_days": (
        Message("mean statutory limit per item, working days (法定时限), for information"),
        Message("set by law, which the city cannot amend: shown beside the handling limit, not judged"),
    ),
}
PROJECT_ROWS = {
    "items_per_project": (
        Message("approval items one project passes through (项目办理事项数)"),
        Message("the items that apply to one project of the profile: what the applicant goes through"),
    ),
    "materials_per_project": (
        Message("distinct application materials one project hands in (项目申报材料数)"),
        Message(
            "each document once per project of the profile (named documents once whatever the items asking; "
            "counted ones per item): the applicant's burden"
        ),
    ),
}
PROJECT_PROFILES = (
    "government-typical",
    "government-small",
    "enterprise-approval-typical",
    "enterprise-filing-typical",
    "enterprise-filing-ftz",
)
PROFILE = "all"


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def handling_limit(item: ApprovalItem) -> float:
    """The limit an item is handled within: promised (承诺时限) where it has one, else statutory."""
    return item.promised_limit_days if item.promised_limit_days is not None else item.statutory_limit_days


def project_materials(process: Process) -> int:
    """Distinct documents a project hands in: named documents once (by name) across its items, plus the counted
    (unnamed) documents of each item, which the catalog cannot tell apart."""
    named: set[str] = set()
    counted = 0
    for item in process.items:
        if isinstance(item.materials, tuple):
            named.update(item.materials)
        else:
            counted += item.materials
    return len(named) + counted


def catalog_figures(process: Process) -> dict[str, float]:
    """The raw figures of one catalog (every item): counts, means and totals."""
    items = process.items
    return {
        "items": float(len(items)),
        "mean_handling_limit_days": _mean([handling_limit(i) for i in items]),
        "mean_statutory_limit_days": _mean([i.statutory_limit_days for i in items]),
        "materials": _mean([float(i.material_count) for i in items]),
        "online_share": _mean([1.0 if i.online else 0.0 for i in items]),
        "total_statutory_limit_days": float(sum(i.statutory_limit_days for i in items)),
        "total_materials": float(sum(i.material_count for i in items)),
    }


def _reduction(before: float, after: float) -> float:
    return 1 - after / before if before else 0.0


@dataclass(frozen=True)
class Target:
    """One row: before, after, the reduction (for online_share: the after value), the target and whether met.

    ``role``: ``target`` (one of the plan's four, counts in ``all_met``), ``project`` (the same target as one
    project profile sees it) or ``information`` (not judged: ``target`` and ``met`` are None).
    """

    name: str
    description: str
    before: float
    after: float
    reduction: float
    target: float | None
    met: bool | None
    measures: str = ""
    role: str = "target"
    scope: str = "catalog"
    assumptions: tuple[str, ...] = ()
    met_without_assumed: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "measures": self.measures,
            "role": self.role,
            "scope": self.scope,
            "before": round(self.before, 6),
            "after": round(self.after, 6),
            "reduction": round(self.reduction, 6),
            "target": self.target,
            "met": self.met,
            "assumptions": list(self.assumptions),
            "met_without_assumed": self.met_without_assumed,
            **self.extra,
        }


@dataclass(frozen=True)
class CatalogMetrics:
    """The targets for a before/after pair, supplementary figures and the serial/parallel analysis."""

    before: str
    after: str
    targets: tuple[Target, ...]
    supplementary: tuple[dict[str, Any], ...]
    analyze: dict[str, Any]
    profile: str = PROFILE
    time_targets: tuple[dict[str, Any], ...] = ()

    @property
    def all_met(self) -> bool:
        """Whether the plan's four targets (role ``target``) are all met."""
        return all(t.met for t in self.targets if t.role == "target")

    def as_json(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "profile": self.profile,
            "scope": "whole catalog: every item, whatever project it applies to; project rows per built-in profile",
            "targets": [t.as_json() for t in self.targets],
            "all_met": self.all_met,
            "supplementary": list(self.supplementary),
            "analyze": self.analyze,
            "time_targets": list(self.time_targets),
        }


def _judged(name: str, first: dict[str, float], second: dict[str, float], **row: Any) -> Target:
    description, measures, target, kind = TARGETS[name]
    if kind == "level":
        reduction = second[name]
        met = second[name] >= target - 1e-9
    else:
        reduction = _reduction(first[name], second[name])
        met = reduction >= target - 1e-9
    return Target(name, description, first[name], second[name], reduction, target, met, measures, **row)


def _status(item: ApprovalItem, field_name: str) -> str | None:
    record = item.provenance.get(field_name)
    return None if record is None else record.status


def _time_assumptions(before: Process, after: Process) -> tuple[tuple[str, ...], float]:
    """What the handling-limit row rests on, and its reduction if the after-catalog's assumed promised limits
    were not achieved (those items keep their before limit, or their statutory one if they are new)."""
    no_promise = [i.id for i in before.items if i.promised_limit_days is None]
    assumed_before = [
        i.id
        for i in before.items
        if i.promised_limit_days is not None and _status(i, "promised_limit_days") != "documented"
    ]
    limits_before = {i.id: handling_limit(i) for i in before.items}

    def previous(item: ApprovalItem) -> float:
        """The item's limit before: the longest of its own and its merged members' (the merge rule's default),
        else its statutory limit when it is new."""
        known = [limits_before[i] for i in (item.id, *merged_ids(item)) if i in limits_before]
        return max(known) if known else item.statutory_limit_days

    assumed_after = {
        i.id
        for i in after.items
        if i.promised_limit_days is not None
        and _status(i, "promised_limit_days") != "documented"
        and handling_limit(i) < previous(i)
    }
    fallback = _mean([previous(i) if i.id in assumed_after else handling_limit(i) for i in after.items])
    notes = [
        Message(
            "before: {without} of {items} items have no promised limit, so their statutory limit is taken as the "
            "limit they are handled within; {assumed} promised limits are assumed, not documented",
            without=len(no_promise),
            items=len(before.items),
            assumed=len(assumed_before),
        ),
        Message(
            "after: {assumed} of {items} items have a promised limit below their before limit that is assumed "
            "(set by a rule, e.g. compress_time_limits, not documented for this city)",
            assumed=len(assumed_after),
            items=len(after.items),
        ),
    ]
    return tuple(notes), fallback


def _time_row(before: Process, after: Process, first: dict[str, float], second: dict[str, float]) -> Target:
    notes, fallback = _time_assumptions(before, after)
    row = _judged("mean_handling_limit_days", first, second, assumptions=notes)
    without = _reduction(first["mean_handling_limit_days"], fallback)
    met_without = without >= TARGET - 1e-9
    extra = {"reduction_without_assumed": round(without, 6)}
    if row.met and not met_without:
        notes = (
            *notes,
            Message(
                "met only if the assumed promised limits are achieved: without them the cut is {cut:.1%}",
                cut=without,
            ),
        )
    return Target(
        row.name,
        row.description,
        row.before,
        row.after,
        row.reduction,
        row.target,
        row.met,
        row.measures,
        assumptions=notes,
        met_without_assumed=met_without,
        extra=extra,
    )


def _project_rows(before: Process, after: Process) -> list[Target]:
    rows: list[Target] = []
    profiles = builtin_profiles()
    figures = {}
    for name in PROJECT_PROFILES:
        one, two = applicable_process(before, profiles[name]), applicable_process(after, profiles[name])
        figures[name] = (
            {
                "items_per_project": float(len(one.items)),
                "materials_per_project": float(project_materials(one)),
            },
            {
                "items_per_project": float(len(two.items)),
                "materials_per_project": float(project_materials(two)),
            },
        )
    for key, (description, measures) in PROJECT_ROWS.items():
        for name in PROJECT_PROFILES:
            first, second = figures[name]
            reduction = _reduction(first[key], second[key])
            rows.append(
                Target(
                    key,
                    description,
                    first[key],
                    second[key],
                    reduction,
                    TARGET,
                    reduction >= TARGET - 1e-9,
                    measures,
                    role="project",
                    scope=name,
                )
            )
    return rows


def approval_layer(process: Process) -> Process:
    """The approval items (``kind: approval``) alone: the plan's targets count 审批事项, not intermediary services,
    utility hookups, notice periods or the applicant's work. Orderings through the other steps are kept."""
    others = [item.id for item in process.items if item.kind != "approval"]
    if not others:
        return process
    items, _ = remove_items(process, others, "not an approval item")
    return process.replace(items=items)


def catalog_metrics(before: Process, after: Process) -> CatalogMetrics:
    """The plan's four targets measured on ``before`` vs ``after`` (whole catalogs, approval items only), the
    statutory mean as information, items and materials per project of each built-in profile, and analyze figures
    (statutory and promised limits, every kind of work) for both."""
    whole_before, whole_after = before, after
    before, after = approval_layer(before), approval_layer(after)
    first, second = catalog_figures(before), catalog_figures(after)
    targets = [
        _judged("items", first, second),
        _time_row(before, after, first, second),
        _judged(
            "materials",
            first,
            second,
            assumptions=(
                Message(
                    "counted (unnamed) documents of merged items add up: the catalog does not say which repeat"
                ),
            ),
        ),
        _judged("online_share", first, second),
    ]
    for name, (description, measures) in INFORMATION.items():
        targets.append(
            Target(
                name,
                description,
                first[name],
                second[name],
                _reduction(first[name], second[name]),
                None,
                None,
                measures,
                role="information",
            )
        )
    targets += _project_rows(before, after)
    supplementary = tuple(
        {
            "name": name,
            "description": description,
            "before": round(first[name], 6),
            "after": round(second[name], 6),
            "reduction": round(_reduction(first[name], second[name]), 6),
        }
        for name, description in (
            ("total_materials", "all application materials of the catalog"),
            ("total_statutory_limit_days", "sum of statutory limits (the serial total)"),
        )
    )
    analyze = {
        limit.value: analysis_comparison(
            analysis_json(whole_before, limit, PROFILE), analysis_json(whole_after, limit, PROFILE)
        )
        for limit in LimitBasis
    }
    return CatalogMetrics(
        before.name,
        after.name,
        tuple(targets),
        supplementary,
        analyze,
        time_targets=tuple(time_target_rows(whole_before, whole_after)),
    )
