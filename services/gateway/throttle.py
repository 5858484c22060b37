"""Sign-in throttling: per user id and per client address, an exponential delay, then a temporary lockout.

The numbers are the policy's (``policy/security.yaml`` ``sign_in``).  Each user id and each client address that
failed to sign in has a row of ``sign_in_throttle``: its failures within the window, the last one, and the time
until which it is locked.  Before a password is even checked (``wait_before``):

* a locked user id or address waits until its lock ends;
* past its free failures, each further attempt waits ``first_seconds`` doubling per failure (at most
  ``longest_seconds``) after the last failure.

The gateway answers such an attempt 429 with ``Retry-After`` and checks no password (so the wait costs no hash).
A failure (``record_failure``) counts for the user id and the address; reaching ``lockout_after`` locks it for
``lockout_minutes``.  A success clears the user id's row (not the address's: one good account must not wipe an
address's record of guessing at others).  An administrator may unlock a user id (``unlock``).

The decisions are pure (``Counter``, ``wait_seconds``, ``after_failure``); the rows are the gateway's database.

**Holds in memory** (``Holds``, the gateway's ``SignInHolds``): a hold found in the database (a delay or a lock) is
kept in the gateway's memory until it ends, or at most ``held_in_memory_seconds`` before the database is read
again.  While it lasts, an attempt against that user id or from that address is answered 429 from memory: no
statement, no transaction on the gateway's event loop (a burst against one account is answered ~150 times a
second, and each answer read three rows before).  The counters themselves, every failure and every lock with
its audit entry, are still written to the database as they happen: a restarted gateway holds what it held.  An
administrator's unlock forgets the user id's hold at once in the gateway that made it; another instance of the
gateway reads its database again within ``held_in_memory_seconds``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from nameko.extensions import DependencyProvider
from sqlalchemy import delete, insert, select, update

from services.gateway import models

T = models.sign_in_throttle
USER, ADDRESS = "user", "address"


@dataclass(frozen=True)
class Rules:
    window: timedelta
    first_delay: float
    longest_delay: float
    free: dict[str, int]
    lockout_after: dict[str, int]
    lockout: timedelta

    @classmethod
    def of(cls, policy) -> "Rules":
        p = policy.get("security.sign_in")
        return cls(
            window=timedelta(minutes=float(p["window_minutes"])),
            first_delay=float(p["delay"]["first_seconds"]),
            longest_delay=float(p["delay"]["longest_seconds"]),
            free={USER: int(p["per_user"]["free_failures"]), ADDRESS: int(p["per_address"]["free_failures"])},
            lockout_after={USER: int(p["per_user"]["lockout_after"]), ADDRESS: int(p["per_address"]["lockout_after"])},
            lockout=timedelta(minutes=float(p["lockout_minutes"])),
        )


@dataclass(frozen=True)
class Counter:
    kind: str
    key: str
    failures: int
    last_failure_at: datetime
    locked_until: datetime | None = None


def current(counter: Counter | None, rules: Rules, now: datetime) -> Counter | None:
    """The counter as it stands now: one whose last failure left the window (and that is not locked) is gone."""
    if counter is None:
        return None
    if counter.locked_until is not None and counter.locked_until > now:
        return counter
    if now - counter.last_failure_at > rules.window:
        return None
    return replace(counter, locked_until=None)


def wait_seconds(counter: Counter | None, rules: Rules, now: datetime) -> float:
    """How long an attempt must wait now (0: it may be made)."""
    counter = current(counter, rules, now)
    if counter is None:
        return 0.0
    if counter.locked_until is not None:
        return (counter.locked_until - now).total_seconds()
    over = counter.failures - rules.free[counter.kind]
    if over < 0:
        return 0.0
    delay = min(rules.first_delay * 2 ** min(over, 32), rules.longest_delay)
    return max(0.0, (counter.last_failure_at + timedelta(seconds=delay) - now).total_seconds())


def after_failure(counter: Counter | None, kind: str, key: str, rules: Rules, now: datetime) -> Counter:
    """The counter after one more failure (locked once it reaches ``lockout_after``)."""
    counter = current(counter, rules, now)
    failures = 1 if counter is None else counter.failures + 1
    locked = now + rules.lockout if failures >= rules.lockout_after[kind] else None
    return Counter(kind, key, failures, now, locked)


# -- the rows ---------------------------------------------------------------------------------------------------
def _load(session, kind: str, key: str) -> Counter | None:
    row = session.execute(select(T).where(T.c.kind == kind, T.c.key == key)).mappings().first()
    return (
        None
        if row is None
        else Counter(row["kind"], row["key"], row["failures"], row["last_failure_at"], row["locked_until"])
    )


def keys_of(user_id: str, address: str) -> tuple[tuple[str, str], ...]:
    return (USER, user_id[: T.c.key.type.length]), (ADDRESS, address[: T.c.key.type.length])


def wait_before(
    session, rules: Rules, user_id: str, address: str, now: datetime, holds: "Holds | None" = None
) -> tuple[int, str | None]:
    """Whole seconds a sign-in for ``user_id`` from ``address`` must wait (0: none), and what holds it: from
    ``holds`` (memory) while it holds one of them, else from the database (and a hold found is kept there)."""
    if holds is not None:
        held = holds.held(user_id, address, now)
        if held[0]:
            return held
    waits = [
        (wait_seconds(_load(session, kind, key), rules, now), kind, key) for kind, key in keys_of(user_id, address)
    ]
    seconds, kind, key = max(waits)
    if seconds <= 0:
        return 0, None
    if holds is not None:
        holds.hold(kind, key, now + timedelta(seconds=seconds), now)
    return math.ceil(seconds), kind


def record_failure(session, rules: Rules, user_id: str, address: str, now: datetime) -> list[Counter]:
    """Count a failure for the user id and the address; the counters that this failure locked."""
    newly_locked = []
    for kind, key in keys_of(user_id, address):
        before = _load(session, kind, key)
        was_locked = (standing := current(before, rules, now)) is not None and standing.locked_until is not None
        after = after_failure(before, kind, key, rules, now)
        values = {
            "failures": after.failures,
            "last_failure_at": after.last_failure_at,
            "locked_until": after.locked_until,
        }
        if before is None:
            session.execute(insert(T).values(kind=kind, key=key, **values))
        else:
            session.execute(update(T).where(T.c.kind == kind, T.c.key == key).values(**values))
        if after.locked_until is not None and not was_locked:
            newly_locked.append(after)
    session.execute(
        delete(T).where(
            T.c.last_failure_at < now - rules.window - rules.lockout,
            (T.c.locked_until.is_(None)) | (T.c.locked_until < now),
        )
    )
    return newly_locked


def record_success(session, user_id: str) -> None:
    session.execute(delete(T).where(T.c.kind == USER, T.c.key == keys_of(user_id, "")[0][1]))


class Holds:
    """The holds found in the database, kept in memory until they end or ``recheck`` has passed."""

    PRUNE_ABOVE = 10_000  # entries; the ended ones are dropped when there are more

    def __init__(self, recheck: timedelta, tarpit_seconds: float = 0.0, tarpit_max_held: int = 0):
        self.recheck = recheck
        self._held: dict[tuple[str, str], tuple[datetime, datetime]] = {}  # (kind, key) -> (until, read again at)
        self.tarpit_seconds, self.tarpit_max_held, self.in_tarpit = tarpit_seconds, tarpit_max_held, 0

    @classmethod
    def of(cls, policy) -> "Holds":
        return cls(
            timedelta(seconds=float(policy.get("security.sign_in.held_in_memory_seconds"))),
            float(policy.get("security.sign_in.tarpit.seconds")),
            int(policy.get("security.sign_in.tarpit.max_held")),
        )

    def tarpit(self, retry_after: int, sleep) -> bool:
        """Hold a throttled attempt's answer (``sleep``: the event loop's, so nothing else waits for it) for the
        policy's seconds, at most its ``Retry-After``: a client that does not wait as told is slowed to one attempt
        a hold, instead of taking the gateway's time with hundreds of answers a second.  At most ``tarpit_max_held``
        answers are held at once (beyond, answered at once: held connections must not crowd out the county's own).
        Returns whether it held this one."""
        if self.tarpit_seconds <= 0 or self.in_tarpit >= self.tarpit_max_held:
            return False
        self.in_tarpit += 1
        try:
            sleep(min(self.tarpit_seconds, max(retry_after, 0)))
        finally:
            self.in_tarpit -= 1
        return True

    def held(self, user_id: str, address: str, now: datetime) -> tuple[int, str | None]:
        found = (0, None)
        for kind, key in keys_of(user_id, address):
            entry = self._held.get((kind, key))
            if entry is None:
                continue
            until, read_again = entry
            if now >= until or now >= read_again or now < read_again - self.recheck:  # ended, or stale
                self._held.pop((kind, key), None)
                continue
            found = max(found, (math.ceil((until - now).total_seconds()), kind))
        return found

    def hold(self, kind: str, key: str, until: datetime, now: datetime) -> None:
        if len(self._held) >= self.PRUNE_ABOVE:
            self._held = {k: v for k, v in self._held.items() if now < v[0] and now < v[1]}
        self._held[(kind, key)] = (until, now + self.recheck)

    def forget_user(self, user_id: str) -> None:
        self._held.pop(keys_of(user_id, "")[0], None)


class SignInHolds(DependencyProvider):
    """The gateway's one ``Holds`` (``held_in_memory_seconds`` from the policy when it starts)."""

    def setup(self):
        from shared.policy import cached_policy

        self.holds = Holds.of(cached_policy(self.container.config.get("ZS_POLICY_DIR")))

    def get_dependency(self, worker_ctx) -> Holds:
        return self.holds


def unlock(session, user_id: str) -> bool:
    """An administrator's unlock of a user id: its failures forgotten.  True if it had any."""
    return session.execute(delete(T).where(T.c.kind == USER, T.c.key == keys_of(user_id, "")[0][1])).rowcount > 0


def locked(session, rules: Rules, now: datetime) -> list[dict]:
    """The user ids and addresses locked now (for the administrators)."""
    rows = session.execute(select(T).where(T.c.locked_until > now).order_by(T.c.locked_until)).mappings()
    return [
        {"kind": r["kind"], "key": r["key"], "failures": r["failures"], "locked_until": r["locked_until"]} for r in rows
    ]
