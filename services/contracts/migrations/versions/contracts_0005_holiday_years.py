"""holiday_years: the official holiday schedules an administrator loaded (a year's provisional report deadlines
are counted again when it is loaded)

Revision ID: contracts_0005
Revises: contracts_0004
Create Date: 2026-12-07 15:10:00
"""

from alembic import op
import sqlalchemy as sa

import shared.types


revision = "contracts_0005"
down_revision = "contracts_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holiday_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("workdays", sa.JSON(), nullable=False),
        sa.Column("loaded_by", sa.JSON(), nullable=False),
        sa.Column("loaded_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )


def downgrade() -> None:
    op.drop_table("holiday_years")
