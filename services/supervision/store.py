"""supervision persistence (SQLAlchemy Core on its own database): the projects it follows, their progress and
problems, its deadlines and the special-report register.  Standard land's tables get a store module of their
own beside this one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update

from services.supervision import models
from shared import fastpath, lifecycle_copy
from shared.errors import NotFound
from shared.i18n import _
from shared.statements import first, insert_row, once, update_rows

DL, P, PR, PB, SR = models.deadlines, models.projects, models.progress, models.problems, models.special_reports


def _cancel(kind: bool, kinds: bool, project_id: bool, subject: bool):
    conditions = [DL.c.fired_at.is_(None), DL.c.cancelled_at.is_(None)]
    if kind:
        conditions.append(DL.c.kind == bindparam("b_kind"))
    if kinds:
        conditions.append(DL.c.kind.in_(bindparam("b_kinds", expanding=True)))
    if project_id:
        conditions.append(DL.c.project_id == bindparam("b_project_id"))
    if subject:
        conditions.append(DL.c.subject == bindparam("b_subject"))
    return (
        update(DL)
        .where(*conditions)
        .values(cancelled_at=bindparam("b_now", type_=DL.c.cancelled_at.type), cancel_reason=bindparam("b_reason"))
    )


# -- deadlines ----------------------------------------------------------------------------------------------
def add_deadline(
    session, kind: str, project_id: str | None, subject: str, due_at: datetime, payload: dict, now: datetime
) -> int:
    return insert_row(
        session,
        DL,
        dict(kind=kind, project_id=project_id, subject=subject, due_at=due_at, payload=payload, created_at=now),
    ).inserted_primary_key[0]


def cancel_deadlines(
    session,
    now: datetime,
    reason: str,
    kind: str | None = None,
    project_id: str | None = None,
    subject: str | None = None,
    kinds: tuple[str, ...] | None = None,
) -> int:
    shape = (bool(kind), bool(kinds), bool(project_id), subject is not None)
    statement = once((DL, "cancel", shape), lambda: _cancel(*shape))
    return fastpath.execute(
        session,
        statement,
        {
            "b_kind": kind,
            "b_kinds": list(kinds or ()),
            "b_project_id": project_id,
            "b_subject": subject,
            "b_now": now,
            "b_reason": reason,
        },
    ).rowcount


def rearm(
    session,
    kind: str,
    project_id: str | None,
    subject: str,
    due_at: datetime,
    payload: dict,
    now: datetime,
    reason: str,
) -> int:
    """Replace the pending deadline of (kind, project, subject) with one due at ``due_at``."""
    cancel_deadlines(session, now, reason, kind=kind, project_id=project_id, subject=subject)
    return add_deadline(session, kind, project_id, subject, due_at, payload, now)


_PENDING_DEADLINE = (
    select(DL)
    .where(
        DL.c.kind == bindparam("b_kind"),
        DL.c.project_id == bindparam("b_project_id"),
        DL.c.subject == bindparam("b_subject"),
        DL.c.fired_at.is_(None),
        DL.c.cancelled_at.is_(None),
    )
    .order_by(DL.c.id.desc())
)
_DEADLINE_PAYLOAD = (
    update(DL)
    .where(DL.c.id == bindparam("b_id"), DL.c.fired_at.is_(None))
    .values(payload=bindparam("b_payload", type_=DL.c.payload.type))
)


def pending_deadline(session, kind: str, project_id: str, subject: str) -> dict | None:
    row = (
        fastpath.execute(session, _PENDING_DEADLINE, {"b_kind": kind, "b_project_id": project_id, "b_subject": subject})
        .mappings()
        .first()
    )
    return dict(row) if row else None


def pending_of_kind(session, kind: str) -> list[dict]:
    found = session.execute(
        select(DL).where(DL.c.kind == kind, DL.c.fired_at.is_(None), DL.c.cancelled_at.is_(None)).order_by(DL.c.due_at)
    ).mappings()
    return [dict(r) for r in found]


def update_deadline_payload(session, deadline_id: int, payload: dict) -> None:
    fastpath.execute(session, _DEADLINE_PAYLOAD, {"b_id": deadline_id, "b_payload": payload})


def due_deadlines(session, now: datetime, limit: int = 200) -> list[dict]:
    rows = session.execute(
        select(DL)
        .where(DL.c.fired_at.is_(None), DL.c.cancelled_at.is_(None), DL.c.due_at <= now)
        .order_by(DL.c.due_at, DL.c.id)
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def claim_deadline(session, deadline_id: int, now: datetime, instance: str) -> bool:
    """Fire a deadline: only the instance whose UPDATE changes the row (rowcount 1) fires it."""
    return (
        session.execute(
            update(DL)
            .where(DL.c.id == deadline_id, DL.c.fired_at.is_(None), DL.c.cancelled_at.is_(None), DL.c.due_at <= now)
            .values(fired_at=now, fired_by=instance)
        ).rowcount
        == 1
    )


def set_deadline_outcome(session, deadline_id: int, outcome: str) -> None:
    session.execute(update(DL).where(DL.c.id == deadline_id).values(outcome=outcome))


def deadlines_of(session, project_id: str | None, pending_only: bool) -> list[dict]:
    query = select(DL).order_by(DL.c.due_at, DL.c.id)
    if project_id:
        query = query.where(DL.c.project_id == project_id)
    if pending_only:
        query = query.where(DL.c.fired_at.is_(None), DL.c.cancelled_at.is_(None))
    return [dict(r) for r in session.execute(query).mappings()]


# -- the projects followed, their progress and problems (R11) ----------------------------------------------
def project(session, project_id: str, lock: bool = False) -> dict:
    row = first(session, P, lock=lock, project_id=project_id)
    if row is None:
        raise NotFound(_("supervision knows no such project (it has not been filed)"), {"project_id": project_id})
    return dict(row)


def find_project(session, project_id: str | None) -> dict | None:
    row = first(session, P, project_id=project_id) if project_id else None
    return dict(row) if row else None


def ensure_project(session, project_id: str, **values) -> dict:
    """The project's tracking row, created on first sight (events may arrive in any order)."""
    return lifecycle_copy.ensure_project(session, P, project_id, {"state_seq": 0}, **values)


def set_project(session, project_id: str, **values) -> None:
    update_rows(session, P, {"project_id": project_id}, values)


def projects_in(session, states: tuple[str, ...]) -> list[dict]:
    return [dict(r) for r in session.execute(select(P).where(P.c.state.in_(states))).mappings()]


def add_progress(session, **values) -> int:
    return insert_row(session, PR, values).inserted_primary_key[0]


def progress_of(session, project_id: str) -> list[dict]:
    return [
        dict(r)
        for r in session.execute(select(PR).where(PR.c.project_id == project_id).order_by(PR.c.at, PR.c.id)).mappings()
    ]


def add_problem(session, **values) -> int:
    return session.execute(insert(PB).values(**values)).inserted_primary_key[0]


def problem(session, project_id: str, problem_id: int, lock: bool = False) -> dict:
    query = select(PB).where(PB.c.project_id == project_id, PB.c.id == problem_id)
    row = session.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(_("the project has no problem number {n}", n=str(problem_id)), {"problem_id": [str(problem_id)]})
    return dict(row)


def change_problem(session, problem_id: int, **values) -> bool:
    """Only an open problem changes (a resolution and an escalation never cross)."""
    return (
        session.execute(update(PB).where(PB.c.id == problem_id, PB.c.resolved_at.is_(None)).values(**values)).rowcount
        == 1
    )


def problems_of(session, project_id: str) -> list[dict]:
    return [
        dict(r) for r in session.execute(select(PB).where(PB.c.project_id == project_id).order_by(PB.c.id)).mappings()
    ]


def open_problem_counts(session) -> dict[str, int]:
    rows = session.execute(
        select(PB.c.project_id, func.count()).where(PB.c.resolved_at.is_(None)).group_by(PB.c.project_id)
    ).all()
    return dict(rows)


# -- special reports ------------------------------------------------------------------------------------------
def next_report_number(session, project_id: str) -> int:
    return (session.execute(select(func.count()).select_from(SR).where(SR.c.project_id == project_id)).scalar_one()) + 1


def add_report(session, **values) -> None:
    session.execute(insert(SR).values(**values))


def report_from_event(session, event_id: str) -> bool:
    return session.execute(select(SR.c.id).where(SR.c.source_event_id == event_id)).first() is not None


def report_of_rectification(session, rectification_id: int) -> str | None:
    """The ref of the special report filed on a commitment still unmet after this rectification, if one is."""
    return session.execute(select(SR.c.ref).where(SR.c.rectification_id == rectification_id)).scalar()


def report(session, ref: str) -> dict:
    row = session.execute(select(SR).where(SR.c.ref == ref)).mappings().first()
    if row is None:
        raise NotFound(_("no special report {ref} is in the register", ref=ref), {"special_report_ref": [ref]})
    return dict(row)


def reports(session, project_id: str | None) -> list[dict]:
    query = select(SR).order_by(SR.c.id)
    if project_id:
        query = query.where(SR.c.project_id == project_id)
    return [dict(r) for r in session.execute(query).mappings()]
