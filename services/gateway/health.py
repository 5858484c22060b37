"""``/api/health`` from what the gateway last heard, not from a round of RPCs per request.

The gateway asks every service's ``health`` RPC in the background, all at once, every ``ask_every_seconds``
(``policy/security.yaml`` ``health``), and keeps each service's latest answer with its time (``HealthBoard``).
``/api/health`` answers from that board: each service's status and how many seconds ago it last answered.  A
service whose latest answer is older than ``down_after_seconds`` is reported down (``down: no answer``) — a
stopped service, or one whose RPC consumer is stuck, since the round asks the very RPC a request would use.

Asking all services per request cost each ``/api/health`` ten publishes with confirms and ten replies on the
gateway's event loop (a third of its CPU with a prober asking a few times a second) and made its p95 tens of
milliseconds even on a quiet platform.  From the board it is a dictionary read.

A request that finds a service not ok on the board (just started, or down) does not take the board's word for
it: it asks again at once — one round shared by every request that comes meanwhile (``refresh``), waiting at
most ``wait_seconds`` — and answers from the board as that round left it.  So a platform that has just come up
answers ok at once, and a service that is down costs a request at most that wait, never a hang.

A gateway that has just started may answer its first request degraded (after ``wait_seconds``): its HTTP server
is up a moment before its RPC replies are consumed, and the answers to a round asked in that moment do not come.
The next round (``ask_every_seconds`` later) has them.

``zhaoshang health`` (the operator's command) still asks each service directly over the bus.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import eventlet
from eventlet.event import Event
from nameko.extensions import DependencyProvider

from shared.policy import cached_policy

log = logging.getLogger("zhaoshang.gateway.health")
OK = "ok"
NO_ANSWER = "down: no answer"


@dataclass(frozen=True)
class HealthRules:
    ask_every: float
    down_after: float
    wait: float

    @classmethod
    def of(cls, policy) -> "HealthRules":
        p = policy.get("security.health")
        return cls(
            ask_every=float(p["ask_every_seconds"]),
            down_after=float(p["down_after_seconds"]),
            wait=float(p["wait_seconds"]),
        )


@dataclass(frozen=True)
class Answer:
    status: str  # "ok", or "down: <why>" (the RPC raised, the service said something else)
    at: float  # time.monotonic() when it came


def standing(answers: dict[str, Answer], names, rules: HealthRules, now: float) -> dict[str, dict]:
    """Each service's status now, from its latest answer: that answer's status while it is at most
    ``down_after`` seconds old, else down; a service never heard from is down."""
    found = {}
    for name in names:
        answer = answers.get(name)
        if answer is None:
            found[name] = {"status": NO_ANSWER, "age_seconds": None}
            continue
        age = max(0.0, now - answer.at)
        found[name] = {"status": answer.status if age <= rules.down_after else NO_ANSWER, "age_seconds": round(age, 1)}
    return found


def summary(found: dict[str, dict]) -> tuple[dict, int]:
    """The body of ``/api/health`` and its status code (503 when any service is not ok)."""
    ok = all(s["status"] == OK for s in found.values())
    body = {
        "status": "ok" if ok else "degraded",
        "services": {name: s["status"] for name, s in found.items()},
        "age_seconds": {name: s["age_seconds"] for name, s in found.items()},
    }
    return body, 200 if ok else 503


def ask_all(proxies, names, wait: float, clock=time.monotonic) -> dict[str, Answer]:
    """Ask every service's ``health`` at once, then await the answers for at most ``wait`` seconds in all;
    what has not answered by then is left out (the board keeps its previous answer, which ages)."""
    answers = {}

    def await_answer(name, reply):
        try:
            status = reply.result().get("status")
            answers[name] = Answer(OK if status == OK else f"down: {status}", clock())
        except Exception as exc:  # the service raised: it is reported, not raised
            answers[name] = Answer(f"down: {type(exc).__name__}", clock())

    waiting = []
    for name in names:
        try:
            waiting.append(eventlet.spawn(await_answer, name, getattr(proxies, name).health.call_async()))
        except Exception as exc:  # e.g. no queue for the service: it is down
            answers[name] = Answer(f"down: {type(exc).__name__}", clock())
    with eventlet.Timeout(wait, False):
        for thread in waiting:
            thread.wait()
    for thread in waiting:
        thread.kill()
    return answers


class Board:
    """The latest answer of each service, and the one round of asking in progress (if any)."""

    def __init__(self, names, rules: HealthRules, clock=time.monotonic):
        self.names, self.rules, self.clock = tuple(names), rules, clock
        self.answers: dict[str, Answer] = {}
        self.rounds = 0
        self._round: Event | None = None

    def now(self) -> dict[str, dict]:
        return standing(self.answers, self.names, self.rules, self.clock())

    def refresh(self, ask) -> None:
        """Run a round (``ask()`` -> answers) unless one is running, in which case wait for that one (at most the
        policy's wait): a burst of requests against a degraded platform asks the services once, not once each."""
        if self._round is not None:
            with eventlet.Timeout(self.rules.wait + 1, False):
                self._round.wait()
            return
        self._round = done = Event()
        try:
            self.answers.update(ask())
            self.rounds += 1
        except Exception:  # a round that fails leaves the answers to age
            log.warning("health round failed", exc_info=True)
        finally:
            self._round = None
            done.send(None)

    def current(self, ask) -> dict[str, dict]:
        """The standing now; asked again first if any service is not ok on the board."""
        found = self.now()
        if any(s["status"] != OK for s in found.values()):
            self.refresh(ask)
            found = self.now()
        return found


class HealthBoard(DependencyProvider):
    """The service's one ``Board`` (its rules from the policy when the service starts)."""

    def __init__(self, names):
        self.names = tuple(names)

    def setup(self):
        policy = cached_policy(self.container.config.get("ZS_POLICY_DIR"))
        self.board = Board(self.names, HealthRules.of(policy))

    def get_dependency(self, worker_ctx) -> Board:
        return self.board
