"""Search by fragments of Chinese names, investors' names and credit codes, with the database's own index.

A service that offers search keeps a table of entries (``entries_table``): one row per thing found (a project,
a reserve entry), with ``text`` (every searchable field, space-separated) and ``grams`` (the character bigrams
of its Chinese runs).  The index is the database's:

* SQLite: two FTS5 tables over the entries (external content, kept by triggers — ``sqlite_ddl``):
  ``<table>_trigram`` (tokenizer ``trigram``) answers a fragment of three characters or more;
  ``<table>_bigram`` (tokenizer ``unicode61`` over the bigrams) answers a two-character fragment, which the
  trigram tokenizer cannot (it needs three).  A longer fragment could be a phrase of its bigrams too; the
  trigram table is kept because it also takes Latin and digits (a credit code, a reference) as they are typed.
* PostgreSQL: ``pg_trgm``'s GIN index on ``text`` (``postgresql_ddl``), which serves ``ILIKE '%fragment%'``;
  a two-character fragment has no trigram and is checked over the index's entries.

A query takes at most ``CANDIDATES`` matches, newest first, and ranks them (``rank``): an exact code or
reference, then a name that starts with the fragment, then where it occurs, then the shorter name.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, bindparam, column, select, text

from shared import statements
from shared.outbox import ID

CANDIDATES = 200
"""Matches ranked for one query, newest first (a fragment in every name — 项目 — still answers at once)."""
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_SPACE = re.compile(r"\s+")
FTS_SUFFIXES = ("_trigram", "_bigram")


def entries_table(metadata: MetaData, name: str, *extra: Column) -> Table:
    """The entries of a service's search: ``key`` (the thing's id), ``kind``, ``ref``, ``name``, ``investor``,
    ``code`` (a credit code), ``state``, ``unit`` (the unit responsible), ``owner_unit``, ``year``; ``text`` and
    ``grams`` are what the index holds."""
    return Table(
        name,
        metadata,
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("key", String(40), nullable=False, unique=True),
        Column("kind", String(20), nullable=False),
        Column("ref", String(40)),
        Column("name", String(200), nullable=False),
        Column("investor", String(200)),
        Column("code", String(40)),
        Column("state", String(20)),
        Column("unit", String(40)),
        Column("owner_unit", String(40)),
        Column("year", Integer),
        Column("text", Text, nullable=False),
        Column("grams", Text, nullable=False),
        *extra,
        Index(f"ix_{name}_by_state", "state"),
        Index(f"ix_{name}_by_unit", "unit"),
    )


def is_index_table(name: str | None) -> bool:
    """A table the index made (FTS5 and its shadow tables): not in the models, left out of their comparison."""
    return bool(name) and any(f"{suffix}" in name for suffix in FTS_SUFFIXES)


def sqlite_ddl(table: str) -> list[str]:
    """The FTS5 tables over ``table`` and the triggers that keep them (a migration runs these on SQLite)."""
    tri, bi = f"{table}_trigram", f"{table}_bigram"
    return [
        f"CREATE VIRTUAL TABLE {tri} USING fts5(text, tokenize='trigram', content='{table}', content_rowid='id')",
        f"CREATE VIRTUAL TABLE {bi} USING fts5(grams, tokenize='unicode61', content='{table}', content_rowid='id')",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {tri}(rowid, text) VALUES (new.id, new.text); "
        f"INSERT INTO {bi}(rowid, grams) VALUES (new.id, new.grams); END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {tri}({tri}, rowid, text) VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {bi}({bi}, rowid, grams) VALUES ('delete', old.id, old.grams); END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE OF text, grams ON {table} BEGIN "
        f"INSERT INTO {tri}({tri}, rowid, text) VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {bi}({bi}, rowid, grams) VALUES ('delete', old.id, old.grams); "
        f"INSERT INTO {tri}(rowid, text) VALUES (new.id, new.text); "
        f"INSERT INTO {bi}(rowid, grams) VALUES (new.id, new.grams); END",
    ]


def sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_{t}" for t in ("ai", "ad", "au")] + [
        f"DROP TABLE IF EXISTS {table}{suffix}" for suffix in FTS_SUFFIXES
    ]


def postgresql_ddl(table: str) -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE INDEX {table}_trigram ON {table} USING gin (text gin_trgm_ops)",
    ]


def postgresql_drop(table: str) -> list[str]:
    return [f"DROP INDEX IF EXISTS {table}_trigram"]


def create_index(connection, table: str) -> None:
    """The index of ``table`` on the connection's database (a migration's upgrade)."""
    ddl = sqlite_ddl if connection.dialect.name == "sqlite" else postgresql_ddl
    for statement in ddl(table):
        connection.execute(text(statement))


def drop_index(connection, table: str) -> None:
    drop = sqlite_drop if connection.dialect.name == "sqlite" else postgresql_drop
    for statement in drop(table):
        connection.execute(text(statement))


# -- what an entry holds ------------------------------------------------------------------------------------------
def bigrams(*texts: str | None) -> str:
    """The character bigrams of the Chinese runs of ``texts``, space-separated (衡东铝业 -> 衡东 东铝 铝业)."""
    grams: list[str] = []
    for value in texts:
        for run in _CJK.findall(value or ""):
            grams += [run[i : i + 2] for i in range(len(run) - 1)]
    return " ".join(dict.fromkeys(grams))


def entry_values(
    *,
    key: str,
    kind: str,
    name: str,
    ref: str | None = None,
    investor: str | None = None,
    code: str | None = None,
    state: str | None = None,
    unit: str | None = None,
    owner_unit: str | None = None,
    year: int | None = None,
) -> dict:
    searchable = [name, investor, code, ref]
    return {
        "key": key,
        "kind": kind,
        "ref": ref,
        "name": name or "",
        "investor": investor,
        "code": code,
        "state": state,
        "unit": unit,
        "owner_unit": owner_unit,
        "year": year,
        "text": " ".join(v for v in searchable if v),
        "grams": bigrams(name, investor),
    }


def upsert(session, table: Table, values: Mapping) -> None:
    """Write an entry (by ``key``) when it changed, only the columns that changed: the index follows (SQLite's
    triggers rewrite the FTS5 entries only when ``text`` or ``grams`` is among them, so a project that moves from
    state to state keeps its index entries)."""
    current = statements.first(session, table, key=values["key"])
    if current is None:
        statements.insert_row(session, table, dict(values))
        return
    changed = {k: v for k, v in values.items() if current[k] != v}
    if changed:
        statements.update_rows(session, table, {"id": current["id"]}, changed)


def clean(fragment: str | None) -> str:
    return _SPACE.sub(" ", (fragment or "").strip())[:60]


# -- a query ------------------------------------------------------------------------------------------------------
def matching_ids(session, table: Table, fragment: str, conditions: Sequence = (), limit: int = CANDIDATES) -> list[int]:
    """The ids of up to ``limit`` entries whose text holds ``fragment`` and that meet ``conditions``, newest
    first, found through the database's index."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        if len(fragment) >= 3:
            fts, match = f"{table.name}_trigram", '"' + fragment.replace('"', '""') + '"'
        elif _CJK.fullmatch(fragment):
            fts, match = f"{table.name}_bigram", '"' + fragment + '"'
        else:
            fts = None
        if fts is not None:
            hits = text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :q").columns(column("rowid", Integer))
            hits = hits.bindparams(bindparam("q", match)).subquery()
            query = select(table.c.id).where(table.c.id.in_(select(hits.c.rowid)), *conditions)
        else:  # one or two Latin letters or digits: the start of a reference or a credit code
            query = select(table.c.id).where(
                (table.c.ref.like(f"{fragment}%")) | (table.c.code.like(f"{fragment}%")), *conditions
            )
    else:
        pattern = "%" + fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = select(table.c.id).where(table.c.text.ilike(pattern), *conditions)
    return list(session.execute(query.order_by(table.c.id.desc()).limit(limit)).scalars())


def rank(fragment: str, entry: Mapping) -> tuple:
    """Best first: an exact code or reference, a name that starts with the fragment, an earlier occurrence in
    the name, then the investor's name, the shorter name, the newer entry."""
    f = fragment.lower()
    name, investor = (entry["name"] or "").lower(), (entry["investor"] or "").lower()
    exact = f in ((entry["code"] or "").lower(), (entry["ref"] or "").lower())
    at = name.find(f)
    return (
        not exact,
        at != 0,
        at if at >= 0 else 999,
        investor.find(f) if f in investor else 999,
        len(name),
        -entry["id"],
    )


def search(session, table: Table, fragment: str, conditions: Sequence = (), limit: int = 20) -> list[dict]:
    """Up to ``limit`` entries, ranked, for a fragment (an empty one finds nothing)."""
    fragment = clean(fragment)
    if not fragment:
        return []
    ids = matching_ids(session, table, fragment, conditions)
    if not ids:
        return []
    rows = [dict(r) for r in session.execute(select(table).where(table.c.id.in_(ids))).mappings()]
    rows.sort(key=lambda e: rank(fragment, e))
    return [{k: v for k, v in r.items() if k not in ("text", "grams")} for r in rows[:limit]]


def keys_of(rows: Iterable[Mapping]) -> list[str]:
    return [r["key"] for r in rows]


def merge(fragment: str, groups: Sequence[Sequence[Mapping]], limit: int) -> list[Mapping]:
    """The hits of several services' searches (each list ranked by ``rank``) in one ranking, best first: the
    same order as ``rank`` (without the entries' ids, which are each service's own: equal ranks keep each list's
    order, the first list's hit first).  A hit has ``name``, ``investor``, ``credit_code`` or ``code`` and ``ref``."""
    f = clean(fragment)
    ranked = [
        (
            rank(
                f,
                {
                    "name": hit.get("name"),
                    "investor": hit.get("investor"),
                    "code": hit.get("credit_code") or hit.get("code"),
                    "ref": hit.get("ref"),
                    "id": 0,
                },
            )[:-1],
            i,
            g,
            hit,
        )
        for g, hits in enumerate(groups)
        for i, hit in enumerate(hits)
    ]
    return [hit for *_, hit in sorted(ranked, key=lambda r: r[:3])][:limit]
