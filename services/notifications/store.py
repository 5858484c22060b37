"""notifications persistence (SQLAlchemy Core on its own database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from services.notifications import domain, models
from shared import fastpath, lifecycle_copy
from shared.errors import NotFound
from shared.i18n import _
from shared.statements import first, insert_row, update_rows

N, D, ATT, INB, READ, CS, P = (
    models.notifications,
    models.deliveries,
    models.delivery_attempts,
    models.inbox,
    models.inbox_reads,
    models.channel_settings,
    models.projects,
)

# the statements of every event handled, built once (shared.statements)
_NOTIFIED = select(N.c.id).where(N.c.cause == bindparam("b_cause"), N.c.route == bindparam("b_route"))
_IN_INBOX = select(INB.c.id).where(INB.c.notification_id == bindparam("b_id"), INB.c.address == bindparam("b_address"))
_SETTINGS = select(CS)


# -- notifications and deliveries -------------------------------------------------------------------------
def add_notification(session, **values) -> int | None:
    """The notification's id, or ``None`` if this cause already produced it (idempotent)."""
    exists = fastpath.execute(session, _NOTIFIED, {"b_cause": values["cause"], "b_route": values["route"]}).first()
    if exists:
        return None
    return insert_row(session, N, values).inserted_primary_key[0]


def add_delivery(session, **values) -> None:
    insert_row(session, D, {"attempts": 0, **values})


def add_delivered(
    session, notification_id: int, channel: str, targets: list[str], receipt: str, at: datetime, duration_ms: int
) -> None:
    """A delivery made in the transaction that created its notification: delivered, its one attempt logged."""
    delivery_id = insert_row(
        session,
        D,
        dict(
            notification_id=notification_id,
            channel=channel,
            targets=targets,
            status=domain.DELIVERED,
            attempts=1,
            next_attempt_at=None,
            delivered_at=at,
            receipt=receipt,
            created_at=at,
        ),
    ).inserted_primary_key[0]
    insert_row(
        session,
        ATT,
        dict(
            delivery_id=delivery_id,
            attempt=1,
            at=at,
            outcome="delivered",
            detail=receipt[:2000],
            duration_ms=duration_ms,
        ),
    )


def notification(session, notification_id: int) -> dict:
    row = session.execute(select(N).where(N.c.id == notification_id)).mappings().first()
    if row is None:
        raise NotFound(_("there is no notice #{n}", n=str(notification_id)), {"notification_id": notification_id})
    return dict(row)


def due_deliveries(session, now: datetime, channel: str, limit: int) -> list[int]:
    """Deliveries of a channel to attempt now: pending and due, or left 'sending' by a crashed instance."""
    query = (
        select(D.c.id)
        .where(
            D.c.channel == channel,
            or_(
                and_(D.c.status == domain.PENDING, D.c.next_attempt_at <= now),
                and_(D.c.status == domain.SENDING, D.c.lease_until < now),
            ),
        )
        .order_by(D.c.next_attempt_at, D.c.id)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def claim_delivery(session, delivery_id: int, now: datetime, lease_until: datetime) -> bool:
    """Take a delivery for one attempt; only one instance wins (rowcount 1)."""
    return (
        session.execute(
            update(D)
            .where(
                D.c.id == delivery_id,
                or_(
                    and_(D.c.status == domain.PENDING, D.c.next_attempt_at <= now),
                    and_(D.c.status == domain.SENDING, D.c.lease_until < now),
                ),
            )
            .values(status=domain.SENDING, lease_until=lease_until, attempts=D.c.attempts + 1)
        ).rowcount
        == 1
    )


def delivery(session, delivery_id: int) -> dict:
    return dict(session.execute(select(D).where(D.c.id == delivery_id)).mappings().one())


def finish_attempt(
    session, delivery_id: int, attempt: int, at: datetime, outcome: str, detail: str, duration_ms: int, **values
) -> None:
    session.execute(
        update(D)
        .where(D.c.id == delivery_id, D.c.status == domain.SENDING, D.c.attempts == attempt)
        .values(lease_until=None, **values)
    )
    session.execute(
        insert(ATT).values(
            delivery_id=delivery_id,
            attempt=attempt,
            at=at,
            outcome=outcome,
            detail=detail[:2000],
            duration_ms=duration_ms,
        )
    )


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
    read_at = (
        select(READ.c.read_at).where(READ.c.notification_id == N.c.id, READ.c.user_id == user_id).scalar_subquery()
    )
    ids = select(INB.c.notification_id).where(INB.c.address.in_(addresses)).distinct()
    query = select(N, read_at.label("read_at")).where(N.c.id.in_(ids)).order_by(N.c.id.desc()).limit(limit)
    rows = [dict(r) for r in session.execute(query).mappings()]
    return [r for r in rows if not (unread_only and r["read_at"])]


def unread_count(session, addresses: list[str], user_id: str) -> int:
    ids = select(INB.c.notification_id).where(INB.c.address.in_(addresses)).distinct()
    read = select(READ.c.notification_id).where(READ.c.user_id == user_id)
    return session.execute(select(func.count()).select_from(N).where(N.c.id.in_(ids), N.c.id.not_in(read))).scalar_one()


def in_inbox_of(session, notification_id: int, addresses: list[str]) -> bool:
    return (
        session.execute(
            select(INB.c.id).where(INB.c.notification_id == notification_id, INB.c.address.in_(addresses))
        ).first()
        is not None
    )


def mark_read(session, notification_id: int, user_id: str, at: datetime) -> None:
    if not session.execute(
        select(READ.c.id).where(READ.c.notification_id == notification_id, READ.c.user_id == user_id)
    ).first():
        session.execute(insert(READ).values(notification_id=notification_id, user_id=user_id, read_at=at))


# -- channel settings -------------------------------------------------------------------------------------
def stored_settings(session) -> dict[str, dict]:
    return {r["channel"]: r["settings"] for r in fastpath.execute(session, _SETTINGS).mappings()}


def store_settings(session, channel: str, settings: dict, by: dict, at: datetime) -> None:
    if session.execute(select(CS.c.channel).where(CS.c.channel == channel)).first():
        session.execute(
            update(CS).where(CS.c.channel == channel).values(settings=settings, updated_by=by, updated_at=at)
        )
    else:
        session.execute(insert(CS).values(channel=channel, settings=settings, updated_by=by, updated_at=at))


# -- what notifications knows of a project (the facts its routes use) ---------------------------------------
def find_project(session, project_id: str | None) -> dict | None:
    row = first(session, P, project_id=project_id) if project_id else None
    return dict(row) if row else None


def ensure_project(session, project_id: str, **values) -> dict:
    return lifecycle_copy.ensure_project(session, P, project_id, {"state_seq": 0}, **values)


def set_project(session, project_id: str, **values) -> None:
    update_rows(session, P, {"project_id": project_id}, values)
