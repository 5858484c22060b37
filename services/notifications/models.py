"""notifications' own database: notifications and their deliveries (with every attempt), the inbox, channel
settings, and what it knows of each project for its routes."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

from shared.roster import roster_table
from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

# One notification per (cause, route): what is said, to whom, and through which channels.
notifications = Table(
    "notifications",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("cause", String(120), nullable=False),  # the event id, or "deadline:<id>"
    Column("route", Integer, nullable=False),  # index of the route in policy/notifications.yaml
    Column("event_type", String(80), nullable=False, index=True),
    Column("project_id", String(40), index=True),
    Column("ref", String(20)),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("recipients", JSON, nullable=False),  # ["unit:IPB", "position:ipb_director", "user:u-1"]
    Column("unresolved", JSON, nullable=False),  # recipients whose placeholder had no value
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("cause", "route", name="uq_notification_cause_route"),
)

# One delivery per (notification, channel), retried with back-off; every attempt is logged.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("notification_id", ID, ForeignKey("notifications.id"), nullable=False, index=True),
    Column("channel", String(40), nullable=False),
    Column("targets", JSON, nullable=False),  # the channel's addresses (inbox: recipients; email: addresses)
    Column("status", String(12), nullable=False),  # pending | sending | delivered | failed | skipped
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime()),
    Column("lease_until", UtcDateTime()),
    Column("last_error", Text),
    Column("receipt", Text),
    Column("delivered_at", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("notification_id", "channel", name="uq_delivery_channel"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("delivery_id", ID, ForeignKey("deliveries.id"), nullable=False, index=True),
    Column("attempt", Integer, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("outcome", String(12), nullable=False),  # delivered | failed
    Column("detail", Text),
    Column("duration_ms", Integer, nullable=False),
)

# The in-app inbox: one row per (notification, address); read marks per reader.
inbox = Table(
    "inbox",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("notification_id", ID, ForeignKey("notifications.id"), nullable=False),
    Column("address", String(120), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("notification_id", "address", name="uq_inbox_address"),
)

inbox_reads = Table(
    "inbox_reads",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("notification_id", ID, ForeignKey("notifications.id"), nullable=False),
    Column("user_id", String(64), nullable=False, index=True),
    Column("read_at", UtcDateTime(), nullable=False),
    UniqueConstraint("notification_id", "user_id", name="uq_inbox_read"),
)

# Channel settings set at run time by IPB's administrator, over the config file's.
channel_settings = Table(
    "channel_settings",
    metadata,
    Column("channel", String(40), primary_key=True),
    Column("settings", JSON, nullable=False),
    Column("updated_by", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# What notifications knows of each project: the facts its routes use (ref, name, state, responsible unit).
projects = Table(
    "projects",
    metadata,
    Column("project_id", String(40), primary_key=True),
    Column("ref", String(20)),
    Column("name", String(200)),
    Column("state", String(20)),
    Column("state_seq", Integer, nullable=False),
    Column("responsible_unit", String(40)),
)

# The Leading Group's roster as leadership last sent it (leadership.roster_changed): a notice to a position reaches
# the persons holding it (shared/roster.py).  One row.
roster_copy = roster_table(metadata)
