"""The gateway's own database: the people who sign in, their sessions, the sign-in throttle, the audit trail of
user administration and sign-in, and the signed anchors of every service's audit trail."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, JSON, MetaData, String, Table, UniqueConstraint

from shared.audit import audit_table
from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)
# R15: user administration (accounts, positions, password resets, administrators, unlocks) and sign-in, chained
audit_trail = audit_table(metadata)

users = Table(
    "users",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("position", String(80), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("is_admin", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the token: a stolen table opens nothing
    Column("user_id", String(64), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("revoked_reason", String(40)),  # signed_out | password_changed | position_changed | deactivated | …
    Column("last_seen_at", UtcDateTime()),  # the idle timeout counts from here (kept to the minute)
)

# Failed sign-ins per user id and per client address (services/gateway/throttle.py)
sign_in_throttle = Table(
    "sign_in_throttle",
    metadata,
    Column("kind", String(8), primary_key=True),  # user | address
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UtcDateTime(), nullable=False, index=True),
    Column("locked_until", UtcDateTime()),
)

# The head of each service's audit trail, signed with a key that service does not hold (shared/anchors.py)
audit_anchors = Table(
    "audit_anchors",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("service", String(40), nullable=False),
    Column("seq", ID, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("anchored_at", UtcDateTime(), nullable=False),
    Column("mac", String(64), nullable=False),
    UniqueConstraint("service", "seq", name="uq_audit_anchor_service_seq"),
)
