"""Drive a service's methods as nameko would, with real collaborators (no broker).

``Harness(ServiceClass, metadata, engine, **dependencies)`` builds a fresh worker
per call (``nameko.testing.services.worker_factory``) over a real database
(its outbox included) and the dependencies given — the real policy, calendar,
document store and a ``TestClock`` the test moves.  ``event()`` delivers an event
to a handler as the bus would; ``events()`` reads what the service emitted from
its outbox, ``rows()`` a table.  A service's own test subclasses it for its
dependencies and read-backs.  ``Provider`` is what a worker's ``ServiceStore``
needs of the ``Database`` dependency, for tests of the store alone.
"""

from __future__ import annotations

import datetime as dt
import json

from nameko.testing.services import worker_factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.clock import SHANGHAI
from shared.db import ServiceStore
from shared.envelope import Envelope

SYSTEM_ACTOR = Actor("system", "system", "SYSTEM")


def shanghai(y, m, d, hh=10, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


class TestClock:
    """A clock the test sets: an aware Asia/Shanghai datetime."""

    __test__ = False

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now = self.now + dt.timedelta(**delta)


class Provider:
    """What ``ServiceStore`` needs of the ``Database`` dependency: the engine, the outbox and processed-events
    tables; it counts the commits that handed events over (``woken``) as the relay would take them."""

    def __init__(self, engine, metadata):
        self.engine = engine
        self.outbox = metadata.tables["outbox"]
        self.processed = metadata.tables["processed_events"]
        self.woken = 0

    def committed(self, rows=()):
        self.woken += 1


class Harness:
    def __init__(self, service_cls, metadata, engine, **dependencies):
        self.service_cls, self.metadata, self.engine = service_cls, metadata, engine
        self.provider = Provider(engine, metadata)
        self.dependencies = dependencies

    def call(self, method: str, *args):
        store = ServiceStore(self.provider)
        worker = worker_factory(self.service_cls, db=store, **self.dependencies)
        try:
            return getattr(worker, method)(*args)
        finally:
            store.close()

    def __getattr__(self, method):
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args: self.call(method, *args)

    def event(
        self,
        handler: str,
        event_type: str,
        project_id: str | None,
        payload: dict,
        actor=SYSTEM_ACTOR,
        at: dt.datetime | None = None,
        event_id: str | None = None,
    ) -> dict:
        """Deliver an event to ``handler`` as the bus would (at the clock's time unless ``at``); its envelope."""
        clock = self.dependencies.get("clock")
        when = at or (clock() if clock else None)
        envelope = Envelope(
            event_type,
            actor,
            payload,
            project_id=project_id,
            **({"occurred_at": when} if when else {}),
            **({"event_id": event_id} if event_id else {}),
        )
        self.call(handler, envelope.dump())
        return envelope.dump()

    def events(self, event_type: str | None = None, project_id: str | None = None) -> list[dict]:
        outbox = self.provider.outbox
        with Session(self.engine) as s:
            bodies = [json.loads(b) for b in s.execute(select(outbox.c.body).order_by(outbox.c.id)).scalars()]
        return [
            b
            for b in bodies
            if (event_type is None or b["type"] == event_type) and (project_id is None or b["project_id"] == project_id)
        ]

    def rows(self, table: str) -> list[dict]:
        with Session(self.engine) as s:
            return [dict(r) for r in s.execute(select(self.metadata.tables[table])).mappings()]
