"""review persistence (SQLAlchemy Core on review's own database)."""
from __future__ import annotations

from sqlalchemy import insert, select, update

from services.review import models
from shared.errors import Conflict, NotFound

F, R, O, RET = models.filed_projects, models.reviews, models.opinions, models.returns


def filed_project(session, project_id: str):
    row = session.execute(select(F).where(F.c.project_id == project_id)).mappings().first()
    if row is None:
        raise NotFound(f"project {project_id} is not filed (R1: only a filed project is reviewed)",
                       {"project_id": project_id})
    return row


def remember_filed(session, project_id: str, payload: dict, at) -> None:
    if session.execute(select(F.c.project_id).where(F.c.project_id == project_id)).first():
        return
    session.execute(insert(F).values(
        project_id=project_id, ref=payload["ref"], project_name=payload["project_name"], sector=payload["sector"],
        fixed_asset_investment=payload["planned_fixed_asset_investment"],
        total_investment=payload["planned_total_investment"], land_mu=payload["land_mu"],
        location_kind=payload["location_kind"], location_id=payload.get("location_id"), filed_at=at,
    ))


def review_row(session, project_id: str, lock: bool = False):
    """The review; ``lock`` holds its row (PostgreSQL) so concurrent acts on it take turns."""
    query = select(R).where(R.c.project_id == project_id)
    row = session.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(f"no review has been convened for project {project_id}", {"project_id": project_id})
    return row


def has_review(session, project_id: str) -> bool:
    return session.execute(select(R.c.project_id).where(R.c.project_id == project_id)).first() is not None


def insert_review(session, **values) -> None:
    session.execute(insert(R).values(version=1, round=1, **values))


def change_review(session, row, **values) -> None:
    """Optimistic update: a concurrent change makes this a Conflict and changes nothing."""
    done = session.execute(update(R).where(R.c.project_id == row["project_id"], R.c.version == row["version"])
                           .values(version=row["version"] + 1, **values)).rowcount
    if done != 1:
        raise Conflict("the review changed meanwhile; retry", {"version": [str(row["version"])]})


def opinions_of(session, project_id: str, round_: int | None = None) -> list[dict]:
    query = select(O).where(O.c.project_id == project_id).order_by(O.c.id)
    if round_ is not None:
        query = query.where(O.c.round == round_)
    return [dict(r) for r in session.execute(query).mappings()]


def add_opinion(session, **values) -> None:
    session.execute(insert(O).values(**values))


def returns_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in session.execute(select(RET).where(RET.c.project_id == project_id).order_by(RET.c.id)).mappings()]


def add_return(session, **values) -> None:
    session.execute(insert(RET).values(**values))


def close_returns(session, project_id: str, round_: int, at, note: str | None) -> None:
    session.execute(update(RET).where(RET.c.project_id == project_id, RET.c.round == round_)
                    .values(resubmitted_at=at, resubmission_note=note))


def open_reviews(session) -> list:
    return list(session.execute(select(R).where(R.c.state == "open", R.c.escalated_at.is_(None))).mappings())


def queue_for(session, unit: str) -> list[dict]:
    """Open reviews awaiting this unit's opinion in their current round."""
    rows = session.execute(select(R, F.c.ref, F.c.project_name).join(F, F.c.project_id == R.c.project_id)
                           .where(R.c.state == "open")).mappings()
    out = []
    for row in rows:
        if unit not in row["required_units"]:
            continue
        given = {o["unit"] for o in opinions_of(session, row["project_id"], row["round"])}
        if unit not in given:
            out.append(dict(row))
    return out
