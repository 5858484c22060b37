"""initial schema: tracking, deadlines and the special-report register; an existing deployment's rows copied
from the notifications database, which kept them before

Revision ID: supervision_0001
Revises:
Create Date: 2026-12-06 17:39:25.874579
"""

from alembic import context, op
import sqlalchemy as sa
import shared.types


revision = "supervision_0001"
down_revision = None
branch_labels = None
depends_on = None


MOVED = ("projects", "progress", "problems", "deadlines", "special_reports", "holiday_years")  # in this order (keys)
SEQUENCED = ("progress", "problems", "deadlines", "special_reports")
MOVED_KINDS = (
    "stale_project",
    "problem_escalation",
    "special_report_due",
    "review_period",
    "reminder",
    "holiday_schedule_missing",
)


def upgrade() -> None:
    tables = {}
    tables["deadlines"] = op.create_table(
        "deadlines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
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
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_published_at"), ["published_at"], unique=False)

    op.create_table(
        "processed_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("handler", sa.String(length=120), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "handler", name="uq_processed_event_handler"),
    )
    tables["projects"] = op.create_table(
        "projects",
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("state_seq", sa.Integer(), nullable=False),
        sa.Column("state_since", shared.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("responsible_unit", sa.String(length=40), nullable=True),
        sa.Column("responsible_person", sa.JSON(), nullable=True),
        sa.Column("liaison_leader", sa.String(length=80), nullable=True),
        sa.Column("last_progress_at", shared.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("stale_since", shared.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("project_id"),
    )
    tables["special_reports"] = op.create_table(
        "special_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
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

    tables["problems"] = op.create_table(
        "problems",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
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

    tables["progress"] = op.create_table(
        "progress",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
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

    tables["holiday_years"] = op.create_table(
        "holiday_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("workdays", sa.JSON(), nullable=False),
        sa.Column("loaded_by", sa.JSON(), nullable=False),
        sa.Column("loaded_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    _copy_from_notifications(tables)


def _copy_from_notifications(tables: dict) -> None:
    """An existing deployment: the rows notifications kept before this service existed (projects' tracking
    facts, progress, problems, pending and past deadlines of the kinds supervision keeps, the special-report
    register, the holiday schedules loaded) are copied here, ids and all.  notifications' own revision notifications_0004 drops them there
    only after this revision has run (it refuses to before).  The configuration names the notifications
    database (``shared.migrations.upgrade(..., database_url=...)``); without one, or with a notifications
    database that never held them (or is being created by its service starting beside this one), there is
    nothing to copy."""
    from shared.migrations import other_database

    source = other_database(context.config.attributes.get("database_url"), "notifications")
    if source is None:
        return
    try:
        if not sa.inspect(source).has_table("special_reports"):
            return  # a new deployment (or notifications moved them out before)
        held = set(sa.inspect(source).get_table_names())
        with source.connect() as connection:
            for name in (n for n in MOVED if n in held):
                table = tables[name]
                query = sa.select(*table.c).order_by(*table.primary_key.columns)
                if name == "deadlines":
                    query = query.where(table.c.kind.in_(MOVED_KINDS))  # accounting keeps its own construction period
                rows = [dict(row) for row in connection.execute(query).mappings()]
                if rows:
                    op.bulk_insert(table, rows)
    finally:
        source.dispose()
    if op.get_bind().dialect.name == "postgresql":  # ids copied as they were: the sequences go on after them
        for name in SEQUENCED:
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"
            )


def downgrade() -> None:
    op.drop_table("holiday_years")
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_project_id"))

    op.drop_table("progress")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problems_project_id"))

    op.drop_table("problems")
    with op.batch_alter_table("special_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_special_reports_project_id"))

    op.drop_table("special_reports")
    op.drop_table("projects")
    op.drop_table("processed_events")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_published_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_project_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadlines_project_id"))
        batch_op.drop_index("ix_deadlines_due")

    op.drop_table("deadlines")
