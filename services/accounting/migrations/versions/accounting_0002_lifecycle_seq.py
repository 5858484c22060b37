"""lifecycle_seq: the coordinator's transition number of the project's lifecycle state copy

Revision ID: accounting_0002
Revises: accounting_0001
Create Date: 2026-11-27 07:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = "accounting_0002"
down_revision = "accounting_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("lifecycle_seq", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("lifecycle_seq")
