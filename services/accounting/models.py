"""accounting's own database: accountings, recovery tasks (R12)."""
from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint

from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime, land_column_type, money_column_type

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

# What accounting knows of a project (from intake, negotiation, contracts and coordinator events).
projects = Table(
    "projects", metadata,
    Column("project_id", String(40), primary_key=True),
    Column("ref", String(20), nullable=False),
    Column("project_name", String(200), nullable=False),
    Column("investor_name", String(200), nullable=False),
    Column("responsible_unit", String(40)),
    Column("lifecycle_state", String(20)),
    Column("lifecycle_seq", Integer),  # the coordinator's transition number of lifecycle_state
    Column("contract_terms", JSON),  # from contracts.signed: FAI, land, intensity, dates
)

accountings = Table(
    "accountings", metadata,
    Column("project_id", String(40), ForeignKey("projects.project_id"), primary_key=True),
    Column("state", String(12), nullable=False),  # open | computed | closed
    Column("opened_by", JSON, nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("cause", String(40), nullable=False),  # construction_period_ended | opened_by_ipb
    Column("participants", JSON, nullable=False),
    Column("actual_fai", money_column_type()),
    Column("actual_fai_by", JSON),
    Column("actual_fai_basis", Text),
    Column("land_used_mu", land_column_type()),
    Column("land_used_input", JSON),
    Column("land_used_by", JSON),
    Column("price_per_mu", money_column_type()),
    Column("price_source", String(120)),
    Column("figures", JSON),
    Column("report", JSON),  # document refs (docx, pdf), opinion, by, at
    Column("closed_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
)

recovery_tasks = Table(
    "recovery_tasks", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("accountings.project_id"), nullable=False, index=True),
    Column("unit", String(8), nullable=False),
    Column("status", String(8), nullable=False),  # open | settled | waived
    Column("amount_due", money_column_type(), nullable=False),
    Column("amount_recovered", money_column_type(), nullable=False),
    Column("entries", JSON, nullable=False),
    Column("waived", JSON),
    UniqueConstraint("project_id", "unit", name="uq_recovery_task_unit"),
)
