"""`zhaoshang audit verify` finds the first altered entry of an audit trail in a service's database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from shared import audit, migrations
from shared.clock import SHANGHAI
from zhaoshang.supervisor import ROOT

ACTOR = {"user_id": "fin-archivist", "position": "archivist", "unit": "FIN"}


def verify(data_dir) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zhaoshang.cli", "audit", "verify"],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=60,
        env={**os.environ, "ZS_DATA_DIR": str(data_dir)},
    )


def test_an_altered_row_in_the_database_is_caught(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'contracts.db'}")
    migrations.upgrade("contracts", engine)
    table = migrations.metadata_of("contracts").tables["audit_trail"]
    with Session(engine) as session, session.begin():
        for n in range(1, 6):
            audit.append(
                session,
                table,
                actor=ACTOR,
                action="contracts.read_contract",
                record_type="contract",
                record_id="p1",
                outcome="allowed",
                reason=f"核对 {n}",
                at=dt.datetime(2026, 11, 27, 10, n, tzinfo=SHANGHAI),
            )
    clean = verify(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "contracts      ok — 5 entries" in clean.stdout

    with engine.begin() as c:  # someone with the database in hand removes the guard and rewrites history
        c.execute(text("DROP TRIGGER audit_trail_no_update"))
        c.execute(text("UPDATE audit_trail SET outcome = 'refused', reason = '核对 3 (改)' WHERE seq = 3"))
    tampered = verify(tmp_path)
    assert tampered.returncode == 1
    assert "contracts      ALTERED — the first altered entry is #3" in tampered.stdout
