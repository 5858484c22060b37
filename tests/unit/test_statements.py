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
