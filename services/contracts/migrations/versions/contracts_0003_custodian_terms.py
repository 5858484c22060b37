"""custodian_terms: every custodian a unit has had, with the end of each replaced one's term (who ended it, when,
why); designating another custodian is an explicit replacement, never an overwrite

Revision ID: contracts_0003
Revises: contracts_0002
Create Date: 2026-12-07 11:00:00
"""

from alembic import op
import sqlalchemy as sa

import shared.types


revision = "contracts_0003"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "custodian_terms",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("cabinet", sa.String(length=100), nullable=False),
        sa.Column("designated_by", sa.JSON(), nullable=False),
        sa.Column("designated_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.JSON(), nullable=False),
        sa.Column("ended_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("end_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("custodian_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custodian_terms_unit"), ["unit"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("custodian_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custodian_terms_unit"))
    op.drop_table("custodian_terms")
