"""Passwords: the rule a new password must meet, and argon2 hashing off the gateway's event loop.

**The rule** (``check_password_rule``, numbers and words in ``policy/security.yaml`` ``passwords``): long enough;
not a word of the blocklist (nor one once its digits and signs are taken away: ``zhaoshang-2026!``); not
containing the user's own id or name; and hard enough to guess by zxcvbn's estimate (0-4), which counts the
user's id, name, position and unit and the blocklist as known to a guesser.

**Hashing** (``hash_password``, ``verify_password``): argon2id takes ~30 ms of CPU and 64 MiB a hash.  On the
gateway's eventlet hub it stopped every other request meanwhile (8 clients signing in wrongly took ``/health``
from 1.8 ms to 865 ms).  Each hash now runs on a native thread of eventlet's ``tpool`` (argon2-cffi releases the
GIL), at most ``ZS_PASSWORD_HASH_THREADS`` at once (``HashingPool``): a burst of sign-ins waits for a thread as
green threads, costing the hub nothing, and takes at most that many cores from the rest of the platform.

**One core a hash** (``argon2_single_thread``): argon2's reference library computes a hash of ``p`` lanes on ``p``
threads of its own (argon2-cffi passes ``threads = parallelism``, 4 by default), so each hash of the pool's one
thread ran on four native threads and took both of the machine's cores: during a burst of wrong sign-ins the
event loops of the gateway and every service waited for the hashes.  The lanes are part of the hash (its
``p=4`` stays); the threads are not: here the same argon2id hash is computed on the calling thread alone, lane
after lane, through the library's ``argon2_ctx`` with ``threads = 1`` — the same encoded hashes as argon2-cffi's
(each verifies the other's), so existing passwords keep working and ``needs_rehash`` is unchanged.
"""

from __future__ import annotations

import base64
import hmac
import os
import re
from typing import Iterable, Mapping

import eventlet
from argon2 import Parameters, PasswordHasher, Type, extract_parameters
from argon2.exceptions import HashingError, InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import core, error_to_str, ffi, lib
from eventlet import tpool
from nameko.extensions import DependencyProvider
from zxcvbn import zxcvbn

from shared.errors import InvalidInput
from shared.i18n import _

HASHER = PasswordHasher()
DEFAULT_HASH_THREADS = 1
_NOT_LETTERS = re.compile(r"[^a-z]+")


class HashingPool:
    """At most ``size`` hashes at once, each on a native thread; the callers wait as green threads.  Size 0 hashes
    on the calling green thread, i.e. on the hub — the way it was, kept only for the benchmark's "before"
    (``bench/signin.py --compare-hub``)."""

    def __init__(self, size: int = DEFAULT_HASH_THREADS):
        self.resize(size)

    def resize(self, size: int) -> None:
        self.size = max(0, int(size))
        self._slots = eventlet.semaphore.Semaphore(max(1, self.size))

    def run(self, function, *args):
        if not self.size:
            return function(*args)
        with self._slots:
            return tpool.execute(function, *args)


POOL = HashingPool()


class PasswordHashing(DependencyProvider):
    """Sizes the process's hashing pool from ``ZS_PASSWORD_HASH_THREADS`` when the service starts."""

    def setup(self):
        threads = self.container.config.get("ZS_PASSWORD_HASH_THREADS")
        POOL.resize(DEFAULT_HASH_THREADS if threads is None else threads)

    def get_dependency(self, worker_ctx) -> HashingPool:
        return POOL


def argon2_single_thread(password: bytes, salt: bytes, params: Parameters) -> bytes:
    """The raw argon2 hash of ``password`` with ``salt`` and ``params`` (lanes = ``params.parallelism``), computed
    on the calling thread alone (``threads = 1``)."""
    out = ffi.new("uint8_t[]", params.hash_len)
    pwd = ffi.new("uint8_t[]", password)
    salt_buffer = ffi.new("uint8_t[]", salt)
    context = ffi.new(
        "argon2_context *",
        {
            "out": out,
            "outlen": params.hash_len,
            "pwd": pwd,
            "pwdlen": len(password),
            "salt": salt_buffer,
            "saltlen": len(salt),
            "secret": ffi.NULL,
            "secretlen": 0,
            "ad": ffi.NULL,
            "adlen": 0,
            "t_cost": params.time_cost,
            "m_cost": params.memory_cost,
            "lanes": params.parallelism,
            "threads": 1,
            "version": params.version,
            "allocate_cbk": ffi.NULL,
            "free_cbk": ffi.NULL,
            "flags": lib.ARGON2_DEFAULT_FLAGS,
        },
    )
    result = core(context, params.type.value)
    if result != lib.ARGON2_OK:
        raise HashingError(error_to_str(result))
    return bytes(ffi.buffer(out, params.hash_len))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


_PREFIX = {Type.ID: "argon2id", Type.I: "argon2i", Type.D: "argon2d"}


def _hash(password: str) -> str:
    """``HASHER.hash(password)``, one core: the PHC string argon2-cffi writes (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``)."""
    params = Parameters(
        type=HASHER.type,
        version=lib.ARGON2_VERSION_NUMBER,
        salt_len=HASHER.salt_len,
        hash_len=HASHER.hash_len,
        time_cost=HASHER.time_cost,
        memory_cost=HASHER.memory_cost,
        parallelism=HASHER.parallelism,
    )
    salt = os.urandom(params.salt_len)
    raw = argon2_single_thread(password.encode("utf-8"), salt, params)
    return (
        f"${_PREFIX[params.type]}$v={params.version}$m={params.memory_cost},t={params.time_cost},"
        f"p={params.parallelism}${_b64(salt)}${_b64(raw)}"
    )


def _verify(stored_hash: str, password: str) -> bool:
    """``HASHER.verify(stored_hash, password)``, one core; ``InvalidHashError`` for a hash it cannot read."""
    try:
        params = extract_parameters(stored_hash)
        salt, expected = (_unb64(part) for part in stored_hash.rsplit("$", 2)[1:])
    except (InvalidHashError, ValueError) as exc:
        raise InvalidHashError(str(exc)) from exc
    if len(expected) != params.hash_len:
        raise InvalidHashError("the hash's length does not match its parameters")
    return hmac.compare_digest(argon2_single_thread(password.encode("utf-8"), salt, params), expected)


def hash_password(password: str) -> str:
    return POOL.run(_hash, password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` is the one ``stored_hash`` was made from.  With no hash (no such user) a hash is made
    all the same, so the answer takes as long whether or not the user exists."""
    if stored_hash is None:
        hash_password(password)
        return False
    try:
        return POOL.run(_verify, stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError, HashingError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


def _rule(policy) -> Mapping:
    return policy.get("security.passwords")


def check_password_rule(password, policy, known: Iterable[str | None] = ()) -> None:
    """``InvalidInput`` on ``password`` naming the rule broken; ``known``: the user's id, name, position, unit."""
    rule = _rule(policy)
    shortest, longest = int(rule["min_length"]), int(rule["max_length"])
    if not isinstance(password, str) or not shortest <= len(password) <= longest:
        raise InvalidInput.for_field(
            "password", _("must be {shortest} to {longest} characters long", shortest=shortest, longest=longest)
        )
    blocklist = [str(word).lower() for word in rule["blocklist"]]
    lowered = password.lower()
    if lowered.strip() in blocklist or _NOT_LETTERS.sub("", lowered) in blocklist:
        raise InvalidInput.for_field("password", _("is a well-known password (the policy's blocklist)"))
    own = [str(k) for k in known if k]
    if any(len(k) >= 3 and k.lower() in lowered for k in own):
        raise InvalidInput.for_field("password", _("must not contain the user's own id or name"))
    estimate = zxcvbn(password, user_inputs=[*own, *blocklist])
    if estimate["score"] < int(rule["min_strength"]):
        raise InvalidInput.for_field(
            "password",
            _(
                "is too easy to guess (strength {score} of 4, at least {needed} is needed): add more words or characters",
                score=estimate["score"],
                needed=int(rule["min_strength"]),
            ),
        )
