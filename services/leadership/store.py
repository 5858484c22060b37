"""Persistence of the leadership service: the roster, investment events, their leads; rows in, dicts out."""

from __future__ import annotations

import uuid

from sqlalchemy import func, insert, select, update

from services.leadership import models
from shared.errors import Conflict, NotFound
from shared.i18n import _
from shared.statements import insert_new

R, E, L, K = models.roster, models.events, models.event_leads, models.leads


# -- the roster ---------------------------------------------------------------------------------------------------
def roster(session) -> list[dict]:
    return [dict(r) for r in session.execute(select(R).order_by(R.c.seat, R.c.since)).mappings()]


def add_entry(session, values: dict) -> int:
    return session.execute(insert(R).values(**values)).inserted_primary_key[0]


def end_term(session, entry_id: int, until) -> None:
    session.execute(update(R).where(R.c.id == entry_id).values(until=until))


# -- events -------------------------------------------------------------------------------------------------------
def add_event(session, year: int, values: dict) -> str:
    seq = (session.execute(select(func.max(E.c.seq)).where(E.c.year == year)).scalar() or 0) + 1
    event_id = uuid.uuid4().hex
    session.execute(insert(E).values(id=event_id, ref=f"HD{year}-{seq:03d}", year=year, seq=seq, version=1, **values))
    return event_id


def event(session, event_id: str, lock: bool = False) -> dict:
    query = select(E).where((E.c.id == event_id) | (E.c.ref == event_id))
    row = session.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(_("no investment event {ref}", ref=event_id), {"event_id": [event_id]})
    return dict(row)


def events(session, year: int | None = None) -> list[dict]:
    query = select(E).order_by(E.c.planned_on.desc(), E.c.ref.desc())
    if year is not None:
        query = query.where(E.c.year == year)
    return [dict(r) for r in session.execute(query).mappings()]


def change_event(session, current: dict, **values) -> None:
    done = session.execute(
        update(E)
        .where(E.c.id == current["id"], E.c.version == current["version"])
        .values(version=current["version"] + 1, **values)
    ).rowcount
    if done != 1:
        raise Conflict(
            _("investment event {ref} changed meanwhile; try again", ref=current["ref"]),
            {"version": [str(current["version"])]},
        )


def links(session, event_id: str | None = None) -> list[dict]:
    query = select(L, E.c.ref.label("event_ref")).join(E, E.c.id == L.c.event_id)
    if event_id is not None:
        query = query.where(L.c.event_id == event_id)
    return [dict(r) for r in session.execute(query).mappings()]


def link_of(session, project_id: str) -> dict | None:
    row = (
        session.execute(
            select(L, E.c.ref.label("event_ref")).join(E, E.c.id == L.c.event_id).where(L.c.project_id == project_id)
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def link(session, values: dict) -> None:
    insert_new(session, L, ("project_id",), values)


# -- what leadership knows of the leads -------------------------------------------------------------------------------
def lead_by_ref(session, ref: str) -> dict | None:
    row = session.execute(select(K).where(K.c.ref == ref)).mappings().first()
    return None if row is None else dict(row)


def leads(session, project_ids=None) -> dict[str, dict]:
    query = select(K)
    if project_ids is not None:
        query = query.where(K.c.project_id.in_(list(project_ids)))
    return {r["project_id"]: dict(r) for r in session.execute(query).mappings()}


def keep_lead(session, project_id: str, **values) -> None:
    """Insert or update what is known of a lead (its registration and its signing arrive on two queues)."""
    if session.execute(update(K).where(K.c.project_id == project_id).values(**values)).rowcount == 0:
        session.execute(insert(K).values(project_id=project_id, **{"ref": project_id, "name": "", **values}))
