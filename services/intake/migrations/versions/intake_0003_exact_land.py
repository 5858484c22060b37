"""exact land: a lead's land demand is kept exactly as given, in mu (up to 10 decimal places), no longer rounded to 0.01 mu
when it is stored; every lead's land is recomputed from the value and unit it was given in

Revision ID: intake_0003
Revises: intake_0002
Create Date: 2026-12-07 14:00:00
"""

from alembic import op
import sqlalchemy as sa

import shared.types

from shared.units import exact_mu


revision = "intake_0003"
down_revision = "intake_0002"
branch_labels = None
depends_on = None

EXACT = sa.Numeric(precision=28, scale=10).with_variant(shared.types.DecimalText(length=48), "sqlite")
ROUNDED = sa.Numeric(precision=14, scale=2).with_variant(shared.types.DecimalText(length=48), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.alter_column("land_mu", existing_type=ROUNDED, type_=EXACT, existing_nullable=False)
    bind = op.get_bind()
    leads = sa.table(
        "leads",
        sa.column("id", sa.String()),
        sa.column("land_mu", EXACT),
        sa.column("land_input_value", sa.String()),
        sa.column("land_input_unit", sa.String()),
    )
    for row in bind.execute(sa.select(leads)).mappings().all():
        try:
            exact = exact_mu(row["land_input_value"], row["land_input_unit"])
        except ValueError:
            continue  # kept as it was stored
        bind.execute(leads.update().where(leads.c.id == row["id"]).values(land_mu=exact))


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.alter_column("land_mu", existing_type=EXACT, type_=ROUNDED, existing_nullable=False)
