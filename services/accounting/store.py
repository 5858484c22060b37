"""accounting persistence."""
from __future__ import annotations

from sqlalchemy import select

from services.accounting import models
from shared.errors import Conflict, NotFound
from shared.statements import exists, first, insert_row, rows, update_rows

P, A, T = models.projects, models.accountings, models.recovery_tasks


def project(session, project_id: str):
    row = first(session, P, project_id=project_id)
    if row is None:
        raise NotFound(f"accounting knows no project {project_id}", {"project_id": project_id})
    return row


def set_project(session, project_id: str, **values) -> None:
    update_rows(session, P, {"project_id": project_id}, values)


def accounting(session, project_id: str, lock: bool = False):
    row = first(session, A, lock=lock, project_id=project_id)
    if row is None:
        raise NotFound(f"no accounting has been opened for project {project_id}", {"project_id": project_id})
    return row


def has_accounting(session, project_id: str) -> bool:
    return exists(session, A, project_id=project_id)


def in_construction_without_accounting(session) -> list[dict]:
    """Projects whose lifecycle copy says construction and that have no accounting yet."""
    query = (select(P.c.project_id, P.c.ref, P.c.contract_terms)
             .where(P.c.lifecycle_state == "construction", P.c.project_id.not_in(select(A.c.project_id))))
    return [dict(r) for r in session.execute(query).mappings()]


def open_accounting(session, **values) -> None:
    insert_row(session, A, {"state": "open", "version": 1, **values})


def change(session, current, **values) -> None:
    done = update_rows(session, A, {"project_id": current["project_id"], "version": current["version"]},
                       {**values, "version": current["version"] + 1})
    if done != 1:
        raise Conflict("the accounting changed meanwhile; retry", {"version": [str(current["version"])]})


def tasks_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in rows(session, T, order_by=("id",), project_id=project_id)]


def task(session, project_id: str, unit: str) -> dict:
    row = first(session, T, project_id=project_id, unit=unit)
    if row is None:
        raise NotFound(f"no recovery task for {unit}", {"unit": [unit]})
    return dict(row)


def add_task(session, **values) -> None:
    insert_row(session, T, {"status": "open", "entries": [], **values})


def set_task(session, task_id: int, **values) -> None:
    update_rows(session, T, {"id": task_id}, values)


def delete_task(session, task_id: int) -> None:
    session.execute(T.delete().where(T.c.id == task_id))
