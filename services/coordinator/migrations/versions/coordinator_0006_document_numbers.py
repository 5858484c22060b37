"""document numbers (文号) of the official documents the coordinator issues

One row per document: its issuing unit, year and number within them (县招商办〔2026〕3号), the subject it is about
(``work_summary:2026-11``, unique per issuer, so a document asked for again keeps its number) and the date it
was issued (shared/gongwen.py, numbers_table).

Revision ID: coordinator_0006
Revises: coordinator_0005
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = "coordinator_0006"
down_revision = "coordinator_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_numbers",
        sa.Column("issuer", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("issuer", "year", "seq"),
        sa.UniqueConstraint("issuer", "subject", name="uq_document_numbers_subject"),
    )


def downgrade() -> None:
    op.drop_table("document_numbers")
