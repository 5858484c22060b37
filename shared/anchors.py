"""Anchors of the audit trails (R15): each service's chain head, signed with a key that service does not hold and
kept where it cannot write.

A hash chain (``shared/audit.py``) shows an edited entry, but not a chain recomputed after an edit, nor entries
cut off its end: whoever holds the database can do both.  So every ``ZS_AUDIT_ANCHOR_SECONDS`` the gateway asks
each service for its chain head (``audit_head`` RPC), signs ``(service, seq, hash, time)`` with HMAC-SHA256 under
``ZS_AUDIT_ANCHOR_KEY`` — a key only the gateway (and the operators' ``zhaoshang audit verify``) holds — and keeps
the anchor in its own database (``audit_anchors``), each anchor's MAC also covering the service's previous
anchor's, and writes it to its log (shipped off the machine by the operators).  ``zhaoshang audit verify`` checks
each trail against its anchors: a MAC that does not match names a forged or edited anchor; an anchored entry
whose hash differs names a rewrite (with the chain recomputed); an anchor beyond the trail's end names a
truncation.  What was written after the latest anchor (at most one period) is covered by the chain alone.

The gateway's own trail is anchored the same way, in the same database: there the key still stops a forged
anchor, and the log copies stand for an anchor store the gateway cannot write (docs/SECURITY.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from shared.audit import canonical_json, canonical_time

AUDITED_SERVICES = ("coordinator", "contracts", "gateway")
"""The services that keep an audit trail (their ``audit_head`` is anchored)."""
KEY_FILE = "audit-anchor.key"
MAC_VERSION = "zs-anchor-v1"


@dataclass(frozen=True)
class Anchor:
    service: str
    seq: int
    hash: str
    anchored_at: datetime
    mac: str


def mac(key: bytes, service: str, seq: int, hash_: str, anchored_at: datetime, previous_mac: str | None) -> str:
    """HMAC-SHA256 (hex) of one anchor, chained to the service's previous anchor."""
    message = canonical_json([MAC_VERSION, service, int(seq), hash_, canonical_time(anchored_at), previous_mac or ""])
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def make(key: bytes, service: str, head: tuple[int, str], anchored_at: datetime, previous: Anchor | None) -> Anchor:
    seq, hash_ = head
    return Anchor(
        service,
        int(seq),
        hash_,
        anchored_at,
        mac(key, service, seq, hash_, anchored_at, previous.mac if previous else None),
    )


def forged(key: bytes, anchors: list[Anchor]) -> Anchor | None:
    """The first of a service's anchors (oldest first) whose MAC does not match, or None."""
    previous = None
    for anchor in anchors:
        expected = mac(key, anchor.service, anchor.seq, anchor.hash, anchor.anchored_at, previous)
        if not hmac.compare_digest(expected, anchor.mac):
            return anchor
        previous = anchor.mac
    return None


def key_of(config: dict, create: bool = False) -> bytes | None:
    """The anchoring key: ``ZS_AUDIT_ANCHOR_KEY`` (compose: a secret of the gateway's), else the key file in the
    data folder — made at the gateway's first start (``create``) on a single machine."""
    configured = config.get("ZS_AUDIT_ANCHOR_KEY")
    if configured:
        return str(configured).encode("utf-8")
    path = Path(config.get("ZS_DATA_DIR") or "var") / KEY_FILE
    if path.exists():
        return path.read_bytes().strip()
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    with open(path, "xb") as f:
        f.write(key)
    path.chmod(0o600)
    return key
