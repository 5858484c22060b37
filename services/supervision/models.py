"""supervision's own database: the projects it follows (tracking facts), their progress and problems, the
deadlines it keeps and the register of special reports to the Leading Group (R7, R11).  The standard-land
tables (commitments, imported indicators, rectifications, grades) join this metadata when R17 is built.  The
official holiday schedules loaded (R16) are kept too, for the daily check while next year's is missing."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text

from shared.holidays import holiday_years_table
from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

# R11 tracking: what supervision knows of each project.
projects = Table(
    "projects",
    metadata,
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
)

progress = Table(
    "progress",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("projects.project_id"), nullable=False, index=True),
    Column("source", String(20), nullable=False),  # recorded | obligation
    Column("note", Text, nullable=False),
    Column("by", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

problems = Table(
    "problems",
    metadata,
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

# Durable deadlines: a row per deadline, fired by the timer once (claimed with fired_at IS NULL).
deadlines = Table(
    "deadlines",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),  # domain.KINDS
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

# The register of special reports to the Leading Group (R7, R11), each a stored document.
special_reports = Table(
    "special_reports",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("ref", String(40), nullable=False, unique=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("cause", String(24), nullable=False),  # domain.CAUSES
    Column("summary", Text, nullable=False),
    Column("document", JSON, nullable=False),  # shared.documents.DocumentRef
    Column("obligation_key", String(40)),
    Column("filed_by", JSON, nullable=False),
    Column("filed_at", UtcDateTime(), nullable=False),
    Column("source_event_id", String(64), unique=True),  # set when it came from contracts.special_report_filed
    Column("rectification_id", Integer, unique=True),  # set when a commitment was still unmet after it (R17)
)

# The official holiday schedules an administrator loaded (R16): what tells the daily check a year is known.
holiday_years = holiday_years_table(metadata)

# R17's tables are declared in their own modules, on this metadata: the enterprise data store, the per-mu
# evaluation, the standard-land commitments.
from services.supervision import benefit_store, figures_store, standard_land_store  # noqa: E402,F401
