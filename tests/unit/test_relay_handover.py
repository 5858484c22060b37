"""The outbox relay (shared/relay.py) beside a service's database dependency (shared/db.py), against the real RabbitMQ, on SQLite and on
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
from shared.relay import BatchPublisher, OutboxRelay
from shared.topology import event_queue
from tests.conftest import fresh_pg_database

ACTOR = Actor(user_id="u-ipb-1", position="ipb_clerk", unit="IPB")
TYPE = "intake.lead_registered"  # consumed by the coordinator: its queue is declared by the relay's topology


def _provider(vhost: str, config: dict, relay: bool = True) -> tuple[Database, OutboxRelay | None]:
    metadata = MetaData()
    Table("things", metadata, Column("id", Integer, primary_key=True))
    messaging_tables(metadata)
    db = Database(metadata)
    container = SimpleNamespace(service_name="relaytest", config={"AMQP_URI": vhost, **config}, dependencies={db})
    db.container = container
    db.setup()
    if not relay:
        return db, None
    outbox_relay = OutboxRelay()
    outbox_relay.container = container
    container.dependencies.add(outbox_relay)
    outbox_relay.setup()
    return db, outbox_relay


@contextmanager
def _database(vhost: str, config: dict, relay: bool = True):
    """A set-up relay over its database dependency (or the database alone, ``relay=False``); its publishers (as
    set up, even if a test swaps them) and engine closed after."""
    db, outbox_relay = _provider(vhost, config, relay)
    publishers = (outbox_relay.publisher, outbox_relay.handover_publisher) if outbox_relay else ()
    try:
        yield outbox_relay or db
    finally:
        for publisher in publishers:
            publisher.close()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def relay(request, vhost, tmp_path):
    if request.param == "sqlite":
        with _database(vhost, {"DATABASES": {"relaytest": f"sqlite:///{tmp_path / 'relaytest.db'}"}}) as database:
            yield database
    else:
        with fresh_pg_database("zs_t_relay") as url, _database(vhost, {"DATABASES": {"relaytest": url}}) as database:
            yield database


def _emit(relay, n: int) -> list[str]:
    store = ServiceStore(relay.db if isinstance(relay, OutboxRelay) else relay)
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


def _unpublished(relay) -> int:
    db = relay.db if isinstance(relay, OutboxRelay) else relay
    with Session(db.engine) as s:
        return len(list(s.execute(select(db.outbox.c.id).where(db.outbox.c.published_at.is_(None)))))


def test_committed_events_are_handed_over_published_once_and_marked(vhost, relay):
    ids = _emit(relay, 3)
    assert [out.event_id for out in relay._handed] == ids  # handed over on commit, nothing read yet
    assert relay.relay_once() == 3
    assert relay._handed == [] and _unpublished(relay) == 0  # marked in the same pass
    assert relay.relay_once() == 0  # neither the hand-over nor the read takes them again
    assert _received(vhost) == ids


def test_what_the_hand_over_failed_to_publish_is_read_at_once(vhost, relay):
    real = relay.publisher, relay.handover_publisher
    away = "pyamqp://guest:guest@127.0.0.1:1/"  # the broker is away
    relay.publisher, relay.handover_publisher = (BatchPublisher(away, confirm_timeout=2) for _ in range(2))
    failed = _emit(relay, 2)
    with pytest.raises(Exception):
        relay.relay_once()  # the hand-over fails quietly; the read's publish then raises: the relay backs off
    assert relay._handed == [] and _unpublished(relay) == 2
    relay.publisher, relay.handover_publisher = real
    assert relay.relay_once() == 2  # younger than the grace, but known to have failed here
    assert relay.relay_once() == 0
    assert _received(vhost) == failed


def test_a_row_never_handed_over_is_read_once_older_than_the_grace(vhost, relay):
    other = _emit(relay, 2)
    relay._handed = []  # committed by another process (a second instance, or this one before a restart)
    assert relay.relay_once() == 0  # its own instance publishes it: no copy from here meanwhile
    relay.handover_grace = 0.0  # … the grace (OUTBOX_HANDOVER_GRACE) is over
    assert relay.relay_once() == 2
    assert relay.relay_once() == 0
    assert _received(vhost) == other


def test_a_database_without_a_relay_keeps_its_events_in_the_outbox(vhost, tmp_path):
    with _database(vhost, {"ZS_DATA_DIR": str(tmp_path)}, relay=False) as db:
        assert db.relay is None  # the gateway's: a database and no relay
        _emit(db, 1)
        assert _unpublished(db) == 1
