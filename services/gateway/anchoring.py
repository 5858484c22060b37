"""The gateway anchors every service's audit trail (``shared/anchors.py``): it asks each for its chain head, signs
it with the key only it holds, keeps the anchor in its own database and writes it to its log."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import insert, select

from services.gateway import models
from shared import anchors
from shared.anchors import Anchor

A = models.audit_anchors
log = logging.getLogger("zhaoshang.audit")


def anchors_of(session, service: str) -> list[Anchor]:
    rows = session.execute(select(A).where(A.c.service == service).order_by(A.c.seq)).mappings()
    return [Anchor(r["service"], r["seq"], r["hash"], r["anchored_at"], r["mac"]) for r in rows]


def _last(session, service: str) -> Anchor | None:
    row = session.execute(select(A).where(A.c.service == service).order_by(A.c.seq.desc()).limit(1)).mappings().first()
    return None if row is None else Anchor(row["service"], row["seq"], row["hash"], row["anchored_at"], row["mac"])


def anchor(session, key: bytes, heads: dict[str, tuple[int, str] | None], now: datetime) -> list[Anchor]:
    """Anchor each head that moved since the service's last anchor, in the caller's transaction.  A head that
    stands where an anchor is but with another hash, or before the last anchor, is a rewritten or truncated trail:
    logged as an alert (``zhaoshang audit verify`` names it) and not anchored."""
    made = []
    for service, head in heads.items():
        if not head:
            continue
        seq, hash_ = int(head[0]), head[1]
        last = _last(session, service)
        if last is not None and seq <= last.seq:
            if seq < last.seq or hash_ != last.hash:
                log.error(
                    "ALERT audit trail of %s: its head is entry %d (%s) but entry %d was anchored at %s "
                    "(%s): truncated or rewritten",
                    service,
                    seq,
                    hash_[:12],
                    last.seq,
                    last.anchored_at.isoformat(),
                    last.hash[:12],
                )
            continue
        new = anchors.make(key, service, (seq, hash_), now, last)
        session.execute(
            insert(A).values(service=new.service, seq=new.seq, hash=new.hash, anchored_at=new.anchored_at, mac=new.mac)
        )
        log.info("audit anchor %s #%d %s at %s mac %s", service, new.seq, new.hash, now.isoformat(), new.mac)
        made.append(new)
    return made
