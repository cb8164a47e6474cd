"""Pydantic v2 models of the approval domain: departments, stages, approval items and the whole process.

Every model forbids unknown keys, so a typo in a scenario file (``statutory_limt_days``) is an error, not a
silently ignored field. Numbers from the reference catalog carry their provenance: ``documented`` with the
source ids it was found in, or ``assumed`` with a note saying why.

A little over 500 lines: one pydantic model per concept of a scenario file, kept together so that the file
format reads top-down in one place (docs/scenario-format.md follows this order).
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from approval_model.bounds import (
    FileCapacity,
    HandlingFactor,
    LimitDays,
    MaterialCount,
    MillionYuan,
    MixWeight,
    ProjectsPerDay,
    Share,
    WorkingDays,
)
from approval_model.limits import LimitBasis
from messages import Message

__all__ = [
    "DISTRIBUTION_PARAMETERS",
    "DAY_UNITS",
    "WORK_KINDS",
    "Applicability",
    "ApprovalItem",
    "ApprovalTargets",
    "DayUnit",
    "Department",
    "HandlingDistribution",
    "Prerequisite",
    "Process",
    "ProjectProfile",
    "Provenance",
    "SimulationSettings",
    "Stage",
    "Supplement",
    "TimeTarget",
    "WorkKind",
]

Identifier = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-.]+$", description="letters, digits, _ - ."),
]


ProfileName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^\S(.*\S)?$",
        description="a profile's name (Chinese allowed), without leading or trailing spaces",
    ),
]


def _plain(value: Any) -> Any:
    """Models (and sequences of models) as plain data, so validation runs on them again."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list | tuple):
        return [_plain(entry) for entry in value]
    if isinstance(value, dict):
        return {key: _plain(entry) for key, entry in value.items()}
    return value


class Strict(BaseModel):
    """Base for every scenario-file model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(Strict):
    """Where a number comes from: ``documented`` (with source ids) or ``assumed`` (a default chosen here)."""

    status: Literal["documented", "assumed"]
    sources: tuple[str, ...] = ()
    note: str | None = None

    @model_validator(mode="after")
    def _documented_needs_source(self) -> Provenance:
        if self.status == "documented" and not self.sources:
            raise ValueError(Message("a 'documented' number needs at least one source id in 'sources'"))
        return self


class Department(Strict):
    """An approving department (审批部门)."""

    id: Identifier
    name: str = Field(min_length=1, description="Chinese name, e.g. 市发展改革委")
    name_en: str | None = None
    role: str | None = None
    capacity: FileCapacity | None = Field(
        default=None, description="files handled at once; None = never queues (pure delay)"
    )
    provenance: Provenance | None = None


class Stage(Strict):
    """A handling stage (阶段); the list order in the process is the stage order."""

    id: Identifier
    name: str = Field(min_length=1)
    name_en: str | None = None
    lead_department: Identifier | None = Field(
        default=None,
        description="the department that leads the stage (一家牵头, 国办发〔2019〕11号): one window, one form",
    )


class Prerequisite(Strict):
    """An item that must be finished before another can start (前置要件), with the source of that ordering."""

    item: Identifier
    status: Literal["documented", "assumed"] = "assumed"
    sources: tuple[str, ...] = ()
    note: str | None = None
    one_of: str | None = Field(
        default=None,
        description="a group of alternative prerequisites (e.g. the project's approval, 核准 or 备案 document): "
        "when one member applies to a project, the members that don't apply are simply dropped",
    )


InvestmentType = Literal["government", "enterprise_approval", "enterprise_filing"]


class Applicability(Strict):
    """Which projects an item applies to. All given clauses must hold; an empty one applies to every project."""

    investment_types: tuple[InvestmentType, ...] | None = None
    min_investment_million_yuan: MillionYuan | None = None
    max_investment_million_yuan: MillionYuan | None = None
    any_site_conditions: tuple[str, ...] | None = Field(
        default=None, description="applies when the project has at least one of these site/feature conditions"
    )
    excluded_site_conditions: tuple[str, ...] | None = Field(
        default=None,
        description="does not apply when the project has any of these (e.g. development_zone once a regional "
        "assessment, 区域评估, covers the zone)",
    )


# the parameters each distribution needs, in the order a one-line form gives them (e.g. uniform(3, 8))
DISTRIBUTION_PARAMETERS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("mean", "sd"),
    "exponential": ("mean",),
    "empirical": ("values",),
}


class HandlingDistribution(Strict):
    """Handling time of an item in the item's ``day_unit`` (working days unless it says calendar days)."""

    distribution: Literal["fixed", "uniform", "triangular", "lognormal", "exponential", "empirical"]
    value: WorkingDays | None = None
    low: WorkingDays | None = None
    mode: WorkingDays | None = None
    high: WorkingDays | None = None
    mean: LimitDays | None = None
    sd: WorkingDays | None = None
    values: tuple[WorkingDays, ...] | None = None

    @model_validator(mode="after")
    def _parameters_fit(self) -> HandlingDistribution:
        needed = DISTRIBUTION_PARAMETERS[self.distribution]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(
                Message(
                    "distribution '{distribution}' needs {needed}; missing {missing}",
                    distribution=self.distribution,
                    needed=", ".join(needed),
                    missing=", ".join(missing),
                )
            )
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(
                Message("low ({low}) must not exceed high ({high})", low=self.low, high=self.high)
            )
        low, mode, high = self.low, self.mode, self.high
        if (
            self.distribution == "triangular"
            and low is not None
            and mode is not None
            and high is not None
            and not low <= mode <= high
        ):
            raise ValueError(
                Message(
                    "triangular needs low <= mode <= high, got {low}, {mode}, {high}",
                    low=low,
                    mode=mode,
                    high=high,
                )
            )
        if self.values is not None and (not self.values or min(self.values) < 0):
            raise ValueError(Message("'values' must be a non-empty list of non-negative working-day figures"))
        return self


class Supplement(Strict):
    """Supplementary-material requests (补正): the statutory clock stops while the applicant works."""

    probability: Share
    applicant_days: WorkingDays | HandlingDistribution = Field(
        default=5.0, description="applicant's response time in working days (a number or a distribution)"
    )


WorkKind = Literal["approval", "intermediary", "utility", "notice", "applicant"]
WORK_KINDS: tuple[WorkKind, ...] = ("approval", "intermediary", "utility", "notice", "applicant")
DayUnit = Literal["working", "calendar"]
DAY_UNITS: tuple[DayUnit, ...] = ("working", "calendar")


class ApprovalItem(Strict):
    """One step of the process: an approval item (审批事项) or, by ``kind``, other work on the project's path.

    ``kind`` says whose clock the step runs on: ``approval`` (行政审批, the government's statutory clock, the
    default), ``intermediary`` (中介服务 and technical review by a qualified firm), ``utility`` (市政公用 hookups),
    ``notice`` (statutory public notice and bidding periods) or ``applicant`` (the applicant's own work). Only
    approval time counts on the approval clock; every kind counts on the elapsed clock (docs/kinds-and-clocks.md).

    ``day_unit`` is the unit of the step's durations (limits, ``handling_days``), as the source states:
    ``working`` days (工作日) or ``calendar`` days (自然日/日历日). Nothing is converted when loading: a calendar-day
    step is laid on the working-day calendar when it is scheduled, from the date it starts.
    """

    id: Identifier
    name: str = Field(min_length=1, description="Chinese name as in the source")
    name_en: str | None = None
    kind: WorkKind = Field(default="approval", description="whose clock the step runs on (see the class doc)")
    day_unit: DayUnit = Field(
        default="working", description="unit of the durations: working (工作日) or calendar (自然日) days"
    )
    department: Identifier
    stage: Identifier
    statutory_limit_days: LimitDays = Field(
        description="approval: statutory time limit (法定时限); other kinds: the limit or period the source sets "
        "(a utility's service time limit, a notice's statutory minimum period, an intermediary's service time); "
        "in day_unit days",
    )
    promised_limit_days: WorkingDays | None = Field(
        default=None, description="publicly promised limit (承诺时限), if any; 0 = on the spot"
    )
    materials: MaterialCount | tuple[str, ...] = Field(
        default=0, description="application materials: a count or the list of named documents"
    )
    prerequisites: tuple[Prerequisite, ...] = ()
    legal_basis: str | None = Field(
        default=None, description="law or regulation the item rests on; None = none found"
    )
    online: bool = False
    applies_when: Applicability = Applicability()
    condition: str | None = Field(default=None, description="the condition as written (Chinese), for display")
    gates_construction: bool = Field(
        default=True, description="False once the item became after-the-fact inspection (承诺制)"
    )
    handling_days: HandlingDistribution | None = None
    handling_scale: HandlingFactor = Field(
        default=1.0,
        description="multiplies the sampled handling time (the default or handling_days); sensitivity sweeps vary it",
    )
    supplement: Supplement | None = None
    excluded_days: WorkingDays | HandlingDistribution | None = Field(
        default=None, description="expert review / intermediary time that does not count against the limit"
    )
    provenance: dict[str, Provenance] = Field(
        default_factory=dict, description="per field name (statutory_limit_days, materials, ...)"
    )
    note: str | None = None

    @field_validator("prerequisites", mode="before")
    @classmethod
    def _plain_ids(cls, value: Any) -> Any:
        """Accept plain item ids as shorthand for {item: id} (an ordering without a stated source)."""
        if isinstance(value, list | tuple):
            return [{"item": entry} if isinstance(entry, str) else entry for entry in value]
        return value

    @model_validator(mode="after")
    def _unit_fits_kind(self) -> ApprovalItem:
        if self.day_unit == "calendar":
            if self.kind == "approval":
                raise ValueError(
                    Message(
                        "an approval item's limits count working days (行政许可法 Art.82): give them in working days "
                        "(day_unit: working) and say in the provenance note how the source's '日' was read, or set "
                        "'kind' to the kind of work this is"
                    )
                )
            if self.supplement is not None or self.excluded_days is not None:
                raise ValueError(
                    Message(
                        "'supplement' and 'excluded_days' stop a working-day clock; a calendar-day step has none: "
                        "model the stopped time as a step of its own (e.g. kind: applicant)"
                    )
                )
        if (
            self.kind == "notice"
            and self.promised_limit_days is not None
            and self.promised_limit_days < self.statutory_limit_days
        ):
            raise ValueError(
                Message(
                    "a notice period is a statutory minimum ({statutory:g} days): a promise cannot shorten it "
                    "(promised_limit_days {promised:g}); remove promised_limit_days",
                    statutory=self.statutory_limit_days,
                    promised=self.promised_limit_days,
                )
            )
        return self

    @property
    def material_count(self) -> int:
        return self.materials if isinstance(self.materials, int) else len(self.materials)

    @property
    def prerequisite_ids(self) -> tuple[str, ...]:
        return tuple(p.item for p in self.prerequisites)


class ProjectProfile(Strict):
    """A project's features that select which conditional items apply (government / 核准 / 备案, size, site)."""

    name: str | None = None
    investment_type: InvestmentType
    investment_million_yuan: MillionYuan = Field(default=50.0, description="total investment, million yuan")
    site_conditions: tuple[str, ...] = Field(default=(), description="e.g. forest_land, near_cultural_relics")
    description: str | None = None

    def selects(self, rule: Applicability) -> bool:
        """Whether an item with this applicability applies to this project."""
        if rule.investment_types is not None and self.investment_type not in rule.investment_types:
            return False
        if (
            rule.min_investment_million_yuan is not None
            and self.investment_million_yuan < rule.min_investment_million_yuan
        ):
            return False
        if (
            rule.max_investment_million_yuan is not None
            and self.investment_million_yuan >= rule.max_investment_million_yuan
        ):
            return False
        if rule.excluded_site_conditions is not None and set(rule.excluded_site_conditions) & set(
            self.site_conditions
        ):
            return False
        return rule.any_site_conditions is None or bool(
            set(rule.any_site_conditions) & set(self.site_conditions)
        )


class SimulationSettings(Strict):
    """Settings the simulation engines read (see docs/scenario-format.md)."""

    arrivals: dict[str, ProjectsPerDay] | None = Field(
        default=None, description="e.g. {per_working_day: 0.5}"
    )
    start_date: date | None = Field(
        default=None, description="day 0 of the simulation (dates only at the edges)"
    )
    serial_handover_days: WorkingDays | None = Field(
        default=None,
        description="serial mode: handover between two consecutive windows; absent = 0, an assumption the "
        "robustness analysis varies (a stated value, 0 included, is not varied)",
    )
    stage_coordination_days: WorkingDays | None = Field(
        default=None,
        description="parallel mode: coordination at the start and at each change of stage; absent = 0, an "
        "assumption the robustness analysis varies (a stated value, 0 included, is not varied)",
    )
    batch_release: bool = Field(
        default=False,
        description="release every project at day 0 on purpose although departments have capacities (without it, "
        "capacities need simulation.arrivals)",
    )
    promise_keeping: Share | None = Field(
        default=None,
        description="share of departments that work to their promised limits (the others to their statutory "
        "ones); absent: all of them on the promised basis, none on the statutory basis, an assumption the "
        "robustness analysis varies",
    )
    limit_basis: LimitBasis = Field(
        default=LimitBasis.statutory,
        description="the limit departments work to: it scales the default handling time and is what 'overdue' "
        "is measured against; 'promised' uses an item's promised limit (承诺时限) where it has one",
    )
    parallel_share: Share | None = Field(
        default=None,
        description="share of files handled in parallel before the reform (pre-reform practice that was partly "
        "parallel): enables the 'partial-to-parallel' framing of a comparison",
    )

    @property
    def handover_days(self) -> float:
        """``serial_handover_days``, 0 when not stated."""
        return self.serial_handover_days or 0.0

    @property
    def coordination_days(self) -> float:
        """``stage_coordination_days``, 0 when not stated."""
        return self.stage_coordination_days or 0.0

    @field_validator("arrivals")
    @classmethod
    def _known_arrivals(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return value
        unknown = sorted(set(value) - {"per_working_day"})
        if unknown:
            raise ValueError(
                Message(
                    "unknown arrivals key(s) {keys}; write {{per_working_day: 0.5}}", keys=", ".join(unknown)
                )
            )
        if "per_working_day" not in value or value["per_working_day"] <= 0:
            raise ValueError(Message("arrivals need per_working_day > 0, e.g. {{per_working_day: 0.5}}"))
        return value


class TimeTarget(Provenance):
    """A ceiling a reform sets on a time measure (e.g. ≤ 120 working days), with where the figure comes from
    (``status``, ``sources``, ``note`` as for any number: a documented ceiling names its sources)."""

    max_days: LimitDays = Field(description="the ceiling, in the measure's unit")


class ApprovalTargets(Strict):
    """Time targets of a reform, checked by ``catalog metrics`` and ``compare`` (docs/kinds-and-clocks.md).

    ``approval_days``: the whole process on the approval clock (working days, 国办发〔2019〕11号's measure);
    ``stage_approval_days``: the split per stage a city declares (stage id -> ceiling, working days);
    ``elapsed_days``: the whole process on the elapsed clock (calendar days).
    """

    approval_days: TimeTarget | None = None
    stage_approval_days: dict[str, TimeTarget] = Field(default_factory=dict)
    elapsed_days: TimeTarget | None = None


class _Index:
    """Lookups of one process's entries by id; keeps the tuples it was built from, so a copy with other
    entries (``model_copy``) is noticed and indexed anew."""

    __slots__ = ("department", "departments", "item", "items")

    def __init__(self, items: tuple[ApprovalItem, ...], departments: tuple[Department, ...]) -> None:
        self.items, self.departments = items, departments
        self.item = {entry.id: entry for entry in reversed(items)}  # the first of a repeated id wins
        self.department = {entry.id: entry for entry in reversed(departments)}


class Process(Strict):
    """The whole approval process of a project, from initiation (立项) to completion acceptance (竣工验收).

    Construct through :func:`approval_model.scenario.load_process` or :meth:`from_data`; a Process built
    that way has passed every cross-reference check (departments, stages, prerequisites, no cycle).
    """

    name: str = Field(min_length=1)
    title: str | None = None
    description: str | None = None
    departments: tuple[Department, ...]
    stages: tuple[Stage, ...]
    items: tuple[ApprovalItem, ...]
    sources: dict[str, str] = Field(default_factory=dict, description="source id -> title")
    simulation: SimulationSettings = SimulationSettings()
    profile: ProjectProfile | None = Field(default=None, description="the project analysed by default")
    baseline: str | None = Field(
        default=None, description="built-in name or path of the process to compare against"
    )
    lineage: tuple[str, ...] = Field(
        default=(), description="names of the processes and rules this one derives from"
    )
    targets: ApprovalTargets | None = Field(
        default=None, description="time targets (approval clock, per stage, elapsed clock)"
    )
    profiles: dict[ProfileName, ProjectProfile] = Field(
        default_factory=dict,
        description="named project profiles of this scenario (besides the built-in ones), usable by 'profile' "
        "and --profile; a name here shadows a built-in profile of the same name",
    )

    mix: dict[ProfileName, MixWeight] | None = Field(
        default=None,
        description="the city's project mix, profile name -> weight (e.g. 70 enterprise filings, 20 approvals, 10 "
        "government): simulate and compare draw each project's profile from it (--profile still selects one); "
        "the names are checked when a scenario file is read (approval_model.consistency.mix_problems)",
    )

    @field_validator("profiles", mode="before")
    @classmethod
    def _profile_names(cls, value: Any) -> Any:
        """A profile's name is its key (written once, in the key)."""
        if isinstance(value, dict):
            return {
                key: {**body, "name": key} if isinstance(body, dict) and "name" not in body else body
                for key, body in value.items()
            }
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Process:
        from approval_model.consistency import cross_reference_problems, target_problems

        problems = cross_reference_problems(
            [{"id": d.id} for d in self.departments],
            [{"id": s.id, "lead_department": s.lead_department} for s in self.stages],
            [
                {
                    "id": i.id,
                    "department": i.department,
                    "stage": i.stage,
                    "prerequisites": i.prerequisite_ids,
                }
                for i in self.items
            ],
        )
        if self.targets is not None:
            problems += target_problems(self.targets.model_dump(), [s.id for s in self.stages])
        if problems:
            raise ValueError("; ".join(p.render(self.name) for p in problems))
        return self

    @cached_property
    def by_id(self) -> _Index:
        """Items and departments by id (built once per process; not part of its value)."""
        return _Index(self.items, self.departments)

    def _index(self) -> _Index:
        index = self.by_id
        if index.items is not self.items or index.departments is not self.departments:  # a model_copy
            index = _Index(self.items, self.departments)
            self.__dict__["by_id"] = index
        return index

    def item(self, item_id: str) -> ApprovalItem:
        """The item with this id (KeyError if none), in constant time."""
        return self._index().item[item_id]

    def department(self, department_id: str) -> Department:
        """The department with this id (KeyError if none), in constant time."""
        return self._index().department[department_id]

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    def replace(self, **changes: Any) -> Process:
        """A copy with some fields changed, validated all the way down (models are frozen; rules build new
        processes this way). Dumping first matters: pydantic does not re-validate model instances it is given,
        so an item changed with ``model_copy`` would otherwise slip through unchecked."""
        return Process.model_validate(
            {**self.model_dump(), **{key: _plain(value) for key, value in changes.items()}}
        )
