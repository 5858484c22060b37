"""A command that follows an event waits for it: the catch-up of a dependent command (``@waits_for``).

Services hear each other's events only.  A step taken right after the one before it (the intermediary recorded
a moment after the review concluded, the review convened a moment after the filing, the accounting opened right
after the hand-over) reaches a service that may not have handled the event of that step yet, and its own records
refuse the command (404, 409) although the step before has returned.  Nobody can be asked to retry that.

So a command whose precondition is set by another service's event is declared ``@waits_for(<event types>)``.  It
runs as it always did.  Refused (``Conflict``, ``NotFound``), it first waits a moment
(``thresholds.catch_up.first_wait_seconds``) for this service to handle an event of the project
(``shared.bus.PROGRESS``: woken as each event is acked, no polling) and runs again at each one: the event it follows is
nearly always already on this service's queue, and the command succeeds without asking anyone.  Still refused after
that moment, it asks the owners of those events,
by RPC, which of them they have committed for the project (``Emits.emitted``: a read of their outbox, the
authoritative record of what they emitted), and compares them with what it has handled itself (its
``processed_events``, or for a lifecycle copy the transition number it holds):

* every such event is handled here (or none was emitted): the refusal is the answer — a premature command gets
  its ``conflict`` at once, after one read per owner;
* one is not handled yet: the command waits for it, polling its own database in short steps (eventlet sleeps, the
  service's other workers run meanwhile), then runs again; bounded by ``thresholds.catch_up.wait_seconds``;
* still not handled when the bound is reached (a consumer stopped, a backlog): ``NotYet`` (409, code ``not_yet``):
  the step before was taken, its news is on its way, try again in a moment.

The coordinator's lifecycle is two hops from the step that moves it (``contracts.handed_over`` → the coordinator →
``coordinator.project_state_changed`` → accounting): the coordinator's ``emitted`` first catches up on its own
sources' events of the project (the same rule) and then reads its outbox, so a copy of the lifecycle waits for a
change the coordinator is about to make too.

A command that is not refused never gets here: the waiting path costs nothing when the event has been handled.
Each wait is counted in ``zhaoshang_catch_ups_total`` (service, command, outcome: ``caught_up``, ``not_yet``).
"""

from __future__ import annotations

import functools
import json
import time
from typing import Iterable

import eventlet
from eventlet.semaphore import Semaphore
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import ReplyListener, ServiceProxy
from sqlalchemy import select

from shared.bus import PROGRESS
from shared.errors import Conflict, NotFound, NotYet
from shared.i18n import _
from shared.observability import CATCH_UPS
from shared.policy import cached_policy
from shared.rpc import rpc
from shared.topology import ROUTED_BY, SUBSCRIPTIONS, consumers

POLICY = "thresholds.catch_up"
REFUSE, WAIT, GIVE_UP = "refuse", "wait", "not_yet"
UNKNOWN = object()
"""What an owner that did not answer emitted: maybe the awaited event (it is waited for, up to the bound)."""


# -- the rule (pure) ------------------------------------------------------------------------------------------------
def unhandled(emitted: Iterable[dict], handled_ids: set[str], copy_seq: int | None = None) -> list[dict]:
    """The events of ``emitted`` (``event_id``, ``type``, ``seq`` for a state change) this service has not handled:
    not among ``handled_ids``, and for a numbered state change not at or below the copy's transition ``copy_seq``."""
    return [
        e
        for e in emitted
        if e["event_id"] not in handled_ids
        and not (e.get("seq") is not None and copy_seq is not None and e["seq"] <= copy_seq)
    ]


def next_move(waiting_for: int, waited: float, bound: float) -> str:
    """After a refusal: ``refuse`` when nothing the command waits for is still on its way (the refusal is the
    answer), ``wait`` while something is and the bound is not reached, ``not_yet`` once it is."""
    if not waiting_for:
        return REFUSE
    return WAIT if waited < bound else GIVE_UP


def sources_of(service: str, event_types: Iterable[str]) -> dict[str, list[str]]:
    """The owner of each event type ``service`` consumes among ``event_types`` -> those types."""
    owners: dict[str, list[str]] = {}
    for event_type in event_types:
        if service in SUBSCRIPTIONS.get(event_type, ()):
            owners.setdefault(event_type.split(".", 1)[0], []).append(event_type)
    return owners


def delivered_to(service: str, entries: Iterable[dict]) -> list[dict]:
    """The entries the broker delivers to ``service`` (a state change: only the states its queue is bound to)."""
    return [e for e in entries if service in consumers(e["type"], e)]


# -- the owner's side: what it emitted ------------------------------------------------------------------------------
def emitted_events(session, outbox, project_id: str, event_types: Iterable[str]) -> list[dict]:
    """The events of ``event_types`` committed for ``project_id`` (``event_id``, ``type``; a state change's routing
    field and ``seq``), read from the outbox: published or not, they are on their way."""
    types = list(event_types)
    if not types or not project_id:
        return []
    rows = session.execute(
        select(outbox.c.event_id, outbox.c.event_type, outbox.c.body).where(
            outbox.c.project_id == project_id, outbox.c.event_type.in_(types)
        )
    ).all()
    found = []
    for event_id, event_type, body in rows:
        entry = {"event_id": event_id, "type": event_type}
        if event_type in ROUTED_BY:
            payload = json.loads(body)["payload"]
            entry.update({ROUTED_BY[event_type]: payload[ROUTED_BY[event_type]], "seq": payload.get("seq")})
        found.append(entry)
    return found


class Emits:
    """The RPC an owner of events answers a dependent command's question with (``waits_for``)."""

    @rpc
    def emitted(self, project_id, event_types):
        return emitted_events(self.db.session, self.db.outbox, project_id, event_types)


# -- the dependent's side --------------------------------------------------------------------------------------------
class Owners:
    """A worker's questions to the owners of events (nameko RPC, a reply listener shared per container)."""

    def __init__(self, worker_ctx, reply_listener, timeout: float, slots=None):
        self.worker_ctx, self.reply_listener, self.timeout = worker_ctx, reply_listener, timeout
        self.slots = slots if slots is not None else Semaphore(1)

    def emitted(self, project_id: str, by_owner: dict[str, list[str]]):
        """Every owner's events of the project among its types, asked all at once; ``UNKNOWN`` if a running owner
        did not answer in time.  An owner that is not running at all (no one consumes its RPC queue) is left out:
        nothing it committed can reach this service before it runs again, so there is nothing to wait for."""
        found: list[dict] = []
        try:
            replies = []
            for owner, types in by_owner.items():
                try:
                    replies.append(
                        ServiceProxy(self.worker_ctx, owner, self.reply_listener).emitted.call_async(project_id, types)
                    )
                except UnknownService:
                    continue
            with eventlet.Timeout(self.timeout):
                for reply in replies:
                    found.extend(reply.result())
        except (eventlet.Timeout, Exception):  # an owner that cannot say: what it emitted is unknown
            return UNKNOWN
        return found

    def ask(self, owner: str, method: str, *args):
        """Another RPC of an owner's (e.g. intake's projects of lead references); None if it cannot answer."""
        try:
            with eventlet.Timeout(self.timeout):
                return (
                    getattr(ServiceProxy(self.worker_ctx, owner, self.reply_listener), method)
                    .call_async(*args)
                    .result()
                )
        except (eventlet.Timeout, Exception):
            return None


class CatchUp(DependencyProvider):
    """The dependency ``@waits_for`` asks the owners through (``catch_up = CatchUp()`` on the service)."""

    rpc_reply_listener = ReplyListener()

    def setup(self):
        config = self.container.config
        bound = bound_of(cached_policy(config.get("ZS_POLICY_DIR")))[0]
        self.timeout = 2 * bound + 1  # the coordinator may catch up itself before it answers
        # a waiting command holds one of the container's workers: at most half of them wait, so that the events
        # they wait for always find a worker to handle them (beyond, the command answers not_yet at once)
        self.slots = Semaphore(max(1, int(config.get("max_workers") or 10) // 2))

    def get_dependency(self, worker_ctx):
        return Owners(worker_ctx, self.rpc_reply_listener, timeout=self.timeout, slots=self.slots)


def bound_of(policy) -> tuple[float, float]:
    """The policy's bound on a catch-up and the step it polls in (seconds)."""
    return float(policy.get(f"{POLICY}.wait_seconds")), float(policy.get(f"{POLICY}.step_seconds"))


def first_wait_of(policy) -> float:
    """How long a refused command first waits for an event of its project handled here (seconds)."""
    return float(policy.get(f"{POLICY}.first_wait_seconds"))


def run_on_progress(service, project_id: str, seconds: float, run) -> tuple[bool, object]:
    """``run()`` again at each event of the project this process handles within ``seconds``: ``(True, its result)``
    once it is not refused, else ``(False, its last refusal)`` (None: it never ran again).  The wait holds a worker, so
    it takes one of the waiting slots; none free: no wait."""
    slots = service.catch_up.slots
    if seconds <= 0 or not project_id or not slots.acquire(blocking=False):
        return False, None
    refusal = None
    try:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0 and PROGRESS.wait(project_id, left):
            try:
                return True, run()
            except NotYet:
                raise
            except (Conflict, NotFound) as refused:
                refusal = refused
        return False, refusal
    finally:
        slots.release()


def handled_ids(session, processed, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    return set(session.execute(select(processed.c.event_id).where(processed.c.event_id.in_(ids))).scalars())


def copy_seq(session, table, project_id: str) -> int | None:
    if table is None:
        return None
    return session.execute(select(table.c.lifecycle_seq).where(table.c.project_id == project_id)).scalar()


def still_unhandled(service, entries, project_id: str, lifecycle) -> list[dict]:
    """Of ``entries`` (the owners' events), those this service has not handled yet, read afresh."""
    session = service.db.session
    session.rollback()  # a fresh read: the transaction the refusal left (SQLite, PostgreSQL) sees nothing new
    ids = handled_ids(session, service.db.processed, [e["event_id"] for e in entries])
    left = unhandled(entries, ids, copy_seq(session, lifecycle, project_id))
    session.rollback()
    return left


def catch_up(
    service, project_id: str, event_types: Iterable[str], lifecycle=None, deadline: float | None = None
) -> str:
    """Wait (bounded) until this service has handled every event of ``event_types`` their owners committed for the
    project: ``refuse`` when nothing was on its way, ``wait`` when something was and now is handled, ``not_yet``
    when the bound came first."""
    bound, step = bound_of(service.policy)
    deadline = deadline if deadline is not None else time.monotonic() + bound
    by_owner = sources_of(service.name, event_types)
    if not by_owner or not project_id:
        return REFUSE
    slots = service.catch_up.slots
    if not slots.acquire(blocking=False):  # as many commands wait as may: no worker is left to wait
        return GIVE_UP
    try:
        return _catch_up(service, project_id, by_owner, lifecycle, bound, step, deadline)
    finally:
        slots.release()


def _catch_up(service, project_id, by_owner, lifecycle, bound, step, deadline) -> str:
    entries = service.catch_up.emitted(project_id, by_owner)
    waited = False
    while True:
        if entries is UNKNOWN:
            waiting: list = [None]
        else:
            waiting = still_unhandled(service, delivered_to(service.name, entries), project_id, lifecycle)
        move = next_move(len(waiting), bound - (deadline - time.monotonic()), bound)
        if move != WAIT:
            return WAIT if move == REFUSE and waited else move
        waited = True
        eventlet.sleep(step)
        if entries is UNKNOWN:
            entries = service.catch_up.emitted(project_id, by_owner)


def waits_for(*event_types: str, lifecycle=None, project_arg: int = 1, projects=None):
    """A command whose precondition another service's event sets: refused (``Conflict``, ``NotFound``) while this
    service has not handled an event of ``event_types`` its owner committed for the project, it waits for it and runs
    again (bounded); refused with everything handled, the refusal stands; still waiting at the bound, ``NotYet``.

    ``lifecycle``: the table of the service's lifecycle copy (``lifecycle_seq``), for state changes it follows by
    their number.  ``project_arg``: the position of the project id among the arguments (after ``self``).
    ``projects``: for a command that names no project (leads by their reference), ``projects(self, *args)`` gives
    the projects the refusal may be waiting on, asked after the refusal (none: the refusal stands)."""

    def decorate(method):
        name = method.__name__

        @functools.wraps(method)
        def command(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except NotYet:
                raise
            except (Conflict, NotFound) as refusal:
                first = refusal
            if projects is not None:
                project_ids = list(projects(self, *args, **kwargs) or ())
                if not project_ids:
                    raise first
            else:
                project_ids = [kwargs["project_id"] if "project_id" in kwargs else args[project_arg]]
            deadline = time.monotonic() + bound_of(self.policy)[0]
            ran, outcome = run_on_progress(  # a command of several projects: woken by the first one's events
                self, project_ids[0], first_wait_of(self.policy), lambda: method(self, *args, **kwargs)
            )
            if ran:
                CATCH_UPS.labels(self.name, name, "caught_up").inc()
                return outcome
            first = outcome or first
            while True:
                moves = {catch_up(self, project_id, event_types, lifecycle, deadline) for project_id in project_ids}
                move = GIVE_UP if GIVE_UP in moves else WAIT if WAIT in moves else REFUSE
                if move == GIVE_UP:
                    CATCH_UPS.labels(self.name, name, GIVE_UP).inc()
                    raise NotYet(
                        _(
                            "the step before this one has been taken and is still on its way to this "
                            "service: try again in a moment ({reason})",
                            reason=first.msg,
                        ),
                        {**first.details, "not_yet": [name]},
                    )
                try:  # once more, on what is handled now (an event may have been handled since the refusal)
                    result = method(self, *args, **kwargs)
                except NotYet:
                    raise
                except (Conflict, NotFound) as refusal:
                    if move == REFUSE:  # nothing it waits for is on its way: the refusal is the answer
                        raise
                    first = refusal  # it waited for something: anything else now on its way is waited for too
                    continue
                CATCH_UPS.labels(self.name, name, "caught_up").inc()
                return result

        command.waits_for = event_types
        return command

    return decorate
