"""SQLite syncs every commit (FULL, tests/unit/test_db.py) unless ZS_SQLITE_SYNCHRONOUS=NORMAL trades power-cut
durability for no fsync blocking the hub at every commit (commits still survive a killed process)."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from shared.db import make_engine
from zhaoshang.supervisor import ROOT


def pragma(engine, name):
    with engine.connect() as c:
        return c.execute(text(f"PRAGMA {name}")).scalar()


def test_full_sync_by_default(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    assert pragma(engine, "synchronous") == 2  # FULL
    engine.dispose()


def test_normal_sync_when_configured(tmp_path):
    code = (
        "from shared.db import make_engine; from sqlalchemy import text; "
        f"e = make_engine('sqlite:///{tmp_path / 'f.db'}'); c = e.connect(); "
        "print(c.execute(text('PRAGMA synchronous')).scalar())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"ZS_SQLITE_SYNCHRONOUS": "normal", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert out.stdout.strip() == "1", out.stderr[-2000:]
