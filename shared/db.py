"""Database dependency provider: one database per service, outbox relay included.

Default: SQLite file ``<ZS_DATA_DIR>/<service>.db``; ``DATABASES.<service>`` in
the config (env ``ZS_DB_<SERVICE>``) gives a PostgreSQL URL instead, driven by
psycopg2 made green for eventlet (psycogreen) so a query never blocks the hub.

Each worker gets one session (``self.db.session``) closed at worker teardown;
``self.db.unit_of_work()`` wraps it in a transaction with the outbox.  The
relay thread publishes committed outbox rows a batch at a time with publisher confirms
awaited together and ``mandatory`` (``shared.relay``; an unroutable event stays in the outbox and is retried).
"""
from __future__ import annotations

import json
import logging
import os
import threading
from datetime import timedelta
from contextlib import contextmanager
from pathlib import Path

import orjson
from nameko.amqp.publish import get_connection
from nameko.extensions import DependencyProvider
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shared import migrations
from shared.observability import OUTBOX_BACKLOG
from shared.outbox import (
    AlreadyProcessed, UnitOfWork, backlog, mark_failed, mark_published, mark_published_ids, pending_events, utcnow,
)
from shared.relay import BatchPublisher, Outgoing
from shared.topology import declare_topology

log = logging.getLogger(__name__)
RELAY_BATCH = 200
HANDED_MAX = 20 * RELAY_BATCH  # committed events kept in memory for the relay; beyond, it reads the outbox


def database_url(service: str, config: dict) -> str:
    url = (config.get("DATABASES") or {}).get(service)
    if url:
        return url
    data_dir = Path(config.get("ZS_DATA_DIR") or "var")
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / (service + '.db')}"


_green_pg = False

# ZS_SQLITE_SYNCHRONOUS=FULL (the default): a commit that had an effect is on disk, it survives a power cut.
# SQLite would fsync the WAL at every commit, blocking the service's whole eventlet hub each time (a third of
# the services' time in the lifecycle benchmark, docs/PERFORMANCE.md); with group commit (the default,
# ZS_SQLITE_GROUP_COMMIT) the service runs SQLite with synchronous=NORMAL and syncs the WAL itself, one fsync
# for the commits made meanwhile (shared.durability).  NORMAL trades the sync away: in WAL mode every commit
# still survives a crash or SIGKILL of the process, but a power cut may lose the last ones (whose events
# may already be published).  PostgreSQL (compose) is the answer where both matter.
SQLITE_SYNCHRONOUS = os.environ.get("ZS_SQLITE_SYNCHRONOUS", "FULL").upper()
if SQLITE_SYNCHRONOUS not in ("NORMAL", "FULL", "EXTRA"):
    raise ValueError(f"ZS_SQLITE_SYNCHRONOUS must be NORMAL, FULL or EXTRA, not {SQLITE_SYNCHRONOUS!r}")


# orjson for the JSON columns: a ledger row (3 KB) written in 5 us instead of 17 and read in 7 instead of 17
# (docs/PERFORMANCE.md).  Times, dataclasses and the like stay refused as the standard library refuses them.
_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def json_text(value) -> str:
    """A JSON column's text (compact UTF-8); what orjson does not take (an integer beyond 64 bits, a time) goes
    to the standard library, which writes it or refuses it as it always did.  A float NaN or infinity is
    written null (the standard library wrote NaN, which is not JSON); the platform's figures are decimal text."""
    try:
        return orjson.dumps(value, option=_ORJSON).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(value)


def json_value(text):
    """A JSON column's value; text orjson refuses (a lone surrogate escaped, NaN) goes to the standard library."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(url: str, group_commit: bool = False, checkpoint_interval: float = 0.0) -> Engine:
    """An engine suited to eventlet workers.

    SQLite: a single pooled connection per process (a second writer would block the whole hub on the file
    lock), WAL journal, foreign keys on.  With ``group_commit`` (and ``ZS_SQLITE_SYNCHRONOUS`` FULL or EXTRA)
    a commit is made durable by an fsync of the WAL shared with the commits made meanwhile
    (``shared.durability``; ``engine.wal_sync``).  With ``checkpoint_interval`` (seconds) the WAL is copied
    back into the database file by a thread of its own (``engine.checkpointer``, started by the ``Database``
    dependency) instead of in the commit that fills it.
    PostgreSQL: psycopg2 patched green by psycogreen.
    """
    global _green_pg
    if url.startswith("sqlite"):
        engine = create_engine(url, pool_size=1, max_overflow=0, pool_timeout=60,
                               connect_args={"timeout": 30, "check_same_thread": False},
                               json_serializer=json_text, json_deserializer=json_value)
        on_file = url.startswith("sqlite:///") and url != "sqlite:///:memory:"
        grouped = group_commit and SQLITE_SYNCHRONOUS != "NORMAL" and on_file
        synchronous = "NORMAL" if grouped else SQLITE_SYNCHRONOUS
        engine.checkpointer = None
        if checkpoint_interval > 0 and on_file:
            from shared.durability import Checkpointer

            engine.checkpointer = Checkpointer(url.split("///", 1)[1], checkpoint_interval)
        autocheckpoint = engine.checkpointer.SAFETY_PAGES if engine.checkpointer else None

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            if autocheckpoint:
                cur.execute(f"PRAGMA wal_autocheckpoint={autocheckpoint}")
            cur.close()

        engine.wal_sync = None
        if grouped:
            from shared.durability import WalSync

            sync = engine.wal_sync = WalSync(url.split("///", 1)[1])
            commit = engine.dialect.do_commit

            def do_commit(dbapi_connection):
                wrote = dbapi_connection.in_transaction  # pysqlite opens a transaction at the first write only
                commit(dbapi_connection)
                if wrote:
                    sync.note_commit()

            engine.dialect.do_commit = do_commit
        return engine
    if url.startswith("postgresql") and not _green_pg:
        try:
            from psycogreen.eventlet import patch_psycopg
            import eventlet.patcher

            if eventlet.patcher.is_monkey_patched("socket"):
                patch_psycopg()
                _green_pg = True
        except ImportError:  # pragma: no cover - psycogreen is a pinned dependency
            log.warning("psycogreen missing: PostgreSQL calls will block the eventlet hub")
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True,
                         json_serializer=json_text, json_deserializer=json_value)


def checkpoint_interval(value) -> float:
    """``ZS_SQLITE_CHECKPOINT_INTERVAL``: seconds between the background checkpoints of a SQLite database;
    0 leaves them to SQLite, in the commit that fills the WAL (``shared.durability.Checkpointer``)."""
    if value is None or value == "":
        return 0.0
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise ValueError(f"ZS_SQLITE_CHECKPOINT_INTERVAL must be seconds from 0 to 3600 (0: SQLite checkpoints in "
                         f"its commits); got {value!r}")
    return seconds


class LeanSession:
    """A worker's session on SQLite: what the units of work and the stores use of SQLAlchemy's ``Session``,
    on one ``Connection`` a transaction.

    The platform maps no ORM classes: its statements are Core's, and a ``Session``'s bookkeeping around them
    (its transaction's state machine, identity map, snapshot, events) cost an SQLite transaction 83 µs of CPU
    where a ``Connection`` costs 15–20 (docs/PERFORMANCE.md).  Like a ``Session``, it begins a transaction at
    the first statement (checking the connection out of the pool), and ``commit``, ``rollback`` and ``close``
    end it and give the connection back.  PostgreSQL keeps ``Session`` (``ServiceStore.session``)."""

    def __init__(self, engine: Engine):
        self.bind = engine
        self.info: dict = {}
        self._connection = None

    def get_bind(self, *args, **kwargs) -> Engine:
        return self.bind

    def connection(self, *args, **kwargs):
        if self._connection is None:
            connection = self.bind.connect()
            # begun here, as a Session begins it: statements run on the driver's cursor (shared.fastpath) never
            # begin it themselves, and a connection with no transaction of its own commits nothing
            connection.begin()
            self._connection = connection
        return self._connection

    def get_transaction(self):
        """What identifies the transaction in progress (its connection, new for each), or None."""
        return self._connection

    def in_transaction(self) -> bool:
        return self._connection is not None

    def execute(self, statement, params=None, **kwargs):
        return self.connection().execute(statement, params, **kwargs)

    def begin_nested(self):
        return self.connection().begin_nested()

    def commit(self) -> None:
        self._end("commit")

    def rollback(self) -> None:
        self._end("rollback")

    def close(self) -> None:
        self._end("rollback")

    def invalidate(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.invalidate()

    def _end(self, how: str) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            getattr(connection, how)()
        finally:
            try:
                connection.close()
            except Exception:
                connection.invalidate()  # not given back clean: the pool drops it (its slot is free again)
                raise


class ServiceStore:
    """What a worker sees: its session and units of work on its service's database."""

    def __init__(self, provider: "Database"):
        self._provider = provider
        self._session: Session | LeanSession | None = None

    @property
    def session(self) -> Session | LeanSession:
        if self._session is None:
            engine = self._provider.engine
            self._session = (LeanSession(engine) if engine.dialect.name == "sqlite"
                             else Session(engine, expire_on_commit=False))
        return self._session

    def unit_of_work(self) -> UnitOfWork:
        p = self._provider
        return UnitOfWork(self.session, p.outbox, p.processed, on_commit=p.wake_relay)

    @contextmanager
    def handle_once(self, event_id: str, handler: str):
        """A unit of work that records ``event_id`` as processed by ``handler``.

        Yields ``None`` when the event was processed before (nothing to do);
        otherwise the unit of work, committed with the processed id on success.
        """
        uow = self.unit_of_work()
        try:
            uow.begin_handling(event_id, handler)
        except AlreadyProcessed:
            self.session.rollback()
            yield None
            return
        with uow:
            yield uow

    def close(self) -> None:
        """Give the connection back; never raise.  A worker's teardown that raised (the rollback on close
        failing because the database server went away) would kill the whole service container."""
        session, self._session = self._session, None
        if session is None:
            return
        try:
            session.close()
        except Exception:
            log.warning("closing a worker's session failed (the database went away?); connection discarded",
                        exc_info=True)
            try:
                session.invalidate()
            except Exception:  # nothing more can be done with a dead connection
                pass


class Database(DependencyProvider):
    """``db = Database(models.metadata)`` in a service class."""

    def __init__(self, metadata: MetaData, relay: bool = True):
        self.metadata = metadata
        if "outbox" not in metadata.tables:
            raise ValueError("a service's metadata needs shared.outbox.messaging_tables(metadata)")
        self.outbox, self.processed = metadata.tables["outbox"], metadata.tables["processed_events"]
        self.relay_enabled = relay
        self.engine: Engine | None = None
        self._stores: dict = {}
        self._wake = threading.Event()
        self._handed: list[Outgoing] = []  # committed events handed over by their unit of work, to publish now
        self._handed_ready = threading.Event()
        self._in_flight: set[str] = set()  # taken by the hand-over, not yet confirmed
        self._unmarked: set[str] = set()  # published (confirmed) by the hand-over, not yet marked in the outbox
        self._retry: set[str] = set()  # the hand-over could not publish these: the read takes them at once
        self._running = False
        self._topology_declared = False

    # -- lifecycle ---------------------------------------------------------
    def setup(self):
        config = self.container.config
        self.url = database_url(self.container.service_name, config)
        self.engine = make_engine(self.url, group_commit=str(config.get("ZS_SQLITE_GROUP_COMMIT", True)).lower()
                                  not in ("0", "false", "no", "off"),
                                  checkpoint_interval=checkpoint_interval(config.get("ZS_SQLITE_CHECKPOINT_INTERVAL")))
        service = self.container.service_name
        if migrations.has_migrations(service) and config.get("ZS_AUTO_MIGRATE", True) is not False:
            migrations.upgrade(service, self.engine)  # to head; `zhaoshang migrate` does the same at deploy
        elif not migrations.has_migrations(service):
            self.metadata.create_all(self.engine)
        self.amqp_uri = config["AMQP_URI"]
        self.quorum = bool(config.get("ZS_QUORUM_QUEUES"))
        self.poll_interval = float(config.get("OUTBOX_POLL_INTERVAL") or 0.5)
        self.handover_grace = float(config.get("OUTBOX_HANDOVER_GRACE") or 5.0)
        self.publisher = BatchPublisher(self.amqp_uri)  # the outbox read's
        self.handover_publisher = BatchPublisher(self.amqp_uri)  # the hand-over's: its own connection
        # declare every queue now, before any entrypoint starts: setup() of all extensions finishes before
        # start() of any, so once the service answers an RPC (its health) its event queues exist and an event
        # published from then on is kept for it (else the relay's first pass declared them, racing the RPC)
        try:
            self._declare_topology()
        except Exception:  # the broker is not up yet: the relay declares the queues on its first pass
            log.warning("could not declare the topology at start of %s; the relay will", service, exc_info=True)

    def start(self):
        checkpointer = getattr(self.engine, "checkpointer", None)
        if checkpointer is not None:
            checkpointer.start()
        if self.relay_enabled:
            self._running = True
            name = self.container.service_name
            self.container.spawn_managed_thread(self._handover_forever, identifier=f"{name}.outbox-handover")
            self.container.spawn_managed_thread(self._relay_forever, identifier=f"{name}.outbox-relay")

    def stop(self):
        sync = getattr(self.engine, "wal_sync", None)
        if sync is not None:
            log.info("%s: %d commits that wrote, made durable by %d fsyncs of the WAL", self.container.service_name,
                     sync.committed, sync.fsyncs)
            sync.close()  # a worker still finishing reopens it
        checkpointer = getattr(self.engine, "checkpointer", None)
        if checkpointer is not None:
            checkpointer.stop()
        self._running = False
        self._wake.set()
        self._handed_ready.set()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        store = ServiceStore(self)
        self._stores[worker_ctx] = store
        return store

    def worker_teardown(self, worker_ctx):
        store = self._stores.pop(worker_ctx, None)
        if store is not None:
            store.close()

    # -- relay -------------------------------------------------------------
    def wake_relay(self, committed=()) -> None:
        """A unit of work committed: its events (event id, type, body) go to the relay to publish at once."""
        if self.relay_enabled and committed and len(self._handed) < HANDED_MAX:
            self._handed.extend(Outgoing.of(*row) for row in committed)
            self._handed_ready.set()
        else:  # nothing handed over (or too much waiting): the outbox read takes them
            self._wake.set()

    def _declare_topology(self) -> None:
        with get_connection(self.amqp_uri) as conn:
            declare_topology(conn, quorum=self.quorum)
        self._topology_declared = True

    def relay_once(self) -> int:
        """The relay's two steps in turn (the service runs each in its own green thread); returns how many
        events were published."""
        return self.publish_handed() + self.poll_once()

    def publish_handed(self) -> int:
        """Publish the events units of work handed over on commit, straight from memory; returns how many.

        The latency from commit to broker is one batch publish, never a read of the outbox behind the
        workers holding the database (SQLite: one connection per process).  Confirmed events are marked
        by the next ``poll_once``; one that was not confirmed stays in the outbox for its read.  After a
        crash between publish and mark the read publishes the event again: consumers are idempotent."""
        published = 0
        while self._handed:
            batch, self._handed = self._handed[:RELAY_BATCH], self._handed[RELAY_BATCH:]
            ids = [out.event_id for out in batch]
            self._in_flight.update(ids)
            try:
                outcome = self.handover_publisher.publish(batch)
            except Exception:  # the rows are in the outbox: its read publishes them
                log.warning("publishing %d committed events of %s failed; the outbox keeps them",
                            len(batch) + len(self._handed), self.container.service_name, exc_info=True)
                self._retry.update(ids + [out.event_id for out in self._handed])
                self._handed = []
                self._in_flight.difference_update(ids)
                self._wake.set()
                return published
            confirmed = [event_id for event_id, error in outcome.items() if error is None]
            self._unmarked.update(confirmed)
            self._in_flight.difference_update(ids)
            published += len(confirmed)
            if len(confirmed) < len(batch):  # unroutable or refused: the read records why and retries
                self._retry.update(event_id for event_id, error in outcome.items() if error is not None)
                self._wake.set()
        return published

    def poll_once(self) -> int:
        """Mark what the hand-over published; publish the other pending outbox rows; returns how many.

        The read takes a row handed over by this process only if its hand-over failed, and a row of
        another process (an instance killed before publishing, a second instance) once it is older than
        ``OUTBOX_HANDOVER_GRACE``: by then its own instance has published it, or never will.
        PostgreSQL: the rows are locked (SKIP LOCKED) while published, so two instances never read the
        same row at once; SQLite: they are read, the connection released while publishing, then marked.
        """
        if not self._topology_declared:
            self._declare_topology()
        if self.engine.dialect.name == "postgresql":
            with Session(self.engine) as session, session.begin():
                marked = self._mark_handed(session)
                rows = self._unpublished(session, lock=True)
                published = self._mark(session, self._publish(rows))
                OUTBOX_BACKLOG.labels(self.container.service_name).set(backlog(session, self.outbox))
            self._unmarked.difference_update(marked)
            return published
        with Session(self.engine) as session, session.begin():
            marked = self._mark_handed(session)
            rows = self._unpublished(session, lock=False)
        self._unmarked.difference_update(marked)
        outcomes = self._publish(rows)
        with Session(self.engine) as session, session.begin():
            published = self._mark(session, outcomes)
            OUTBOX_BACKLOG.labels(self.container.service_name).set(backlog(session, self.outbox))
            return published

    def _mark_handed(self, session) -> list[str]:
        """Mark what the hand-over published (in ``session``); returns those ids, to forget after commit."""
        marked = list(self._unmarked)
        if marked:
            mark_published_ids(session, self.outbox, marked)
        return marked

    def _unpublished(self, session, lock: bool) -> list:
        """Pending rows old enough, but those handed over (to publish, in flight, published) here."""
        skip = self._unmarked | self._in_flight | {out.event_id for out in self._handed}
        before = utcnow() - timedelta(seconds=self.handover_grace)
        limit = RELAY_BATCH + len(skip)
        rows = pending_events(session, self.outbox, limit, lock=lock, created_before=before, or_ids=self._retry)
        if len(rows) < limit:  # every pending row was read: the others to retry were published meanwhile
            self._retry &= {row.event_id for row in rows}
        return [row for row in rows if row.event_id not in skip][:RELAY_BATCH]

    def _mark(self, session, outcomes) -> int:
        published = 0
        for row, error in outcomes:
            self._retry.discard(row.event_id)  # published, or its failure recorded: the poll interval applies
            if error is None:
                mark_published(session, self.outbox, row.id)
                published += 1
            else:
                mark_failed(session, self.outbox, row.id, row.attempts + 1, error)
        return published

    def _publish(self, rows) -> list:
        """Each row with None (confirmed by the broker) or why it was not published."""
        if not rows:
            return []
        outcome = self.publisher.publish([Outgoing.of(row.event_id, row.event_type, row.body) for row in rows])
        return [(row, outcome[row.event_id]) for row in rows]

    def _handover_forever(self):
        while self._running:
            self._handed_ready.wait()
            self._handed_ready.clear()
            try:
                self.publish_handed()
            except Exception:  # never let it die (it would take the service down): the outbox read remains
                log.exception("hand-over of committed events of %s failed", self.container.service_name)
                self._retry.update(out.event_id for out in self._handed)
                self._handed = []
                self._wake.set()
        self.handover_publisher.close()

    def _relay_forever(self):
        import eventlet

        delay = self.poll_interval
        while self._running:
            self._wake.clear()
            try:
                published = self.poll_once()
                delay = self.poll_interval
            except Exception:  # broker or database trouble: keep the rows, back off
                log.exception("outbox relay of %s failed; retrying", self.container.service_name)
                self._topology_declared = False
                published = 0
                delay = min(delay * 2, 10.0)
            if published == 0 and self._running:
                self._wake.wait(timeout=delay)
            else:
                eventlet.sleep(0)
        self.publisher.close()
