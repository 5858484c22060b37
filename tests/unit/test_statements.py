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

    t = Table("u", MetaData(), Column("id", Integer, primary_key=True), Column("project_id", String(10)),
              Column("version", Integer), Column("name", String(10)), Column("amount", Numeric(10, 2)))
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
            "version": 5, "name": "三", "amount": None}
        assert update_rows(s, t, {"project_id": "p1"}, {"amount": Decimal("1.25")}) == 2
        assert [r["amount"] for r in rows(s, t, order_by=("id",), project_id="p1")] == [Decimal("1.25")] * 2
        assert first(s, t, lock=True, project_id="p2")["name"] == "三"  # FOR UPDATE where the database has it
        built = {key: statement for key, statement in statements._STATEMENTS.items() if key[0] is t}
        update_rows(s, t, {"project_id": "p2", "version": 5}, {"version": 6})  # the same shapes again
        assert first(s, t, project_id="p1", name="一")["amount"] == Decimal("1.25")
        insert_row(s, t, {"project_id": "p4"})
        again = {key: statement for key, statement in statements._STATEMENTS.items() if key[0] is t}
        assert again.keys() == built.keys() and all(again[k] is built[k] for k in built)  # built once per shape
