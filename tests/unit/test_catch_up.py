"""A command right after the step before it waits for that step's event (shared/catch_up.py): the rule, and a
service's command refused, waiting, then run again, over a real database."""

from __future__ import annotations

import time
import uuid

import eventlet
from eventlet.semaphore import Semaphore
import pytest
from sqlalchemy import create_engine

from services.negotiation import models as negotiation_models
from services.negotiation.service import NegotiationService
from shared import catch_up
from shared.bus import PROGRESS
from shared.catch_up import GIVE_UP, REFUSE, UNKNOWN, WAIT, delivered_to, next_move, sources_of, unhandled
from shared.errors import Conflict, NotFound, NotYet
from shared.observability import CATCH_UPS
from shared.policy import cached_policy
from tests.factories import IPB_CLERK
from tests.harness import Harness, TestClock, shanghai


def test_a_refusal_with_nothing_on_its_way_is_the_answer_at_once():
    assert next_move(0, 0.0, 5.0) == REFUSE
    assert next_move(0, 4.9, 5.0) == REFUSE


def test_an_event_on_its_way_is_waited_for_up_to_the_bound_then_the_answer_is_not_yet():
    assert next_move(1, 0.0, 5.0) == WAIT
    assert next_move(2, 4.99, 5.0) == WAIT
    assert next_move(1, 5.0, 5.0) == GIVE_UP


def test_an_event_counts_as_handled_by_its_id_or_by_the_transition_number_of_a_lifecycle_copy():
    emitted = [
        {"event_id": "e1", "type": "review.concluded"},
        {"event_id": "e2", "type": "coordinator.project_state_changed", "to_state": "construction", "seq": 9},
        {"event_id": "e3", "type": "coordinator.project_state_changed", "to_state": "closed", "seq": 12},
    ]
    assert [e["event_id"] for e in unhandled(emitted, {"e1"}, copy_seq=9)] == ["e3"]
    assert [e["event_id"] for e in unhandled(emitted, set(), copy_seq=None)] == ["e1", "e2", "e3"]
    assert unhandled(emitted, {"e1", "e2", "e3"}) == []


def test_only_the_owners_of_events_the_service_hears_are_asked_and_only_what_the_broker_delivers_it_counts():
    assert sources_of(
        "accounting",
        ["intake.project_filed", "contracts.signed", "coordinator.project_state_changed", "review.concluded"],
    ) == {
        "intake": ["intake.project_filed"],
        "contracts": ["contracts.signed"],
        "coordinator": ["coordinator.project_state_changed"],
    }
    changes = [
        {"event_id": f"e{n}", "type": "coordinator.project_state_changed", "to_state": state, "seq": n}
        for n, state in enumerate(["negotiating", "filed_copies", "construction"])
    ]
    assert [e["to_state"] for e in delivered_to("accounting", changes)] == ["construction"]  # TAKES_ONLY


def test_the_bound_is_policy():
    policy = cached_policy()
    assert catch_up.bound_of(policy) == (
        float(policy.get("thresholds.catch_up.wait_seconds")),
        float(policy.get("thresholds.catch_up.step_seconds")),
    )
    assert 1 <= catch_up.bound_of(policy)[0] <= 30
    assert catch_up.first_wait_of(policy) == float(policy.get("thresholds.catch_up.first_wait_seconds"))
    assert 0 < catch_up.first_wait_of(policy) < catch_up.bound_of(policy)[0]


# -- a service's command over a real database ------------------------------------------------------------------------
class Owners:
    """What the owners answer (review.concluded of p1 committed), or UNKNOWN; counts the questions."""

    def __init__(self, answer, slots: int = 5):
        self.answer, self.asked, self.slots = answer, 0, Semaphore(slots)

    def emitted(self, project_id, by_owner):
        self.asked += 1
        return self.answer


class ShortPolicy:
    def __init__(self, policy, wait):
        self._policy, self._wait = policy, wait

    def get(self, key):
        if key == "thresholds.catch_up.wait_seconds":
            return self._wait
        if key == "thresholds.catch_up.first_wait_seconds":  # a tenth of the bound, as in the policy
            return min(float(self._policy.get(key)), self._wait / 10)
        return self._policy.get(key)

    def __getattr__(self, name):
        return getattr(self._policy, name)


PF, RC = str(uuid.uuid4()), str(uuid.uuid4())  # the events' ids: intake.project_filed, review.concluded
FILED = {
    "ref": "ZS2026-0001",
    "project_name": "示例项目",
    "investor_name": "示例投资者有限公司",
    "sector": "C3252",
    "land_mu": "45",
    "planned_total_investment": "150000000",
    "planned_fixed_asset_investment": "120000000",
    "location_kind": "park",
    "location_id": "hengdong",
    "registered_unit": "IPB",
    "reason": "filed",
}


@pytest.fixture
def negotiation(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'negotiation.db'}")
    negotiation_models.metadata.create_all(engine)
    yield engine
    engine.dispose()


def harness(engine, owners, wait=1.0):
    return Harness(
        NegotiationService,
        negotiation_models.metadata,
        engine,
        policy=ShortPolicy(cached_policy(), wait),
        clock=TestClock(shanghai(2026, 11, 20)),
        catch_up=owners,
    )


def concluded(h, event_id=RC, outcome="approved"):
    h.event(
        "on_review_concluded",
        "review.concluded",
        "p1",
        {
            "outcome": outcome,
            "conditions": [],
            "findings": [],
            "outside_policy": False,
            "round": 1,
            "reason": f"review {outcome}",
        },
        event_id=event_id,
    )


def test_a_premature_command_is_refused_at_once_after_one_question(negotiation):
    owners = Owners([])  # the review has not concluded: nothing emitted
    h = harness(negotiation, owners, wait=5.0)
    h.event("on_project_filed", "intake.project_filed", "p1", FILED, event_id=PF)
    started = time.monotonic()
    with pytest.raises(Conflict) as refused:
        h.record_intermediary(IPB_CLERK, "p1", {"none": True})
    assert not isinstance(refused.value, NotYet) and refused.value.code == "conflict"
    assert time.monotonic() - started < 1 and owners.asked == 1


def test_a_command_waits_for_the_event_its_owner_committed_and_then_succeeds(negotiation):
    owners = Owners([{"event_id": RC, "type": "review.concluded"}, {"event_id": PF, "type": "intake.project_filed"}])
    h = harness(negotiation, owners, wait=5.0)
    h.event("on_project_filed", "intake.project_filed", "p1", FILED, event_id=PF)
    before = CATCH_UPS.labels("negotiation", "record_intermediary", "caught_up")._value.get()
    late = eventlet.spawn_after(0.3, concluded, h)  # the event arrives while the command waits
    result = h.record_intermediary(IPB_CLERK, "p1", {"none": True})
    late.wait()
    assert result["intermediary"] is not None
    assert CATCH_UPS.labels("negotiation", "record_intermediary", "caught_up")._value.get() == before + 1


def handled_here(h, event_id=RC):
    """The event handled by the service and acked, as the bus does it (``OnEvent.handle_message_processed``)."""
    concluded(h, event_id)
    PROGRESS.applied("p1")


def test_a_refused_command_runs_again_when_its_project_moves_here_without_asking_anyone(negotiation):
    owners = Owners([{"event_id": RC, "type": "review.concluded"}])
    h = harness(negotiation, owners, wait=5.0)
    h.event("on_project_filed", "intake.project_filed", "p1", FILED, event_id=PF)
    before = CATCH_UPS.labels("negotiation", "record_intermediary", "caught_up")._value.get()
    late = eventlet.spawn_after(0.05, handled_here, h)  # on this service's queue already: handled a moment later
    started = time.monotonic()
    result = h.record_intermediary(IPB_CLERK, "p1", {"none": True})
    late.wait()
    assert result["intermediary"] is not None and owners.asked == 0
    assert time.monotonic() - started < catch_up.first_wait_of(cached_policy())
    assert CATCH_UPS.labels("negotiation", "record_intermediary", "caught_up")._value.get() == before + 1


def test_another_project_moving_does_not_run_it_again_and_after_the_first_wait_the_owners_are_asked(negotiation):
    owners = Owners([])  # nothing on its way: the refusal stands
    h = harness(negotiation, owners, wait=5.0)
    h.event("on_project_filed", "intake.project_filed", "p1", FILED, event_id=PF)
    other = eventlet.spawn_after(0.05, PROGRESS.applied, "p2")
    started = time.monotonic()
    with pytest.raises(Conflict):
        h.record_intermediary(IPB_CLERK, "p1", {"none": True})
    other.wait()
    assert time.monotonic() - started >= catch_up.first_wait_of(cached_policy()) and owners.asked == 1


def test_an_event_that_never_comes_within_the_bound_is_not_yet(negotiation):
    owners = Owners([{"event_id": RC, "type": "review.concluded"}])
    h = harness(negotiation, owners, wait=0.3)
    h.event("on_project_filed", "intake.project_filed", "p1", FILED, event_id=PF)
    with pytest.raises(NotYet) as late:
        h.record_intermediary(IPB_CLERK, "p1", {"none": True})
    assert late.value.code == "not_yet" and late.value.details["not_yet"] == ["record_intermediary"]


def test_an_owner_that_cannot_say_is_waited_for_up_to_the_bound(negotiation):
    owners = Owners(UNKNOWN)
    h = harness(negotiation, owners, wait=0.3)
    with pytest.raises(NotYet):
        h.record_intermediary(IPB_CLERK, "p1", {"none": True})
    assert owners.asked > 1


def test_a_refusal_with_the_event_handled_stands(negotiation):
    owners = Owners([{"event_id": RC, "type": "review.concluded"}])
    h = harness(negotiation, owners, wait=5.0)
    h.event("on_project_filed", "intake.project_filed", "p1", FILED, event_id=PF)
    concluded(h, outcome="rejected")  # heard: the review rejected the project
    started = time.monotonic()
    with pytest.raises((Conflict, NotFound)) as refused:
        h.record_intermediary(IPB_CLERK, "p1", {"none": True})
    assert not isinstance(refused.value, NotYet) and time.monotonic() - started < 1


def test_when_half_the_workers_already_wait_a_command_answers_not_yet_at_once(negotiation):
    owners = Owners([{"event_id": RC, "type": "review.concluded"}], slots=0)  # every waiting slot taken
    h = harness(negotiation, owners, wait=5.0)
    h.event("on_project_filed", "intake.project_filed", "p1", FILED, event_id=PF)
    started = time.monotonic()
    with pytest.raises(NotYet):
        h.record_intermediary(IPB_CLERK, "p1", {"none": True})
    assert time.monotonic() - started < 1 and owners.asked == 0
