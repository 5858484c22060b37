"""standard-land damages reduced only by the principals together: the round awaiting their decisions and every
decision taken (position, agree or refuse, reason, amount, outcome, who, when)

Revision ID: supervision_0004
Revises: supervision_0003
Create Date: 2026-12-07 00:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "supervision_0004"
down_revision = "supervision_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("damages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reduction_round", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("reduction_decisions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("damages", schema=None) as batch_op:
        batch_op.drop_column("reduction_decisions")
        batch_op.drop_column("reduction_round")
