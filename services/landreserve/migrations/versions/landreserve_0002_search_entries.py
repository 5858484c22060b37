"""search entries of the parcels, with the database's own text index beside them

``search_entries`` holds one entry a parcel (its name, code, status, location and the project it is meant for), the
index is the database's (SQLite: FTS5 trigram and bigram tables kept by triggers; PostgreSQL: pg_trgm's GIN index —
shared/search.py).  The parcels already kept get their entries here.

Revision ID: landreserve_0002
Revises: landreserve_0001
Create Date: 2026-12-06 21:00:00
"""

from alembic import op
import sqlalchemy as sa
from shared import search


revision = "landreserve_0002"
down_revision = "landreserve_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    search.entries_table(sa.MetaData(), "search_entries").create(bind)  # the table and its indexes, as shared/search.py
    search.create_index(bind, "search_entries")
    parcels = sa.table(
        "parcels",
        sa.column("code"),
        sa.column("name"),
        sa.column("status"),
        sa.column("location"),
        sa.column("project", sa.JSON),
        sa.column("supplied_by", sa.JSON),
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
    for row in bind.execute(sa.select(parcels)).mappings():
        project = row["supplied_by"] or row["project"] or {}
        bind.execute(
            entries.insert().values(
                **search.entry_values(
                    key=row["code"],
                    kind="parcel",
                    name=row["name"],
                    ref=row["code"],
                    investor=project.get("name"),
                    state=row["status"],
                    unit=row["location"],
                    owner_unit="LAND",
                )
            )
        )


def downgrade() -> None:
    search.drop_index(op.get_bind(), "search_entries")
    op.drop_table("search_entries")
