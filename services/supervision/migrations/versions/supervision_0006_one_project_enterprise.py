"""a filed project's enterprise kept once: ``project_enterprises`` (the credit code the evaluation tells a grade
by) takes the sector and the investor's name ``sl_projects`` kept for the standard-land checks, and ``sl_projects``
goes; the credit code may be empty (a lead filed without a valid one)

Rows of ``sl_projects`` are carried over: a project in both keeps ``project_enterprises``' (normalised, valid) code
and gains the sector and name; a project only in ``sl_projects`` (its code not valid, or none) is added with its
code as it was filed.

Revision ID: supervision_0006
Revises: supervision_0005
Create Date: 2026-12-07 01:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "supervision_0006"
down_revision = "supervision_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("project_enterprises", schema=None) as batch_op:
        batch_op.alter_column("credit_code", existing_type=sa.String(length=18), nullable=True)
        batch_op.add_column(sa.Column("sector", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("investor_name", sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE project_enterprises SET "
        "sector = (SELECT s.sector FROM sl_projects s WHERE s.project_id = project_enterprises.project_id), "
        "investor_name = (SELECT s.investor_name FROM sl_projects s WHERE s.project_id = project_enterprises.project_id)"
    )
    op.execute(
        "INSERT INTO project_enterprises (project_id, credit_code, sector, investor_name) "
        "SELECT s.project_id, s.credit_code, s.sector, s.investor_name FROM sl_projects s "
        "WHERE s.project_id NOT IN (SELECT project_id FROM project_enterprises)"
    )
    op.drop_table("sl_projects")


def downgrade() -> None:
    op.create_table(
        "sl_projects",
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("sector", sa.String(length=8), nullable=True),
        sa.Column("investor_name", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.execute(
        "INSERT INTO sl_projects (project_id, credit_code, sector, investor_name) "
        "SELECT project_id, credit_code, sector, investor_name FROM project_enterprises"
    )
    op.execute("DELETE FROM project_enterprises WHERE credit_code IS NULL")
    with op.batch_alter_table("project_enterprises", schema=None) as batch_op:
        batch_op.drop_column("investor_name")
        batch_op.drop_column("sector")
        batch_op.alter_column("credit_code", existing_type=sa.String(length=18), nullable=False)
