"""search entries of the reserve projects, with the database's own text index beside them

``search_entries`` holds one entry a reserve project (its name, reference, intended investor's name and credit code,
tier, park or town, the unit that entered it, its plan year); the index is the database's (SQLite: FTS5 trigram and
bigram tables kept by triggers; PostgreSQL: pg_trgm's GIN index — shared/search.py).  The reserve projects already
kept get their entries here.

Revision ID: intake_0005
Revises: intake_0004
Create Date: 2026-12-06 22:40:00
"""

from alembic import op
import sqlalchemy as sa
from shared import search
from shared.need_to_know import location_unit


revision = "intake_0005"
down_revision = "intake_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    search.entries_table(sa.MetaData(), "search_entries").create(bind)  # the table and its indexes, as shared/search.py
    search.create_index(bind, "search_entries")
    reserve = sa.table(
        "reserve_projects",
        *(sa.column(c) for c in ("id", "ref", "year", "name", "tier", "location_kind", "location_id", "owner_unit")),
        sa.column("intended_investor", sa.JSON),
    )
    entries = sa.table(
        "search_entries",
        *(
            sa.column(c)
            for c in (
                "key",
                "kind",
                "ref",
                "name",
                "investor",
                "code",
                "state",
                "unit",
                "owner_unit",
                "year",
                "text",
                "grams",
            )
        ),
    )
    for row in bind.execute(sa.select(reserve)).mappings():
        investor = row["intended_investor"] or {}
        bind.execute(
            entries.insert().values(
                **search.entry_values(
                    key=row["id"],
                    kind="reserve",
                    name=row["name"],
                    ref=row["ref"],
                    investor=investor.get("name"),
                    code=investor.get("credit_code"),
                    state=row["tier"],
                    unit=location_unit(row["location_kind"], row["location_id"]),
                    owner_unit=row["owner_unit"],
                    year=row["year"],
                )
            )
        )


def downgrade() -> None:
    search.drop_index(op.get_bind(), "search_entries")
    op.drop_table("search_entries")
