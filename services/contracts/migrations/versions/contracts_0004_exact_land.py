"""exact land: a project's planned land is kept exactly as given, in mu (up to 10 decimal places), no longer rounded to 0.01 mu
when it is stored

Revision ID: contracts_0004
Revises: contracts_0003
Create Date: 2026-12-07 14:00:00
"""

from alembic import op
import sqlalchemy as sa

import shared.types


revision = "contracts_0004"
down_revision = "contracts_0003"
branch_labels = None
depends_on = None

EXACT = sa.Numeric(precision=28, scale=10).with_variant(shared.types.DecimalText(length=48), "sqlite")
ROUNDED = sa.Numeric(precision=14, scale=2).with_variant(shared.types.DecimalText(length=48), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.alter_column("planned_land_mu", existing_type=ROUNDED, type_=EXACT, existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.alter_column("planned_land_mu", existing_type=EXACT, type_=ROUNDED, existing_nullable=False)
