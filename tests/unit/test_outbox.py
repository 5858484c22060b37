"""The transactional outbox and the idempotent handler, on a real SQLite database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, insert, select, update
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.db import ServiceStore
from shared.envelope import Envelope
from shared.outbox import AlreadyProcessed, UnitOfWork, backlog, mark_published, messaging_tables, pending_events
from tests.harness import Provider

metadata = MetaData()
counters = Table("counters", metadata, Column("id", String, primary_key=True), Column("n", Integer, nullable=False))
outbox, processed = messaging_tables(metadata)
ACTOR = Actor("u1", "ipb_clerk", "IPB")


@pytest.fixture
def provider(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'svc.db'}")
    metadata.create_all(engine)
    with Session(engine) as s, s.begin():
        s.execute(insert(counters).values(id="c", n=0))
    return Provider(engine, metadata)


def count(provider) -> int:
    with Session(provider.engine) as s:
        return s.execute(select(counters.c.n)).scalar_one()


def envelope(**kw) -> Envelope:
    return Envelope(type="intake.lead_registered", actor=ACTOR, payload={"ref": "ZS2026-0001"}, project_id="p1", **kw)


def test_state_change_and_event_commit_together(provider):
    store = ServiceStore(provider)
    with store.unit_of_work() as uow:
        uow.session.execute(update(counters).values(n=counters.c.n + 1))
        uow.emit(envelope())
    store.close()
    with Session(provider.engine) as s:
        rows = pending_events(s, outbox, 10, lock=False)
        assert len(rows) == 1 and rows[0].event_type == "intake.lead_registered"
        assert json.loads(rows[0].body)["payload"] == {"ref": "ZS2026-0001"}
        assert backlog(s, outbox) == 1
    assert count(provider) == 1
    assert provider.woken == 1  # the relay is woken after commit


def test_failed_state_change_leaves_no_event(provider):
    store = ServiceStore(provider)
    with pytest.raises(RuntimeError):
        with store.unit_of_work() as uow:
            uow.session.execute(update(counters).values(n=counters.c.n + 1))
            uow.emit(envelope())
            raise RuntimeError("the rule refused it")
    store.close()
    with Session(provider.engine) as s:
        assert backlog(s, outbox) == 0
    assert count(provider) == 0
    assert provider.woken == 0


def test_published_rows_leave_the_backlog(provider):
    store = ServiceStore(provider)
    with store.unit_of_work() as uow:
        uow.emit(envelope())
        uow.emit(envelope())
    with Session(provider.engine) as s, s.begin():
        first = pending_events(s, outbox, 10, lock=False)[0]
        mark_published(s, outbox, first.id)
    with Session(provider.engine) as s:
        assert backlog(s, outbox) == 1
        assert pending_events(s, outbox, 10, lock=False)[0].id != first.id


def handle(provider, event: Envelope, handler="on_lead_registered") -> bool:
    store = ServiceStore(provider)
    try:
        with store.handle_once(event.event_id, handler) as uow:
            if uow is None:
                return False
            uow.session.execute(update(counters).values(n=counters.c.n + 1))
            return True
    finally:
        store.close()


def test_idempotent_handler_applies_an_event_once(provider):
    event = envelope()
    assert handle(provider, event) is True
    assert handle(provider, event) is False
    assert handle(provider, event) is False
    assert count(provider) == 1
    assert handle(provider, envelope()) is True  # another event id is another effect
    assert count(provider) == 2


def test_same_event_counts_separately_per_handler(provider):
    event = envelope()
    assert handle(provider, event, "a") and handle(provider, event, "b")
    assert count(provider) == 2


def test_failed_handling_is_not_marked_processed(provider):
    event = envelope()
    store = ServiceStore(provider)
    with pytest.raises(ValueError):
        with store.handle_once(event.event_id, "h") as uow:
            uow.session.execute(update(counters).values(n=counters.c.n + 1))
            raise ValueError("boom")
    store.close()
    assert count(provider) == 0
    assert handle(provider, event, "h") is True  # the retry applies it
    assert count(provider) == 1


def test_begin_handling_raises_for_processed(provider):
    event = envelope()
    with Session(provider.engine) as s:
        uow = UnitOfWork(s, outbox, processed)
        uow.begin_handling(event.event_id, "h")
        uow.commit()
        with pytest.raises(AlreadyProcessed):
            uow.begin_handling(event.event_id, "h")
        assert s.execute(select(func.count()).select_from(processed)).scalar_one() == 1
