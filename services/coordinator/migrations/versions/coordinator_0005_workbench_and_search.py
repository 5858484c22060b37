"""the workbench: to-dos by unit and due date, each person's acts, search entries with their index, attachments

``awaiting`` holds what each project awaits from whom (services/coordinator/workbench.py; ``awaiting_counts`` how
many of each kind await a unit), ``acts`` what each
person did, ``search_entries`` the leads, projects and investors with the database's own text index beside it
(SQLite: FTS5 trigram and bigram tables kept by triggers; PostgreSQL: pg_trgm's GIN index — shared/search.py),
``attachments`` the documents of each project's file (their content in the document store).
A database that already holds projects fills them by rebuilding the ledger from its journal
(``POST /api/ledger/rebuild``), which folds every event again.

Revision ID: coordinator_0005
Revises: coordinator_0004
Create Date: 2026-12-06 17:28:01.858336
"""

from alembic import op
import sqlalchemy as sa
import shared.types
from shared import search


revision = "coordinator_0005"
down_revision = "coordinator_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "acts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("acts", schema=None) as batch_op:
        batch_op.create_index("ix_acts_by_user", ["user_id", "at"], unique=False)

    op.create_table(
        "awaiting",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("position", sa.String(length=80), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("operation", sa.String(length=80), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("awaiting", schema=None) as batch_op:
        batch_op.create_index(
            "ix_awaiting_by_unit", ["unit", "position", "due", "kind", "operation", "project_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_awaiting_project_id"), ["project_id"], unique=False)

    op.create_table(
        "awaiting_counts",
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("position", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("operation", sa.String(length=80), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit", "position", "kind", "operation"),
    )
    op.create_table(
        "search_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("investor", sa.String(length=200), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.Column("owner_unit", sa.String(length=40), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("grams", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index("ix_search_entries_by_state", ["state"], unique=False)
        batch_op.create_index("ix_search_entries_by_unit", ["unit"], unique=False)

    search.create_index(op.get_bind(), "search_entries")

    op.create_table(
        "attachments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("by", sa.JSON(), nullable=False),
        sa.Column("at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("replaces", sa.BigInteger(), nullable=True),
        sa.Column("replaced_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index("ix_attachments_by_project", ["project_id", "kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_by_project")

    op.drop_table("attachments")
    op.drop_table("awaiting_counts")
    search.drop_index(op.get_bind(), "search_entries")
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entries_by_unit")
        batch_op.drop_index("ix_search_entries_by_state")

    op.drop_table("search_entries")
    with op.batch_alter_table("awaiting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_awaiting_project_id"))
        batch_op.drop_index("ix_awaiting_by_unit")

    op.drop_table("awaiting")
    with op.batch_alter_table("acts", schema=None) as batch_op:
        batch_op.drop_index("ix_acts_by_user")

    op.drop_table("acts")
