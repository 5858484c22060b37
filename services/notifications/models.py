"""notifications' own database: notifications and their deliveries (with every attempt), the inbox,
channel settings, durable deadlines, project tracking (progress, problems) and the special-report register."""
from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

from shared.roster import roster_table
from shared.holidays import holiday_years_table
from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

# One notification per (cause, route): what is said, to whom, and through which channels.
notifications = Table(
    "notifications", metadata,
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
    "deliveries", metadata,
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
    "delivery_attempts", metadata,
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
    "inbox", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("notification_id", ID, ForeignKey("notifications.id"), nullable=False),
    Column("address", String(120), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("notification_id", "address", name="uq_inbox_address"),
)

inbox_reads = Table(
    "inbox_reads", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("notification_id", ID, ForeignKey("notifications.id"), nullable=False),
    Column("user_id", String(64), nullable=False, index=True),
    Column("read_at", UtcDateTime(), nullable=False),
    UniqueConstraint("notification_id", "user_id", name="uq_inbox_read"),
)

# Channel settings set at run time by IPB's administrator, over the config file's.
channel_settings = Table(
    "channel_settings", metadata,
    Column("channel", String(40), primary_key=True),
    Column("settings", JSON, nullable=False),
    Column("updated_by", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# Durable deadlines: a row per deadline, fired by the timer once (claimed with fired_at IS NULL).
deadlines = Table(
    "deadlines", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    # stale_project | problem_escalation | construction_period_end | special_report_due | review_period | reminder
    # | holiday_schedule_missing
    Column("kind", String(40), nullable=False),
    Column("project_id", String(40), index=True),
    Column("subject", String(80), nullable=False),  # what it is about within the project (problem id, obligation key…)
    Column("due_at", UtcDateTime(), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("fired_at", UtcDateTime()),
    Column("fired_by", String(80)),
    Column("outcome", Text),
    Column("cancelled_at", UtcDateTime()),
    Column("cancel_reason", Text),
    Index("ix_deadlines_due", "fired_at", "cancelled_at", "due_at"),
)

# R11 tracking: what notifications knows of each project.
projects = Table(
    "projects", metadata,
    Column("project_id", String(40), primary_key=True),
    Column("ref", String(20)),
    Column("name", String(200)),
    Column("state", String(20)),
    Column("state_seq", Integer, nullable=False),
    Column("state_since", UtcDateTime()),
    Column("responsible_unit", String(40)),
    Column("responsible_person", JSON),  # {"user_id", "name"}
    Column("liaison_leader", String(80)),  # a position (R10: a key project's county-level liaison leader)
    Column("last_progress_at", UtcDateTime()),
    Column("stale_since", UtcDateTime()),
    Column("completion", Date),  # the contracted completion date (end of the construction period)
    Column("version", Integer, nullable=False),
)

progress = Table(
    "progress", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("projects.project_id"), nullable=False, index=True),
    Column("source", String(20), nullable=False),  # recorded | obligation
    Column("note", Text, nullable=False),
    Column("by", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

problems = Table(
    "problems", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("projects.project_id"), nullable=False, index=True),
    Column("description", Text, nullable=False),
    Column("owner", String(120), nullable=False),  # the unit or position that must solve it
    Column("raised_by", JSON, nullable=False),
    Column("raised_at", UtcDateTime(), nullable=False),
    Column("escalated_at", UtcDateTime()),
    Column("escalated_to", JSON),
    Column("resolved_at", UtcDateTime()),
    Column("resolved_by", JSON),
    Column("resolution", Text),
)

# The register of special reports to the Leading Group (R7, R11), each a stored document.
special_reports = Table(
    "special_reports", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("ref", String(40), nullable=False, unique=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("cause", String(24), nullable=False),  # overdue_obligation | unfinished_review | cannot_go_ahead
    Column("summary", Text, nullable=False),
    Column("document", JSON, nullable=False),  # shared.documents.DocumentRef
    Column("obligation_key", String(40)),
    Column("filed_by", JSON, nullable=False),
    Column("filed_at", UtcDateTime(), nullable=False),
    Column("source_event_id", String(64), unique=True),  # set when it came from contracts.special_report_filed
)

# The Leading Group's roster as leadership last sent it (leadership.roster_changed): a notice to a position reaches
# the persons holding it (shared/roster.py).  One row.
roster_copy = roster_table(metadata)
# The official holiday schedules an administrator loaded (R16): what tells the daily notice a year is known.
holiday_years = holiday_years_table(metadata)
