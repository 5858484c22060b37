"""Sign-in and people: users with a position and a unit, argon2 password hashes, expiring sessions, the sign-in
throttle, and the audit trail of all of it.

The gateway's own database.  A session token is random (``secrets``); only its SHA-256 is stored.  A session
ends at its absolute lifetime, after its idle time without a request, when its user signs out, and — every
session of the user but the one making the change — when the user's password is changed or reset, her position,
unit or administrator's right changes, or she is deactivated (``end_sessions``).

Every act of user administration (a user or administrator created, a password reset or changed, a position or
unit changed, a deactivation, an administrator's right granted or withdrawn, a sign-in lock lifted) and every
sign-in (allowed, refused, throttled into a lock) is an entry of the gateway's hash-chained audit trail
(``shared/audit.py``), which the auditor position reads (``GET /api/audit/people``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update

from services.gateway import models, throttle
from services.gateway.passwords import check_password_rule, hash_password, needs_rehash, verify_password
from shared import audit
from shared.actor import Actor
from shared.errors import Conflict, InvalidInput, NotFound, Unauthenticated, ZhaoshangError
from shared.i18n import _, read_text, stored_text

U, S = models.users, models.sessions
SESSION_FIELDS = ("position", "unit", "is_admin", "active")
"""A change of any of these (or of the password) ends the user's other sessions."""


class TooManyAttempts(ZhaoshangError):
    """Sign-in refused before the password is checked: too many failures (429, with ``Retry-After``)."""

    code = "too_many_attempts"

    def __init__(self, message: str, details: dict, retry_after: int):
        super().__init__(message, details)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Lifetimes:
    absolute: timedelta
    idle: timedelta

    @classmethod
    def of(cls, policy, config) -> "Lifetimes":
        """The policy's (``security.sessions``); ``ZS_SESSION_MINUTES`` / ``ZS_SESSION_IDLE_MINUTES`` override."""
        absolute = config.get("ZS_SESSION_MINUTES") or policy.get("security.sessions.absolute_minutes")
        idle = config.get("ZS_SESSION_IDLE_MINUTES") or policy.get("security.sessions.idle_minutes")
        return cls(timedelta(minutes=float(absolute)), timedelta(minutes=float(idle)))

    @property
    def seen_step(self) -> timedelta:
        """How stale ``last_seen_at`` may get before a request writes it again (a tenth of the idle time, at most
        a minute): not a write for every request."""
        return min(self.idle / 10, timedelta(minutes=1))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_row(session, user_id: str):
    row = session.execute(select(U).where(U.c.user_id == user_id)).mappings().first()
    if row is None:
        raise NotFound(_("no user {user}", user=user_id), {"user_id": [user_id]})
    return row


def public(row) -> dict:
    return {k: row[k] for k in ("user_id", "name", "position", "unit", "is_admin", "active")}


def has_admin(session) -> bool:
    return session.execute(select(func.count()).select_from(U).where(U.c.is_admin.is_(True))).scalar_one() > 0


def record(session, by, action: str, user_id: str, outcome: str, at: datetime, reason=None, **details) -> None:
    """One entry of the gateway's audit trail about the user ``user_id``, in the caller's transaction (a reason
    that is a Message is kept as one, rendered in its reader's language)."""
    audit.append(
        session,
        models.audit_trail,
        actor=by,
        action=action,
        record_type="user",
        record_id=(user_id or "-")[:64],
        outcome=outcome,
        reason=stored_text(reason),
        details=details,
        at=at,
    )


# -- user administration ------------------------------------------------------------------------------------------
def _changes(current, values: dict) -> dict:
    return {
        k: {"from": current[k], "to": v}
        for k, v in values.items()
        if k in SESSION_FIELDS + ("name",) and current[k] != v
    }


def _acts(created: bool, is_admin: bool, changes: dict, password: bool, by_self: bool) -> list[str]:
    """The audit actions one save of a user is (a creation, or each kind of change it makes)."""
    if created:
        return ["gateway.admin_created" if is_admin else "gateway.user_created"]
    acts = []
    if password:
        acts.append("gateway.password_changed" if by_self else "gateway.password_reset")
    if "position" in changes or "unit" in changes:
        acts.append("gateway.position_changed")
    if "is_admin" in changes:
        acts.append("gateway.admin_granted" if changes["is_admin"]["to"] else "gateway.admin_withdrawn")
    if "active" in changes:
        acts.append("gateway.user_reactivated" if changes["active"]["to"] else "gateway.user_deactivated")
    if "name" in changes:
        acts.append("gateway.name_changed")
    return acts


def prepare(session, data: dict, policy) -> dict:
    """``data`` with its new password checked against the rule and hashed (``password_hash``), before any
    transaction is opened: a hash takes ~50 ms, which no transaction should wait on."""
    if data.get("password") is None:
        return {k: v for k, v in data.items() if k != "password"}
    check_password_rule(data["password"], policy, (data["user_id"], data.get("name"), data["position"], data["unit"]))
    session.rollback()
    return {**{k: v for k, v in data.items() if k != "password"}, "password_hash": hash_password(data["password"])}


def save_user(session, data: dict, by: dict, now: datetime, create: bool, keep_token: str | None = None) -> dict:
    """Create (or, with ``create`` False, change) a user from ``prepare``'s data; the actor a user becomes is
    validated like any actor.  Each change is audited; one that touches the password, position, unit,
    administrator's right or activity ends the user's sessions (but ``keep_token``'s)."""
    Actor.load({"user_id": data["user_id"], "position": data["position"], "unit": data["unit"]})
    current = session.execute(select(U).where(U.c.user_id == data["user_id"])).mappings().first()
    if create and current is not None:
        raise Conflict(_("user {user} exists", user=data["user_id"]), {"user_id": [_("is taken")]})
    values = {k: data[k] for k in ("name", "position", "unit", "is_admin", "active", "password_hash") if k in data}
    password = "password_hash" in values
    if current is None and not password:
        raise InvalidInput.for_field("password", _("is required for a new user"))
    if current is not None:
        changes = _changes(current, values)
        session.execute(update(U).where(U.c.user_id == data["user_id"]).values(changed_at=now, **values))
    else:
        changes = {}
        values = {"is_admin": False, "active": True, **values}
        session.execute(
            insert(U).values(user_id=data["user_id"], created_by=by, created_at=now, changed_at=now, **values)
        )
    acts = _acts(
        current is None, values.get("is_admin", False), changes, password, by.get("user_id") == data["user_id"]
    )
    for action in acts:
        record(
            session,
            by,
            action,
            data["user_id"],
            "done",
            now,
            **({"changes": changes} if changes else {}),
            **({"position": values["position"], "unit": values["unit"]} if current is None else {}),
        )
    if current is not None and (password or any(k in changes for k in SESSION_FIELDS)):
        reason = "password_changed" if password else "deactivated" if "active" in changes else "position_changed"
        ended = end_sessions(session, data["user_id"], now, reason, keep_token)
        if ended:
            record(session, by, "gateway.sessions_ended", data["user_id"], "done", now, reason, sessions=ended)
    return public(user_row(session, data["user_id"]))


def change_own_password(
    db, policy, actor: dict, token: str, address: str, current_password: str, new_password: str, now: datetime
) -> dict:
    """A signed-in user changes her own password, her current one checked first (throttled like a sign-in: a
    stolen session must not guess it); her other sessions end."""
    rules = throttle.Rules.of(policy)
    wait, held_by = throttle.wait_before(db.session, rules, actor["user_id"], address, now)
    row = user_row(db.session, actor["user_id"])
    db.session.rollback()
    if wait:
        raise TooManyAttempts(
            _("too many failed attempts: try again in {seconds} seconds", seconds=wait),
            {"current_password": [_("wait {seconds} seconds", seconds=wait)], "held_by": [held_by]},
            wait,
        )
    if not verify_password(row["password_hash"], current_password):
        with db.unit_of_work() as uow:
            throttle.record_failure(uow.session, rules, actor["user_id"], address, now)
            record(
                uow.session,
                actor,
                "gateway.password_changed",
                actor["user_id"],
                "refused",
                now,
                _("the current password was wrong"),
                address=address,
            )
        raise Unauthenticated(_("the current password is wrong"), {"current_password": [_("is wrong")]})
    prepared = prepare(db.session, {**public(row), "password": new_password}, policy)
    with db.unit_of_work() as uow:
        return save_user(uow.session, prepared, actor, now, create=False, keep_token=token)


def end_sessions(session, user_id: str, now: datetime, reason: str, keep_token: str | None = None) -> int:
    """End every open session of ``user_id`` (but ``keep_token``'s); how many ended."""
    query = update(S).where(S.c.user_id == user_id, S.c.revoked_at.is_(None), S.c.expires_at > now)
    if keep_token:
        query = query.where(S.c.token_hash != token_hash(keep_token))
    return session.execute(query.values(revoked_at=now, revoked_reason=reason)).rowcount


def list_users(session) -> list[dict]:
    return [public(r) for r in session.execute(select(U).order_by(U.c.unit, U.c.user_id)).mappings()]


# -- signing in -----------------------------------------------------------------------------------------------------
REFUSED = (_("wrong user or password"), {"credentials": [_("wrong user or password")]})


def sign_in(
    db,
    policy,
    user_id: str,
    password: str,
    address: str,
    now: datetime,
    lifetimes: Lifetimes,
    holds: throttle.Holds | None = None,
) -> tuple[str, dict, datetime]:
    """Check the throttle, then the password (off the hub, outside any transaction), then count the outcome.

    A throttled attempt is ``TooManyAttempts`` and checks no password; a wrong password or an unknown or inactive
    user is ``Unauthenticated`` (the same answer, after the same work), counted for the user id and the address,
    audited, and — at the policy's count — locks them."""
    rules = throttle.Rules.of(policy)
    session = db.session
    wait, held_by = throttle.wait_before(session, rules, user_id, address, now, holds)
    if wait:  # held (in memory, or found so in the database): no user read, no password checked
        session.rollback()
        raise TooManyAttempts(
            _("too many failed sign-ins: try again in {seconds} seconds", seconds=wait),
            {"credentials": [_("wait {seconds} seconds", seconds=wait)], "held_by": [held_by]},
            wait,
        )
    row = session.execute(select(U).where(U.c.user_id == user_id)).mappings().first()
    session.rollback()  # no transaction held while the password is hashed (SQLite: the one connection is free)
    known = row is not None and row["active"]
    ok = verify_password(row["password_hash"] if known else None, password)
    who = (
        {"user_id": row["user_id"], "position": row["position"], "unit": row["unit"]}
        if row is not None
        else {"user_id": user_id[:64] or "-", "position": "unknown", "unit": "-"}
    )
    with db.unit_of_work() as uow:
        if not ok:
            locked = throttle.record_failure(uow.session, rules, user_id, address, now)
            record(
                uow.session,
                who,
                "gateway.sign_in",
                user_id,
                "refused",
                now,
                _("inactive user") if row is not None and not row["active"] else REFUSED[0],
                address=address,
            )
            for counter in locked:
                record(
                    uow.session,
                    who,
                    "gateway.sign_in_locked",
                    user_id,
                    "refused",
                    now,
                    _("{count:count} failed sign-ins for this user id", count=counter.failures)
                    if counter.kind == "user"
                    else _("{count:count} failed sign-ins from this address", count=counter.failures),
                    kind=counter.kind,
                    key=counter.key,
                    locked_until=counter.locked_until,
                )
    if not ok:
        raise Unauthenticated(_("wrong user or password"), REFUSED[1])
    token = secrets.token_urlsafe(32)
    expires = now + lifetimes.absolute
    rehashed = hash_password(password) if needs_rehash(row["password_hash"]) else None
    with db.unit_of_work() as uow:
        throttle.record_success(uow.session, user_id)
        if rehashed:
            uow.session.execute(update(U).where(U.c.user_id == user_id).values(password_hash=rehashed))
        uow.session.execute(
            insert(S).values(
                token_hash=token_hash(token), user_id=user_id, created_at=now, expires_at=expires, last_seen_at=now
            )
        )
        record(uow.session, who, "gateway.sign_in", user_id, "allowed", now, address=address)
    return token, public(row), expires


def actor_for_token(session, token: str, now: datetime, lifetimes: Lifetimes) -> Actor:
    """The actor of a live session: not revoked, not past its absolute end nor its idle time."""
    found = (
        session.execute(
            select(S, U.c.name, U.c.position, U.c.unit, U.c.active)
            .join(U, U.c.user_id == S.c.user_id)
            .where(S.c.token_hash == token_hash(token))
        )
        .mappings()
        .first()
    )
    if found is None or found["revoked_at"] is not None or not found["active"]:
        raise Unauthenticated(_("not signed in (unknown or ended session)"), {"session": [_("sign in again")]})
    if found["expires_at"] <= now:
        raise Unauthenticated(_("the session has expired"), {"session": [_("expired: sign in again")]})
    seen = found["last_seen_at"] or found["created_at"]
    if now - seen > lifetimes.idle:
        raise Unauthenticated(_("the session has expired (idle too long)"), {"session": [_("idle: sign in again")]})
    if now - seen > lifetimes.seen_step:
        session.execute(update(S).where(S.c.token_hash == found["token_hash"]).values(last_seen_at=now))
        session.commit()
    return Actor(found["user_id"], found["position"], found["unit"], found["name"])


def sign_out(session, token: str, now: datetime) -> None:
    session.execute(
        update(S)
        .where(S.c.token_hash == token_hash(token), S.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason="signed_out")
    )


def unlock(session, admin: dict, user_id: str, now: datetime, holds: throttle.Holds | None = None) -> bool:
    """An administrator lifts the sign-in lock (and forgets the failures) of a user id; audited."""
    lifted = throttle.unlock(session, user_id)
    if holds is not None:
        holds.forget_user(user_id)
    record(session, admin, "gateway.sign_in_unlocked", user_id, "done", now, lifted=lifted)
    return lifted


def audit_entries(session, limit: int, offset: int) -> dict:
    """The trail of user administration and sign-in, newest first."""
    table = models.audit_trail
    total = session.execute(select(func.count()).select_from(table)).scalar_one()
    rows = session.execute(select(table).order_by(table.c.seq.desc()).limit(limit).offset(offset)).mappings()
    return {"total": total, "items": [{**r, "reason": read_text(r["reason"])} for r in rows]}
