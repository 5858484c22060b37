"""The database dependency's choices: one database per service, SQLite by default, URL from the environment."""

from __future__ import annotations

from sqlalchemy import MetaData, text

from shared.config import load_config
from shared.db import database_url, make_engine
from shared.outbox import messaging_tables
from tests.harness import Provider


def test_default_is_a_sqlite_file_per_service_under_the_data_dir(tmp_path):
    config = load_config(env={"ZS_DATA_DIR": str(tmp_path / "data")})
    assert database_url("intake", config) == f"sqlite:///{tmp_path / 'data' / 'intake.db'}"
    assert database_url("coordinator", config).endswith("coordinator.db")
    assert (tmp_path / "data").is_dir()


def test_a_postgresql_url_per_service_comes_from_the_environment(tmp_path):
    url = "postgresql://zhaoshang@127.0.0.1:5432/zs_intake"
    config = load_config(env={"ZS_DATA_DIR": str(tmp_path), "ZS_DB_INTAKE": url})
    assert database_url("intake", config) == url
    assert database_url("review", config).startswith("sqlite:///")  # the others keep their default


def test_sqlite_engine_is_durable_and_serialised(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL: a commit survives a power cut
    assert engine.pool.size() == 1  # one connection: a second writer would block the eventlet hub


def _provider(engine) -> Provider:
    metadata = MetaData()
    messaging_tables(metadata)
    return Provider(engine, metadata)


def test_closing_a_workers_session_never_raises_when_the_database_went_away(tmp_path, monkeypatch):
    """A worker's teardown that raised killed the whole service container (seen with PostgreSQL restarted:
    the rollback on close failed with 'terminating connection due to administrator command')."""
    from sqlalchemy.engine import Connection
    from sqlalchemy.exc import OperationalError

    from shared.db import ServiceStore

    def server_gone(self):
        raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))

    engine = make_engine(f"sqlite:///{tmp_path / 'svc.db'}")
    store = ServiceStore(_provider(engine))
    for failing in ("rollback", "close"):  # the rollback fails; or the rollback on giving the connection back
        store.session.execute(text("SELECT 1"))  # a transaction is open, as in a worker
        with monkeypatch.context() as patch:
            patch.setattr(Connection, failing, server_gone)
            store.close()  # must not raise
        assert store._session is None
        assert engine.pool.checkedout() == 0  # the connection given back or dropped: never held by a dead worker
        store.session.execute(text("SELECT 1"))  # the store still works for the next worker
        store.close()
        assert engine.pool.checkedout() == 0
    engine.dispose()


def test_json_columns_are_written_by_orjson_and_read_back_as_the_standard_library_reads_them(tmp_path):
    import json
    from datetime import datetime

    import pytest
    from sqlalchemy import JSON, Column, Integer, MetaData, Table, exc, insert, select

    engine = make_engine(f"sqlite:///{tmp_path / 'json.db'}")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("data", JSON))
    table.metadata.create_all(engine)
    values = {
        1: {"项目": "年产10万吨", "n": [1, 2.5, None, True], "amount": "3000000.00"},
        2: {7: 'an integer key, written as the standard library writes it: "7"'},
        3: {"big": 2**70},
    }  # beyond orjson's 64 bits: the standard library writes it
    with engine.begin() as c:
        c.execute(insert(table), [{"id": k, "data": v} for k, v in values.items()])
        c.execute(text("INSERT INTO t (id, data) VALUES (4, :old)"), {"old": json.dumps({"项目": "\ud800 旧"})})
        raw = dict(c.execute(text("SELECT id, data FROM t")).all())
        read = dict(c.execute(select(table.c.id, table.c.data)).all())
    assert raw[1] == '{"项目":"年产10万吨","n":[1,2.5,null,true],"amount":"3000000.00"}'  # orjson's compact UTF-8
    assert read[1] == values[1] and read[2] == {"7": values[2][7]} and read[3] == values[3]
    assert read[4] == {"项目": "\ud800 旧"}  # a row the standard library wrote (a lone surrogate escaped) still reads
    with pytest.raises(exc.StatementError, match="datetime"):  # refused as before, not written as text
        with engine.begin() as c:
            c.execute(insert(table), {"id": 5, "data": {"at": datetime(2026, 12, 6)}})
    engine.dispose()


def test_a_workers_lean_session_commits_rolls_back_and_gives_its_connection_back(tmp_path):
    from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

    from shared.db import LeanSession
    from shared.fastpath import execute

    engine = make_engine(f"sqlite:///{tmp_path / 'lean.db'}")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("v", String(10)))
    table.metadata.create_all(engine)

    def stored():
        with engine.connect() as connection:
            return [v for (v,) in connection.execute(select(table.c.v).order_by(table.c.id))]

    session = LeanSession(engine)
    assert not session.in_transaction()
    execute(session, insert(table), {"v": "fast"})  # on the driver's cursor: begins the transaction all the same
    assert session.in_transaction() and engine.pool.checkedout() == 1
    session.commit()
    assert not session.in_transaction() and engine.pool.checkedout() == 0  # given back, for the next worker
    assert stored() == ["fast"]  # committed, though no statement went through SQLAlchemy's connection
    session.execute(insert(table), {"v": "core"})
    session.commit()
    assert stored() == ["fast", "core"]

    execute(session, insert(table), {"v": "undone"})
    session.rollback()
    session.execute(insert(table), {"v": "closed"})
    session.close()  # a worker's teardown: what was not committed is rolled back
    assert stored() == ["fast", "core"] and engine.pool.checkedout() == 0

    session.execute(insert(table), {"v": "outer"})
    with session.begin_nested():  # a savepoint, as a Session's
        session.execute(insert(table), {"v": "inner"})
    session.commit()
    assert stored() == ["fast", "core", "outer", "inner"]
    assert session.get_bind() is engine and session.execute(select(table.c.v).where(table.c.id == 1)).scalar() == "fast"
    session.close()
    engine.dispose()


def test_a_handler_run_once_per_event_gets_the_envelope_and_does_nothing_on_a_redelivery(tmp_path):
    from shared.actor import SYSTEM
    from shared.db import ServiceStore, handled_once
    from shared.envelope import Envelope

    engine = make_engine(f"sqlite:///{tmp_path / 'svc.db'}")
    provider = _provider(engine)
    provider.outbox.metadata.create_all(engine)

    seen = []

    class Service:
        def __init__(self):
            self.db = ServiceStore(provider)

        @handled_once
        def on_project_filed(self, event, uow):
            seen.append((event.type, event.payload["ref"], uow.session is self.db.session))

    body = Envelope("intake.project_filed", SYSTEM, {"ref": "ZS1"}, project_id="p1").dump()
    for _ in range(2):  # delivered twice (a worker each): handled once
        service = Service()
        service.on_project_filed(body)
        service.db.close()
    assert seen == [("intake.project_filed", "ZS1", True)]
    assert Service.on_project_filed.__name__ == "on_project_filed"  # the name nameko's entrypoint calls
    with engine.connect() as c:
        assert c.execute(text("SELECT handler FROM processed_events")).scalars().all() == ["on_project_filed"]
    engine.dispose()
