"""leadership's own database: the Leading Group's roster, its investment events and what it knows of the leads."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint

from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime, money_column_type

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

# Who holds which seat of the group (policy leading_group.yaml), since when, until when: a change of person ends
# the previous term, so the rows are the history.
roster = Table(
    "roster",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("seat", String(60), nullable=False, index=True),
    Column("name", String(40), nullable=False),
    Column("user_id", String(64)),  # the person's platform account, if any
    Column("email", String(200)),
    Column("since", Date, nullable=False),
    Column("until", Date),
    Column("note", Text),
    Column("recorded_by", JSON, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    UniqueConstraint("seat", "since", name="uq_roster_seat_since"),
)

# Investment events (招商活动)
events = Table(
    "events",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("ref", String(20), nullable=False, unique=True),  # HD<year>-<seq>
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("organising_unit", String(40), nullable=False),
    Column("place", String(200), nullable=False),
    Column("planned_on", Date, nullable=False),
    Column("budget", money_column_type(), nullable=False),
    Column("plan_notes", Text),
    Column("status", String(12), nullable=False),  # planned | held | cancelled
    Column("held_on", Date),
    Column("participants", JSON, nullable=False),  # [{name, unit, position}]
    Column("investors_met", JSON, nullable=False),  # [{name, contact, interest}]
    Column("actual_cost", money_column_type()),
    Column("summary", Text),
    Column("cancel_reason", Text),
    Column("materials", JSON, nullable=False),  # [{document ref, title, by, at}]
    Column("created_by", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("year", "seq", name="uq_event_year_seq"),
)

# A lead's source event: one event a lead.
event_leads = Table(
    "event_leads",
    metadata,
    Column("project_id", String(40), primary_key=True),
    Column("event_id", String(40), ForeignKey("events.id"), nullable=False, index=True),
    Column("ref", String(20), nullable=False),
    Column("linked_by", JSON, nullable=False),
    Column("linked_at", UtcDateTime(), nullable=False),
)

# What leadership knows of each lead (intake.lead_registered) and its contract (contracts.signed).
leads = Table(
    "leads",
    metadata,
    Column("project_id", String(40), primary_key=True),
    Column("ref", String(20), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("source_channel", String(20)),
    Column("registered_unit", String(40)),
    Column("registered_on", Date),
    Column("signed_on", Date),
    Column("contracted_investment", money_column_type()),
)
