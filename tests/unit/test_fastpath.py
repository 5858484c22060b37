"""shared.fastpath: a prebuilt statement run on SQLite's cursor stores and reads exactly what SQLAlchemy does,
for every column of every table of every service; what it cannot run the same way goes to SQLAlchemy."""

from __future__ import annotations

import importlib
import sqlite3
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from shared import fastpath

SERVICES = (
    "intake",
    "review",
    "negotiation",
    "contracts",
    "accounting",
    "supervision",
    "notifications",
    "coordinator",
    "leadership",
    "landreserve",
    "gateway",
)


def sample(column, n: int):
    """A value for ``column`` of the kind its type stores (``n`` makes unique ones)."""
    sqlite_type = column.type.dialect_impl(create_engine("sqlite://").dialect)
    for kind in (type(column.type), type(sqlite_type), type(getattr(sqlite_type, "impl", None))):
        name = kind.__name__.lower()
        if "bool" in name:
            return n % 2 == 0
        if "datetime" in name:
            return datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=timezone.utc) + timedelta(minutes=n)
        if name == "date":
            return date(2026, 12, 4) + timedelta(days=n)
        if "json" in name:
            return {"名": ["招商", n, {"x": None}], "ok": True}
        if "binary" in name or "blob" in name:
            return bytes([0, 1, 2, n % 256])
        if "decimaltext" in name or "numeric" in name:
            return Decimal("1234.50") + n
        if "integer" in name:
            return 1000 + n
    return f"招商-{column.name}-{n}"[: getattr(column.type, "length", None) or 200]


def tables():
    for service in SERVICES:
        models = importlib.import_module(f"services.{service}.models")
        for table in models.metadata.sorted_tables:
            yield pytest.param(models.metadata, table, id=f"{service}.{table.name}")


@pytest.mark.parametrize("metadata,table", list(tables()))
def test_every_table_stores_and_reads_back_what_sqlalchemy_does(tmp_path, metadata, table):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")  # foreign keys off: one table's rows alone
    # its columns, without its checks and triggers (the samples are of the right type, not of the right domain)
    Table(table.name, MetaData(), *[Column(c.name, c.type, primary_key=c.primary_key) for c in table.columns]).create(
        engine
    )
    columns = [
        c
        for c in table.columns
        if not (c.primary_key and c.autoincrement is True and isinstance(c.type, Integer))
        and not (
            c.primary_key
            and c.autoincrement == "auto"
            and type(c.type).__name__ in ("Integer", "BigInteger")
            and len(table.primary_key.columns) == 1
        )
    ]
    rows = [{c.key: sample(c, n) for c in columns} for n in (1, 2)]
    statement = insert(table)
    by_key = select(table).where(*[c == bindparam(f"k_{c.key}") for c in table.primary_key.columns])
    with Session(engine) as session:
        session.execute(statement, rows[0])  # SQLAlchemy's way
        fast = fastpath.execute(session, statement, rows[1])  # the fast path
        assert isinstance(fast, fastpath.Result), "a plain insert of given values runs on the cursor"
        session.commit()
        stored = [dict(r) for r in session.execute(select(table).order_by(*table.primary_key.columns)).mappings()]
        raw = sqlite3.connect(tmp_path / "x.db").execute(f'SELECT * FROM "{table.name}"').fetchall()
    assert len(stored) == 2 and len(raw) == 2
    for row, got in zip(rows, stored):
        assert {k: got[k] for k in row} == {k: _as_read(table.c[k], v) for k, v in row.items()}
    # what the file holds for each, column by column, is the same text/number/blob
    assert [type(v) for v in raw[0]] == [type(v) for v in raw[1]]
    with Session(engine) as session:
        for got in stored:
            keys = {f"k_{c.key}": got[c.key] for c in table.primary_key.columns}
            assert dict(fastpath.execute(session, by_key, keys).mappings().one()) == got
            assert dict(session.execute(by_key, keys).mappings().one()) == got
    engine.dispose()


def _as_read(column, value):
    """What SQLAlchemy gives back for ``value`` (a naive UTC time for a plain DateTime on SQLite)."""
    if isinstance(value, datetime) and type(column.type).__name__ == "DateTime":
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
    Column("n", Integer, default=0),
    Column("at", DateTime(timezone=True)),
    Column("doc", JSON),
    Column("ok", Boolean),
    Column("day", Date),
    Column("blob", LargeBinary),
    Column("price", Numeric(10, 2)),
)


@pytest.fixture
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'things.db'}")
    metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def test_updates_count_rows_and_a_select_s_scalar_first_and_mappings(session):
    fastpath.execute(session, insert(things), {"id": 1, "name": "一", "n": 1})
    fastpath.execute(session, insert(things), {"id": 2, "name": "二", "n": 2})
    change = update(things).where(things.c.n >= bindparam("k_n"))
    assert fastpath.execute(session, change, {"k_n": 2, "name": "贰"}).rowcount == 1
    assert fastpath.execute(session, change, {"k_n": 9, "name": "无"}).rowcount == 0
    names = select(things.c.name).where(things.c.id == bindparam("b_id"))
    assert fastpath.execute(session, names, {"b_id": 2}).scalar() == "贰"
    assert fastpath.execute(session, names, {"b_id": 3}).scalar() is None
    assert fastpath.execute(session, names, {"b_id": 1}).first() == ("一",)
    assert fastpath.execute(session, select(things.c.id, things.c.name).order_by(things.c.id)).mappings().all() == [
        {"id": 1, "name": "一"},
        {"id": 2, "name": "贰"},
    ]
    with pytest.raises(sa_exc.MultipleResultsFound):
        fastpath.execute(session, select(things.c.id)).mappings().one()


def test_what_sqlalchemy_would_add_to_is_left_to_it(session):
    defaulted = fastpath.execute(session, insert(things), {"id": 1, "name": "x"})  # n's Python default: 0
    assert not isinstance(defaulted, fastpath.Result)
    assert session.execute(select(things.c.n)).scalar() == 0
    listed = select(things.c.id).where(things.c.id.in_(bindparam("ids", expanding=True)))
    assert not isinstance(fastpath.execute(session, listed, {"ids": [1, 2]}), fastpath.Result)
    assert fastpath.execute(session, listed, {"ids": [1, 2]}).scalars().all() == [1]


def test_a_driver_error_is_sqlalchemy_s_so_the_bus_knows_a_locked_database_is_transient(session, tmp_path):
    from shared.bus import is_transient

    fastpath.execute(session, insert(things), {"id": 1, "name": "x", "n": 1})
    with pytest.raises(sa_exc.IntegrityError):
        fastpath.execute(session, insert(things), {"id": 1, "name": "again", "n": 1})
    session.rollback()
    session.connection().exec_driver_sql("PRAGMA busy_timeout=50")
    other = sqlite3.connect(tmp_path / "things.db", timeout=0)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the file
    try:
        with pytest.raises(sa_exc.OperationalError) as locked:
            fastpath.execute(session, insert(things), {"id": 2, "name": "y", "n": 2})
        assert is_transient(locked.value)
    finally:
        other.rollback()
        other.close()


def test_the_driver_connection_is_the_transaction_s_and_a_new_transaction_asks_again(session):
    fastpath.execute(session, insert(things), {"id": 1, "name": "x", "n": 1})
    first = session.info["zs_driver_connection"]
    fastpath.execute(session, insert(things), {"id": 2, "name": "y", "n": 2})
    assert session.info["zs_driver_connection"] is first  # the same transaction: not asked again
    session.rollback()  # both rows gone with their transaction
    fastpath.execute(session, insert(things), {"id": 3, "name": "z", "n": 3})
    assert session.info["zs_driver_connection"][0] is session.get_transaction() is not first[0]
    session.commit()
    assert [r.id for r in session.execute(select(things.c.id))] == [3]
