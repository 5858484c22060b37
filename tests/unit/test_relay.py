"""The outbox relay's batch publisher against the real RabbitMQ (a fresh vhost per test)."""

from __future__ import annotations

import json

import pytest
from kombu import Connection, Exchange, Queue

from shared.relay import UNROUTABLE, BatchPublisher, Outgoing

EXCHANGE = Exchange("test.events", type="topic", durable=True, auto_delete=False)


def _bound_queue(uri: str, routing_key: str) -> Queue:
    queue = Queue(f"q-{routing_key}", exchange=EXCHANGE, routing_key=routing_key, durable=True)
    with Connection(uri) as conn:
        queue(conn.channel()).declare()
    return queue


def _drain(uri: str, queue: Queue) -> list:
    got = []
    with Connection(uri) as conn:
        channel = conn.channel()
        while (message := queue(channel).get(no_ack=True)) is not None:
            got.append(message)
    return got


def _events(n: int, routing_key: str = "happened", start: int = 0) -> list[Outgoing]:
    return [
        Outgoing(f"evt-{i}", EXCHANGE, routing_key, json.dumps({"n": i, "名": "招商"}, ensure_ascii=False))
        for i in range(start, start + n)
    ]


def test_a_batch_is_confirmed_and_arrives_whole_and_in_order(vhost):
    queue = _bound_queue(vhost, "happened")
    publisher = BatchPublisher(vhost)
    try:
        outcome = publisher.publish(_events(500))
        assert outcome == {f"evt-{i}": None for i in range(500)}
        outcome = publisher.publish(_events(3, start=500))  # the same channel: its delivery tags go on
        assert outcome == {"evt-500": None, "evt-501": None, "evt-502": None}
    finally:
        publisher.close()
    got = _drain(vhost, queue)
    assert [m.properties["message_id"] for m in got] == [f"evt-{i}" for i in range(503)]
    first = got[0]
    assert first.content_type == "application/json" and first.properties["delivery_mode"] == 2
    assert first.decode() == {"n": 0, "名": "招商"}  # as a consumer (nameko's, kombu's) decodes it


def test_an_unroutable_event_is_reported_and_the_rest_published(vhost):
    queue = _bound_queue(vhost, "happened")
    publisher = BatchPublisher(vhost)
    try:
        batch = _events(2) + _events(1, routing_key="nobody-listens", start=2) + _events(2, start=3)
        outcome = publisher.publish(batch)
    finally:
        publisher.close()
    assert outcome == {"evt-0": None, "evt-1": None, "evt-2": UNROUTABLE, "evt-3": None, "evt-4": None}
    assert [m.properties["message_id"] for m in _drain(vhost, queue)] == ["evt-0", "evt-1", "evt-3", "evt-4"]


def test_a_broken_connection_raises_then_is_reopened(vhost):
    queue = _bound_queue(vhost, "happened")
    publisher = BatchPublisher(vhost, confirm_timeout=5)
    try:
        assert publisher.publish(_events(1)) == {"evt-0": None}
        publisher._connection.connection.sock.close()  # the broker went away under the relay
        with pytest.raises(Exception):
            publisher.publish(_events(1, start=1))
        assert publisher.publish(_events(2, start=2)) == {"evt-2": None, "evt-3": None}
    finally:
        publisher.close()
    ids = [m.properties["message_id"] for m in _drain(vhost, queue)]
    assert ids[0] == "evt-0" and ids[-2:] == ["evt-2", "evt-3"]


def test_an_empty_batch_opens_nothing(vhost):
    publisher = BatchPublisher(vhost)
    assert publisher.publish([]) == {}
    assert publisher._connection is None
