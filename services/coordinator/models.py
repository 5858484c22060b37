"""The coordinator's database: the persisted lifecycle of every project."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.audit import audit_table
from shared.gongwen import numbers_table
from shared.search import entries_table
from shared.roster import roster_table
from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime, money_column_type

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)
# R15: every change of state the coordinator records (each transition, each activity) in a hash chain
audit_trail = audit_table(metadata)
# the 文号 of the documents the coordinator issues (the work summaries, R14): per issuer and year (shared/gongwen.py)
document_numbers = numbers_table(metadata)

projects = Table(
    "projects",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("ref", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("state", String(20), nullable=False, index=True),
    Column("state_since", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Column("facts", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# The special reports to the Leading Group filed so far (R11), copied from supervision.special_report_filed:
# terminating a project needs one (a report that cannot go ahead) and the coordinator checks its own copy.
special_reports = Table(
    "special_reports",
    metadata,
    Column("ref", String(40), primary_key=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("cause", String(24), nullable=False),
    Column("summary", Text, nullable=False),
    Column("document", JSON, nullable=False),
    Column("filed_by", JSON, nullable=False),
    Column("filed_at", UtcDateTime(), nullable=False),
)

transitions = Table(
    "transitions",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("projects.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("from_state", String(20)),
    Column("to_state", String(20), nullable=False),
    Column("trigger", String(80), nullable=False),
    Column("actor", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("reason", Text),
    Column("event_id", String(64)),
    UniqueConstraint("project_id", "seq", name="uq_transition_seq"),
)

# What happened to a project without changing its state (an opinion, an escalation), for its timeline.
activities = Table(
    "activities",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("projects.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("summary", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Column("actor", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("event_id", String(64)),
)

# -- the ledger (R10) and the Leading Group's targets (R14) ----------------------------------------------------
# One row per project: the full row (``ledger.apply``) in ``data``, and the columns the books filter and sort on.
LEDGER_FILTERS = ("book", "responsible_unit", "state", "sector", "tier", "is_key", "next_due")
"""The columns a page of the ledger is filtered on (``ledger_store.list_rows``; ``liaison_user`` has its own index)."""
LEDGER_SORTS = (
    "ref",
    "name",
    "state",
    "state_since",
    "responsible_unit",
    "investment_fen",
    "tier",
    "next_due",
    "last_progress_at",
)
"""The columns a page is sorted on (then by ``ref``)."""


LEDGER_INDEX_LEADS = {
    "ref": ("ref",),
    "book": ("book", "sector", "ref"),
    "responsible_unit": ("responsible_unit", "book", "ref"),
}
"""Leading columns other than (column, ref): a book is read with a unit (a park reads its own rows) or a sector
prefix, and a planner without statistics prefers an index that seeks both — the unit's index seeks unit and
book (and still gives the unit's order within a book), the book's seeks book and sector prefix."""


def _ledger_indexes() -> list[Index]:
    """One index per filter or sort column, led by it (then ``ref``, but see ``LEDGER_INDEX_LEADS``), carrying
    every other filter and sort column and the id.  Whichever index the database's planner takes (SQLite has
    no statistics unless analysed), a page's ids and the count of the matching rows are read from the index
    alone, never from the rows (whose JSON is ~2 KB each): a filter on a column seeks its entries in that
    column's index and checks the other filters on each entry; a sort walks the sort column's index in order
    and stops after offset + limit matching entries.  Only the rows of the page are then read, by primary key."""
    columns = (*LEDGER_FILTERS, *(c for c in LEDGER_SORTS if c not in LEDGER_FILTERS))
    indexes = []
    for column in columns:
        leading = LEDGER_INDEX_LEADS.get(column, (column, "ref"))
        indexes.append(
            Index(f"ix_ledger_by_{column}", *leading, *(c for c in columns if c not in leading), "project_id")
        )
    return indexes


ledger = Table(
    "ledger",
    metadata,
    Column("project_id", String(40), primary_key=True),
    Column("ref", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("book", String(12), nullable=False),
    Column("state", String(20), nullable=False),
    Column("state_since", UtcDateTime()),
    Column("responsible_unit", String(40)),
    Column("sector", String(8)),
    Column("tier", String(4)),
    Column("is_key", Boolean, nullable=False),
    Column("liaison_user", String(64), index=True),
    Column("next_due", Date),
    Column("investment_fen", BigInteger),  # for sorting by investment exactly on every database
    Column("last_progress_at", UtcDateTime()),
    Column("data", JSON, nullable=False),
    *_ledger_indexes(),
)

# Every event the ledger was built from, in the order handled: ``rebuild_ledger`` replays it.
ledger_journal = Table(
    "ledger_journal",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("type", String(80), nullable=False),
    Column("body", JSON, nullable=False),
)

targets = Table(
    "targets",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("unit", String(40), nullable=False),
    Column("projects_signed", Integer, nullable=False),
    Column("contracted_investment", money_column_type(), nullable=False),
    Column("funds_in_place", money_column_type(), nullable=False),
    Column("set_by", JSON, nullable=False),
    Column("set_at", UtcDateTime(), nullable=False),
    UniqueConstraint("year", "unit", name="uq_target_year_unit"),
)

# -- the workbench: what awaits whom (``workbench.awaiting``), each person's acts, and search ----------------------
# Rewritten with the project's ledger row (``ledger_store.record``); a person's to-dos are read by unit.
awaiting = Table(
    "awaiting",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("unit", String(40), nullable=False),
    Column("position", String(80)),
    Column("due", Date),
    Column("kind", String(40), nullable=False),
    Column("operation", String(80)),
    Column("data", JSON, nullable=False),
    Index("ix_awaiting_by_unit", "unit", "position", "due", "kind", "operation", "project_id"),
)

# How many to-dos of each kind await a unit (and position): kept with ``awaiting``, so a workbench's counts are a
# few rows however many projects await the unit (IPB's tens of thousands at province scale).
awaiting_counts = Table(
    "awaiting_counts",
    metadata,
    Column("unit", String(40), primary_key=True),
    Column("position", String(80), primary_key=True),  # "" where the rules name no position
    Column("kind", String(40), primary_key=True),
    Column("operation", String(80), primary_key=True),  # "" where the entry names no operation
    Column("n", Integer, nullable=False),
)

# What a person did (已办): every event of a project acted by a person, newest first per person.
acts = Table(
    "acts",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("user_id", String(64), nullable=False),
    Column("project_id", String(40), nullable=False),
    Column("type", String(80), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_acts_by_user", "user_id", "at"),
)

# Leads, projects and their investors by name fragments and credit code (shared.search: FTS5 / pg_trgm).
search_entries = entries_table(metadata, "search_entries")

# The documents of a project's file (``attachments.py``): each upload a version; a replacement supersedes one.
attachments = Table(
    "attachments",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("document_id", String(64), nullable=False),  # the SHA-256 of the content (shared.documents)
    Column("filename", String(255), nullable=False),
    Column("content_type", String(120), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("note", Text),
    Column("state", String(20), nullable=False),  # the project's state when attached
    Column("by", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("replaces", BigInteger),
    Column("replaced_by", BigInteger),
    Index("ix_attachments_by_project", "project_id", "kind"),
)

# The Leading Group's roster as leadership last sent it (leadership.roster_changed): the ledger names the persons
# who hold the responsible and liaison leaders' positions (shared/roster.py).  One row.
roster_copy = roster_table(metadata)
