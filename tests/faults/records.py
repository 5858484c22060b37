"""Read what the services stored, straight from their databases (SQLite files or PostgreSQL)."""
from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from shared.db import database_url
from shared.topology import SUBSCRIPTIONS


def query(service: str, config: dict, sql: str) -> list:
    engine = create_engine(database_url(service, config))
    try:
        with engine.connect() as c:
            return list(c.execute(text(sql)))
    finally:
        engine.dispose()


def published(services, config: dict) -> list[dict]:
    """Every event in the outboxes of ``services`` (envelopes)."""
    return [json.loads(row.body) for svc in services
            for row in query(svc, config, "SELECT body FROM outbox ORDER BY id")]


def handled_ids(service: str, config: dict) -> list[str]:
    return [row.event_id for row in query(service, config, "SELECT event_id FROM processed_events")]


def expected_for(service: str, events: list[dict]) -> set[str]:
    return {e["event_id"] for e in events if service in SUBSCRIPTIONS.get(e["type"], ())}
