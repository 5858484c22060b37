"""the copy of the special-report register, filled with the reports filed before it existed

Revision ID: coordinator_0008
Revises: coordinator_0007
Create Date: 2026-12-06 17:42:08.027568
"""

from alembic import context, op
import sqlalchemy as sa
import shared.types


revision = "coordinator_0008"
down_revision = "coordinator_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "special_reports",
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("cause", sa.String(length=24), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("filed_by", sa.JSON(), nullable=False),
        sa.Column("filed_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ref"),
    )
    with op.batch_alter_table("special_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_special_reports_project_id"), ["project_id"], unique=False)

    _copy_the_register(table)


def _copy_the_register(table) -> None:
    """An existing deployment: the reports already filed, from the register (supervision's database, or
    notifications' where it was kept before supervision existed), so a project can still be terminated on one."""
    from shared.migrations import other_database

    for service in ("supervision", "notifications"):
        source = other_database(context.config.attributes.get("database_url"), service)
        if source is None:
            continue
        try:
            if not sa.inspect(source).has_table("special_reports"):
                continue
            with source.connect() as connection:  # the columns kept here, with their types, from the register there
                rows = [dict(r) for r in connection.execute(sa.select(*table.c).order_by(table.c.ref)).mappings()]
        finally:
            source.dispose()
        if rows:
            op.bulk_insert(table, rows)
        return


def downgrade() -> None:
    with op.batch_alter_table("special_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_special_reports_project_id"))

    op.drop_table("special_reports")
