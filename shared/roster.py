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
                out.append(
                    {
                        "name": entry.get("name"),
                        "user_id": entry.get("user_id"),
                        "email": entry.get("email"),
                        "seat": entry.get("seat"),
                        "seat_title": entry.get("seat_title"),
                    }
                )
    return out


def names(entries: Iterable[Mapping], position: str, on: date) -> list[str]:
    return [h["name"] for h in holders(entries, position, on)]


# -- the copy a service keeps (one row: the roster as the last leadership.roster_changed carried it) ---------------
def roster_table(metadata):
    from sqlalchemy import JSON, Column, Integer, String, Table

    return Table(
        "roster_copy",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("entries", JSON, nullable=False),
        Column("stamp", String(80), nullable=False),  # occurred_at (UTC) | event id of the event it came with
    )


def kept_entries(session, table) -> list[dict]:
    from sqlalchemy import select

    row = session.execute(select(table.c.entries).where(table.c.id == 1)).first()
    return list(row[0]) if row else []


def keep(session, table, event) -> None:
    """The roster ``event`` (``leadership.roster_changed``) carries, unless a newer one is kept already (two changes
    may arrive in either order)."""
    from datetime import timezone

    from sqlalchemy import insert, select, update

    stamp = f"{event.occurred_at.astimezone(timezone.utc).isoformat()}|{event.event_id}"
    entries = event.payload["entries"]
    current = session.execute(select(table.c.stamp).where(table.c.id == 1)).first()
    if current is None:
        session.execute(insert(table).values(id=1, entries=entries, stamp=stamp))
    elif current[0] < stamp:
        session.execute(update(table).where(table.c.id == 1).values(entries=entries, stamp=stamp))
