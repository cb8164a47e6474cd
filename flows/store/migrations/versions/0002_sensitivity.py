"""Sensitivity sweeps: one row per variation.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sensitivity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id"), nullable=False, index=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("variation", sa.String(300), nullable=False),
        sa.Column("parameter", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("factor", sa.Float(), nullable=True),
        sa.Column("mean_days", sa.Float(), nullable=False),
        sa.Column("effect_mean_days", sa.Float(), nullable=False),
        sa.Column("effect_ci_low", sa.Float(), nullable=False),
        sa.Column("effect_ci_high", sa.Float(), nullable=False),
        sa.Column("effect_on_reduction", sa.Float(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("sensitivity")
