"""Persistence of the land reserve: parcels in, plain dicts out."""
from __future__ import annotations

from sqlalchemy import insert, select, update

from services.landreserve import models
from shared.errors import Conflict, NotFound
from shared.i18n import _

P = models.parcels


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


def change(session, current: dict, **values) -> None:
    done = session.execute(update(P).where(P.c.code == current["code"], P.c.version == current["version"])
                           .values(version=current["version"] + 1, **values)).rowcount
    if done != 1:
        raise Conflict(_("parcel {code} changed meanwhile; try again", code=current["code"]),
                       {"version": [str(current["version"])]})
