"""Database dependency provider: one database per service.

Default: SQLite file ``<ZS_DATA_DIR>/<service>.db``; ``DATABASES.<service>`` in
the config (env ``ZS_DB_<SERVICE>``) gives a PostgreSQL URL instead, driven by
psycopg2 made green for eventlet (psycogreen) so a query never blocks the hub.

Each worker gets one session (``self.db.session``) closed at worker teardown;
``self.db.unit_of_work()`` wraps it in a transaction with the outbox, ``self.db.handle_once`` (or the
``@handled_once`` decorator) records an event as processed in the same transaction.  Publishing what the
outbox holds is the ``OutboxRelay``'s work (``shared.relay``), a dependency of its own beside this one.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from contextlib import contextmanager
from pathlib import Path

import orjson
from nameko.extensions import DependencyProvider
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shared import migrations
from shared.envelope import Envelope
from shared.outbox import AlreadyProcessed, UnitOfWork

log = logging.getLogger(__name__)


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
        engine = create_engine(
            url,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            connect_args={"timeout": 30, "check_same_thread": False},
            json_serializer=json_text,
            json_deserializer=json_value,
        )
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
    return create_engine(
        url, pool_size=10, max_overflow=10, pool_pre_ping=True, json_serializer=json_text, json_deserializer=json_value
    )


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
        raise ValueError(
            f"ZS_SQLITE_CHECKPOINT_INTERVAL must be seconds from 0 to 3600 (0: SQLite checkpoints in "
            f"its commits); got {value!r}"
        )
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
            self._session = (
                LeanSession(engine) if engine.dialect.name == "sqlite" else Session(engine, expire_on_commit=False)
            )
        return self._session

    @property
    def outbox(self):
        return self._provider.outbox

    @property
    def processed(self):
        return self._provider.processed

    def unit_of_work(self) -> UnitOfWork:
        p = self._provider
        return UnitOfWork(self.session, p.outbox, p.processed, on_commit=p.committed)

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
            log.warning(
                "closing a worker's session failed (the database went away?); connection discarded", exc_info=True
            )
            try:
                session.invalidate()
            except Exception:  # nothing more can be done with a dead connection
                pass


class Database(DependencyProvider):
    """``db = Database(models.metadata)`` in a service class: its engine, its schema brought to head, a session
    per worker and units of work with the outbox.  A service that publishes events declares an
    ``OutboxRelay`` beside it (``shared.relay``), which the units of work hand their committed events to."""

    def __init__(self, metadata: MetaData):
        self.metadata = metadata
        if "outbox" not in metadata.tables:
            raise ValueError("a service's metadata needs shared.outbox.messaging_tables(metadata)")
        self.outbox, self.processed = metadata.tables["outbox"], metadata.tables["processed_events"]
        self.engine: Engine | None = None
        self.relay = None  # the service's OutboxRelay, which sets itself here
        self._stores: dict = {}

    # -- lifecycle ---------------------------------------------------------
    def setup(self):
        config = self.container.config
        self.url = database_url(self.container.service_name, config)
        self.engine = make_engine(
            self.url,
            group_commit=str(config.get("ZS_SQLITE_GROUP_COMMIT", True)).lower() not in ("0", "false", "no", "off"),
            checkpoint_interval=checkpoint_interval(config.get("ZS_SQLITE_CHECKPOINT_INTERVAL")),
        )
        service = self.container.service_name
        if migrations.has_migrations(service) and config.get("ZS_AUTO_MIGRATE", True) is not False:
            # to head; `zhaoshang migrate` does the same at deploy (a revision that moves rows between two
            # services' databases finds the other's by the same configuration)
            migrations.upgrade(service, self.engine, database_url=lambda other: database_url(other, config))
        elif not migrations.has_migrations(service):
            self.metadata.create_all(self.engine)

    def start(self):
        checkpointer = getattr(self.engine, "checkpointer", None)
        if checkpointer is not None:
            checkpointer.start()

    def stop(self):
        sync = getattr(self.engine, "wal_sync", None)
        if sync is not None:
            log.info(
                "%s: %d commits that wrote, made durable by %d fsyncs of the WAL",
                self.container.service_name,
                sync.committed,
                sync.fsyncs,
            )
            sync.close()  # a worker still finishing reopens it
        checkpointer = getattr(self.engine, "checkpointer", None)
        if checkpointer is not None:
            checkpointer.stop()

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

    def committed(self, rows=()) -> None:
        """A unit of work committed these events (event id, type, body): the relay, if any, publishes them now."""
        if self.relay is not None:
            self.relay.hand_over(rows)


def handled_once(method):
    """An ``@on_event`` handler run once per event: ``method(self, event, uow)`` gets the envelope and a unit
    of work that records the event as processed by the method (its name) in the same transaction; a
    redelivered event does nothing (``ServiceStore.handle_once``).

        @on_event("intake.project_filed")
        @handled_once
        def on_project_filed(self, event, uow): ...
    """
    name = method.__name__

    @functools.wraps(method)
    def handler(self, body):
        event = Envelope.load(body)
        with self.db.handle_once(event.event_id, name) as uow:
            if uow is not None:
                return method(self, event, uow)
        return None

    return handler
