"""the project's sector as filed: the standard-land floors a draft's commitments start from are per sector

Revision ID: contracts_0007
Revises: contracts_0006
Create Date: 2026-12-06 21:20:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "contracts_0007"
down_revision = "contracts_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sector", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("sector")
