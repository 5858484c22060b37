"""standard land (R17): the filed projects' credit code and sector, the signed commitments, their checks, the
figures entered, rectifications, damages and their payments and reductions

Revision ID: supervision_0003
Revises: supervision_0002
Create Date: 2026-12-06 21:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
import shared.types


revision = "supervision_0003"
down_revision = "supervision_0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sl_projects",
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("sector", sa.String(length=8), nullable=True),
        sa.Column("investor_name", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.create_table(
        "commitments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("floor", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=2), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("clause", sa.String(length=40), nullable=False),
        sa.Column("base_amount", sa.String(length=40), nullable=True),
        sa.Column("land_mu", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("exceeds_policy", sa.Integer(), nullable=False),
        sa.Column("signed_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "indicator"),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_project_id"), ["project_id"], unique=False)
    op.create_table(
        "sl_checks",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("data_year", sa.Integer(), nullable=True),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("results", sa.JSON(), nullable=True),
        sa.Column("checked_at", shared.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "stage", "due"),
    )
    with op.batch_alter_table("sl_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sl_checks_project_id"), ["project_id"], unique=False)
    op.create_table(
        "sl_figures",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("figure", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.JSON(), nullable=False),
        sa.Column("entered_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sl_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sl_figures_project_id"), ["project_id"], unique=False)
    op.create_table(
        "rectifications",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("shortfall", sa.JSON(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by_check", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rectifications", schema=None) as batch_op:
        batch_op.create_index("ix_rectifications_open", ["project_id", "indicator", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectifications_project_id"), ["project_id"], unique=False)
    op.create_table(
        "damages",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=False),
        sa.Column("clause", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("formula", sa.JSON(), nullable=False),
        sa.Column("paid", sa.String(length=40), nullable=False),
        sa.Column("reduced", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rectification_id"),
    )
    with op.batch_alter_table("damages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_damages_project_id"), ["project_id"], unique=False)
    op.create_table(
        "damages_entries",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("damages_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("voucher", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("by", sa.JSON(), nullable=False),
        sa.Column("at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("damages_id", "voucher"),
    )
    with op.batch_alter_table("damages_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_damages_entries_damages_id"), ["damages_id"], unique=False)


def downgrade() -> None:
    for table in (
        "damages_entries",
        "damages",
        "rectifications",
        "sl_figures",
        "sl_checks",
        "commitments",
        "sl_projects",
    ):
        op.drop_table(table)
