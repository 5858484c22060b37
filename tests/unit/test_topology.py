"""The bus contract in shared/topology.py agrees with the services' handlers and the lifecycle."""
from __future__ import annotations

import pytest

from shared.bus import OnEvent
from shared.topology import SUBSCRIPTIONS, all_queues, event_queue
from zhaoshang.runner import SERVICES, service_class


def handlers_in_code() -> set[tuple[str, str]]:
    found = set()
    for name in SERVICES:
        cls = service_class(name)
        for attr in vars(cls).values():
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
