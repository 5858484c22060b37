"""Read what the services stored, straight from their databases (SQLite files or PostgreSQL)."""

from __future__ import annotations

import json
from urllib.parse import quote, urlparse

import requests
from sqlalchemy import create_engine, text

from shared.db import database_url
from shared.topology import consumers, event_queue

# handlers idempotent by the coordinator's transition number keep no processed-event row
# (shared.lifecycle_copy.follow_event): that they handled every event is shown by their queues, drained
BY_SEQUENCE = {("coordinator.project_state_changed", "contracts"), ("coordinator.project_state_changed", "accounting")}


def query(service: str, config: dict, sql: str) -> list:
    engine = create_engine(database_url(service, config))
    try:
        with engine.connect() as c:
            return list(c.execute(text(sql)))
    finally:
        engine.dispose()


def published(services, config: dict) -> list[dict]:
    """Every event in the outboxes of ``services`` (envelopes)."""
    return [
        json.loads(row.body) for svc in services for row in query(svc, config, "SELECT body FROM outbox ORDER BY id")
    ]


def handled_ids(service: str, config: dict) -> list[str]:
    return [row.event_id for row in query(service, config, "SELECT event_id FROM processed_events")]


def expected_for(service: str, events: list[dict]) -> set[str]:
    """The ids of ``events`` delivered to ``service`` that it records as processed (not those handled by sequence
    number)."""
    return {
        e["event_id"]
        for e in events
        if service in consumers(e["type"], e["payload"]) and (e["type"], service) not in BY_SEQUENCE
    }


def queues_by_sequence(service: str, events: list[dict]) -> list[str]:
    """The queues of ``service`` that carry some of ``events`` to a handler idempotent by sequence number."""
    return sorted(
        {
            event_queue(e["type"], service).name
            for e in events
            if (e["type"], service) in BY_SEQUENCE and service in consumers(e["type"], e["payload"])
        }
    )


def queue_drained(config: dict, queue: str) -> bool:
    """No message waits in ``queue`` nor is being handled (RabbitMQ's management API)."""
    from tests.conftest import RABBIT_AUTH, RABBIT_MANAGEMENT

    vhost = urlparse(config["AMQP_URI"]).path.lstrip("/") or "/"
    info = requests.get(
        f"{RABBIT_MANAGEMENT}/api/queues/{quote(vhost, safe='')}/{quote(queue, safe='')}", auth=RABBIT_AUTH, timeout=10
    ).json()
    return info.get("messages_ready") == 0 and info.get("messages_unacknowledged") == 0
