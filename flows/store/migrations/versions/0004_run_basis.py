"""What produced a run's figures: the limit basis (statutory / promised), the headline framing, and the verdict
of the robustness analysis over the modelling assumptions (holds / fails / depends). Older runs keep NULL: not
recorded.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.add_column(sa.Column("limit_basis", sa.String(20), nullable=True))
        batch.add_column(sa.Column("framing", sa.String(40), nullable=True))
        batch.add_column(sa.Column("robustness_verdict", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_column("robustness_verdict")
        batch.drop_column("framing")
        batch.drop_column("limit_basis")
