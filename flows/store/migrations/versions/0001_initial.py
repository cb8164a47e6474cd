"""Initial schema: scenarios, runs, per-run summaries, item and department statistics, replications.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, index=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("name", "content_hash", name="uq_scenario_name_hash"),
    )
    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("scenario", sa.String(400), nullable=False),
        sa.Column("baseline_scenario_id", sa.Integer(), sa.ForeignKey("scenario.id"), nullable=True),
        sa.Column("reform_scenario_id", sa.Integer(), sa.ForeignKey("scenario.id"), nullable=True),
        sa.Column("parent_run_id", sa.Integer(), sa.ForeignKey("run.id"), nullable=True, index=True),
        sa.Column("batch_key", sa.String(300), nullable=True, index=True, unique=True),
        sa.Column("mode", sa.String(20), nullable=True),
        sa.Column("engine", sa.String(20), nullable=True),
        sa.Column("profile", sa.String(100), nullable=True),
        sa.Column("projects", sa.Integer(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("replications", sa.Integer(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True, index=True),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("reduction_mean", sa.Float(), nullable=True),
        sa.Column("reduction_ci_low", sa.Float(), nullable=True),
        sa.Column("reduction_ci_high", sa.Float(), nullable=True),
        sa.Column("verdict", sa.String(20), nullable=True),
        sa.Column("replications_needed", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
    )
    op.create_table(
        "run_summary",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id"), nullable=False, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.Column("mean_days", sa.Float(), nullable=False),
        sa.Column("p50_days", sa.Float(), nullable=False),
        sa.Column("p90_days", sa.Float(), nullable=False),
        sa.Column("on_time_rate", sa.Float(), nullable=False),
        sa.Column("quantiles", sa.JSON(), nullable=True),
        sa.Column("histogram", sa.JSON(), nullable=True),
    )
    op.create_table(
        "item_stat",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id"), nullable=False, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("item_name", sa.String(200), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("statutory_limit_days", sa.Float(), nullable=False),
        sa.Column("criticality", sa.Float(), nullable=False),
        sa.Column("mean_wait_days", sa.Float(), nullable=False),
        sa.Column("mean_handling_days", sa.Float(), nullable=False),
        sa.Column("overdue_rate", sa.Float(), nullable=False),
    )
    op.create_table(
        "department_stat",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id"), nullable=False, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("department_name", sa.String(200), nullable=False),
        sa.Column("utilisation", sa.Float(), nullable=True),
        sa.Column("mean_wait_days", sa.Float(), nullable=False),
        sa.Column("mean_handling_days", sa.Float(), nullable=False),
        sa.Column("overdue_rate", sa.Float(), nullable=False),
    )
    op.create_table(
        "replication",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id"), nullable=False, index=True),
        sa.Column("replication", sa.Integer(), nullable=False),
        sa.Column("baseline_mean_days", sa.Float(), nullable=True),
        sa.Column("reform_mean_days", sa.Float(), nullable=False),
        sa.Column("reduction", sa.Float(), nullable=True),
    )


def downgrade() -> None:
    for table in ("replication", "department_stat", "item_stat", "run_summary", "run", "scenario"):
        op.drop_table(table)
