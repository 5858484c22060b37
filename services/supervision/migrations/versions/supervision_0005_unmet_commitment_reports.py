"""the register of special reports names the standard-land rectification after which a commitment was still unmet
(one report per rectification)

Revision ID: supervision_0005
Revises: supervision_0004
Create Date: 2026-12-07 01:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "supervision_0005"
down_revision = "supervision_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("special_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rectification_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_special_reports_rectification_id", ["rectification_id"])


def downgrade() -> None:
    with op.batch_alter_table("special_reports", schema=None) as batch_op:
        batch_op.drop_constraint("uq_special_reports_rectification_id", type_="unique")
        batch_op.drop_column("rectification_id")
