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

_STATEMENTS: dict[Hashable, object] = {}


def once(key: Hashable, build: Callable[[], object]):
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = build()
    return statement
