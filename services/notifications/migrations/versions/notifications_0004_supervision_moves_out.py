"""tracking, deadlines and the special-report register move to the supervision service

Revision ID: notifications_0004
Revises: notifications_0003
Create Date: 2026-12-06 17:39:26.214364

Before the tables go, their rows must be in supervision's database: supervision's first revision copies them
from here, so this one refuses to run before it (``zhaoshang migrate`` runs them in that order).  The
downgrade gives the tables back empty: the rows stay in supervision.
"""

from alembic import context, op
import sqlalchemy as sa
import shared.types

revision = "notifications_0004"
down_revision = "notifications_0003"
branch_labels = None
depends_on = None

MOVED = ("deadlines", "progress", "problems", "special_reports", "holiday_years")
TRACKING_COLUMNS = (
    "state_since",
    "responsible_person",
    "liaison_leader",
    "last_progress_at",
    "stale_since",
    "completion",
    "version",
)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _rows_kept_by_supervision()
    for name, indexes in (
        ("deadlines", ("ix_deadlines_due", "ix_deadlines_project_id")),
        ("progress", ("ix_progress_project_id",)),
        ("problems", ("ix_problems_project_id",)),
        ("special_reports", ("ix_special_reports_project_id",)),
        ("holiday_years", ()),
    ):
        with op.batch_alter_table(name, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(name)
    with op.batch_alter_table("projects", schema=None) as batch_op:
        for column in TRACKING_COLUMNS:
            batch_op.drop_column(column)


def _rows_kept_by_supervision() -> None:
    """Nothing to keep, or supervision's database migrated (its first revision copied the rows then: these
    tables were still here).  Otherwise refused, changing nothing: ``zhaoshang migrate`` migrates supervision
    before notifications, and a service started on its own is started again once supervision has (alembic
    cannot run one service's migrations inside another's)."""
    bind = op.get_bind()
    if not any(bind.execute(sa.text(f"SELECT 1 FROM {name}")).first() for name in (*MOVED, "projects")):
        return
    from shared.migrations import other_database

    engine = other_database(context.config.attributes.get("database_url"), "supervision")
    if engine is not None:
        try:
            if sa.inspect(engine).has_table("alembic_version"):
                with engine.connect() as connection:
                    if connection.execute(sa.text("SELECT version_num FROM alembic_version")).first():
                        return
        finally:
            engine.dispose()
    raise RuntimeError(
        "the notifications database holds tracking rows that belong to the supervision service now: "
        "migrate supervision's database first, with the platform's configuration (`zhaoshang "
        "migrate` does, in order), which copies them there; nothing was changed"
    )


def downgrade() -> None:
    op.create_table(
        "holiday_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("workdays", sa.JSON(), nullable=False),
        sa.Column("loaded_by", sa.JSON(), nullable=False),
        sa.Column("loaded_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_since", shared.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("responsible_person", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("liaison_leader", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("last_progress_at", shared.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("stale_since", shared.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("completion", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "deadlines",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=True),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("due_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("fired_at", shared.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("fired_by", sa.String(length=80), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("cancelled_at", shared.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_deadlines_due", ["fired_at", "cancelled_at", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadlines_project_id"), ["project_id"], unique=False)
    op.create_table(
        "special_reports",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("cause", sa.String(length=24), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("obligation_key", sa.String(length=40), nullable=True),
        sa.Column("filed_by", sa.JSON(), nullable=False),
        sa.Column("filed_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("source_event_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
        sa.UniqueConstraint("source_event_id"),
    )
    with op.batch_alter_table("special_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_special_reports_project_id"), ["project_id"], unique=False)
    op.create_table(
        "problems",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("raised_by", sa.JSON(), nullable=False),
        sa.Column("raised_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("escalated_at", shared.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("escalated_to", sa.JSON(), nullable=True),
        sa.Column("resolved_at", shared.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.JSON(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.project_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problems_project_id"), ["project_id"], unique=False)
    op.create_table(
        "progress",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.JSON(), nullable=False),
        sa.Column("at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.project_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_project_id"), ["project_id"], unique=False)
