"""The gateway's own database: the people who sign in, and their sessions."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, JSON, MetaData, String, Table

from shared.outbox import messaging_tables
from shared.types import UtcDateTime

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

users = Table(
    "users", metadata,
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
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the token: a stolen table opens nothing
    Column("user_id", String(64), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
)
