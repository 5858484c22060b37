"""the day each round's review period started (so a provisional deadline can be counted again), and the holiday
schedules an administrator loaded (holiday_years)

Data: a round's start is the day (Asia/Shanghai) it was convened, or for a later round the day it was resubmitted.

Revision ID: review_0003
Revises: review_0002
Create Date: 2026-12-07 15:00:00
"""

from datetime import timezone

from alembic import op
import sqlalchemy as sa

import shared.types
from shared.clock import to_shanghai


revision = "review_0003"
down_revision = "review_0002"
branch_labels = None
depends_on = None


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


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
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_start", sa.Date(), nullable=True))

    bind = op.get_bind()
    reviews = sa.table(
        "reviews",
        sa.column("project_id", sa.String()),
        sa.column("round", sa.Integer()),
        sa.column("convened_at", shared.types.UtcDateTime()),
        sa.column("period_start", sa.Date()),
    )
    returns = sa.table(
        "returns",
        sa.column("project_id", sa.String()),
        sa.column("round", sa.Integer()),
        sa.column("resubmitted_at", shared.types.UtcDateTime()),
    )
    for review in bind.execute(sa.select(reviews)).mappings().all():
        started = review["convened_at"]
        if review["round"] > 1:
            started = (
                bind.execute(
                    sa.select(sa.func.max(returns.c.resubmitted_at)).where(
                        returns.c.project_id == review["project_id"], returns.c.round == review["round"] - 1
                    )
                ).scalar()
                or started
            )
        bind.execute(
            reviews.update()
            .where(reviews.c.project_id == review["project_id"])
            .values(period_start=to_shanghai(_aware(started)).date())
        )

    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.alter_column("period_start", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("period_start")
    op.drop_table("holiday_years")
