"""negotiation's own database: the project's way from approval to a decision (R3, R4, R5)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint

from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime, decimal_column_type, money_column_type

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

negotiations = Table(
    "negotiations",
    metadata,
    Column("project_id", String(40), primary_key=True),
    Column("ref", String(20), nullable=False),
    Column("project_name", String(200), nullable=False),
    Column("sector", String(8), nullable=False),
    Column("planned_land_mu", decimal_column_type(), nullable=False),  # exact, as filed
    Column("planned_total_investment", money_column_type()),  # yuan, from intake.project_filed
    Column("planned_fixed_asset_investment", money_column_type()),
    Column("location_kind", String(8), nullable=False),
    Column("location_id", String(40)),
    # filed | approved | rejected | park_review | assigned | negotiating | escalated | agreed | refused | signed
    Column("stage", String(16), nullable=False, index=True),
    Column("outside_policy", Boolean, nullable=False),
    Column("review_conditions", JSON, nullable=False),
    Column("review_units", JSON),  # the units the review asked (review.concluded)
    Column("intermediary", JSON),
    Column("intermediary_recorded_by", JSON),
    Column("responsible_unit", String(40), index=True),
    Column("ranking", JSON),
    Column("assignment_reason", Text),
    Column("pending", JSON),  # the park IPB chose, awaiting that park's review opinion (R2/R3): unit, reason, by
    Column("recommendation", JSON),
    Column("decisions", JSON, nullable=False),
    Column("route", JSON),
    Column("round", Integer),  # the negotiation round: 1, then one more each time the project is sent back (R5)
    Column("decided_terms", JSON),  # the terms the decision (or the recommendation) was taken on
    Column("version", Integer, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
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
    Column("total_investment", money_column_type()),  # as agreed (yuan), when the session states it
    Column("fixed_asset_investment", money_column_type()),
    Column("logged_by", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    UniqueConstraint("project_id", "seq", name="uq_session_seq"),
)

# The policy terms recorded in sessions (R4/R5): a term exceeding current policy stays open until a later
# session records it withdrawn, with a reason.
policy_terms = Table(
    "policy_terms",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("negotiations.project_id"), nullable=False, index=True),
    Column("term_id", String(8), nullable=False),  # T1, T2, … per project
    Column("key", Text, nullable=False),  # the same term recorded again is the same term
    Column("text", Text, nullable=False),
    Column("clause", String(60)),  # the catalogue clause (policy/incentives.yaml), or none for free text
    Column("value", String(40)),
    Column("limit_value", String(40)),
    Column("unit", String(30)),
    Column("exceeds", Boolean, nullable=False),
    Column("status", String(10), nullable=False),  # open | withdrawn
    Column("recorded_in", Integer, nullable=False),  # the session's seq
    Column("recorded_on", Date, nullable=False),
    Column("withdrawn_in", Integer),
    Column("withdrawn_on", Date),
    Column("withdrawn_by", JSON),
    Column("withdrawal_reason", Text),
    UniqueConstraint("project_id", "term_id", name="uq_policy_term_id"),
)
