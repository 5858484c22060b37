"""accounting's own database: accountings, the one receivable of each, and what was done to recover it (R12)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint

from shared.gongwen import numbers_table
from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime, land_column_type, money_column_type

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

# What accounting knows of a project (from intake, negotiation, contracts and coordinator events).
projects = Table(
    "projects",
    metadata,
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
    "accountings",
    metadata,
    Column("project_id", String(40), ForeignKey("projects.project_id"), primary_key=True),
    Column("state", String(12), nullable=False),  # domain.STATES: open | computed | reported | closed
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

# The fee is one receivable owed by the investor (opened by the issued report when there is a fee).
receivables = Table(
    "receivables",
    metadata,
    Column("project_id", String(40), ForeignKey("accountings.project_id"), primary_key=True),
    Column("amount", money_column_type(), nullable=False),  # the fee, once
    Column("paid", money_column_type(), nullable=False),  # the payments recorded by FIN, LAND or LEGAL, summed
    Column("written_off", money_column_type(), nullable=False),  # what the principals wrote off
    Column("status", String(12), nullable=False),  # outstanding | settled | written_off
    Column("write_off_round", JSON),  # the principals' decisions so far on writing off a remainder: amount, decisions
    Column("decisions", JSON, nullable=False),  # every principal's write-off decision, with its reason
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime()),  # settled or written off
)

# What FIN, LAND and LEGAL record against the receivable: a payment (an amount) or an act (a note).
recovery_entries = Table(
    "recovery_entries",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("receivables.project_id"), nullable=False, index=True),
    Column("unit", String(8), nullable=False),
    Column("kind", String(8), nullable=False),  # payment | action
    Column("amount", money_column_type()),
    Column("voucher", String(64)),  # the payment's voucher number: one payment is recorded once
    Column("note", Text, nullable=False),
    Column("by", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    UniqueConstraint("project_id", "voucher", name="uq_recovery_entry_voucher"),
)

# 文号 of the accounting reports issued (shared/gongwen.py): one per report, the same however often it is asked for.
document_numbers = numbers_table(metadata)
