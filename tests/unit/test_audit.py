"""The append-only, tamper-evident audit trail (R15), on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit import (
    GENESIS_HASH,
    VerifyResult,
    append,
    audit_table,
    canonical_json,
    entries_for,
    entry_hash,
    head,
    verify,
)
from shared.db import ServiceStore, make_engine
from shared.outbox import messaging_tables
from tests.harness import Provider

PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"

metadata = MetaData()
counters = Table("counters", metadata, Column("id", String, primary_key=True), Column("n", Integer, nullable=False))
outbox, processed = messaging_tables(metadata)
audit = audit_table(metadata)

CLERK = {"user_id": "u-clerk", "position": "ipb_clerk", "unit": "IPB"}
CUSTODIAN = Actor("u-fin", "custodian:FIN", "FIN", name="Wang Li")
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def engine(tmp_path):
    """A service's real SQLite database (WAL, as the services open it)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'svc.db'}")
    metadata.create_all(engine)
    with Session(engine) as s, s.begin():
        s.execute(insert(counters).values(id="c", n=0))
    yield engine
    engine.dispose()


def record(session, n=0, table=audit, **kw):
    values = dict(
        actor=CLERK,
        action="contracts.register_copy",
        record_type="contract",
        record_id="HT-2026-001",
        outcome="done",
        reason=f"copy {n} filed",
        details={"copy_no": n, "unit": "FIN"},
        at=T0 + timedelta(minutes=n),
    )
    values.update(kw)
    return append(session, table, **values)


def fill(engine, count=5, table=audit):
    """``count`` entries, each in its own committed transaction."""
    for n in range(1, count + 1):
        with Session(engine) as s, s.begin():
            record(s, n, table)


def check(engine, table=audit, **kw) -> VerifyResult:
    with Session(engine) as s:
        return verify(s, table, **kw)


def rows(engine, table=audit) -> list[dict]:
    with Session(engine) as s:
        return [dict(r._mapping) for r in s.execute(select(table).order_by(table.c.seq))]


# -- appending -----------------------------------------------------------------


def test_entries_chain_in_order_and_verify(engine):
    fill(engine, 3)
    with Session(engine) as s, s.begin():
        e = record(
            s,
            actor=CUSTODIAN,
            action="contracts.read_copy",
            outcome="allowed",
            reason="grant G-7",
            details={"grant": "G-7", "amount": "12.50"},
            at=T0 + timedelta(hours=1),
        )
    assert e["seq"] == 4 and e["user_id"] == "u-fin" and e["position"] == "custodian:FIN" and e["unit"] == "FIN"
    trail = rows(engine)
    assert [r["seq"] for r in trail] == [1, 2, 3, 4]
    assert trail[0]["prev_hash"] == GENESIS_HASH
    assert all(trail[i]["prev_hash"] == trail[i - 1]["hash"] for i in range(1, 4))
    assert all(len(r["hash"]) == 64 and int(r["hash"], 16) >= 0 for r in trail)
    assert trail[3]["at"] == T0 + timedelta(hours=1) and trail[3]["at"].tzinfo is not None
    assert trail[3]["details"] == '{"amount":"12.50","grant":"G-7"}'
    assert check(engine) == VerifyResult(True, 4, None, None)
    with Session(engine) as s:
        assert head(s, audit) == (4, trail[3]["hash"])
        assert [r["seq"] for r in entries_for(s, audit, "contract", "HT-2026-001")] == [1, 2, 3, 4]


def test_empty_trail_verifies(engine):
    assert check(engine) == VerifyResult(True, 0, None, None)
    with Session(engine) as s:
        assert head(s, audit) is None


def test_entry_commits_with_the_change_it_records_and_a_rollback_leaves_no_gap(engine):
    store = ServiceStore(Provider(engine, metadata))
    with store.unit_of_work() as uow:
        uow.session.execute(update(counters).values(n=counters.c.n + 1))
        record(uow.session, 1)
    with pytest.raises(RuntimeError):
        with store.unit_of_work() as uow:
            uow.session.execute(update(counters).values(n=counters.c.n + 1))
            record(uow.session, 2, reason="never happened")
            raise RuntimeError("the rule refused it")
    with store.unit_of_work() as uow:
        uow.session.execute(update(counters).values(n=counters.c.n + 1))
        third = record(uow.session, 3)
    store.close()
    trail = rows(engine)
    assert [r["seq"] for r in trail] == [1, 2]
    assert third["seq"] == 2 and third["prev_hash"] == trail[0]["hash"]
    assert "never happened" not in [r["reason"] for r in trail]
    with Session(engine) as s:
        assert s.execute(select(counters.c.n)).scalar_one() == 2
    assert check(engine).ok


def test_append_does_not_commit(engine):
    with Session(engine) as s:
        record(s, 1)
        s.rollback()
    assert rows(engine) == []


def test_bad_entries_are_refused(engine):
    with Session(engine) as s:
        with pytest.raises(ValueError, match="timezone-aware"):
            record(s, at=datetime(2026, 3, 2, 9, 30))
        with pytest.raises(ValueError, match="outcome"):
            record(s, outcome="maybe")
        with pytest.raises(ValueError, match="user_id"):
            record(s, actor={"position": "ipb_clerk", "unit": "IPB"})
        with pytest.raises(ValueError, match="record_id"):
            record(s, record_id="")
        with pytest.raises(ValueError, match="longer"):
            record(s, action="x" * 81)
        with pytest.raises(ValueError, match="details"):
            record(s, details=["not", "a", "mapping"])
        s.rollback()
    assert rows(engine) == []


def test_record_id_number_is_stored_and_hashed_as_text(engine):
    with Session(engine) as s, s.begin():
        e = record(s, record_id=42)
    assert e["record_id"] == "42" and rows(engine)[0]["record_id"] == "42"
    assert check(engine).ok


# -- the hash ------------------------------------------------------------------

FIXED = dict(
    actor={"user_id": "u-7", "position": "custodian:FIN", "unit": "FIN"},
    action="contracts.read_copy",
    record_type="contract",
    record_id="HT-2026-001",
    outcome="allowed",
    reason="领导批准 G-7",
    details={"grant": "G-7", "copy_no": 3},
    at=datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=timezone(timedelta(hours=8))),
)
FIXED_HASH = "7bb56c154ad9b553a3a4b84a916f451072725e1db06ca98145848ea07b637969"


def test_hash_is_deterministic_for_the_same_entry(tmp_path):
    hashes = []
    for name in ("a.db", "b.db"):
        engine = create_engine(f"sqlite:///{tmp_path / name}")
        metadata.create_all(engine)
        with Session(engine) as s, s.begin():
            hashes.append(append(s, audit, **FIXED)["hash"])
        engine.dispose()
    assert hashes == [FIXED_HASH, FIXED_HASH]
    entry = {
        "seq": 1,
        "at": datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=timezone.utc),
        "user_id": "u-7",
        "position": "custodian:FIN",
        "unit": "FIN",
        "action": "contracts.read_copy",
        "record_type": "contract",
        "record_id": "HT-2026-001",
        "reason": "领导批准 G-7",
        "outcome": "allowed",
        "details": '{"copy_no":3,"grant":"G-7"}',
        "prev_hash": GENESIS_HASH,
    }
    assert entry_hash(entry) == FIXED_HASH  # +08:00 and UTC name the same instant
    serialised = (
        '["zs-audit-v1",1,"2026-03-02T01:30:00.123456+00:00","u-7","custodian:FIN","FIN",'
        '"contracts.read_copy","contract","HT-2026-001","领导批准 G-7","allowed",'
        '"{\\"copy_no\\":3,\\"grant\\":\\"G-7\\"}","' + GENESIS_HASH + '"]'
    )
    assert hashlib.sha256(serialised.encode("utf-8")).hexdigest() == FIXED_HASH  # the documented serialisation
    for field, other in [
        ("seq", 2),
        ("at", entry["at"] + timedelta(microseconds=1)),
        ("reason", None),
        ("outcome", "refused"),
        ("details", '{"copy_no":4,"grant":"G-7"}'),
        ("prev_hash", "1" * 64),
        ("unit", "IPB"),
        ("position", "custodian:IPB"),
    ]:
        assert entry_hash({**entry, field: other}) != FIXED_HASH, field


def test_details_are_canonical_json():
    assert (
        canonical_json({"b": 1, "a": "中", "c": [1, {"z": 0, "y": None}]})
        == '{"a":"中","b":1,"c":[1,{"y":null,"z":0}]}'
    )
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


# -- append-only ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_trail SET reason = 'rewritten' WHERE seq = 2",
        "UPDATE audit_trail SET outcome = 'refused'",
        "DELETE FROM audit_trail WHERE seq = 2",
        "DELETE FROM audit_trail",
    ],
)
def test_sqlite_triggers_refuse_update_and_delete(engine, sql):
    fill(engine, 3)
    before = rows(engine)
    with Session(engine) as s:
        with pytest.raises(IntegrityError, match="append-only"):
            s.execute(text(sql))
        s.rollback()
    with Session(engine) as s:
        with pytest.raises(IntegrityError, match="append-only"):
            s.execute(update(audit).where(audit.c.seq == 1).values(reason="core update"))
        s.rollback()
    assert rows(engine) == before
    assert check(engine).ok


def drop_sqlite_triggers(engine):
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_trail_no_update"))
        conn.execute(text("DROP TRIGGER audit_trail_no_delete"))


# -- tampering -----------------------------------------------------------------

TAMPERING = {
    "reason of 3": (update(audit).where(audit.c.seq == 3).values(reason="a better reason"), 3, "altered"),
    "outcome of 2": (update(audit).where(audit.c.seq == 2).values(outcome="refused"), 2, "altered"),
    "time of 4": (
        update(audit).where(audit.c.seq == 4).values(at=T0 + timedelta(minutes=4, microseconds=1)),
        4,
        "altered",
    ),
    "details of 2": (update(audit).where(audit.c.seq == 2).values(details='{"copy_no":9,"unit":"FIN"}'), 2, "altered"),
    "user of 5": (update(audit).where(audit.c.seq == 5).values(user_id="someone-else"), 5, "altered"),
    "hash of 3": (update(audit).where(audit.c.seq == 3).values(hash="f" * 64), 3, "altered"),
    "prev_hash of 4": (update(audit).where(audit.c.seq == 4).values(prev_hash="0" * 64), 4, "link"),
    "middle entry deleted": (delete(audit).where(audit.c.seq == 3), 3, "missing"),
    "first entry deleted": (delete(audit).where(audit.c.seq == 1), 1, "missing"),
    "entry deleted, later ones renumbered": (
        [
            delete(audit).where(audit.c.seq == 2),
            update(audit).where(audit.c.seq > 2).values(seq=audit.c.seq + 100),
            update(audit).where(audit.c.seq > 100).values(seq=audit.c.seq - 101),
        ],
        2,
        "link",
    ),
}


@pytest.mark.parametrize("name", TAMPERING)
def test_verify_names_the_first_tampered_entry(engine, name):
    fill(engine, 6)
    drop_sqlite_triggers(engine)
    statements, bad, word = TAMPERING[name]
    with Session(engine) as s, s.begin():
        for stmt in statements if isinstance(statements, list) else [statements]:
            s.execute(stmt)
    result = check(engine)
    assert not result.ok
    assert result.first_bad_seq == bad
    assert result.entries == bad - 1
    assert f"entry {bad}" in result.problem and word in result.problem


def test_two_tampered_entries_report_the_first(engine):
    fill(engine, 6)
    drop_sqlite_triggers(engine)
    with Session(engine) as s, s.begin():
        s.execute(update(audit).where(audit.c.seq == 5).values(reason="later edit"))
        s.execute(update(audit).where(audit.c.seq == 2).values(reason="earlier edit"))
    assert check(engine).first_bad_seq == 2


def test_cut_tail_and_recomputed_chain_are_caught_only_by_an_anchor(engine):
    fill(engine, 5)
    with Session(engine) as s:
        anchor = head(s, audit)
    fourth = (4, rows(engine)[3]["hash"])
    assert check(engine, anchor=anchor).ok and check(engine, anchor=fourth).ok
    drop_sqlite_triggers(engine)
    with Session(engine) as s, s.begin():
        s.execute(delete(audit).where(audit.c.seq == 5))
    assert check(engine).ok  # a chain cut at its end is still a valid chain...
    result = check(engine, anchor=anchor)  # ...but not the one anchored outside the database
    assert (result.ok, result.first_bad_seq, result.entries) == (False, 5, 4) and "anchor" in result.problem

    with Session(engine) as s, s.begin():  # edit entry 3, then recompute every hash from it on
        s.execute(update(audit).where(audit.c.seq == 3).values(reason="rewritten"))
        prev = s.execute(select(audit.c.hash).where(audit.c.seq == 2)).scalar_one()
        for row in s.execute(select(audit).where(audit.c.seq >= 3).order_by(audit.c.seq)).all():
            digest = entry_hash({**row._mapping, "prev_hash": prev})
            s.execute(update(audit).where(audit.c.seq == row.seq).values(prev_hash=prev, hash=digest))
            prev = digest
    assert check(engine).ok  # the chain alone cannot tell
    result = check(engine, anchor=fourth)
    assert (result.ok, result.first_bad_seq, result.entries) == (False, 4, 3) and "anchor" in result.problem
    assert check(engine, anchor=(2, rows(engine)[1]["hash"])).ok  # entries before the edit still match


# -- concurrent appends --------------------------------------------------------


class RacingSession:
    """A session whose first read is followed by ``meanwhile()``: another append commits in between."""

    def __init__(self, session, meanwhile):
        self._session, self._meanwhile = session, meanwhile

    def get_bind(self):
        return self._session.get_bind()

    info: dict = {}

    def get_transaction(self):  # never the same: shared.fastpath asks connection() at every statement
        return object()

    def connection(self):  # shared.fastpath runs the statements on it: the second statement comes after the read
        self._connections = getattr(self, "_connections", 0) + 1
        if self._connections == 2 and self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            meanwhile()
        return self._session.connection()

    def execute(self, statement, *args, **kw):
        result = self._session.execute(statement, *args, **kw)
        if self._meanwhile is not None:
            frozen = result.freeze()
            meanwhile, self._meanwhile = self._meanwhile, None
            meanwhile()
            return frozen()
        return result


def race(engine_a, engine_b, table):
    """B reads the head, A appends and commits, then B tries to append the same seq."""

    def other_append():
        with Session(engine_a) as s, s.begin():
            record(s, 10, table, reason="A got there first")

    with Session(engine_b) as s:
        with pytest.raises(IntegrityError) as lost:
            record(RacingSession(s, other_append), 11, table, reason="B lost")
        s.rollback()
    return lost.value


def test_concurrent_appends_fail_rather_than_fork_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'race.db'}"
    a, b = make_engine(url), make_engine(url)
    metadata.create_all(a)
    fill(a, 2)
    lost = race(a, b, audit)
    assert isinstance(lost, IntegrityError) and "audit_trail.seq" in str(lost.orig)  # the unique seq stopped B
    trail = rows(a)
    assert [r["seq"] for r in trail] == [1, 2, 3] and trail[2]["reason"] == "A got there first"
    assert check(a).ok
    with Session(b) as s, s.begin():  # the retry appends after A's entry
        assert record(s, 12)["seq"] == 4
    assert check(a) == VerifyResult(True, 4)
    a.dispose()
    b.dispose()


# -- PostgreSQL ----------------------------------------------------------------


@pytest.fixture
def pg():
    """A uniquely named schema on this machine's PostgreSQL holding an audit trail; dropped afterwards."""
    engine = create_engine(PG_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        pytest.fail(
            f"PostgreSQL at {PG_URL} is unreachable; the audit trail must be tested on it: {exc.orig}", pytrace=False
        )
    schema = f"zs_audit_test_{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    pg_metadata = MetaData(schema=schema)
    table = audit_table(pg_metadata)
    try:
        pg_metadata.create_all(engine)
        yield engine, table, schema
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_postgresql_append_and_verify(pg):
    engine, table, _ = pg
    fill(engine, 4, table)
    with Session(engine) as s, s.begin():
        e = record(
            s,
            table=table,
            actor=CUSTODIAN,
            action="contracts.read_copy",
            outcome="refused",
            reason="no grant",
            at=T0 + timedelta(hours=2, microseconds=7),
        )
    assert e["seq"] == 5
    trail = rows(engine, table)
    assert [r["seq"] for r in trail] == [1, 2, 3, 4, 5]
    assert trail[4]["at"] == T0 + timedelta(hours=2, microseconds=7)
    assert check(engine, table) == VerifyResult(True, 5)
    with Session(engine) as s:
        assert append(s, table, **FIXED)["hash"] != FIXED_HASH  # seq 6 and a real prev_hash
        s.rollback()
    assert check(engine, table).entries == 5  # the rolled-back append left nothing


def test_postgresql_same_hash_as_sqlite(pg):
    engine, table, _ = pg
    with Session(engine) as s, s.begin():
        assert append(s, table, **FIXED)["hash"] == FIXED_HASH
    assert check(engine, table).ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE \"{schema}\".audit_trail SET reason = 'rewritten' WHERE seq = 2",
        'DELETE FROM "{schema}".audit_trail WHERE seq = 2',
        'TRUNCATE "{schema}".audit_trail',
    ],
)
def test_postgresql_trigger_refuses_update_delete_truncate(pg, sql):
    engine, table, schema = pg
    fill(engine, 3, table)
    before = rows(engine, table)
    with Session(engine) as s:
        with pytest.raises(DBAPIError, match="append-only"):
            s.execute(text(sql.format(schema=schema)))
        s.rollback()
    assert rows(engine, table) == before
    assert check(engine, table).ok


def test_postgresql_tampering_is_found(pg):
    engine, table, schema = pg
    fill(engine, 5, table)
    with engine.begin() as conn:
        conn.execute(text(f'DROP TRIGGER audit_trail_no_change ON "{schema}".audit_trail'))
        conn.execute(update(table).where(table.c.seq == 3).values(outcome="refused"))
    result = check(engine, table)
    assert (result.ok, result.first_bad_seq, result.entries) == (False, 3, 2)
    with engine.begin() as conn:
        conn.execute(delete(table).where(table.c.seq == 2))
    result = check(engine, table)
    assert (result.ok, result.first_bad_seq) == (False, 2) and "missing" in result.problem


def test_postgresql_concurrent_appends_queue_instead_of_forking(pg):
    """On PostgreSQL an append takes a transaction-scoped advisory lock: a second append waits
    for the first transaction and then chains after it (no failure, no fork)."""
    import threading

    engine, table, _ = pg
    other = create_engine(PG_URL)
    try:
        fill(engine, 2, table)
        second_done = threading.Event()
        seqs = {}

        def second():
            with Session(other) as s, s.begin():
                seqs["second"] = record(s, 11, table, reason="second")["seq"]
            second_done.set()

        with Session(engine) as s, s.begin():
            seqs["first"] = record(s, 10, table, reason="first")["seq"]
            thread = threading.Thread(target=second)
            thread.start()
            assert not second_done.wait(0.5)  # the second append waits on the first transaction
        thread.join(10)
        assert second_done.is_set() and seqs == {"first": 3, "second": 4}
        assert [r["reason"] for r in rows(engine, table)][-2:] == ["first", "second"]
        assert check(engine, table) == VerifyResult(True, 4)
    finally:
        other.dispose()
