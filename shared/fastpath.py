"""Statements built once, run on the driver's cursor (SQLite): what SQLAlchemy does for them, done once.

SQLAlchemy executes a prebuilt statement in about 40 µs of Python (the session's and connection's
bookkeeping, the compiled cache's lookup, each parameter and each result row through the execution context)
for a statement SQLite runs in a few: in the lifecycle benchmark a quarter of the services' CPU went through
``Session.execute`` (docs/PERFORMANCE.md).  ``execute(session, statement, params)`` compiles the statement
once per set of parameter names with SQLAlchemy itself, keeps each parameter's and each result column's
processor (``TypeEngine.dialect_impl(dialect)``: the same conversions, variants and ``TypeDecorator``\\ s
included), and runs it on the session's own connection and transaction (``Session.connection()``): same SQL,
same values, same transaction, a driver error raised as SQLAlchemy's (``DBAPIError.instance``: an
``OperationalError`` is still transient for the bus).

Taken only where it is the same: SQLite; a statement SQLAlchemy would give more than its SQL and values —
Python-side column defaults or ``onupdate`` to compute, ``IN`` lists to expand, ``RETURNING`` — runs through
``session.execute`` as before.  PostgreSQL always runs through SQLAlchemy.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.sql import Select

_PREPARED: dict = {}
_SLOW = object()  # a statement the fast path leaves to SQLAlchemy


class Prepared:
    __slots__ = ("sql", "params", "keys", "results", "is_select")

    def __init__(self, sql: str, params: list, keys: list[str], results: list, is_select: bool):
        self.sql, self.params, self.keys, self.results, self.is_select = sql, params, keys, results, is_select


def _prepare(statement, dialect, names: tuple[str, ...]):
    is_select = isinstance(statement, Select)
    column_keys = None if is_select or not hasattr(statement, "table") else list(names)
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)
    if (
        getattr(compiled, "insert_prefetch", None)
        or getattr(compiled, "update_prefetch", None)
        or getattr(compiled, "returning", None)
        or compiled.positiontup is None
        or any(bind.expanding for bind in compiled.binds.values())
    ):
        return _SLOW
    params = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        given = name in names
        if not given and bind.required:
            return _SLOW  # a parameter missing: let SQLAlchemy say which
        params.append((name, given, None if given else bind.effective_value, processor))
    results, keys = [], []
    if is_select:
        for column in statement.selected_columns:
            keys.append(column.key)
            results.append(column.type.dialect_impl(dialect).result_processor(dialect, None))
    return Prepared(compiled.string, params, keys, results, is_select)


class Result:
    """What the callers of a prebuilt statement read: rows (tuples or mappings), ``rowcount``, ``scalar()``."""

    def __init__(self, rows: list[tuple], keys: list[str], rowcount: int, lastrowid):
        self._rows, self._keys, self.rowcount, self.lastrowid = rows, keys, rowcount, lastrowid
        self.inserted_primary_key: tuple | None = None  # set by the caller that knows the table (insert_row)

    def first(self):
        return self._rows[0] if self._rows else None

    def scalar(self):
        return self._rows[0][0] if self._rows else None

    def all(self) -> list[tuple]:
        return list(self._rows)

    def __iter__(self):
        return iter(self._rows)

    def mappings(self) -> "Mappings":
        return Mappings([dict(zip(self._keys, row)) for row in self._rows])


class Mappings(list):
    def first(self):
        return self[0] if self else None

    def all(self) -> list[dict]:
        return list(self)

    def one(self) -> dict:
        if len(self) != 1:
            raise sa_exc.NoResultFound("no row") if not self else sa_exc.MultipleResultsFound("more than one row")
        return self[0]

    def one_or_none(self):
        if len(self) > 1:
            raise sa_exc.MultipleResultsFound("more than one row")
        return self[0] if self else None


def execute(session, statement, params: dict | None = None, *, key: Any = None):
    """``session.execute(statement, params)``, on the driver's cursor where that is the same (module doc).
    ``key`` names the statement in the cache (default: the statement object, built once by the caller)."""
    params = params or {}
    bind = session.get_bind()
    dialect = bind.dialect
    if dialect.name != "sqlite":
        return session.execute(statement, params)
    names = tuple(sorted(params))
    cache_key = (statement if key is None else key, names)
    prepared = _PREPARED.get(cache_key)
    if prepared is None:
        prepared = _PREPARED[cache_key] = _prepare(statement, dialect, names)
    if prepared is _SLOW:
        return session.execute(statement, params)
    values = []
    for name, given, default, processor in prepared.params:
        value = params[name] if given else default
        values.append(processor(value) if processor is not None else value)
    dbapi_connection = _driver_connection(session)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(prepared.sql, values)
        rows = cursor.fetchall() if prepared.is_select else []
    except dialect.loaded_dbapi.Error as error:
        raise sa_exc.DBAPIError.instance(prepared.sql, values, error, dialect.loaded_dbapi.Error) from error
    finally:
        result_rowcount, lastrowid = cursor.rowcount, cursor.lastrowid
        cursor.close()
    if prepared.is_select and any(prepared.results):
        processors = prepared.results
        rows = [tuple(p(v) if p is not None else v for p, v in zip(processors, row)) for row in rows]
    return Result(rows, prepared.keys, result_rowcount, lastrowid)


def _driver_connection(session):
    """The driver's connection of the session's transaction (begun if none is): asked of the session once per
    transaction, not at every statement."""
    transaction = session.get_transaction()
    cached = session.info.get("zs_driver_connection")
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cached[1]
    connection = session.connection().connection.dbapi_connection
    session.info["zs_driver_connection"] = (session.get_transaction(), connection)
    return connection


def prepared_count() -> int:
    return len(_PREPARED)


__all__ = ["execute", "Result"]
