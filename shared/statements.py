"""Statements built once per table and run many times with bound parameters (pure SQLAlchemy Core).

A statement written inline (``select(t).where(t.c.id == x)``) is built, its values coerced and its cache
key computed on every call before SQLAlchemy finds its compiled form in the cache: in the lifecycle
benchmark's profile (docs/PERFORMANCE.md) SQLAlchemy's own Python took 30-49 % of each service's samples,
SQLite's work 2-7 %.  One built once with ``bindparam`` keeps its memoized cache key: about half the cost
(measured with SQLite: 484 µs -> 258 µs for a select and an update).

``once((table, "what"), build)`` returns the statement ``build()`` made the first time for that key; the
key holds the table (never its ``id``: a test's table dropped and another made at the same address would
get the wrong statement).
"""

from __future__ import annotations

from typing import Callable, Hashable

from sqlalchemy import bindparam, func, insert, select, text, update

from shared import fastpath

_STATEMENTS: dict[Hashable, object] = {}


def once(key: Hashable, build: Callable[[], object]):
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = build()
    return statement


# -- the usual shapes, by key columns ---------------------------------------------------------------------------
# Conditions compare key columns with bound parameters named ``k_<column>``, so the values set (an UPDATE's
# columns, an INSERT's row) travel as the execute's parameters and never collide with them: SQLAlchemy builds
# the SET clause or the row from the parameter names, and compiles each set of names once.


def key_params(**keys) -> dict:
    """The parameters of the conditions of ``rows``, ``first`` and ``update_rows``."""
    return {f"k_{name}": value for name, value in keys.items()}


def _where(table, keys):
    return [table.c[name] == bindparam(f"k_{name}") for name in keys]


def rows(session, table, *, order_by: tuple[str, ...] = (), lock: bool = False, columns: tuple[str, ...] = (), **keys):
    """``SELECT [columns] FROM table WHERE key = … [ORDER BY …] [FOR UPDATE]`` as mappings."""

    def build():
        query = select(*(table.c[c] for c in columns) if columns else (table,)).where(*_where(table, keys))
        query = query.order_by(*(table.c[c] for c in order_by)) if order_by else query
        return query.with_for_update() if lock else query

    statement = once((table, "rows", tuple(keys), order_by, lock, columns), build)
    return fastpath.execute(session, statement, key_params(**keys)).mappings()


def first(session, table, *, lock: bool = False, columns: tuple[str, ...] = (), **keys):
    """The one row of ``table`` with these keys (a mapping), or None."""
    return rows(session, table, lock=lock, columns=columns, **keys).first()


def exists(session, table, **keys) -> bool:
    return rows(session, table, columns=tuple(keys)[:1], **keys).first() is not None


def largest(session, table, column: str, **keys):
    """``SELECT max(column) FROM table WHERE key = …``: the value, or None when no row matches."""
    statement = once(
        (table, "max", column, tuple(keys)), lambda: select(func.max(table.c[column])).where(*_where(table, keys))
    )
    return fastpath.execute(session, statement, key_params(**keys)).scalar()


def update_rows(session, table, keys: dict, values: dict) -> int:
    """``UPDATE table SET <values> WHERE key = …``; returns the number of rows changed."""
    statement = once((table, "update", tuple(keys)), lambda: update(table).where(*_where(table, keys)))
    return fastpath.execute(session, statement, {**key_params(**keys), **values}).rowcount


def insert_row(session, table, values: dict):
    """``INSERT INTO table <values>``; returns the result (``inserted_primary_key``)."""
    result = fastpath.execute(session, once((table, "insert-row"), lambda: insert(table)), values)
    if isinstance(result, fastpath.Result):  # the key given, else the row id SQLite gave it
        result.inserted_primary_key = tuple(
            values[c.key] if c.key in values else result.lastrowid for c in table.primary_key.columns
        )
    return result


def insert_new(session, table, unique: tuple[str, ...], values: dict) -> bool:
    """``INSERT … ON CONFLICT (unique) DO NOTHING``: True if the row was inserted, False if one with the same
    ``unique`` columns was there (on PostgreSQL, also one a concurrent transaction committed meanwhile).
    One statement where a check and an insert were two (SQLite 3.24+, PostgreSQL 9.5+).

    Written as text with typed parameters: SQLAlchemy (2.0) does not cache its dialects' ``on_conflict``
    inserts and compiled one on every call; a ``text`` is compiled once, and each parameter still goes
    through its column's type (a time, a JSON document) as in any insert."""
    dialect = session.get_bind().dialect
    columns = tuple(values)

    def build():
        quote = dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)}) "
            f"ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO NOTHING"
        )
        return text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))

    return (
        fastpath.execute(session, once((table, "insert-new", unique, columns, dialect.name), build), values).rowcount
        == 1
    )
