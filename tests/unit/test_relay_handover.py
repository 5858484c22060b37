"""The outbox relay of the database dependency (shared/db.py) against the real RabbitMQ, on SQLite and on
PostgreSQL: the events a unit of work commits are handed to the relay and published straight from memory,
then marked; what its hand-over failed to publish is read from the outbox at once; a row of another process
(never handed over here: a restart, a second instance) once it is older than the hand-over grace; each event
reaches its queue once."""
from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from kombu import Connection
from sqlalchemy import Column, Integer, MetaData, Table, select
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.db import Database, ServiceStore
from shared.envelope import Envelope
from shared.outbox import messaging_tables
from shared.relay import BatchPublisher
from shared.topology import event_queue
from tests.conftest import fresh_pg_database

ACTOR = Actor(user_id="u-ipb-1", position="ipb_clerk", unit="IPB")
TYPE = "intake.lead_registered"  # consumed by the coordinator: its queue is declared by the relay's topology


def _provider(vhost: str, config: dict, relay: bool = True) -> Database:
    metadata = MetaData()
    Table("things", metadata, Column("id", Integer, primary_key=True))
    messaging_tables(metadata)
    db = Database(metadata, relay=relay)
    db.container = SimpleNamespace(service_name="relaytest", config={"AMQP_URI": vhost, **config})
    db.setup()
    return db


@contextmanager
def _database(vhost: str, config: dict, relay: bool = True):
    """A set-up database dependency; its publishers (as set up, even if a test swaps them) and engine closed after."""
    db = _provider(vhost, config, relay)
    publishers = db.publisher, db.handover_publisher
    try:
        yield db
    finally:
        for publisher in publishers:
            publisher.close()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, vhost, tmp_path):
    if request.param == "sqlite":
        with _database(vhost, {"DATABASES": {"relaytest": f"sqlite:///{tmp_path / 'relaytest.db'}"}}) as database:
            yield database
    else:
        with fresh_pg_database("zs_t_relay") as url, _database(vhost, {"DATABASES": {"relaytest": url}}) as database:
            yield database


def _emit(db: Database, n: int) -> list[str]:
    store = ServiceStore(db)
    ids = []
    with store.unit_of_work() as uow:
        for i in range(n):
            ids.append(uow.emit(Envelope(type=TYPE, actor=ACTOR, payload={"i": i}, project_id=f"p{i}")).event_id)
    store.close()
    return ids


def _received(vhost: str) -> list[str]:
    got = []
    with Connection(vhost) as conn:
        queue = event_queue(TYPE, "coordinator")(conn.channel())
        while (message := queue.get(no_ack=True)) is not None:
            got.append(message.properties["message_id"])
    return got


def _unpublished(db: Database) -> int:
    with Session(db.engine) as s:
        return len(list(s.execute(select(db.outbox.c.id).where(db.outbox.c.published_at.is_(None)))))


def test_committed_events_are_handed_over_published_once_and_marked(vhost, db):
    ids = _emit(db, 3)
    assert [out.event_id for out in db._handed] == ids  # handed over on commit, nothing read yet
    assert db.relay_once() == 3
    assert db._handed == [] and _unpublished(db) == 0  # marked in the same pass
    assert db.relay_once() == 0  # neither the hand-over nor the read takes them again
    assert _received(vhost) == ids


def test_what_the_hand_over_failed_to_publish_is_read_at_once(vhost, db):
    real = db.publisher, db.handover_publisher
    away = "pyamqp://guest:guest@127.0.0.1:1/"  # the broker is away
    db.publisher, db.handover_publisher = (BatchPublisher(away, confirm_timeout=2) for _ in range(2))
    failed = _emit(db, 2)
    with pytest.raises(Exception):
        db.relay_once()  # the hand-over fails quietly; the read's publish then raises: the relay backs off
    assert db._handed == [] and _unpublished(db) == 2
    db.publisher, db.handover_publisher = real
    assert db.relay_once() == 2  # younger than the grace, but known to have failed here
    assert db.relay_once() == 0
    assert _received(vhost) == failed


def test_a_row_never_handed_over_is_read_once_older_than_the_grace(vhost, db):
    other = _emit(db, 2)
    db._handed = []  # committed by another process (a second instance, or this one before a restart)
    assert db.relay_once() == 0  # its own instance publishes it: no copy from here meanwhile
    db.handover_grace = 0.0  # … the grace (OUTBOX_HANDOVER_GRACE) is over
    assert db.relay_once() == 2
    assert db.relay_once() == 0
    assert _received(vhost) == other


def test_the_relay_off_hands_over_nothing(vhost, tmp_path):
    with _database(vhost, {"ZS_DATA_DIR": str(tmp_path)}, relay=False) as db:
        _emit(db, 1)
        assert db._handed == [] and _unpublished(db) == 1
