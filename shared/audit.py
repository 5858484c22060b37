"""The append-only, tamper-evident audit trail of a service (R15).

Every change of state and every read of a confidential record is written as one
entry of the service's ``audit_trail`` table: who (user, position, unit), when,
what (action, record type and id, outcome, details) and why (reason).

Entries form a hash chain: entry ``n`` stores the SHA-256 of its own canonical
content together with ``prev_hash`` = the hash of entry ``n - 1`` (64 zeros for
the first).  ``verify`` walks the chain in ``seq`` order and names the first
entry that was altered, removed or re-linked.

Append-only is enforced twice:

* this module offers no way to update or delete an entry, and the table gets
  database triggers (SQLite and PostgreSQL) that refuse every UPDATE and
  DELETE (and TRUNCATE on PostgreSQL) of ``audit_trail``;
* anyone able to drop those triggers (a database administrator) can still edit
  rows, but then ``verify`` no longer passes.  Re-computing the whole chain
  after an edit is only caught against an anchor kept outside the database:
  record ``head()`` elsewhere (a report, another service) and pass it to
  ``verify(anchor=...)``; the anchor also catches entries cut off the end.

Transactions: ``append`` does NOT commit.  The entry is written in the caller's
transaction and commits (or rolls back) together with the change it records, so
a rolled-back change leaves no entry and no gap.  A *refused* operation usually
ends in an exception that rolls its transaction back: record the refusal in a
transaction of its own (append, commit, then raise) or it is lost.

Concurrency: ``seq`` is ``max(seq) + 1`` read in the same transaction and is
unique, so two transactions appending at once cannot both commit the same
``seq`` (the chain never forks).  On PostgreSQL an append first takes a
transaction-scoped advisory lock, so concurrent appends queue rather than fail;
on SQLite a service has one connection per process, and a second process losing
the race fails on the unique ``seq`` and must retry its whole transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Iterable, Mapping

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    select,
    text,
)

from shared import fastpath
from shared.statements import insert_row, once
from shared.types import UtcDateTime

ID = BigInteger().with_variant(Integer, "sqlite")
TABLE_NAME = "audit_trail"
GENESIS_HASH = "0" * 64
OUTCOMES = ("allowed", "refused", "done")
HASH_VERSION = "zs-audit-v1"
"""Domain tag hashed with every entry; change it (and keep the old one for
verifying old entries) if the serialisation below ever changes."""

# Column widths, checked in Python too so SQLite and PostgreSQL behave alike.
_WIDTHS = {"user_id": 64, "position": 80, "unit": 40, "action": 80, "record_type": 40, "record_id": 64}


def audit_table(metadata: MetaData) -> Table:
    """Add the ``audit_trail`` table (and its append-only triggers) to a service's metadata."""
    table = Table(
        TABLE_NAME,
        metadata,
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("seq", ID, nullable=False),
        Column("at", UtcDateTime(), nullable=False),
        Column("user_id", String(_WIDTHS["user_id"]), nullable=False),
        Column("position", String(_WIDTHS["position"]), nullable=False),
        Column("unit", String(_WIDTHS["unit"]), nullable=False),
        Column("action", String(_WIDTHS["action"]), nullable=False),
        Column("record_type", String(_WIDTHS["record_type"]), nullable=False),
        Column("record_id", String(_WIDTHS["record_id"]), nullable=False),
        Column("reason", Text),
        Column("outcome", String(10), nullable=False),
        Column("details", Text, nullable=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        UniqueConstraint("seq", name="uq_audit_trail_seq"),
        CheckConstraint("seq >= 1", name="ck_audit_trail_seq"),
        CheckConstraint("outcome IN ('allowed', 'refused', 'done')", name="ck_audit_trail_outcome"),
        Index("ix_audit_trail_record", "record_type", "record_id"),
        Index("ix_audit_trail_user", "user_id"),
    )
    _add_append_only_triggers(table)
    return table


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _guard_ddl(table: Table) -> list[tuple[str, str, DDL]]:
    """(event, dialect, DDL) of the triggers that refuse UPDATE and DELETE on the table."""
    # DDL text goes through %-substitution: a literal % must be written %%.
    schema = table.schema
    prefix = (_quote(schema) + ".").replace("%", "%%") if schema else ""
    statements = [
        (
            "after_create",
            "sqlite",
            DDL(
                f"CREATE TRIGGER {prefix}audit_trail_no_{op.lower()} BEFORE {op} ON {TABLE_NAME} "
                f"BEGIN SELECT RAISE(ABORT, 'audit_trail is append-only: {op} refused'); END"
            ),
        )
        for op in ("UPDATE", "DELETE")
    ]
    function = f"{prefix}audit_trail_append_only"
    statements += [
        (
            "after_create",
            "postgresql",
            DDL(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $zs$ "
                "BEGIN RAISE EXCEPTION 'audit_trail is append-only: %% refused', TG_OP "
                "USING ERRCODE = 'insufficient_privilege'; END $zs$"
            ),
        ),
        (
            "after_create",
            "postgresql",
            DDL(
                f"CREATE TRIGGER audit_trail_no_change BEFORE UPDATE OR DELETE ON %(fullname)s "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            ),
        ),
        (
            "after_create",
            "postgresql",
            DDL(
                f"CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON %(fullname)s "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            ),
        ),
        ("after_drop", "postgresql", DDL(f"DROP FUNCTION IF EXISTS {function}()")),
    ]
    return statements


def _add_append_only_triggers(table: Table) -> None:
    """Create the guard right after the table (``metadata.create_all``)."""
    for event_name, dialect, ddl in _guard_ddl(table):
        event.listen(table, event_name, ddl.execute_if(dialect=dialect))


def install_append_only_guard(connection, table: Table) -> None:
    """The same guard, for a migration that created the table with ``op.create_table``."""
    for event_name, dialect, ddl in _guard_ddl(table):
        if event_name == "after_create" and connection.dialect.name == dialect:
            connection.execute(ddl.against(table))


# -- canonical forms -----------------------------------------------------------


def _json_default(value: Any):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in audit details")
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"audit details: {type(value).__name__} is not JSON serialisable")


def canonical_json(value: Any) -> str:
    """The one JSON text of ``value``: sorted keys, no spaces, UTF-8 kept, no NaN."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default
    )


def canonical_time(at: datetime) -> str:
    """``at`` in UTC, ISO 8601 with microseconds: ``2026-03-02T01:30:00.000000+00:00``."""
    if at.tzinfo is None:
        raise ValueError("audit time must be timezone-aware")
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


_HASHED = (
    "seq",
    "at",
    "user_id",
    "position",
    "unit",
    "action",
    "record_type",
    "record_id",
    "reason",
    "outcome",
    "details",
    "prev_hash",
)


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of an entry's canonical serialisation.

    The serialisation is the canonical JSON array ``[HASH_VERSION, seq, at,
    user_id, position, unit, action, record_type, record_id, reason, outcome,
    details, prev_hash]`` where ``at`` is ``canonical_time`` and ``details`` is
    the stored JSON text (hashed as text, byte for byte).
    """
    values = [entry[name] for name in _HASHED]
    values[1] = canonical_time(values[1])
    values[0] = int(values[0])
    return hashlib.sha256(canonical_json([HASH_VERSION, *values]).encode("utf-8")).hexdigest()


def _actor_field(actor: Any, name: str) -> Any:
    if isinstance(actor, Mapping):
        return actor.get(name)
    return getattr(actor, name, None)  # shared.actor.Actor and the like


def _text(name: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and name == "record_id":
        value = str(value)
    if not isinstance(value, str) or not value:
        raise ValueError(f"audit entry needs a non-empty text {name}")
    if len(value) > _WIDTHS[name]:
        raise ValueError(f"audit {name} is longer than {_WIDTHS[name]} characters")
    return value


# -- writing -------------------------------------------------------------------


def append(
    session,
    table: Table,
    *,
    actor: Mapping[str, Any],
    action: str,
    record_type: str,
    record_id: str | int,
    outcome: str,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
    at: datetime,
) -> dict:
    """Write the next entry in the caller's transaction (no commit) and return it.

    ``actor`` is a mapping (or an object such as ``shared.actor.Actor``) with
    ``user_id``, ``position`` and ``unit``.  ``at`` must be timezone-aware.
    See the module docstring about retries when two appends race.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"audit outcome must be one of {', '.join(OUTCOMES)}")
    if reason is not None and not isinstance(reason, str):
        raise ValueError("audit reason must be text")
    if details is not None and not isinstance(details, Mapping):
        raise ValueError("audit details must be a mapping")
    entry = {
        "at": datetime.fromisoformat(canonical_time(at)),
        "user_id": _text("user_id", _actor_field(actor, "user_id")),
        "position": _text("position", _actor_field(actor, "position")),
        "unit": _text("unit", _actor_field(actor, "unit")),
        "action": _text("action", action),
        "record_type": _text("record_type", record_type),
        "record_id": _text("record_id", record_id),
        "reason": reason,
        "outcome": outcome,
        "details": canonical_json(dict(details or {})),
    }
    if session.get_bind().dialect.name == "postgresql":
        # appends queue on a transaction-scoped lock instead of racing for the next seq
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": f"zs-audit:{table.fullname}"})
    last = fastpath.execute(session, once((table, "last"), lambda: _last(table))).mappings().first()
    entry["seq"] = 1 if last is None else last["seq"] + 1
    entry["prev_hash"] = GENESIS_HASH if last is None else last["hash"]
    entry["hash"] = entry_hash(entry)
    entry["id"] = insert_row(session, table, entry).inserted_primary_key[0]
    return entry


def _last(table: Table):
    return select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)


def head(session, table: Table) -> tuple[int, str] | None:
    """``(seq, hash)`` of the last entry, to keep outside the database as an anchor."""
    row = session.execute(once((table, "last"), lambda: _last(table))).first()
    return None if row is None else (row.seq, row.hash)


def entries_for(session, table: Table, record_type: str, record_id: str | int) -> list[dict]:
    """The entries about one record, oldest first."""
    rows = session.execute(
        select(table)
        .where(table.c.record_type == record_type, table.c.record_id == str(record_id))
        .order_by(table.c.seq)
    )
    return [dict(row._mapping) for row in rows]


# -- verifying -----------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    """``entries``: how many entries, from seq 1, were found intact (all of them when ``ok``).

    When not ``ok``, ``first_bad_seq`` is the first entry altered, missing or
    mislinked (always ``entries + 1``) and ``problem`` says what is wrong.  A
    chain rewritten consistently (every hash recomputed) is only caught by an
    anchor, and then ``first_bad_seq`` is the anchored entry: the rewrite is at
    or before it.
    """

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(
    session, table: Table, *, anchor: tuple[int, str] | None = None, anchors: Iterable[tuple[int, str]] = ()
) -> VerifyResult:
    """Walk the chain in seq order; report the first altered, missing or mislinked entry.

    ``anchors`` — ``(seq, hash)`` pairs from ``head()`` kept outside the service's database (``shared/anchors.py``;
    ``anchor``: one of them) — must each still be in the chain with the same hash: this catches a chain recomputed
    after an edit (at or before an anchored entry) and entries removed from its end (the trail is truncated).
    """
    anchored = dict(anchors)
    if anchor is not None:
        anchored[anchor[0]] = anchor[1]
    expected_seq, prev_hash = 1, GENESIS_HASH
    rows = session.execute(select(table).order_by(table.c.seq).execution_options(yield_per=500))
    for row in rows:
        entry = row._mapping
        seq = entry["seq"]
        if seq != expected_seq:
            rows.close()
            return VerifyResult(
                False, expected_seq - 1, expected_seq, f"entry {expected_seq} is missing (the next entry has seq {seq})"
            )
        if entry["prev_hash"] != prev_hash:
            rows.close()
            return VerifyResult(
                False, seq - 1, seq, f"entry {seq} does not link to entry {seq - 1} (prev_hash differs)"
            )
        try:
            recomputed = entry_hash(entry)
        except (TypeError, ValueError) as exc:
            rows.close()
            return VerifyResult(False, seq - 1, seq, f"entry {seq} cannot be read: {exc}")
        if recomputed != entry["hash"]:
            rows.close()
            return VerifyResult(False, seq - 1, seq, f"entry {seq} was altered (its content does not match its hash)")
        if seq in anchored and entry["hash"] != anchored[seq]:
            rows.close()
            return VerifyResult(
                False,
                seq - 1,
                seq,
                f"entry {seq} differs from the anchor kept outside the database "
                "(it or an entry before it was rewritten, and the chain recomputed)",
            )
        prev_hash, expected_seq = entry["hash"], seq + 1
    count = expected_seq - 1
    if anchored and max(anchored) > count:
        return VerifyResult(
            False,
            count,
            count + 1,
            f"truncated: the trail ends at entry {count} but an anchor names entry {max(anchored)} "
            f"(entries {count + 1} to {max(anchored)} at least were removed)",
        )
    return VerifyResult(True, count)


__all__ = [
    "GENESIS_HASH",
    "OUTCOMES",
    "VerifyResult",
    "append",
    "audit_table",
    "canonical_json",
    "canonical_time",
    "entries_for",
    "entry_hash",
    "head",
    "verify",
]
