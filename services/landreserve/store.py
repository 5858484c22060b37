"""Persistence of the land reserve: parcels in, plain dicts out."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from services.landreserve import models
from shared import search as fulltext
from shared.errors import Conflict, NotFound
from shared.i18n import _

P, S = models.parcels, models.search_entries


def parcel(session, code: str, lock: bool = False) -> dict:
    query = select(P).where(P.c.code == code)
    row = session.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(_("no parcel {code} in the land reserve", code=code), {"code": [code]})
    return dict(row)


def find(session, code: str) -> dict | None:
    row = session.execute(select(P).where(P.c.code == code)).mappings().first()
    return None if row is None else dict(row)


def parcels(session, status: str | None = None, location: str | None = None) -> list[dict]:
    query = select(P).order_by(P.c.location, P.c.code)
    if status:
        query = query.where(P.c.status == status)
    if location:
        query = query.where(P.c.location == location)
    return [dict(r) for r in session.execute(query).mappings()]


def add(session, values: dict) -> None:
    session.execute(insert(P).values(version=1, **values))
    _index(session, values["code"])


def change(session, current: dict, **values) -> None:
    done = session.execute(
        update(P)
        .where(P.c.code == current["code"], P.c.version == current["version"])
        .values(version=current["version"] + 1, **values)
    ).rowcount
    if done != 1:
        raise Conflict(
            _("parcel {code} changed meanwhile; try again", code=current["code"]),
            {"version": [str(current["version"])]},
        )
    _index(session, current["code"])


# -- search (shared/search.py) ---------------------------------------------------------------------------------------
def entry_of(parcel: dict) -> dict:
    """A parcel's search entry: found by its name, its code and the name of the project it is meant for or supplied
    to; filtered by status and location."""
    project = parcel.get("supplied_by") or parcel.get("project") or {}
    return fulltext.entry_values(
        key=parcel["code"],
        kind="parcel",
        name=parcel["name"],
        ref=parcel["code"],
        investor=project.get("name"),
        state=parcel["status"],
        unit=parcel["location"],
        owner_unit="LAND",
    )


def _index(session, code: str) -> None:
    fulltext.upsert(session, S, entry_of(find(session, code)))


def search(
    session, fragment: str, status: str | None = None, location: str | None = None, limit: int = 20
) -> list[dict]:
    """The parcels whose name, code or project holds ``fragment``, ranked (``shared.search.rank``)."""
    conditions = [S.c.state == status] if status else []
    if location:
        conditions.append(S.c.unit == location)
    found = fulltext.search(session, S, fragment, conditions, limit)
    rows = {
        r["code"]: dict(r) for r in session.execute(select(P).where(P.c.code.in_([e["key"] for e in found]))).mappings()
    }
    return [rows[e["key"]] for e in found if e["key"] in rows]
