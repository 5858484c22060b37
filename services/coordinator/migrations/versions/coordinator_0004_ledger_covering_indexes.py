"""ledger pages read from covering indexes

A page of the ledger (filtered, sorted, 50 rows) and the count of its matching rows are read from an
index alone: one index per filter or sort column, led by it (then ref; the book's by the sector, the
responsible unit's by the book), carrying every other filter and sort column and the id
(services/coordinator/models.py, _ledger_indexes).  They replace the single-column indexes on book, ref,
responsible unit and state.

Revision ID: coordinator_0004
Revises: coordinator_0003
Create Date: 2026-11-27 09:41:59.087712
"""

from alembic import op


revision = "coordinator_0004"
down_revision = "coordinator_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_book"))
        batch_op.drop_index(batch_op.f("ix_ledger_ref"))
        batch_op.drop_index(batch_op.f("ix_ledger_responsible_unit"))
        batch_op.drop_index(batch_op.f("ix_ledger_state"))
        batch_op.create_index(
            "ix_ledger_by_book",
            [
                "book",
                "sector",
                "ref",
                "responsible_unit",
                "state",
                "tier",
                "is_key",
                "next_due",
                "name",
                "state_since",
                "investment_fen",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_investment_fen",
            [
                "investment_fen",
                "ref",
                "book",
                "responsible_unit",
                "state",
                "sector",
                "tier",
                "is_key",
                "next_due",
                "name",
                "state_since",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_is_key",
            [
                "is_key",
                "ref",
                "book",
                "responsible_unit",
                "state",
                "sector",
                "tier",
                "next_due",
                "name",
                "state_since",
                "investment_fen",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_last_progress_at",
            [
                "last_progress_at",
                "ref",
                "book",
                "responsible_unit",
                "state",
                "sector",
                "tier",
                "is_key",
                "next_due",
                "name",
                "state_since",
                "investment_fen",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_name",
            [
                "name",
                "ref",
                "book",
                "responsible_unit",
                "state",
                "sector",
                "tier",
                "is_key",
                "next_due",
                "state_since",
                "investment_fen",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_next_due",
            [
                "next_due",
                "ref",
                "book",
                "responsible_unit",
                "state",
                "sector",
                "tier",
                "is_key",
                "name",
                "state_since",
                "investment_fen",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_ref",
            [
                "ref",
                "book",
                "responsible_unit",
                "state",
                "sector",
                "tier",
                "is_key",
                "next_due",
                "name",
                "state_since",
                "investment_fen",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_responsible_unit",
            [
                "responsible_unit",
                "book",
                "ref",
                "state",
                "sector",
                "tier",
                "is_key",
                "next_due",
                "name",
                "state_since",
                "investment_fen",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_sector",
            [
                "sector",
                "ref",
                "book",
                "responsible_unit",
                "state",
                "tier",
                "is_key",
                "next_due",
                "name",
                "state_since",
                "investment_fen",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_state",
            [
                "state",
                "ref",
                "book",
                "responsible_unit",
                "sector",
                "tier",
                "is_key",
                "next_due",
                "name",
                "state_since",
                "investment_fen",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_state_since",
            [
                "state_since",
                "ref",
                "book",
                "responsible_unit",
                "state",
                "sector",
                "tier",
                "is_key",
                "next_due",
                "name",
                "investment_fen",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_by_tier",
            [
                "tier",
                "ref",
                "book",
                "responsible_unit",
                "state",
                "sector",
                "is_key",
                "next_due",
                "name",
                "state_since",
                "investment_fen",
                "last_progress_at",
                "project_id",
            ],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_by_tier")
        batch_op.drop_index("ix_ledger_by_state_since")
        batch_op.drop_index("ix_ledger_by_state")
        batch_op.drop_index("ix_ledger_by_sector")
        batch_op.drop_index("ix_ledger_by_responsible_unit")
        batch_op.drop_index("ix_ledger_by_ref")
        batch_op.drop_index("ix_ledger_by_next_due")
        batch_op.drop_index("ix_ledger_by_name")
        batch_op.drop_index("ix_ledger_by_last_progress_at")
        batch_op.drop_index("ix_ledger_by_is_key")
        batch_op.drop_index("ix_ledger_by_investment_fen")
        batch_op.drop_index("ix_ledger_by_book")
        batch_op.create_index(batch_op.f("ix_ledger_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_responsible_unit"), ["responsible_unit"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_ref"), ["ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_book"), ["book"], unique=False)
