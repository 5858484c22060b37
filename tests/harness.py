"""Drive a service's methods as nameko would, with real collaborators (no broker).

``Harness(ServiceClass, metadata, engine, **dependencies)`` builds a fresh worker
per call (``nameko.testing.services.worker_factory``) over a real database
(its outbox included) and the dependencies given — the real policy, calendar,
document store and a ``TestClock`` the test moves.  ``events()`` reads what the
service emitted from its outbox.
"""
from __future__ import annotations

import datetime as dt
import json

from nameko.testing.services import worker_factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.clock import SHANGHAI
from shared.db import ServiceStore


def shanghai(y, m, d, hh=10, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


class TestClock:
    """A clock the test sets: an aware Asia/Shanghai datetime."""

    __test__ = False

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class _Provider:
    def __init__(self, engine, metadata):
        self.engine = engine
        self.outbox = metadata.tables["outbox"]
        self.processed = metadata.tables["processed_events"]

    def committed(self, rows=()):
        pass


class Harness:
    def __init__(self, service_cls, metadata, engine, **dependencies):
        self.service_cls, self.metadata, self.engine = service_cls, metadata, engine
        self.provider = _Provider(engine, metadata)
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

    def events(self, event_type: str | None = None, project_id: str | None = None) -> list[dict]:
        outbox = self.provider.outbox
        with Session(self.engine) as s:
            bodies = [json.loads(b) for b in s.execute(select(outbox.c.body).order_by(outbox.c.id)).scalars()]
        return [b for b in bodies if (event_type is None or b["type"] == event_type)
                and (project_id is None or b["project_id"] == project_id)]

    def rows(self, table: str) -> list[dict]:
        with Session(self.engine) as s:
            return [dict(r) for r in s.execute(select(self.metadata.tables[table])).mappings()]
