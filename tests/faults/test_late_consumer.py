"""3. Late consumer: events published while the services that handle them have never yet started are
all handled, once, when they start."""
from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.faults.driver import drive_all
from tests.faults.records import expected_for, handled_ids, published, queue_drained, queues_by_sequence

pytestmark = pytest.mark.integration
EARLY = ("intake", "review", "negotiation", "coordinator")
LATE = ("contracts", "accounting", "notifications")


def test_events_published_before_their_consumers_ever_started_are_all_handled(start_platform, config_for):
    start_platform(*EARLY)
    projects, _ = drive_all(config_for, range(1, 11), "agreed", workers=5)
    events = published(EARLY, config_for)
    for service in LATE:
        assert expected_for(service, events), f"{service} subscribes to none of these events"
    assert queues_by_sequence("contracts", events) and queues_by_sequence("accounting", events)
    start_platform(*LATE)  # for the first time: their queues were declared by the publishers' relays
    for service in LATE:
        wait_for(lambda: expected_for(service, events) <= set(handled_ids(service, config_for)), timeout=60,
                 what=f"{service} caught up")
        ids = handled_ids(service, config_for)
        assert len(ids) == len(set(ids))
        for queue in queues_by_sequence(service, events):  # the lifecycle copies: handled by sequence number
            wait_for(lambda: queue_drained(config_for, queue), timeout=60, what=f"{queue} drained")
    # every project is in the late services' books
    from nameko.standalone.rpc import ClusterRpcProxy

    from tests.factories import IPB_CLERK

    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        for p in projects:
            assert rpc.contracts.get_contract(IPB_CLERK, p)["state"] == "agreed"
