"""The bus contract in shared/topology.py agrees with the services' handlers and the lifecycle."""

from __future__ import annotations

import json

import pytest

from shared.bus import OnEvent
from shared.topology import (
    SUBSCRIPTIONS,
    TAKES_ONLY,
    all_queues,
    consumers,
    declare_topology,
    event_queue,
    routing_key,
)
from zhaoshang.runner import SERVICES, service_class


def handlers_in_code() -> set[tuple[str, str]]:
    found = set()
    for name in SERVICES:
        cls = service_class(name)
        for attr in {v for klass in cls.__mro__ for v in vars(klass).values() if callable(v)}:
            for entrypoint in getattr(attr, "nameko_entrypoints", ()):
                if isinstance(entrypoint, OnEvent):
                    found.add((entrypoint.full_type, name))
    return found


def test_every_handler_is_declared_in_the_topology_and_back():
    declared = {(event, svc) for event, svcs in SUBSCRIPTIONS.items() for svc in svcs}
    in_code = handlers_in_code()
    assert in_code, "no @on_event handler found: the check itself is broken"
    assert in_code == declared


def test_queue_names_follow_the_convention():
    queue = event_queue("intake.project_filed", "coordinator")
    assert queue.name == "evt-intake-project_filed--coordinator"
    assert queue.exchange.name == "intake.events" and queue.routing_key == "project_filed"
    assert queue.durable and not queue.auto_delete
    assert event_queue("intake.project_filed", "coordinator", quorum=True).queue_arguments == {"x-queue-type": "quorum"}
    assert any(q.name == "zhaoshang.dead-letter" for q in all_queues())


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_is_a_nameko_class_with_health(name):
    cls = service_class(name)
    assert cls.name == name
    if name != "gateway":
        assert callable(getattr(cls, "health"))


# -- state changes routed by their state ---------------------------------------------------------------------------
STATE_CHANGED = "coordinator.project_state_changed"


def _after(state: str) -> set[str]:
    """``state`` and every state a project can reach from it (the coordinator's lifecycle)."""
    from services.coordinator.domain import TRANSITIONS

    reached, todo = {state}, [state]
    while todo:
        here = todo.pop()
        for t in TRANSITIONS:
            if here in t.from_states and t.to_state not in reached:
                reached.add(t.to_state)
                todo.append(t.to_state)
    return reached


def test_a_state_change_is_routed_by_its_state_and_other_events_by_their_name():
    assert routing_key(STATE_CHANGED, {"to_state": "filed_copies", "seq": 11}) == "project_state_changed.filed_copies"
    assert routing_key("intake.project_filed", {"to_state": "x"}) == "project_filed"
    queue = event_queue(STATE_CHANGED, "intake")
    assert queue.exchange is None
    assert {(b.exchange.name, b.routing_key) for b in queue.bindings} == {
        ("coordinator.events", f"project_state_changed.{s}") for s in ("rejected", "terminated", "archived")
    }
    assert [b.routing_key for b in event_queue(STATE_CHANGED, "notifications").bindings] == ["project_state_changed.#"]
    assert consumers(STATE_CHANGED, {"to_state": "assigned"}) == ("supervision", "notifications")
    assert consumers(STATE_CHANGED, {"to_state": "archived"}) == (
        "intake",
        "contracts",
        "accounting",
        "supervision",
        "notifications",
    )
    assert consumers("intake.project_filed", {}) == SUBSCRIPTIONS["intake.project_filed"]


def test_the_states_each_consumer_takes_are_the_ones_its_code_acts_on():
    from services.intake.domain import CLOSING_STATES

    assert set(TAKES_ONLY) <= {(STATE_CHANGED, svc) for svc in SUBSCRIPTIONS[STATE_CHANGED]}
    assert set(TAKES_ONLY[(STATE_CHANGED, "intake")]) == CLOSING_STATES
    # a lifecycle copy read for one state must follow that state and every later one, or it would stay on it; and
    # every copy hears that its project was terminated (its obligations end, no accounting opens for it)
    assert (
        set(TAKES_ONLY[(STATE_CHANGED, "contracts")])
        == _after("closed") | {"terminated"}
        == {"closed", "archived", "terminated"}
    )
    assert set(TAKES_ONLY[(STATE_CHANGED, "accounting")]) == _after("construction")
    assert "terminated" in _after("construction")  # a project under construction can be terminated
    assert all("terminated" in states for states in TAKES_ONLY.values())


def test_the_broker_delivers_each_state_change_only_to_the_consumers_bound_to_its_state(vhost):
    """Through the relay's own publisher (``Outgoing.of`` derives the key from the outbox row's body)."""
    from kombu import Connection

    from shared.relay import BatchPublisher, Outgoing

    with Connection(vhost) as conn:
        declare_topology(conn)
    states = ["filed", "construction", "closed", "archived", "rejected"]
    body = lambda state: json.dumps({"payload": {"to_state": state, "seq": 1}})  # noqa: E731
    publisher = BatchPublisher(vhost)
    try:
        outcome = publisher.publish([Outgoing.of(f"e-{s}", STATE_CHANGED, body(s)) for s in states])
    finally:
        publisher.close()
    assert outcome == {f"e-{s}": None for s in states}
    got = {}
    with Connection(vhost) as conn:
        channel = conn.channel()
        for svc in SUBSCRIPTIONS[STATE_CHANGED]:
            queue = event_queue(STATE_CHANGED, svc)(channel)
            got[svc] = []
            while (message := queue.get(no_ack=True)) is not None:
                got[svc].append(message.properties["message_id"])
    assert got == {
        "intake": ["e-archived", "e-rejected"],
        "contracts": ["e-closed", "e-archived"],
        "accounting": ["e-construction", "e-closed", "e-archived"],
        "supervision": [f"e-{s}" for s in states],
        "notifications": [f"e-{s}" for s in states],
    }
