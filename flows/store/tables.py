"""SQLModel tables. Never construct these from user data directly: validate with `records` first.

Distributions are kept as quantiles and histograms (JSON); there is never one row per simulated project.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class ScenarioRow(SQLModel, table=True):
    __tablename__ = "scenario"
    __table_args__ = (UniqueConstraint("name", "content_hash", name="uq_scenario_name_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, max_length=200)
    content_hash: str = Field(max_length=64)
    source: str = Field(max_length=500, description="built-in name or the file path it was read from")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime


class RunRow(SQLModel, table=True):
    __tablename__ = "run"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)  # simulate | compare | nightly | sensitivity
    status: str = Field(max_length=20, index=True)  # running | completed | failed | interrupted
    scenario: str = Field(max_length=400, description="display name: 'before -> after' for comparisons")
    baseline_scenario_id: int | None = Field(default=None, foreign_key="scenario.id")
    reform_scenario_id: int | None = Field(default=None, foreign_key="scenario.id")
    parent_run_id: int | None = Field(default=None, foreign_key="run.id", index=True)
    batch_key: str | None = Field(default=None, max_length=300, index=True, unique=True)
    mode: str | None = Field(default=None, max_length=20)
    engine: str | None = Field(default=None, max_length=20)
    profile: str | None = Field(default=None, max_length=100)
    limit_basis: str | None = Field(default=None, max_length=20, description="statutory | promised")
    framing: str | None = Field(
        default=None, max_length=40, description="the headline framing of a comparison"
    )
    projects: int | None = None
    seed: int | None = None
    replications: int | None = None
    target: float | None = None
    as_of: date | None = Field(default=None, index=True)
    engine_version: str = Field(max_length=40)
    host: str | None = Field(default=None, max_length=255, description="machine of the process running it")
    pid: int | None = Field(default=None, description="that process; gone while 'running' = interrupted")
    started_at: datetime
    finished_at: datetime | None = None
    error: str | None = Field(default=None, sa_column=Column(Text))
    # verdict of a comparison (null for a single simulation)
    reduction_mean: float | None = None
    reduction_ci_low: float | None = None
    reduction_ci_high: float | None = None
    verdict: str | None = Field(default=None, max_length=20)
    replications_needed: int | None = None
    robustness_verdict: str | None = Field(
        default=None, max_length=20, description="holds | fails | depends over the modelling assumptions"
    )
    payload: dict | None = Field(
        default=None, sa_column=Column(JSON), description="the full result as printed by --json"
    )


class SummaryRow(SQLModel, table=True):
    """End-to-end statistics of one side (baseline / reform / single) of a run."""

    __tablename__ = "run_summary"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    role: str = Field(max_length=20)
    scenario: str = Field(max_length=200)
    mode: str = Field(max_length=20)
    projects: int
    mean_days: float
    p50_days: float
    p90_days: float
    on_time_rate: float
    quantiles: dict | None = Field(default=None, sa_column=Column(JSON))
    histogram: dict | None = Field(default=None, sa_column=Column(JSON))


class ItemStatRow(SQLModel, table=True):
    __tablename__ = "item_stat"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    role: str = Field(max_length=20)
    item_id: str = Field(max_length=64)
    item_name: str = Field(max_length=200)
    department: str = Field(max_length=64)
    stage: str = Field(max_length=64)
    statutory_limit_days: float
    criticality: float
    mean_wait_days: float
    mean_handling_days: float
    overdue_rate: float


class DepartmentStatRow(SQLModel, table=True):
    __tablename__ = "department_stat"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    role: str = Field(max_length=20)
    department: str = Field(max_length=64)
    department_name: str = Field(max_length=200)
    utilisation: float | None = None
    mean_wait_days: float
    mean_handling_days: float
    overdue_rate: float


class ReplicationRow(SQLModel, table=True):
    __tablename__ = "replication"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    replication: int
    baseline_mean_days: float | None = None
    reform_mean_days: float
    reduction: float | None = None


class SensitivityRow(SQLModel, table=True):
    """One variation of a one-at-a-time sensitivity sweep (the data behind a tornado chart)."""

    __tablename__ = "sensitivity"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    rank: int
    variation: str = Field(max_length=300)
    parameter: str = Field(
        max_length=40
    )  # capacity | limit | handling | supplement | instant | parallel | kind
    subject: str = Field(max_length=64, description="the item or department varied")
    factor: float | None = None
    mean_days: float
    effect_mean_days: float
    effect_ci_low: float
    effect_ci_high: float
    effect_on_reduction: float | None = None
