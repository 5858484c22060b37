"""negotiation's own database: the project's way from approval to a decision (R3, R4, R5)."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint

from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime, decimal_column_type

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

negotiations = Table(
    "negotiations", metadata,
    Column("project_id", String(40), primary_key=True),
    Column("ref", String(20), nullable=False),
    Column("project_name", String(200), nullable=False),
    Column("sector", String(8), nullable=False),
    Column("planned_land_mu", decimal_column_type(), nullable=False),  # exact, as filed
    Column("location_kind", String(8), nullable=False),
    Column("location_id", String(40)),
    # filed | approved | rejected | assigned | negotiating | escalated | agreed | refused
    Column("stage", String(16), nullable=False, index=True),
    Column("outside_policy", Boolean, nullable=False),
    Column("review_conditions", JSON, nullable=False),
    Column("intermediary", JSON),
    Column("intermediary_recorded_by", JSON),
    Column("responsible_unit", String(40), index=True),
    Column("ranking", JSON),
    Column("assignment_reason", Text),
    Column("recommendation", JSON),
    Column("decisions", JSON, nullable=False),
    Column("route", JSON),
    Column("version", Integer, nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("negotiations.project_id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("held_on", Date, nullable=False),
    Column("stage", String(8), nullable=False),
    Column("participants", JSON, nullable=False),
    Column("agreed", JSON, nullable=False),
    Column("open_matters", JSON, nullable=False),
    Column("exceeding_terms", JSON, nullable=False),
    Column("land_value", String(40)),
    Column("land_unit", String(8)),
    Column("land_mu", decimal_column_type()),  # exact, as agreed: the 60-mu rule compares this
    Column("logged_by", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    UniqueConstraint("project_id", "seq", name="uq_session_seq"),
)
