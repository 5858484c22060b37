"""accounting persistence."""
from __future__ import annotations

from sqlalchemy import insert, select, update

from services.accounting import models
from shared.errors import Conflict, NotFound

P, A, T = models.projects, models.accountings, models.recovery_tasks


def project(session, project_id: str):
    row = session.execute(select(P).where(P.c.project_id == project_id)).mappings().first()
    if row is None:
        raise NotFound(f"accounting knows no project {project_id}", {"project_id": project_id})
    return row


def has_project(session, project_id: str) -> bool:
    return session.execute(select(P.c.project_id).where(P.c.project_id == project_id)).first() is not None


def add_project(session, **values) -> None:
    session.execute(insert(P).values(**values))


def set_project(session, project_id: str, **values) -> None:
    session.execute(update(P).where(P.c.project_id == project_id).values(**values))


def accounting(session, project_id: str, lock: bool = False):
    query = select(A).where(A.c.project_id == project_id)
    row = session.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(f"no accounting has been opened for project {project_id}", {"project_id": project_id})
    return row


def has_accounting(session, project_id: str) -> bool:
    return session.execute(select(A.c.project_id).where(A.c.project_id == project_id)).first() is not None


def open_accounting(session, **values) -> None:
    session.execute(insert(A).values(state="open", version=1, **values))


def change(session, current, **values) -> None:
    done = session.execute(update(A).where(A.c.project_id == current["project_id"], A.c.version == current["version"])
                           .values(version=current["version"] + 1, **values)).rowcount
    if done != 1:
        raise Conflict("the accounting changed meanwhile; retry", {"version": [str(current["version"])]})


def tasks_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in session.execute(select(T).where(T.c.project_id == project_id).order_by(T.c.id)).mappings()]


def task(session, project_id: str, unit: str) -> dict:
    row = session.execute(select(T).where(T.c.project_id == project_id, T.c.unit == unit)).mappings().first()
    if row is None:
        raise NotFound(f"no recovery task for {unit}", {"unit": [unit]})
    return dict(row)


def add_task(session, **values) -> None:
    session.execute(insert(T).values(status="open", entries=[], **values))


def set_task(session, task_id: int, **values) -> None:
    session.execute(update(T).where(T.c.id == task_id).values(**values))


def delete_task(session, task_id: int) -> None:
    session.execute(T.delete().where(T.c.id == task_id))
