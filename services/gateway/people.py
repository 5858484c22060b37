"""Sign-in and people: users with a position and a unit, argon2 password hashes, expiring sessions.

Pure rules plus the persistence they need (the gateway's own database).  A
session token is random (``secrets``); only its SHA-256 is stored.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, insert, select, update

from services.gateway import models
from shared.actor import Actor
from shared.errors import Conflict, InvalidInput, NotFound, Unauthenticated

U, S = models.users, models.sessions
HASHER = PasswordHasher()
MIN_PASSWORD = 10


def check_password_rule(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidInput.for_field("password", f"at least {MIN_PASSWORD} characters")
    if password.isdigit() or password.isalpha():
        raise InvalidInput.for_field("password", "mix letters with digits or signs")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_row(session, user_id: str):
    row = session.execute(select(U).where(U.c.user_id == user_id)).mappings().first()
    if row is None:
        raise NotFound(f"no user {user_id}", {"user_id": [user_id]})
    return row


def public(row) -> dict:
    return {k: row[k] for k in ("user_id", "name", "position", "unit", "is_admin", "active")}


def has_admin(session) -> bool:
    return session.execute(select(func.count()).select_from(U).where(U.c.is_admin.is_(True))).scalar_one() > 0


def save_user(session, data: dict, by: dict, now: datetime, create: bool) -> dict:
    """Create (or, with ``create`` False, change) a user; the actor a user becomes is validated like any actor."""
    Actor.load({"user_id": data["user_id"], "position": data["position"], "unit": data["unit"]})
    exists = session.execute(select(U.c.user_id).where(U.c.user_id == data["user_id"])).first() is not None
    if create and exists:
        raise Conflict(f"user {data['user_id']} exists", {"user_id": ["taken"]})
    values = {k: data[k] for k in ("name", "position", "unit", "is_admin", "active") if k in data}
    if data.get("password") is not None:
        check_password_rule(data["password"])
        values["password_hash"] = HASHER.hash(data["password"])
    if exists:
        session.execute(update(U).where(U.c.user_id == data["user_id"]).values(changed_at=now, **values))
    else:
        if "password_hash" not in values:
            raise InvalidInput.for_field("password", "required for a new user")
        session.execute(insert(U).values(user_id=data["user_id"], created_by=by, created_at=now, changed_at=now,
                                         **{"is_admin": False, "active": True, **values}))
    return public(user_row(session, data["user_id"]))


def sign_in(session, user_id: str, password: str, now: datetime, lifetime: timedelta) -> tuple[str, dict, datetime]:
    row = session.execute(select(U).where(U.c.user_id == user_id)).mappings().first()
    refused = Unauthenticated("wrong user or password", {"credentials": ["wrong user or password"]})
    if row is None or not row["active"]:
        HASHER.hash("timing-equaliser")  # the same work whether or not the user exists
        raise refused
    try:
        HASHER.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise refused from None
    if HASHER.check_needs_rehash(row["password_hash"]):
        session.execute(update(U).where(U.c.user_id == user_id).values(password_hash=HASHER.hash(password)))
    token = secrets.token_urlsafe(32)
    expires = now + lifetime
    session.execute(insert(S).values(token_hash=token_hash(token), user_id=user_id, created_at=now, expires_at=expires))
    return token, public(row), expires


def actor_for_token(session, token: str, now: datetime) -> Actor:
    found = session.execute(select(S, U.c.name, U.c.position, U.c.unit, U.c.active)
                            .join(U, U.c.user_id == S.c.user_id)
                            .where(S.c.token_hash == token_hash(token))).mappings().first()
    if found is None or found["revoked_at"] is not None or not found["active"]:
        raise Unauthenticated("not signed in (unknown or revoked session)", {"session": ["sign in again"]})
    if found["expires_at"] <= now:
        raise Unauthenticated("the session has expired", {"session": ["expired: sign in again"]})
    return Actor(found["user_id"], found["position"], found["unit"], found["name"])


def sign_out(session, token: str, now: datetime) -> None:
    session.execute(update(S).where(S.c.token_hash == token_hash(token), S.c.revoked_at.is_(None)).values(revoked_at=now))


def list_users(session) -> list[dict]:
    return [public(r) for r in session.execute(select(U).order_by(U.c.unit, U.c.user_id)).mappings()]
