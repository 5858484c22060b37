"""Group commit on SQLite (shared.durability): the commits of concurrent workers share fsyncs of the WAL, and
each worker goes on only once an fsync that began after its commit has ended; reads cost no fsync."""

from __future__ import annotations

import os
import sqlite3

import eventlet
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.orm import Session

from shared import durability
from shared.actor import Actor
from shared.db import make_engine
from shared.envelope import Envelope
from shared.outbox import UnitOfWork, messaging_tables

metadata = MetaData()
items = Table("items", metadata, Column("id", Integer, primary_key=True), Column("name", String(20)))
outbox, processed = messaging_tables(metadata)


@pytest.fixture
def grouped(tmp_path, monkeypatch):
    path = tmp_path / "svc.db"
    plain = make_engine(f"sqlite:///{path}")
    metadata.create_all(plain)
    plain.dispose()
    engine = make_engine(f"sqlite:///{path}", group_commit=True)
    sync = engine.wal_sync
    started = []  # the number of commits made when each fsync began: what it covers
    finished = []
    real = os.fsync

    def fsync(fd):
        started.append(sync.committed)
        real(fd)
        finished.append(started[-1])

    monkeypatch.setattr(durability.os, "fsync", fsync)
    yield engine, sync, finished, path
    engine.dispose()
    sync.close()


def test_concurrent_commits_share_fsyncs_and_each_waits_for_one_that_covers_it(grouped):
    engine, sync, finished, path = grouped
    seen = {}

    def worker(n):
        with Session(engine) as session:
            session.execute(insert(items), {"id": n, "name": f"item {n}"})
            session.commit()
        ticket = durability._MINE[eventlet.getcurrent()][1]
        durability.wait_mine()
        seen[n] = (ticket, max(finished, default=0))  # the commits covered by the fsyncs ended so far

    pool = eventlet.GreenPool(10)
    list(pool.imap(worker, range(200)))
    assert all(covered >= ticket for ticket, covered in seen.values())
    assert sync.committed == 200 and sync.durable == 200
    assert len(finished) == sync.fsyncs < 200 / 2  # grouped: far fewer fsyncs than commits
    with sqlite3.connect(path) as other:  # and every row is there for another connection
        assert other.execute("select count(*) from items").fetchone() == (200,)


def test_a_read_makes_no_commit_to_wait_for_and_the_pragma_is_normal_only_when_grouped(grouped, tmp_path):
    engine, sync, finished, _ = grouped
    with Session(engine) as session:
        assert session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL: the fsync is ours
        session.execute(select(items)).all()
        session.commit()
    durability.wait_mine()
    assert (sync.committed, sync.fsyncs) == (0, 0)
    plain = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    with plain.connect() as connection:
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL: SQLite syncs each commit
    assert plain.wal_sync is None
    plain.dispose()


def test_a_unit_of_work_is_on_disk_before_its_events_go_to_the_relay(grouped):
    engine, sync, finished, _ = grouped
    handed = []

    def relay(committed):
        handed.append((len(committed), sync.durable, sync.committed))

    with Session(engine) as session:
        with UnitOfWork(session, outbox, processed, on_commit=relay) as uow:
            session.execute(insert(items), {"id": 1, "name": "one"})
            uow.emit(Envelope("intake.lead_registered", Actor("u1", "ipb_clerk", "IPB"), payload={}, project_id="p1"))
    assert handed == [(1, 1, 1)] and finished == [1]


def test_the_wal_file_replaced_or_gone_is_found_again(grouped):
    engine, sync, finished, path = grouped
    with Session(engine) as session:
        session.execute(insert(items), {"id": 1, "name": "one"})
        session.commit()
    durability.wait_mine()
    engine.dispose()  # the last connection closes: SQLite checkpoints the WAL into the database and removes it
    assert not os.path.exists(f"{path}-wal")
    with Session(engine) as session:  # a new connection: a new WAL file
        session.execute(insert(items), {"id": 2, "name": "two"})
        session.commit()
    durability.wait_mine()
    assert sync.durable == 2 and len(finished) == 2
    assert os.fstat(sync._fd).st_ino == os.stat(f"{path}-wal").st_ino


def test_a_failed_fsync_fails_the_wait_and_the_next_round_syncs_again(grouped, monkeypatch):
    engine, sync, finished, _ = grouped

    def broken(fd):
        raise OSError(5, "Input/output error")

    with Session(engine) as session:
        session.execute(insert(items), {"id": 1, "name": "one"})
        session.commit()
    working = durability.os.fsync
    monkeypatch.setattr(durability.os, "fsync", broken)
    with pytest.raises(OSError):  # the bus retries the event, the RPC answers an error: nothing claims it is on disk
        durability.wait_mine()
    assert sync.durable == 0
    monkeypatch.setattr(durability.os, "fsync", working)
    sync.wait(1)
    assert sync.durable == 1 and finished == [1]


def test_a_commit_whose_wal_was_checkpointed_away_is_synced_in_the_database_file(grouped):
    engine, sync, finished, path = grouped
    with Session(engine) as session:
        session.execute(insert(items), {"id": 1, "name": "one"})
        session.commit()
    engine.dispose()  # before the wait: the last connection checkpoints the WAL into the file and removes it
    assert not os.path.exists(f"{path}-wal")
    durability.wait_mine()
    assert sync.durable == 1 and finished == [1]  # the fsync went to the database file
    with sqlite3.connect(path) as other:
        assert other.execute("select name from items").fetchall() == [("one",)]


def wal_frames(path) -> int:
    size = os.path.getsize(f"{path}-wal") if os.path.exists(f"{path}-wal") else 0
    return max(0, (size - 32) // (4096 + 24))  # the WAL's header, then frames of a page and its header


def fill(engine, rows: int) -> None:
    """``rows`` commits of a page and more each: over SQLite's 1000-page checkpoint."""
    metadata.create_all(engine)
    with Session(engine) as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS pad (b TEXT)"))
        for n in range(rows):
            session.execute(insert(items), {"id": n, "name": f"item {n}"})
            session.execute(text("INSERT INTO pad VALUES (:b)"), {"b": "x" * 3000})
            session.commit()
    durability.wait_mine()


def test_a_commit_never_checkpoints_the_wal_the_background_thread_does(tmp_path):
    own = make_engine(f"sqlite:///{tmp_path / 'own.db'}", group_commit=True)
    fill(own, 1500)  # SQLite's own checkpoint: the log restarted from its start at 1000 pages, in a commit
    assert wal_frames(tmp_path / "own.db") < 1200
    own.dispose()
    own.wal_sync.close()

    path = tmp_path / "svc.db"
    engine = make_engine(f"sqlite:///{path}", group_commit=True, checkpoint_interval=0.05)
    checkpointer = engine.checkpointer
    with engine.connect() as connection:  # SQLite's own checkpoint kept only as a safety net
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == checkpointer.SAFETY_PAGES
    fill(engine, 1500)
    assert wal_frames(path) >= 3000 and checkpointer.checkpoints == 0  # no commit checkpointed; not started yet
    checkpointer.start()
    try:
        deadline = eventlet.hubs.get_hub().clock() + 10
        while checkpointer.pages < 3000 and eventlet.hubs.get_hub().clock() < deadline:
            eventlet.sleep(0.05)  # the hub runs on meanwhile: the checkpoint is on a thread of its own
        assert checkpointer.pages >= 3000 and checkpointer.checkpoints >= 1
    finally:
        checkpointer.stop()
    assert checkpointer._thread is None
    engine.dispose()
    engine.wal_sync.close()
    with sqlite3.connect(path) as other:
        assert other.execute("select count(*) from items").fetchone() == (1500,)


def test_the_checkpoint_interval_is_checked_and_zero_leaves_checkpoints_to_sqlite(tmp_path):
    from shared.db import checkpoint_interval

    assert checkpoint_interval(None) == 0 and checkpoint_interval("") == 0 and checkpoint_interval("0.5") == 0.5
    assert checkpoint_interval(1) == 1.0
    for bad in ("soon", "-1", "7200"):
        with pytest.raises(ValueError, match=f"ZS_SQLITE_CHECKPOINT_INTERVAL must be seconds.*got {bad!r}"):
            checkpoint_interval(bad)
    plain = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    assert plain.checkpointer is None
    with plain.connect() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000  # SQLite's own
    plain.dispose()
