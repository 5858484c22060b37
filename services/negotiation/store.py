"""negotiation persistence (SQLAlchemy Core on its own database)."""
from __future__ import annotations

from sqlalchemy import func, insert, select, update

from services.negotiation import models
from shared.errors import Conflict, NotFound

N, S = models.negotiations, models.sessions


def row(session, project_id: str, lock: bool = False):
    query = select(N).where(N.c.project_id == project_id)
    found = session.execute(query.with_for_update() if lock else query).mappings().first()
    if found is None:
        raise NotFound(f"negotiation knows no filed project {project_id}", {"project_id": project_id})
    return found


def exists(session, project_id: str) -> bool:
    return session.execute(select(N.c.project_id).where(N.c.project_id == project_id)).first() is not None


def create(session, **values) -> None:
    session.execute(insert(N).values(version=1, decisions={}, review_conditions=[], outside_policy=False, **values))


def change(session, current, **values) -> None:
    done = session.execute(update(N).where(N.c.project_id == current["project_id"], N.c.version == current["version"])
                           .values(version=current["version"] + 1, **values)).rowcount
    if done != 1:
        raise Conflict("the negotiation changed meanwhile; retry", {"version": [str(current["version"])]})


def sessions_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in session.execute(select(S).where(S.c.project_id == project_id).order_by(S.c.seq)).mappings()]


def add_session(session, project_id: str, **values) -> int:
    seq = (session.execute(select(func.max(S.c.seq)).where(S.c.project_id == project_id)).scalar() or 0) + 1
    session.execute(insert(S).values(project_id=project_id, seq=seq, **values))
    return seq


def in_stages(session, stages) -> list[dict]:
    return [dict(r) for r in session.execute(select(N).where(N.c.stage.in_(list(stages))).order_by(N.c.ref)).mappings()]
