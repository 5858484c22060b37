"""document numbers (文号) of the accounting reports accounting issues

One row per report: its issuing unit, year and number within them (示招商〔2026〕3号), the subject it is about
(``accounting_report:<project id>``, unique per issuer, so a report asked for again keeps its number) and the date
it was issued (shared/gongwen.py, numbers_table).

Revision ID: accounting_0004
Revises: accounting_0003
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = "accounting_0004"
down_revision = "accounting_0003"
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
