"""notifications persistence (SQLAlchemy Core on its own database)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from services.notifications import domain, models
from shared.errors import NotFound
from shared import fastpath
from shared.statements import insert_row, once

N, D, ATT, INB, READ, CS = (models.notifications, models.deliveries, models.delivery_attempts, models.inbox,
                            models.inbox_reads, models.channel_settings)
DL, P, PR, PB, SR = models.deadlines, models.projects, models.progress, models.problems, models.special_reports

# the statements of every event handled, built once (shared.statements)
_NOTIFIED = select(N.c.id).where(N.c.cause == bindparam("b_cause"), N.c.route == bindparam("b_route"))
_IN_INBOX = select(INB.c.id).where(INB.c.notification_id == bindparam("b_id"), INB.c.address == bindparam("b_address"))
_SETTINGS = select(CS)
_PROJECT = select(P).where(P.c.project_id == bindparam("b_project_id"))
_PROJECT_LOCKED = _PROJECT.with_for_update()


def _set_project(columns: tuple[str, ...]):
    return (update(P).where(P.c.project_id == bindparam("b_project_id"))
            .values({P.c.version: P.c.version + 1, **{P.c[c]: bindparam(f"v_{c}", type_=P.c[c].type) for c in columns}}))


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
    return (update(DL).where(*conditions)
            .values(cancelled_at=bindparam("b_now", type_=DL.c.cancelled_at.type), cancel_reason=bindparam("b_reason")))


# -- notifications and deliveries -------------------------------------------------------------------------
def add_notification(session, **values) -> int | None:
    """The notification's id, or ``None`` if this cause already produced it (idempotent)."""
    exists = fastpath.execute(session, _NOTIFIED, {"b_cause": values["cause"], "b_route": values["route"]}).first()
    if exists:
        return None
    return insert_row(session, N, values).inserted_primary_key[0]


def add_delivery(session, **values) -> None:
    insert_row(session, D, {"attempts": 0, **values})


def add_delivered(session, notification_id: int, channel: str, targets: list[str], receipt: str, at: datetime,
                  duration_ms: int) -> None:
    """A delivery made in the transaction that created its notification: delivered, its one attempt logged."""
    delivery_id = insert_row(session, D, dict(
        notification_id=notification_id, channel=channel, targets=targets, status=domain.DELIVERED, attempts=1,
        next_attempt_at=None, delivered_at=at, receipt=receipt, created_at=at)).inserted_primary_key[0]
    insert_row(session, ATT, dict(delivery_id=delivery_id, attempt=1, at=at, outcome="delivered",
                                  detail=receipt[:2000], duration_ms=duration_ms))


def notification(session, notification_id: int) -> dict:
    row = session.execute(select(N).where(N.c.id == notification_id)).mappings().first()
    if row is None:
        raise NotFound(f"no notification {notification_id}", {"notification_id": notification_id})
    return dict(row)


def due_deliveries(session, now: datetime, channel: str, limit: int) -> list[int]:
    """Deliveries of a channel to attempt now: pending and due, or left 'sending' by a crashed instance."""
    query = (select(D.c.id).where(D.c.channel == channel, or_(
        and_(D.c.status == domain.PENDING, D.c.next_attempt_at <= now),
        and_(D.c.status == domain.SENDING, D.c.lease_until < now)))
        .order_by(D.c.next_attempt_at, D.c.id).limit(limit))
    return list(session.execute(query).scalars())


def claim_delivery(session, delivery_id: int, now: datetime, lease_until: datetime) -> bool:
    """Take a delivery for one attempt; only one instance wins (rowcount 1)."""
    return session.execute(update(D).where(D.c.id == delivery_id, or_(
        and_(D.c.status == domain.PENDING, D.c.next_attempt_at <= now),
        and_(D.c.status == domain.SENDING, D.c.lease_until < now)))
        .values(status=domain.SENDING, lease_until=lease_until, attempts=D.c.attempts + 1)).rowcount == 1


def delivery(session, delivery_id: int) -> dict:
    return dict(session.execute(select(D).where(D.c.id == delivery_id)).mappings().one())


def finish_attempt(session, delivery_id: int, attempt: int, at: datetime, outcome: str, detail: str, duration_ms: int,
                   **values) -> None:
    session.execute(update(D).where(D.c.id == delivery_id, D.c.status == domain.SENDING, D.c.attempts == attempt)
                    .values(lease_until=None, **values))
    session.execute(insert(ATT).values(delivery_id=delivery_id, attempt=attempt, at=at, outcome=outcome,
                                       detail=detail[:2000], duration_ms=duration_ms))


def deliveries_of(session, notification_ids: list[int]) -> list[dict]:
    if not notification_ids:
        return []
    rows = session.execute(select(D).where(D.c.notification_id.in_(notification_ids)).order_by(D.c.id)).mappings()
    return [dict(r) for r in rows]


def attempts_of(session, delivery_ids: list[int]) -> list[dict]:
    if not delivery_ids:
        return []
    rows = session.execute(select(ATT).where(ATT.c.delivery_id.in_(delivery_ids)).order_by(ATT.c.id)).mappings()
    return [dict(r) for r in rows]


def notifications_where(session, project_id: str | None, limit: int, offset: int) -> list[dict]:
    query = select(N).order_by(N.c.id.desc()).limit(limit).offset(offset)
    if project_id:
        query = query.where(N.c.project_id == project_id)
    return [dict(r) for r in session.execute(query).mappings()]


# -- inbox ----------------------------------------------------------------------------------------------
def put_in_inbox(session, notification_id: int, addresses: list[str], at: datetime) -> int:
    added = 0
    for address in addresses:
        if fastpath.execute(session, _IN_INBOX, {"b_id": notification_id, "b_address": address}).first():
            continue
        insert_row(session, INB, {"notification_id": notification_id, "address": address, "created_at": at})
        added += 1
    return added


def inbox_for(session, addresses: list[str], user_id: str, unread_only: bool, limit: int) -> list[dict]:
    read_at = select(READ.c.read_at).where(READ.c.notification_id == N.c.id, READ.c.user_id == user_id) \
        .scalar_subquery()
    ids = select(INB.c.notification_id).where(INB.c.address.in_(addresses)).distinct()
    query = (select(N, read_at.label("read_at")).where(N.c.id.in_(ids)).order_by(N.c.id.desc()).limit(limit))
    rows = [dict(r) for r in session.execute(query).mappings()]
    return [r for r in rows if not (unread_only and r["read_at"])]


def unread_count(session, addresses: list[str], user_id: str) -> int:
    ids = select(INB.c.notification_id).where(INB.c.address.in_(addresses)).distinct()
    read = select(READ.c.notification_id).where(READ.c.user_id == user_id)
    return session.execute(select(func.count()).select_from(N).where(N.c.id.in_(ids), N.c.id.not_in(read))).scalar_one()


def in_inbox_of(session, notification_id: int, addresses: list[str]) -> bool:
    return session.execute(select(INB.c.id).where(INB.c.notification_id == notification_id,
                                                  INB.c.address.in_(addresses))).first() is not None


def mark_read(session, notification_id: int, user_id: str, at: datetime) -> None:
    if not session.execute(select(READ.c.id).where(READ.c.notification_id == notification_id,
                                                   READ.c.user_id == user_id)).first():
        session.execute(insert(READ).values(notification_id=notification_id, user_id=user_id, read_at=at))


# -- channel settings -------------------------------------------------------------------------------------
def stored_settings(session) -> dict[str, dict]:
    return {r["channel"]: r["settings"] for r in fastpath.execute(session, _SETTINGS).mappings()}


def store_settings(session, channel: str, settings: dict, by: dict, at: datetime) -> None:
    if session.execute(select(CS.c.channel).where(CS.c.channel == channel)).first():
        session.execute(update(CS).where(CS.c.channel == channel).values(settings=settings, updated_by=by, updated_at=at))
    else:
        session.execute(insert(CS).values(channel=channel, settings=settings, updated_by=by, updated_at=at))


# -- deadlines ----------------------------------------------------------------------------------------------
def add_deadline(session, kind: str, project_id: str | None, subject: str, due_at: datetime, payload: dict,
                 now: datetime) -> int:
    return insert_row(session, DL, dict(kind=kind, project_id=project_id, subject=subject, due_at=due_at,
                                        payload=payload, created_at=now)).inserted_primary_key[0]


def cancel_deadlines(session, now: datetime, reason: str, kind: str | None = None, project_id: str | None = None,
                     subject: str | None = None, kinds: tuple[str, ...] | None = None) -> int:
    shape = (bool(kind), bool(kinds), bool(project_id), subject is not None)
    statement = once((DL, "cancel", shape), lambda: _cancel(*shape))
    return fastpath.execute(session, statement, {"b_kind": kind, "b_kinds": list(kinds or ()), "b_project_id": project_id,
                                       "b_subject": subject, "b_now": now, "b_reason": reason}).rowcount


def rearm(session, kind: str, project_id: str | None, subject: str, due_at: datetime, payload: dict,
          now: datetime, reason: str) -> int:
    """Replace the pending deadline of (kind, project, subject) with one due at ``due_at``."""
    cancel_deadlines(session, now, reason, kind=kind, project_id=project_id, subject=subject)
    return add_deadline(session, kind, project_id, subject, due_at, payload, now)


_PENDING_DEADLINE = (select(DL).where(DL.c.kind == bindparam("b_kind"), DL.c.project_id == bindparam("b_project_id"),
                                      DL.c.subject == bindparam("b_subject"), DL.c.fired_at.is_(None),
                                      DL.c.cancelled_at.is_(None)).order_by(DL.c.id.desc()))
_DEADLINE_PAYLOAD = (update(DL).where(DL.c.id == bindparam("b_id"), DL.c.fired_at.is_(None))
                     .values(payload=bindparam("b_payload", type_=DL.c.payload.type)))


def pending_deadline(session, kind: str, project_id: str, subject: str) -> dict | None:
    row = fastpath.execute(session, _PENDING_DEADLINE, {"b_kind": kind, "b_project_id": project_id,
                                                        "b_subject": subject}).mappings().first()
    return dict(row) if row else None


def pending_of_kind(session, kind: str) -> list[dict]:
    found = session.execute(select(DL).where(DL.c.kind == kind, DL.c.fired_at.is_(None), DL.c.cancelled_at.is_(None))
                            .order_by(DL.c.due_at)).mappings()
    return [dict(r) for r in found]


def update_deadline_payload(session, deadline_id: int, payload: dict) -> None:
    fastpath.execute(session, _DEADLINE_PAYLOAD, {"b_id": deadline_id, "b_payload": payload})


def due_deadlines(session, now: datetime, limit: int = 200) -> list[dict]:
    rows = session.execute(select(DL).where(DL.c.fired_at.is_(None), DL.c.cancelled_at.is_(None), DL.c.due_at <= now)
                           .order_by(DL.c.due_at, DL.c.id).limit(limit)).mappings()
    return [dict(r) for r in rows]


def claim_deadline(session, deadline_id: int, now: datetime, instance: str) -> bool:
    """Fire a deadline: only the instance whose UPDATE changes the row (rowcount 1) fires it."""
    return session.execute(update(DL).where(DL.c.id == deadline_id, DL.c.fired_at.is_(None), DL.c.cancelled_at.is_(None),
                                            DL.c.due_at <= now)
                           .values(fired_at=now, fired_by=instance)).rowcount == 1


def set_deadline_outcome(session, deadline_id: int, outcome: str) -> None:
    session.execute(update(DL).where(DL.c.id == deadline_id).values(outcome=outcome))


def deadlines_of(session, project_id: str | None, pending_only: bool) -> list[dict]:
    query = select(DL).order_by(DL.c.due_at, DL.c.id)
    if project_id:
        query = query.where(DL.c.project_id == project_id)
    if pending_only:
        query = query.where(DL.c.fired_at.is_(None), DL.c.cancelled_at.is_(None))
    return [dict(r) for r in session.execute(query).mappings()]


# -- tracking -------------------------------------------------------------------------------------------------
def project(session, project_id: str, lock: bool = False) -> dict:
    row = fastpath.execute(session, _PROJECT_LOCKED if lock else _PROJECT, {"b_project_id": project_id}).mappings().first()
    if row is None:
        raise NotFound(f"notifications knows no project {project_id}", {"project_id": project_id})
    return dict(row)


def find_project(session, project_id: str | None) -> dict | None:
    if not project_id:
        return None
    row = fastpath.execute(session, _PROJECT, {"b_project_id": project_id}).mappings().first()
    return dict(row) if row else None


def ensure_project(session, project_id: str, **values) -> dict:
    """The project's tracking row, created on first sight (events may arrive in any order)."""
    current = find_project(session, project_id)
    if current is None:
        try:
            with session.begin_nested():
                session.execute(insert(P).values(project_id=project_id, state_seq=0, version=1, **values))
        except IntegrityError:  # another worker created it meanwhile
            pass
        return project(session, project_id)
    fill = {k: v for k, v in values.items() if v is not None and current.get(k) is None}
    if fill:
        set_project(session, project_id, **fill)
        current.update(fill)
    return current


def set_project(session, project_id: str, **values) -> None:
    columns = tuple(sorted(values))
    fastpath.execute(session, once((P, "set", columns), lambda: _set_project(columns)),
                    {"b_project_id": project_id, **{f"v_{c}": v for c, v in values.items()}})


def projects_in(session, states: tuple[str, ...]) -> list[dict]:
    return [dict(r) for r in session.execute(select(P).where(P.c.state.in_(states))).mappings()]


def add_progress(session, **values) -> int:
    return insert_row(session, PR, values).inserted_primary_key[0]


def progress_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in session.execute(select(PR).where(PR.c.project_id == project_id).order_by(PR.c.at, PR.c.id))
            .mappings()]


def add_problem(session, **values) -> int:
    return session.execute(insert(PB).values(**values)).inserted_primary_key[0]


def problem(session, project_id: str, problem_id: int, lock: bool = False) -> dict:
    query = select(PB).where(PB.c.project_id == project_id, PB.c.id == problem_id)
    row = session.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(f"no problem {problem_id} on project {project_id}", {"problem_id": [str(problem_id)]})
    return dict(row)


def change_problem(session, problem_id: int, **values) -> bool:
    """Only an open problem changes (a resolution and an escalation never cross)."""
    return session.execute(update(PB).where(PB.c.id == problem_id, PB.c.resolved_at.is_(None)).values(**values)).rowcount == 1


def problems_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in session.execute(select(PB).where(PB.c.project_id == project_id).order_by(PB.c.id)).mappings()]


def open_problem_counts(session) -> dict[str, int]:
    rows = session.execute(select(PB.c.project_id, func.count()).where(PB.c.resolved_at.is_(None))
                           .group_by(PB.c.project_id)).all()
    return dict(rows)


# -- special reports ------------------------------------------------------------------------------------------
def next_report_number(session, project_id: str) -> int:
    return (session.execute(select(func.count()).select_from(SR).where(SR.c.project_id == project_id)).scalar_one()) + 1


def add_report(session, **values) -> None:
    session.execute(insert(SR).values(**values))


def report_from_event(session, event_id: str) -> bool:
    return session.execute(select(SR.c.id).where(SR.c.source_event_id == event_id)).first() is not None


def report(session, ref: str) -> dict:
    row = session.execute(select(SR).where(SR.c.ref == ref)).mappings().first()
    if row is None:
        raise NotFound(f"no special report {ref} in the register", {"special_report_ref": [ref]})
    return dict(row)


def reports(session, project_id: str | None) -> list[dict]:
    query = select(SR).order_by(SR.c.id)
    if project_id:
        query = query.where(SR.c.project_id == project_id)
    return [dict(r) for r in session.execute(query).mappings()]
