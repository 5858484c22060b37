"""`zhaoshang audit verify` against the signed anchors the gateway keeps: it names a trail whose newest entries were
deleted (truncated), a chain recomputed after an edit, and an anchor edited without the key — none of which the
hash chain alone shows."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from services.gateway import anchoring
from shared import anchors, audit, migrations
from shared.clock import SHANGHAI
from zhaoshang.supervisor import ROOT

ACTOR = {"user_id": "fin-archivist", "position": "archivist", "unit": "FIN"}
KEY = "county-anchor-key-for-tests"


@pytest.fixture
def county(tmp_path):
    """The contracts database with a trail of 6 entries, and the gateway's with anchors at entries 3 and 6."""
    engines = {s: create_engine(f"sqlite:///{tmp_path / f'{s}.db'}") for s in ("contracts", "gateway")}
    for service, engine in engines.items():
        migrations.upgrade(service, engine)
    table = migrations.metadata_of("contracts").tables["audit_trail"]
    with Session(engines["contracts"]) as session, session.begin():
        for n in range(1, 7):
            audit.append(
                session,
                table,
                actor=ACTOR,
                action="contracts.read_contract",
                record_type="contract",
                record_id="p1",
                outcome="allowed",
                reason=f"核对 {n}",
                at=at(n),
            )
            if n in (3, 6):
                session.flush()
                with Session(engines["gateway"]) as g, g.begin():
                    anchoring.anchor(g, KEY.encode(), {"contracts": audit.head(session, table)}, at(n))
    yield tmp_path, engines, table
    for engine in engines.values():
        engine.dispose()


def at(n: int) -> dt.datetime:
    return dt.datetime(2026, 12, 1, 10, n, tzinfo=SHANGHAI)


def verify(data_dir, key=KEY) -> subprocess.CompletedProcess:
    env = {**os.environ, "ZS_DATA_DIR": str(data_dir), "ZS_AUDIT_ANCHOR_KEY": key}
    return subprocess.run(
        [sys.executable, "-m", "zhaoshang.cli", "audit", "verify"],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=60,
        env=env,
    )


def unguarded(engine):
    """Someone with the database in hand drops the append-only guard."""
    with engine.begin() as c:
        c.execute(text("DROP TRIGGER audit_trail_no_update"))
        c.execute(text("DROP TRIGGER audit_trail_no_delete"))


def test_an_intact_trail_matches_its_anchors(county):
    data_dir, _, _ = county
    clean = verify(data_dir)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "contracts      ok — 6 entries, every hash chained, 2 anchors match" in clean.stdout


def test_deleting_the_newest_entries_is_reported_as_truncation(county):
    data_dir, engines, _ = county
    unguarded(engines["contracts"])
    with engines["contracts"].begin() as c:
        c.execute(text("DELETE FROM audit_trail WHERE seq > 4"))
    cut = verify(data_dir)
    assert cut.returncode == 1
    assert "contracts      TRUNCATED" in cut.stdout and "ends at entry 4 but an anchor names entry 6" in cut.stdout


def test_a_chain_recomputed_after_an_edit_is_caught_at_the_next_anchor(county):
    data_dir, engines, table = county
    unguarded(engines["contracts"])
    with Session(engines["contracts"]) as session, session.begin():  # entry 2 edited, every later hash recomputed
        prev = None
        for row in session.execute(select(table).order_by(table.c.seq)).mappings().all():
            entry = dict(row)
            if entry["seq"] == 2:
                entry["outcome"], entry["reason"] = "refused", "核对 2 (改)"
            if prev is not None:
                entry["prev_hash"] = prev
            entry["hash"] = audit.entry_hash(entry)
            session.execute(
                table.update()
                .where(table.c.seq == entry["seq"])
                .values(
                    outcome=entry["outcome"], reason=entry["reason"], prev_hash=entry["prev_hash"], hash=entry["hash"]
                )
            )
            prev = entry["hash"]
        assert audit.verify(session, table).ok  # the chain alone sees nothing
    rewritten = verify(data_dir)
    assert rewritten.returncode == 1
    assert "contracts      ALTERED — the first altered entry is #3" in rewritten.stdout
    assert "differs from the anchor" in rewritten.stdout


def test_anchors_edited_without_the_key_are_named(county):
    data_dir, engines, _ = county
    with engines["gateway"].begin() as c:  # the anchors moved back to match a cut trail
        c.execute(text("DELETE FROM audit_anchors WHERE seq = 6"))
        c.execute(text("UPDATE audit_anchors SET seq = 2 WHERE seq = 3"))
    forged = verify(data_dir)
    assert forged.returncode == 1 and "contracts      ANCHOR FORGED — the anchor of entry #2" in forged.stdout
    assert verify(data_dir, key="another-key").returncode == 1  # nor can another key's anchors pass


def test_the_gateway_anchors_only_a_head_that_moved_and_alerts_on_one_that_went_back(county, caplog):
    _, engines, table = county
    with Session(engines["gateway"]) as g, g.begin():
        kept = anchoring.anchors_of(g, "contracts")
        assert [(a.seq, anchors.forged(KEY.encode(), kept)) for a in kept] == [(3, None), (6, None)]
        assert anchoring.anchor(g, KEY.encode(), {"contracts": (kept[-1].seq, kept[-1].hash)}, at(9)) == []
        assert anchoring.anchor(g, KEY.encode(), {"contracts": (4, "f" * 64)}, at(9)) == []
    assert "ALERT audit trail of contracts" in caplog.text and "truncated or rewritten" in caplog.text
