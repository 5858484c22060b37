"""shared.statements.once: a statement built once per key (holding its table), reused with new parameters."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, create_engine, insert, select

from shared.statements import once


def table() -> Table:
    return Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("name", String(10)))


def test_the_same_key_gets_the_same_statement_and_another_table_its_own():
    first, second = table(), table()
    built = []

    def build(t):
        built.append(t)
        return select(t.c.name).where(t.c.id == bindparam("b_id"))

    a = once((first, "by id"), lambda: build(first))
    assert once((first, "by id"), lambda: build(first)) is a
    b = once((second, "by id"), lambda: build(second))
    assert b is not a and built == [first, second]


def test_a_statement_built_once_runs_with_each_call_s_parameters():
    t = table()
    engine = create_engine("sqlite://")
    t.metadata.create_all(engine)
    with engine.begin() as c:
        c.execute(insert(t), [{"id": 1, "name": "一"}, {"id": 2, "name": "二"}])
        by_id = once((t, "by id"), lambda: select(t.c.name).where(t.c.id == bindparam("b_id")))
        assert [c.execute(by_id, {"b_id": i}).scalar() for i in (2, 1, 3)] == ["二", "一", None]


def test_the_usual_shapes_by_key_columns_select_update_and_insert_with_the_call_s_values():
    from decimal import Decimal

    from sqlalchemy import Numeric
    from sqlalchemy.orm import Session

    from shared import statements
    from shared.statements import exists, first, insert_row, largest, rows, update_rows

    t = Table(
        "u",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("project_id", String(10)),
        Column("version", Integer),
        Column("name", String(10)),
        Column("amount", Numeric(10, 2)),
    )
    engine = create_engine("sqlite://")
    t.metadata.create_all(engine)
    with Session(engine) as s:
        assert insert_row(s, t, {"project_id": "p1", "version": 1, "name": "一"}).inserted_primary_key[0] == 1
        insert_row(s, t, {"project_id": "p1", "version": 1, "name": "二", "amount": Decimal("3.50")})
        insert_row(s, t, {"project_id": "p2", "version": 4})
        assert [r["name"] for r in rows(s, t, order_by=("id",), project_id="p1")] == ["一", "二"]
        assert first(s, t, project_id="p1", name="二")["amount"] == Decimal("3.50")
        assert first(s, t, project_id="p3") is None
        assert exists(s, t, project_id="p2") and not exists(s, t, project_id="p3")
        assert largest(s, t, "id", project_id="p1") == 2 and largest(s, t, "id", project_id="p3") is None
        assert dict(first(s, t, columns=("version",), project_id="p2")) == {"version": 4}
        # the key columns' values are the conditions, the values the SET: a column may be both (a version check)
        assert update_rows(s, t, {"project_id": "p2", "version": 4}, {"version": 5, "name": "三"}) == 1
        assert update_rows(s, t, {"project_id": "p2", "version": 4}, {"version": 6}) == 0  # no longer version 4
        assert dict(first(s, t, columns=("version", "name", "amount"), project_id="p2")) == {
            "version": 5,
            "name": "三",
            "amount": None,
        }
        assert update_rows(s, t, {"project_id": "p1"}, {"amount": Decimal("1.25")}) == 2
        assert [r["amount"] for r in rows(s, t, order_by=("id",), project_id="p1")] == [Decimal("1.25")] * 2
        assert first(s, t, lock=True, project_id="p2")["name"] == "三"  # FOR UPDATE where the database has it
        built = {key: statement for key, statement in statements._STATEMENTS.items() if key[0] is t}
        update_rows(s, t, {"project_id": "p2", "version": 5}, {"version": 6})  # the same shapes again
        assert first(s, t, project_id="p1", name="一")["amount"] == Decimal("1.25")
        insert_row(s, t, {"project_id": "p4"})
        again = {key: statement for key, statement in statements._STATEMENTS.items() if key[0] is t}
        assert again.keys() == built.keys() and all(again[k] is built[k] for k in built)  # built once per shape


def _insert_new_on(engine):
    from datetime import datetime, timezone

    from sqlalchemy import JSON, DateTime, UniqueConstraint
    from sqlalchemy.orm import Session

    from shared.statements import insert_new

    t = Table(
        "processed",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("event_id", String(20)),
        Column("handler", String(20)),
        Column("at", DateTime(timezone=True)),
        Column("body", JSON),
        UniqueConstraint("event_id", "handler"),
    )
    t.metadata.create_all(engine)
    at = datetime(2026, 12, 4, 1, 2, 3, 456789, tzinfo=timezone.utc)
    with Session(engine) as session:
        assert (
            insert_new(
                session,
                t,
                ("event_id", "handler"),
                {"event_id": "e1", "handler": "h", "at": at, "body": {"名": ["招商", 1]}},
            )
            is True
        )
        assert (
            insert_new(session, t, ("event_id", "handler"), {"event_id": "e1", "handler": "h", "at": at, "body": {}})
            is False
        )  # there: nothing changes
        assert (
            insert_new(
                session, t, ("event_id", "handler"), {"event_id": "e1", "handler": "other", "at": at, "body": None}
            )
            is True
        )
        session.execute(insert(t), {"event_id": "e2", "handler": "h", "at": at, "body": {"名": ["招商", 1]}})
        got = session.execute(select(t.c.event_id, t.c.handler, t.c.at, t.c.body).order_by(t.c.id)).all()
    # stored as a plain insert stores it: the time through its type (SQLite gives it back naive, in UTC), the JSON
    # document through its type
    stored = [(r.event_id, r.handler, r.at if r.at.tzinfo else r.at.replace(tzinfo=timezone.utc), r.body) for r in got]
    assert stored == [
        ("e1", "h", at, {"名": ["招商", 1]}),
        ("e1", "other", at, None),
        ("e2", "h", at, {"名": ["招商", 1]}),
    ]
    t.metadata.drop_all(engine)


def test_insert_new_inserts_once_and_reports_a_row_already_there_on_sqlite(tmp_path):
    _insert_new_on(create_engine(f"sqlite:///{tmp_path / 'x.db'}"))


def test_insert_new_inserts_once_and_reports_a_row_already_there_on_postgresql():
    from tests.conftest import fresh_pg_database

    with fresh_pg_database("zs_t_insert_new") as url:
        engine = create_engine(url)
        try:
            _insert_new_on(engine)
        finally:
            engine.dispose()


def test_insert_new_is_compiled_once_and_taken_from_the_cache_after(tmp_path):
    from sqlalchemy import UniqueConstraint
    from sqlalchemy.orm import Session

    from shared import fastpath
    from shared.statements import insert_new

    t = Table("k", MetaData(), Column("a", String(5)), UniqueConstraint("a"))
    engine = create_engine(f"sqlite:///{tmp_path / 'k.db'}")
    t.metadata.create_all(engine)
    with Session(engine) as session:
        insert_new(session, t, ("a",), {"a": "x"})
        prepared = fastpath.prepared_count()
        assert [insert_new(session, t, ("a",), {"a": v}) for v in ("x", "y", "z")] == [False, True, True]
        assert fastpath.prepared_count() == prepared  # SQLite: compiled once for the driver's cursor
        statement = once((t, "insert-new", ("a",), ("a",), "sqlite"), lambda: None)
        hits = [session.execute(statement, {"a": v}).context.cache_hit.name for v in ("u", "v")]
        assert hits[-1] == "CACHE_HIT"  # and cacheable by SQLAlchemy, as PostgreSQL runs it
