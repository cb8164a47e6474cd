"""The one-at-a-time changes of a sensitivity sweep: which variations a process has, and which are skipped.

See :mod:`simulations.sensitivity` for what each parameter means and how the effects are measured; this module
builds the changed processes (:func:`build_variations`) and names them, in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from approval_model.models import ApprovalItem, Department, HandlingDistribution, Process
from messages import Message
from simulations.compiled import Mode

__all__ = [
    "DEFAULT_BY",
    "PARALLEL_MEANING",
    "PARAMETERS",
    "Parameter",
    "Skipped",
    "Variation",
    "build_variations",
    "parse_vary",
]

Parameter = Literal["capacity", "limit", "handling", "supplement", "instant", "parallel", "kind"]
PARAMETERS: tuple[Parameter, ...] = (
    "capacity",
    "limit",
    "handling",
    "supplement",
    "instant",
    "parallel",
    "kind",
)
DEFAULT_BY = 0.20
INSTANT_DEPARTMENT = "sensitivity-instant"
PARALLEL_MEANING = (
    "made parallel: nothing waits for the item any more; items that waited for it wait for its prerequisites "
    "instead, and it still has to finish before the project does"
)

_ZH = {
    "capacity": "容量",
    "limit": "时限",
    "handling": "办理用时",
    "supplement": "补正概率",
    "instant": "即办（不耗时）",
    "parallel": "改为并联（后续事项不再等待）",
    "kind": "同类工作用时",
}
_NAME_CHARS = 16


@dataclass(frozen=True)
class Variation:
    """The process with one parameter changed. ``key`` is a stable id (``limit:I02:+20%``)."""

    key: str
    label: str
    parameter: Parameter
    subject: str
    factor: float | None  # the multiplier applied (capacity: new / old); None for instant and parallel
    process: Process = field(repr=False)


@dataclass(frozen=True)
class Skipped:
    """A variation that cannot change anything, and why."""

    parameter: Parameter
    subject: str
    factor: float | None
    reason: str

    def as_dict(self) -> dict:
        return {
            "parameter": self.parameter,
            "subject": self.subject,
            "factor": self.factor,
            "reason": self.reason,
        }


def parse_vary(text: str | Sequence[str]) -> tuple[Parameter, ...]:
    """``"limit,handling"`` (or a list) -> parameters in canonical order; unknown names raise ValueError."""
    parts = [p.strip().lower() for p in (text.split(",") if isinstance(text, str) else text)]
    parts = [p for p in parts if p]
    unknown = sorted(set(parts) - set(PARAMETERS))
    if unknown or not parts:
        raise ValueError(
            Message(
                "--vary: unknown parameter(s) {unknown}; choose from {known}",
                unknown=", ".join(repr(u) for u in unknown),
                known=",".join(PARAMETERS),
            )
            if unknown
            else Message("--vary: name at least one of {known}", known=",".join(PARAMETERS))
        )
    return tuple(p for p in PARAMETERS if p in parts)


def _percent(by: float, sign: int) -> str:
    return f"{'+' if sign > 0 else '-'}{100 * by:g}%"


def _short(name: str) -> str:
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


def _item_label(item: ApprovalItem, text: str, parameter: str) -> str:
    return f"{item.id} {_short(item.name)}: {text} ({parameter})"


def _always_zero(spec: HandlingDistribution | float | None) -> bool:
    """A time that is 0 whatever the draw (None: no such time)."""
    if spec is None:
        return True
    if not isinstance(spec, HandlingDistribution):
        return float(spec) == 0.0
    values = [spec.value, spec.low, spec.mode, spec.high, spec.mean, *(spec.values or ())]
    return all(v is None or v == 0 for v in values)


def _takes_no_time(item: ApprovalItem) -> bool:
    """No handling, no 补正, no excluded time: already instant."""
    handling_zero = item.handling_days is not None and _always_zero(item.handling_days)
    no_supplement = item.supplement is None or item.supplement.probability == 0
    return handling_zero and no_supplement and _always_zero(item.excluded_days)


def _with_item(process: Process, item: ApprovalItem, **update: object) -> Process:
    items = tuple(i.model_copy(update=update) if i.id == item.id else i for i in process.items)
    return process.replace(items=items)


def _with_capacity(process: Process, department: Department, capacity: int) -> Process:
    departments = tuple(
        d.model_copy(update={"capacity": capacity}) if d.id == department.id else d
        for d in process.departments
    )
    return process.replace(departments=departments)


def _instant(process: Process, item: ApprovalItem) -> Process:
    update: dict[str, object] = {
        "handling_days": HandlingDistribution(distribution="fixed", value=0.0),
        "handling_scale": 1.0,
        "supplement": None,
        "excluded_days": None,
    }
    departments = process.departments
    if process.department(item.department).capacity is not None:  # no queue either
        update["department"] = INSTANT_DEPARTMENT
        if all(d.id != INSTANT_DEPARTMENT for d in departments):
            departments = (*departments, Department(id=INSTANT_DEPARTMENT, name="即办（不排队）"))
    items = tuple(i.model_copy(update=update) if i.id == item.id else i for i in process.items)
    return process.replace(items=items, departments=departments)


def _made_parallel(process: Process, item: ApprovalItem) -> Process:
    items = []
    for other in process.items:
        if item.id not in other.prerequisite_ids:
            items.append(other)
            continue
        kept = [p for p in other.prerequisites if p.item != item.id]
        have = {p.item for p in kept}
        inherited = [p for p in item.prerequisites if p.item not in have]
        items.append(other.model_copy(update={"prerequisites": tuple(kept + inherited)}))
    return process.replace(items=tuple(items))


@dataclass(frozen=True)
class _Candidate:
    key: str
    label: str
    parameter: Parameter
    subject: str
    factor: float | None
    build: Callable[[], Process]


def _candidates(
    process: Process, vary: Collection[Parameter], by: float, mode: Mode
) -> tuple[list[_Candidate], list[Skipped]]:
    out: list[_Candidate] = []
    skipped: list[Skipped] = []
    signs = (-1, +1)
    if "capacity" in vary:
        used = {i.department for i in process.items}
        for d in process.departments:
            if d.id not in used:
                skipped.append(Skipped("capacity", d.id, None, Message("handles no item")))
                continue
            if d.capacity is None:
                skipped.append(
                    Skipped("capacity", d.id, None, Message("no capacity: files never queue there"))
                )
                continue
            for sign in signs:
                factor = 1 + sign * by
                new = round(d.capacity * factor)
                if new == d.capacity:
                    new = d.capacity + sign  # at least one file
                new = max(1, new)
                if new == d.capacity:
                    skipped.append(
                        Skipped(
                            "capacity",
                            d.id,
                            factor,
                            Message("the capacity is too small to go lower by this step"),
                        )
                    )
                    continue
                out.append(
                    _Candidate(
                        f"capacity:{d.id}:{_percent(by, sign)}",
                        f"{d.id} {_short(d.name)}: {_ZH['capacity']} {d.capacity}→{new} (capacity)",
                        "capacity",
                        d.id,
                        new / d.capacity,
                        partial(_with_capacity, process, d, new),
                    )
                )
    for item in process.items:
        for parameter in ("limit", "handling", "supplement"):
            if parameter not in vary:
                continue
            for sign in signs:
                factor = 1 + sign * by
                pct = _percent(by, sign)
                key = f"{parameter}:{item.id}:{pct}"
                if parameter == "limit":
                    if item.handling_days is not None:
                        reason = Message(
                            "handling_days given: the limit changes the overdue count, not the days"
                        )
                        skipped.append(Skipped("limit", item.id, factor, reason))
                        continue
                    limit = item.statutory_limit_days * factor
                    build = partial(_with_item, process, item, statutory_limit_days=limit)
                    text = f"{_ZH['limit']} {pct}"
                elif parameter == "handling":
                    if item.handling_days is not None and _always_zero(item.handling_days):
                        skipped.append(
                            Skipped("handling", item.id, factor, Message("takes no handling time"))
                        )
                        continue
                    scale = item.handling_scale * factor
                    build = partial(_with_item, process, item, handling_scale=scale)
                    text = f"{_ZH['handling']} {pct}"
                else:
                    supplement = item.supplement
                    if supplement is None or supplement.probability == 0:
                        skipped.append(Skipped("supplement", item.id, factor, Message("no 补正 requests")))
                        continue
                    p = min(1.0, supplement.probability * factor)
                    if p == supplement.probability:
                        skipped.append(
                            Skipped("supplement", item.id, factor, Message("probability already 1"))
                        )
                        continue
                    new_supplement = supplement.model_copy(update={"probability": p})
                    build = partial(_with_item, process, item, supplement=new_supplement)
                    text = f"{_ZH['supplement']} {supplement.probability:.0%}→{p:.0%}"
                label = _item_label(item, text, parameter)
                out.append(_Candidate(key, label, parameter, item.id, factor, build))
        if "instant" in vary:
            if _takes_no_time(item):
                skipped.append(Skipped("instant", item.id, None, Message("already takes no time")))
            else:
                out.append(
                    _Candidate(
                        f"instant:{item.id}",
                        _item_label(item, _ZH["instant"], "instant"),
                        "instant",
                        item.id,
                        None,
                        partial(_instant, process, item),
                    )
                )
        if "parallel" in vary:
            waits = any(item.id in other.prerequisite_ids for other in process.items)
            if mode == "serial":
                skipped.append(
                    Skipped(
                        "parallel", item.id, None, Message("serial mode: items run one after another anyway")
                    )
                )
            elif not waits:
                skipped.append(Skipped("parallel", item.id, None, Message("nothing waits for it")))
            else:
                out.append(
                    _Candidate(
                        f"parallel:{item.id}",
                        _item_label(item, _ZH["parallel"], "parallel"),
                        "parallel",
                        item.id,
                        None,
                        partial(_made_parallel, process, item),
                    )
                )
    if "kind" in vary:
        out += _kind_candidates(process, by, skipped)
    return out, skipped


KIND_ZH = {
    "approval": "行政审批",
    "intermediary": "中介服务",
    "utility": "市政公用",
    "notice": "公告期",
    "applicant": "申请人工作",
}


def _with_kind_scaled(process: Process, kind: str, factor: float) -> Process:
    items = tuple(
        i.model_copy(update={"handling_scale": i.handling_scale * factor}) if i.kind == kind else i
        for i in process.items
    )
    return process.replace(items=items)


def _kind_candidates(process: Process, by: float, skipped: list[Skipped]) -> list[_Candidate]:
    """Every step of one kind of work at once (``kind:intermediary:-30%``): the time of all intermediary
    services, utility hookups, notice periods, applicant work or approvals scaled together, each in its own
    unit (a calendar-day notice stays in calendar days): "cut intermediary time by 30 %" in one variation."""
    out = []
    present = {i.kind for i in process.items}
    for kind in KIND_ZH:
        if kind not in present:
            skipped.append(Skipped("kind", kind, None, Message("no item of this kind")))
            continue
        if all(_takes_no_time(i) for i in process.items if i.kind == kind):
            skipped.append(Skipped("kind", kind, None, Message("its items take no time")))
            continue
        for sign in (-1, +1):
            factor = 1 + sign * by
            pct = _percent(by, sign)
            out.append(
                _Candidate(
                    f"kind:{kind}:{pct}",
                    f"{KIND_ZH[kind]} {kind}: {_ZH['kind']} {pct} (kind)",
                    "kind",
                    kind,
                    factor,
                    partial(_with_kind_scaled, process, kind, factor),
                )
            )
    return out


def build_variations(
    process: Process,
    *,
    vary: Collection[Parameter] = PARAMETERS,
    by: float = DEFAULT_BY,
    mode: Mode = "parallel",
    only: Collection[str] | None = None,
) -> tuple[list[Variation], list[Skipped]]:
    """Every one-at-a-time variation of ``process`` (or just those whose key is in ``only``), and the skipped.

    Deterministic: the same process and settings give the same variations in the same order.
    """
    if not 0 < by < 1:
        raise ValueError(Message("--by must be between 0 and 1 (0.2 = ±20 %), got {by}", by=by))
    unknown = set(vary) - set(PARAMETERS)
    if unknown:
        raise ValueError(
            Message(
                "unknown parameter(s) {unknown}; choose from {known}",
                unknown=", ".join(sorted(unknown)),
                known=", ".join(PARAMETERS),
            )
        )
    candidates, skipped = _candidates(process, vary, by, mode)
    wanted = None if only is None else set(only)
    if wanted is not None:
        missing = wanted - {c.key for c in candidates}
        if missing:
            raise ValueError(Message("no such variation(s): {keys}", keys=", ".join(sorted(missing))))
    variations = [
        Variation(c.key, c.label, c.parameter, c.subject, c.factor, c.build())
        for c in candidates
        if wanted is None or c.key in wanted
    ]
    return variations, skipped
