"""contracts persistence (SQLAlchemy Core on its own database)."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from services.contracts import models
from shared.errors import Conflict, NotFound
from shared.i18n import _
from shared.statements import first, insert_row, largest, rows, update_rows

P, V, O, C, K, G = (
    models.projects,
    models.versions,
    models.obligations,
    models.custodians,
    models.copies,
    models.grants,
)


def project(session, project_id: str, lock: bool = False):
    row = first(session, P, lock=lock, project_id=project_id)
    if row is None:
        raise NotFound(
            _("the contracts office knows no such project (it has not been filed)"), {"project_id": project_id}
        )
    return row


def change(session, current, **values) -> None:
    done = update_rows(
        session,
        P,
        {"project_id": current["project_id"], "version": current["version"]},
        {**values, "version": current["version"] + 1},
    )
    if done != 1:
        raise Conflict(_("the contract changed meanwhile; try again"), {"version": [str(current["version"])]})


def set_fields(session, project_id: str, **values) -> None:
    update_rows(session, P, {"project_id": project_id}, values)


# -- versions ---------------------------------------------------------------------------------------
def _columns(with_document: bool) -> tuple[str, ...]:
    return tuple(c.name for c in V.c if with_document or c.name != "document")


def versions_of(session, project_id: str, with_document: bool = False) -> list[dict]:
    return [
        dict(r) for r in rows(session, V, columns=_columns(with_document), order_by=("version",), project_id=project_id)
    ]


def version(session, project_id: str, number: int, with_document: bool = False) -> dict:
    row = first(session, V, columns=_columns(with_document), project_id=project_id, version=number)
    if row is None:
        raise NotFound(_("the contract has no version {version}", version=number), {"version": [str(number)]})
    return dict(row)


def latest_version(session, project_id: str) -> int:
    return largest(session, V, "version", project_id=project_id) or 0


def add_version(session, **values) -> None:
    insert_row(session, V, {"legal_comments": [], **values})


def set_version(session, project_id: str, number: int, **values) -> None:
    update_rows(session, V, {"project_id": project_id, "version": number}, values)


# -- obligations ------------------------------------------------------------------------------------
def obligations_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in rows(session, O, order_by=("due", "key"), project_id=project_id)]


def obligation(session, project_id: str, key: str, lock: bool = False) -> dict:
    row = first(session, O, lock=lock, project_id=project_id, key=key)
    if row is None:
        raise NotFound(_("the contract has no obligation {key}", key=key), {"obligation": [key]})
    return dict(row)


def add_obligation(session, **values) -> None:
    insert_row(session, O, {"status": "open", "progress": [], **values})


def change_obligation(session, current: dict, expected_status: str, **values) -> bool:
    """Update only if the obligation is still as read (two timers or instances never act twice)."""
    conditions = [O.c.id == current["id"], O.c.status == expected_status]
    if "red_flag_at" in values:
        conditions.append(O.c.red_flag_at.is_(None))
    return session.execute(update(O).where(*conditions).values(**values)).rowcount == 1


def open_obligations_due_before(session, day) -> list[dict]:
    return [dict(r) for r in session.execute(select(O).where(O.c.status == "open", O.c.due < day)).mappings()]


def provisional_reports(session) -> list[dict]:
    """Lapsed obligations whose report deadline was counted on weekends only, no report filed yet."""
    found = session.execute(
        select(O, P.c.ref, P.c.responsible_unit)
        .join(P, P.c.project_id == O.c.project_id)
        .where(O.c.status == "lapsed", O.c.report.is_(None), O.c.report_due_provisional.is_(True))
    ).mappings()
    return [dict(r) for r in found]


def obligations_to_watch(session) -> list[dict]:
    """Open obligations and lapsed ones without a filed report, each with its project's ref."""
    found = session.execute(
        select(O, P.c.ref)
        .join(P, P.c.project_id == O.c.project_id)
        .where((O.c.status == "open") | ((O.c.status == "lapsed") & O.c.report.is_(None)))
    ).mappings()
    return [dict(r) for r in found]


def reports_due_before(session, day) -> list[dict]:
    found = session.execute(
        select(O).where(O.c.status == "lapsed", O.c.report.is_(None), O.c.red_flag_at.is_(None), O.c.report_due < day)
    ).mappings()
    return [dict(r) for r in found]


# -- custody, copies, grants -------------------------------------------------------------------------
def custodians(session) -> dict[str, dict]:
    return {r["unit"]: dict(r) for r in session.execute(select(C)).mappings()}


def custodian_names(session) -> dict[tuple[str, str], str]:
    """Each custodian's name by (unit, user id), those whose term ended included: a registered copy names whoever
    kept it when it was registered."""
    names = {(r["unit"], r["user_id"]): r["name"] for r in custodian_terms(session)}
    names.update({(unit, r["user_id"]): r["name"] for unit, r in custodians(session).items()})
    return names


def custodian(session, unit: str, lock: bool = False) -> dict | None:
    row = first(session, C, lock=lock, unit=unit)
    return None if row is None else dict(row)


def add_custodian(session, unit: str, **values) -> None:
    session.execute(insert(C).values(unit=unit, **values))


def replace_custodian(session, current: dict, ended_by: dict, ended_at, end_reason: str, **values) -> None:
    """The current custodian's term ends on record (who, when, why); the new one takes the unit."""
    insert_row(
        session,
        models.custodian_terms,
        {
            **{k: current[k] for k in ("unit", "user_id", "name", "cabinet", "designated_by", "designated_at")},
            "ended_by": ended_by,
            "ended_at": ended_at,
            "end_reason": end_reason,
        },
    )
    session.execute(update(C).where(C.c.unit == current["unit"]).values(**values))


def custodian_terms(session) -> list[dict]:
    return [dict(r) for r in rows(session, models.custodian_terms, order_by=("id",))]


def copies_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in rows(session, K, order_by=("number",), project_id=project_id)]


def add_copy(session, **values) -> None:
    insert_row(session, K, values)


def grants_for(session, project_id: str) -> list[dict]:
    return [dict(r) for r in rows(session, G, order_by=("id",), project_id=project_id)]


def add_grant(session, **values) -> int:
    return insert_row(session, G, values).inserted_primary_key[0]
