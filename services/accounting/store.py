"""accounting persistence."""

from __future__ import annotations

from sqlalchemy import select

from services.accounting import models
from shared.errors import Conflict, NotFound
from shared.i18n import _
from shared.statements import exists, first, insert_row, rows, update_rows

P, A, R, E = models.projects, models.accountings, models.receivables, models.recovery_entries


def project(session, project_id: str):
    row = first(session, P, project_id=project_id)
    if row is None:
        raise NotFound(
            _("the investment accounting knows no such project (it has not been filed)"), {"project_id": project_id}
        )
    return row


def set_project(session, project_id: str, **values) -> None:
    update_rows(session, P, {"project_id": project_id}, values)


def accounting(session, project_id: str, lock: bool = False):
    row = first(session, A, lock=lock, project_id=project_id)
    if row is None:
        raise NotFound(_("no investment accounting has been opened for this project"), {"project_id": project_id})
    return row


def has_accounting(session, project_id: str) -> bool:
    return exists(session, A, project_id=project_id)


def in_construction_without_accounting(session) -> list[dict]:
    """Projects whose lifecycle copy says construction and that have no accounting yet."""
    query = select(P.c.project_id, P.c.ref, P.c.contract_terms).where(
        P.c.lifecycle_state == "construction", P.c.project_id.not_in(select(A.c.project_id))
    )
    return [dict(r) for r in session.execute(query).mappings()]


def open_accounting(session, **values) -> None:
    insert_row(session, A, {"state": "open", "version": 1, **values})


def change(session, current, **values) -> None:
    done = update_rows(
        session,
        A,
        {"project_id": current["project_id"], "version": current["version"]},
        {**values, "version": current["version"] + 1},
    )
    if done != 1:
        raise Conflict(_("the accounting changed meanwhile; try again"), {"version": [str(current["version"])]})


def receivable(session, project_id: str) -> dict | None:
    row = first(session, R, project_id=project_id)
    return None if row is None else dict(row)


def open_receivable(session, **values) -> None:
    insert_row(session, R, {"decisions": [], "write_off_round": None, **values})


def set_receivable(session, project_id: str, **values) -> None:
    update_rows(session, R, {"project_id": project_id}, values)


def entries_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in rows(session, E, order_by=("id",), project_id=project_id)]


def entry_with_voucher(session, project_id: str, voucher: str) -> dict | None:
    row = first(session, E, project_id=project_id, voucher=voucher)
    return None if row is None else dict(row)


def add_entry(session, **values) -> None:
    insert_row(session, E, values)
