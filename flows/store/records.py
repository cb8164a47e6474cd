"""Pydantic models every write passes through (SQLModel table models do not validate on construction)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Days = Annotated[float, Field(ge=0, allow_inf_nan=False)]
RunKind = Literal["simulate", "compare", "nightly", "sensitivity"]
RunStatus = Literal["running", "completed", "failed", "interrupted"]
Role = Literal["baseline", "reform", "single"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunStart(Record):
    kind: RunKind
    scenario: str = Field(min_length=1, max_length=400)
    baseline_scenario_id: int | None = None
    reform_scenario_id: int | None = None
    parent_run_id: int | None = None
    batch_key: str | None = Field(default=None, max_length=300)
    mode: Literal["serial", "parallel"] | None = None
    engine: str | None = None
    profile: str | None = None
    limit_basis: Literal["statutory", "promised"] | None = None
    framing: str | None = Field(default=None, max_length=40)
    projects: int | None = Field(default=None, gt=0)
    seed: int | None = Field(default=None, ge=0)
    replications: int | None = Field(default=None, gt=0)
    target: Share | None = None
    as_of: date | None = None


class SideSummary(Record):
    role: Role
    scenario: str
    mode: str
    projects: int = Field(gt=0)
    mean_days: Days
    p50_days: Days
    p90_days: Days
    on_time_rate: Share
    quantiles: dict[str, FiniteFloat] | None = None
    histogram: dict[str, list[FiniteFloat]] | None = None


class ItemStat(Record):
    role: Role
    item_id: str
    item_name: str
    department: str
    stage: str
    statutory_limit_days: Days
    criticality: Share
    mean_wait_days: Days
    mean_handling_days: Days
    overdue_rate: Share


class DepartmentStat(Record):
    role: Role
    department: str
    department_name: str
    utilisation: Share | None = None
    mean_wait_days: Days
    mean_handling_days: Days
    overdue_rate: Share


class ReplicationFigure(Record):
    replication: int = Field(ge=0)
    baseline_mean_days: Days | None = None
    reform_mean_days: Days
    reduction: FiniteFloat | None = None


class SensitivityFigure(Record):
    rank: int = Field(ge=1)
    variation: str
    parameter: Literal["capacity", "limit", "handling", "supplement", "instant", "parallel", "kind"]
    subject: str
    factor: FiniteFloat | None = None
    mean_days: Days
    effect_mean_days: FiniteFloat
    effect_ci_low: FiniteFloat
    effect_ci_high: FiniteFloat
    effect_on_reduction: FiniteFloat | None = None


class Verdict(Record):
    reduction_mean: FiniteFloat
    reduction_ci_low: FiniteFloat
    reduction_ci_high: FiniteFloat
    verdict: Literal["holds", "fails", "inconclusive"]
    replications_needed: int | None = None
    robustness_verdict: Literal["holds", "fails", "depends"] | None = None


class RunOutcome(Record):
    """Everything a finished run stores, written in one transaction with its 'completed' status."""

    summaries: tuple[SideSummary, ...]
    items: tuple[ItemStat, ...] = ()
    departments: tuple[DepartmentStat, ...] = ()
    replications: tuple[ReplicationFigure, ...] = ()
    sensitivity: tuple[SensitivityFigure, ...] = ()
    verdict: Verdict | None = None
    payload: dict[str, Any] | None = None


class RunInfo(Record):
    """One line of the run history."""

    id: int
    kind: RunKind
    status: RunStatus
    scenario: str
    as_of: date | None
    seed: int | None
    replications: int | None
    projects: int | None
    verdict: str | None
    reduction_mean: float | None
    profile: str | None = None
    limit_basis: str | None = None
    framing: str | None = None
    robustness_verdict: str | None = None
    started_at: datetime
    finished_at: datetime | None
    parent_run_id: int | None
    error: str | None
    host: str | None = None
    pid: int | None = None
