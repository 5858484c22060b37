"""Transactional outbox and processed-event inbox tables, shared by every service.

A service writes its state change and the event describing it in ONE database
transaction (``UnitOfWork.emit``); the relay publishes outbox rows afterwards
with publisher confirms and marks them published.  A handler stores the id of
each event it has processed in the same transaction as its effect
(``UnitOfWork.begin_handling``), so a redelivered event has no second effect.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from shared import durability
from shared.envelope import Envelope
from shared.statements import insert_new, insert_row

ID = BigInteger().with_variant(Integer, "sqlite")


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Add the ``outbox`` and ``processed_events`` tables to a service's metadata."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(80), nullable=False),
        Column("project_id", String(64), index=True),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text),
    )
    processed = Table(
        "processed_events",
        metadata,
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False),
        Column("handler", String(120), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("event_id", "handler", name="uq_processed_event_handler"),
    )
    return outbox, processed


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class AlreadyProcessed(Exception):
    """Raised inside ``begin_handling`` when the event was handled before."""


class UnitOfWork:
    """One database transaction of a service: its session plus outbox and inbox.

    Use as a context manager: commit on success, roll back on any error.
    """

    def __init__(self, session: Session, outbox: Table, processed: Table, on_commit=None):
        self.session = session
        self._outbox = outbox
        self._processed = processed
        self._on_commit = on_commit
        self._last_steps: list = []
        self.emitted: list[Envelope] = []
        self._rows: list[tuple[str, str, str]] = []  # (event id, type, body) of the events emitted

    def __enter__(self) -> "UnitOfWork":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.session.rollback()
            self._rows = []

    def commit(self) -> None:
        for step in self._last_steps:  # e.g. audit entries: their lock is taken after every row lock
            step()
        self._last_steps = []
        self.session.commit()
        durability.wait_mine()  # grouped SQLite: on disk before anything follows from it
        committed, self._rows = self._rows, []
        if self.emitted and self._on_commit:
            self._on_commit(committed)  # the relay may publish them now, without reading them back
        self.emitted = []

    def finally_do(self, step) -> None:
        """Run ``step`` as the transaction's last write, just before commit.

        An audit entry takes a lock that serialises every appender; taken last, after all the
        transaction's row locks, it can never be held while waiting for a row (no deadlock).
        """
        self._last_steps.append(step)

    def emit(self, envelope: Envelope) -> Envelope:
        """Queue ``envelope`` for publication in this transaction."""
        body = json.dumps(envelope.dump(), ensure_ascii=False)
        insert_row(
            self.session,
            self._outbox,
            {
                "event_id": envelope.event_id,
                "event_type": envelope.type,
                "project_id": envelope.project_id,
                "body": body,
                "created_at": utcnow(),
                "attempts": 0,
            },
        )
        self.emitted.append(envelope)
        self._rows.append((envelope.event_id, envelope.type, body))
        return envelope

    def begin_handling(self, event_id: str, handler: str) -> None:
        """Record ``event_id`` as processed by ``handler`` in this transaction.

        Raises ``AlreadyProcessed`` if it was: one ``INSERT … ON CONFLICT DO NOTHING`` that inserts nothing.
        On PostgreSQL a concurrent duplicate waits for the first transaction and then finds its row; on
        SQLite the process's one connection serialises them.
        """
        if not insert_new(
            self.session,
            self._processed,
            ("event_id", "handler"),
            {"event_id": event_id, "handler": handler, "processed_at": utcnow()},
        ):
            raise AlreadyProcessed(event_id)


def pending_events(session: Session, outbox: Table, limit: int, lock: bool, created_before=None, or_ids=()) -> list:
    """Unpublished rows in order; with ``created_before``, only those older, and those of ``or_ids``."""
    query = (
        select(outbox.c.id, outbox.c.event_id, outbox.c.event_type, outbox.c.body, outbox.c.attempts)
        .where(outbox.c.published_at.is_(None))
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if created_before is not None:
        older = outbox.c.created_at < created_before
        query = query.where(or_(older, outbox.c.event_id.in_(list(or_ids))) if or_ids else older)
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(session.execute(query))


def mark_published(session: Session, outbox: Table, row_id: int) -> None:
    session.execute(update(outbox).where(outbox.c.id == row_id).values(published_at=utcnow()))


def mark_published_ids(session: Session, outbox: Table, event_ids) -> None:
    """Mark the rows of these events published (those not marked already)."""
    session.execute(
        update(outbox)
        .where(outbox.c.event_id.in_(list(event_ids)), outbox.c.published_at.is_(None))
        .values(published_at=utcnow())
    )


def mark_failed(session: Session, outbox: Table, row_id: int, attempts: int, error: str) -> None:
    session.execute(update(outbox).where(outbox.c.id == row_id).values(attempts=attempts, last_error=error[:2000]))


def backlog(session: Session, outbox: Table) -> int:
    from sqlalchemy import func

    return session.execute(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))).scalar_one()


__all__ = [
    "AlreadyProcessed",
    "UnitOfWork",
    "messaging_tables",
    "pending_events",
    "mark_published",
    "mark_published_ids",
    "mark_failed",
    "backlog",
]
