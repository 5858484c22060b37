"""The Leading Group's roster as every service reads it: who holds which seat, since when, until when.

The leadership service keeps the roster and sends it whole with ``leadership.roster_changed``; notifications
(a notice to a position reaches the persons holding it) and the coordinator (the ledger names the responsible and
liaison leaders) keep that copy and ask it here.  An entry: ``{seat, seat_title, role, name, user_id, email, since,
until, positions}`` — dates as ISO strings, ``until`` None while the term runs; ``positions`` the platform's
positions the seat answers for (policy ``leading_group.yaml``).  Pure.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping


def _day(value) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def in_office(entry: Mapping, on: date) -> bool:
    """The entry's term includes ``on`` (since ≤ on ≤ until; no until: still in office)."""
    since, until = _day(entry.get("since")), _day(entry.get("until"))
    return since is not None and since <= on and (until is None or on <= until)


def holders(entries: Iterable[Mapping], position: str, on: date) -> list[dict]:
    """The persons who answer for ``position`` on ``on``: the holders of every seat that answers for it, in the
    roster's order, each once."""
    out, seen = [], set()
    for entry in entries:
        if position in (entry.get("positions") or ()) and in_office(entry, on):
            key = (entry.get("user_id") or "", entry.get("name"))
            if key not in seen:
                seen.add(key)
                out.append({"name": entry.get("name"), "user_id": entry.get("user_id"), "email": entry.get("email"),
                            "seat": entry.get("seat"), "seat_title": entry.get("seat_title")})
    return out


def names(entries: Iterable[Mapping], position: str, on: date) -> list[str]:
    return [h["name"] for h in holders(entries, position, on)]
