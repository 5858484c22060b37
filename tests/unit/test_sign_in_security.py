"""Sign-in throttling, the password rule, sessions that end, hashing off the hub, and the audit trail of user
administration — the gateway's people code over a real SQLite database (its own migrations)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import eventlet
import pytest
from sqlalchemy import create_engine, select

from services.gateway import models, people, throttle
from services.gateway import passwords
from services.gateway.passwords import HASHER, POOL, check_password_rule, hash_password, verify_password
from shared import audit, migrations
from shared.db import ServiceStore
from shared.errors import InvalidInput, Unauthenticated
from shared.policy import load_policy
from tests.harness import Provider, shanghai

POLICY = load_policy()
RULES = throttle.Rules.of(POLICY)
ADMIN = {"user_id": "admin", "position": "system_administrator", "unit": "IPB"}
LIFE = people.Lifetimes(absolute=timedelta(hours=10), idle=timedelta(minutes=30))
GOOD = "Hengdong#Park-88"


@pytest.fixture
def db(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    migrations.upgrade("gateway", engine)
    store = ServiceStore(Provider(engine, models.metadata))
    yield store
    store.close()
    engine.dispose()


def add_user(db, user_id="li.clerk", password=GOOD, **fields) -> dict:
    data = people.prepare(
        db.session,
        {"user_id": user_id, "name": "李文员", "position": "ipb_clerk", "unit": "IPB", "password": password, **fields},
        POLICY,
    )
    with db.unit_of_work() as uow:
        return people.save_user(uow.session, data, ADMIN, shanghai(2026, 12, 1), create=True)


def sign_in(db, password, at, user_id="li.clerk", address="192.0.2.10"):
    return people.sign_in(db, POLICY, user_id, password, address, at, LIFE)


def trail(db) -> list[dict]:
    table = models.audit_trail
    return [dict(r) for r in db.session.execute(select(table).order_by(table.c.seq)).mappings()]


# -- throttling ---------------------------------------------------------------------------------------------------
def test_the_delay_doubles_after_the_free_failures_and_the_lock_comes_at_the_policy_count():
    now = shanghai(2026, 12, 1)
    counter = None
    waits = []
    for n in range(1, RULES.lockout_after["user"] + 1):
        counter = throttle.after_failure(counter, "user", "li.clerk", RULES, now)
        waits.append(throttle.wait_seconds(counter, RULES, now))
    free = RULES.free["user"]
    assert waits[: free - 1] == [0.0] * (free - 1)
    assert waits[free - 1 : free + 3] == [1.0, 2.0, 4.0, 8.0]  # policy: 1 s doubling
    assert max(waits[:-1]) <= RULES.longest_delay
    assert counter.locked_until == now + RULES.lockout and waits[-1] == RULES.lockout.total_seconds()
    later = now + RULES.lockout + RULES.window + timedelta(seconds=1)
    assert throttle.wait_seconds(counter, RULES, later) == 0 and throttle.current(counter, RULES, later) is None


def test_a_throttled_answer_is_held_by_the_tarpit_for_the_policy_s_seconds_and_at_most_so_many_at_once():
    holds = throttle.Holds.of(POLICY)
    seconds = float(POLICY.get("security.sign_in.tarpit.seconds"))
    assert seconds > 0 and holds.tarpit_max_held == int(POLICY.get("security.sign_in.tarpit.max_held")) > 0
    slept = []
    assert holds.tarpit(30, slept.append) is True and slept == [seconds]  # held the policy's time
    assert holds.tarpit(0, slept.append) is True and slept[-1] == 0  # never longer than its Retry-After
    held_meanwhile = []

    def sleep_while_full(s):  # every other slot taken: the next answer is not held
        held_meanwhile.append(holds.tarpit(30, slept.append))

    holds.in_tarpit = holds.tarpit_max_held - 1
    assert holds.tarpit(30, sleep_while_full) is True and held_meanwhile == [False]
    assert holds.in_tarpit == holds.tarpit_max_held - 1  # each hold released after its answer
    assert throttle.Holds(timedelta(seconds=5)).tarpit(30, slept.append) is False  # none configured: none held


def test_fifty_wrong_passwords_are_throttled_then_locked_and_the_right_one_waits_for_the_unlock(db):
    add_user(db)
    at = shanghai(2026, 12, 1, 9)
    answers = []
    for _ in range(50):  # an attacker who waits out every delay the gateway names
        try:
            sign_in(db, "wrong-password-123", at)
            answers.append("signed in")
        except people.TooManyAttempts as exc:
            answers.append(429)
            if exc.retry_after > RULES.longest_delay:  # locked: the attacker gives up
                break
            at += timedelta(seconds=exc.retry_after)
        except Unauthenticated:
            answers.append(401)
    assert answers.count(401) == RULES.lockout_after["user"]  # then the user id is locked: no more guesses
    with pytest.raises(people.TooManyAttempts) as locked:
        sign_in(db, GOOD, at)  # the right password too, while locked
    assert locked.value.code == "too_many_attempts" and locked.value.retry_after > 60 * 10
    with db.unit_of_work() as uow:
        assert people.unlock(uow.session, ADMIN, "li.clerk", at) is True
    token, user, _ = sign_in(db, GOOD, at)
    assert token and user["user_id"] == "li.clerk"
    actions = [(e["action"], e["outcome"]) for e in trail(db)]
    assert actions.count(("gateway.sign_in", "refused")) == RULES.lockout_after["user"]
    assert ("gateway.sign_in_locked", "refused") in actions and ("gateway.sign_in_unlocked", "done") in actions
    assert actions[-1] == ("gateway.sign_in", "allowed")
    assert json.loads(trail(db)[0]["details"]).get("position") == "ipb_clerk"


def test_one_address_guessing_at_many_user_ids_is_throttled_too(db):
    at = shanghai(2026, 12, 1, 9)
    refused = 0
    for n in range(RULES.free["address"]):
        try:
            sign_in(db, "whatever-123", at, user_id=f"guess{n}", address="198.51.100.7")
        except Unauthenticated:
            refused += 1
    assert refused == RULES.free["address"]
    with pytest.raises(people.TooManyAttempts) as waiting:
        sign_in(db, "whatever-123", at, user_id="another", address="198.51.100.7")
    assert waiting.value.details["held_by"] == ["address"]
    with pytest.raises(Unauthenticated):  # another address is not held
        sign_in(db, "whatever-123", at, user_id="another", address="198.51.100.8")


def counted_statements(db) -> list[str]:
    """The statements the gateway's database runs from now on."""
    from sqlalchemy import event

    seen: list[str] = []
    event.listen(db.session.bind, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def lock_out(db, holds) -> datetime:
    """Wrong passwords for li.clerk, each delay waited out, until the user id is locked; the time then."""
    at = shanghai(2026, 12, 1, 9)
    while True:
        try:
            people.sign_in(db, POLICY, "li.clerk", "wrong-password-123", "192.0.2.10", at, LIFE, holds)
        except people.TooManyAttempts as exc:
            if exc.retry_after > RULES.longest_delay:
                return at
            at += timedelta(seconds=exc.retry_after)
        except Unauthenticated:
            pass


def test_a_hold_is_answered_from_memory_until_it_ends_or_the_policy_s_time_to_read_again(db):
    add_user(db)
    holds = throttle.Holds.of(POLICY)
    assert holds.recheck == timedelta(seconds=POLICY.get("security.sign_in.held_in_memory_seconds"))
    at = lock_out(db, holds)
    with pytest.raises(people.TooManyAttempts) as first:  # found in the database, kept in memory
        people.sign_in(db, POLICY, "li.clerk", GOOD, "192.0.2.11", at, LIFE, holds)
    assert first.value.details["held_by"] == ["user"] and first.value.retry_after > 60
    statements = counted_statements(db)
    for n in range(50):  # a burst against the locked user id: no statement at all
        with pytest.raises(people.TooManyAttempts) as again:
            people.sign_in(db, POLICY, "li.clerk", "guess", f"192.0.2.{n}", at + timedelta(seconds=1), LIFE, holds)
    assert statements == [] and again.value.retry_after == first.value.retry_after - 1
    # a restarted gateway (memory empty) holds what the database holds
    with pytest.raises(people.TooManyAttempts):
        people.sign_in(db, POLICY, "li.clerk", GOOD, "192.0.2.11", at, LIFE, throttle.Holds.of(POLICY))
    assert statements  # read from the database
    # the database read again once the policy's time has passed: an unlock made elsewhere is seen
    with db.unit_of_work() as uow:
        throttle.unlock(uow.session, "li.clerk")  # as another gateway instance's administrator would
    with pytest.raises(people.TooManyAttempts):
        people.sign_in(db, POLICY, "li.clerk", GOOD, "192.0.2.11", at + timedelta(seconds=2), LIFE, holds)
    later = at + holds.recheck + timedelta(seconds=1)
    assert people.sign_in(db, POLICY, "li.clerk", GOOD, "192.0.2.11", later, LIFE, holds)[0]


def test_an_unlock_forgets_the_hold_in_memory_at_once(db):
    add_user(db)
    holds = throttle.Holds.of(POLICY)
    at = lock_out(db, holds)
    with pytest.raises(people.TooManyAttempts):
        people.sign_in(db, POLICY, "li.clerk", GOOD, "192.0.2.11", at, LIFE, holds)
    with db.unit_of_work() as uow:
        assert people.unlock(uow.session, ADMIN, "li.clerk", at, holds) is True
    assert people.sign_in(db, POLICY, "li.clerk", GOOD, "192.0.2.11", at, LIFE, holds)[0]


# -- the password rule ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "password", ["password12", "aaaaaaaaa1", " " * 10, "li.clerk-2026!", "1q2w3e4r5t", "Zhaoshang-2026!", "short1!"]
)
def test_weak_passwords_are_refused_naming_the_rule(password):
    with pytest.raises(InvalidInput) as refused:
        check_password_rule(password, POLICY, ("li.clerk", "李文员", "ipb_clerk", "IPB"))
    assert list(refused.value.details) == ["password"]


def test_a_strong_password_is_accepted():
    check_password_rule(GOOD, POLICY, ("li.clerk", "李文员", "ipb_clerk", "IPB"))
    check_password_rule("sample-county-2026", POLICY, ("li.clerk",))  # the README's


# -- sessions ----------------------------------------------------------------------------------------------------------
def live(db, token, at) -> bool:
    try:
        people.actor_for_token(db.session, token, at, LIFE)
        return True
    except Unauthenticated:
        return False


def test_a_password_reset_a_position_change_and_a_deactivation_end_the_user_s_sessions(db):
    add_user(db)
    at = shanghai(2026, 12, 1, 9)
    phone, desk = sign_in(db, GOOD, at)[0], sign_in(db, GOOD, at)[0]
    # she changes her own password at her desk: the phone's session ends, the desk's goes on
    people.change_own_password(
        db,
        POLICY,
        {**ADMIN, "user_id": "li.clerk", "position": "ipb_clerk"},
        desk,
        "192.0.2.10",
        GOOD,
        "Xiangjiang@Bridge-77",
        at,
    )
    assert not live(db, phone, at) and live(db, desk, at)
    password = "Xiangjiang@Bridge-77"
    for change in ({"password": "Another-Strong#Pass9"}, {"position": "reviewer", "unit": "FIN"}, {"active": False}):
        token = sign_in(db, password, at)[0]
        row = people.public(people.user_row(db.session, "li.clerk"))
        data = people.prepare(db.session, {**row, **change}, POLICY)
        with db.unit_of_work() as uow:
            people.save_user(uow.session, data, ADMIN, at, create=False)
        assert not live(db, token, at), change
        password = change.get("password", password)
    ended = [
        (json.loads(e["details"])["sessions"], e["reason"])
        for e in trail(db)
        if e["action"] == "gateway.sessions_ended"
    ]
    assert ended == [(1, "password_changed"), (2, "password_changed"), (1, "position_changed"), (1, "deactivated")]


def test_a_session_idle_too_long_ends_and_a_busy_one_lives_to_its_absolute_end(db):
    add_user(db)
    at = shanghai(2026, 12, 1, 9)
    token = sign_in(db, GOOD, at)[0]
    busy = at
    while busy < at + LIFE.absolute - timedelta(minutes=25):
        busy += timedelta(minutes=25)
        assert live(db, token, busy)
    assert not live(db, token, at + LIFE.absolute)
    idle = sign_in(db, GOOD, at)[0]
    assert live(db, idle, at + timedelta(minutes=29)) and not live(db, idle, at + timedelta(minutes=29 + 31))


# -- hashing off the hub -----------------------------------------------------------------------------------------------
def _longest_stall(work) -> float:
    """The longest gap of a green thread ticking every 2 ms while ``work`` runs in another green thread."""
    gaps, last, done = [], time.perf_counter(), []

    def ticker():
        nonlocal last
        while not done:
            eventlet.sleep(0.002)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    t = eventlet.spawn(ticker)
    eventlet.spawn(lambda: (work(), done.append(1))).wait()
    t.wait()
    return max(gaps)


def test_hashing_leaves_the_event_loop_running():
    stored = HASHER.hash(GOOD)
    on_the_hub = _longest_stall(lambda: [HASHER.verify(stored, GOOD) for _ in range(3)])
    pooled = _longest_stall(lambda: [verify_password(stored, GOOD) for _ in range(3)])
    assert on_the_hub > 0.03  # one argon2 hash holds the hub ~30-50 ms (more on a busy machine)
    # off the hub the loop waits only for its turn on a core (~2-20 ms here; more on a machine busy with others)
    assert pooled < on_the_hub / 4, (on_the_hub, pooled)
    assert POOL.size >= 1 and verify_password(hash_password(GOOD), GOOD) and not verify_password(stored, "nope")


def _most_threads_while(work) -> int:
    """The most native threads this process had while ``work`` ran on a thread of its own, beyond the ones before."""
    import os

    threading, real_time = eventlet.patcher.original("threading"), eventlet.patcher.original("time")

    def count() -> int:
        return len(os.listdir(f"/proc/{os.getpid()}/task"))

    before = count()
    worker = threading.Thread(target=work)
    worker.start()
    most = before
    while worker.is_alive():
        most = max(most, count())
        real_time.sleep(0.001)
    worker.join()
    return most - before - 1  # the worker itself


def test_a_hash_is_argon2_cffi_s_own_made_on_one_native_thread():
    ours, theirs = hash_password(GOOD), HASHER.hash(GOOD)
    assert ours.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and not HASHER.check_needs_rehash(ours)
    assert HASHER.verify(ours, GOOD) and verify_password(theirs, GOOD)  # each verifies the other's
    assert not verify_password(ours, "Hengdong#Park-89") and not verify_password(theirs, "nope")
    for broken in ("", "plain", ours[:-4], ours.rsplit("$", 1)[0] + "$@@@@"):
        assert verify_password(broken, GOOD) is False
    # argon2-cffi computes the policy's 4 lanes on 4 threads of its own: the pool's one thread took every core
    assert _most_threads_while(lambda: HASHER.verify(theirs, GOOD)) >= 2
    # what the pool's thread runs (the pool's own threads are eventlet's tpool, started before)
    assert _most_threads_while(lambda: [passwords._verify(theirs, GOOD), passwords._hash(GOOD)]) == 0


# -- the audit trail of user administration ------------------------------------------------------------------------
def test_user_administration_is_audited_in_a_verifiable_chain(db):
    add_user(db)
    add_user(db, "root2", is_admin=True)
    at = shanghai(2026, 12, 2)
    row = people.public(people.user_row(db.session, "li.clerk"))
    for change in (
        {"password": "Another-Strong#Pass9"},
        {"position": "reviewer", "unit": "FIN"},
        {"is_admin": True},
        {"active": False},
    ):
        data = people.prepare(db.session, {**row, **change}, POLICY)
        with db.unit_of_work() as uow:
            people.save_user(uow.session, data, ADMIN, at, create=False)
        row = people.public(people.user_row(db.session, "li.clerk"))
    actions = [e["action"] for e in trail(db)]
    for action in (
        "gateway.user_created",
        "gateway.admin_created",
        "gateway.password_reset",
        "gateway.position_changed",
        "gateway.admin_granted",
        "gateway.user_deactivated",
    ):
        assert action in actions
    moved = next(e for e in trail(db) if e["action"] == "gateway.position_changed")
    assert json.loads(moved["details"])["changes"]["unit"] == {"from": "IPB", "to": "FIN"}
    assert moved["user_id"] == "admin" and moved["record_id"] == "li.clerk"
    assert audit.verify(db.session, models.audit_trail).ok
