"""3. Late consumer: events published while the services that handle them have never yet started are
all handled, once, when they start."""

from __future__ import annotations

import time

import pytest

from tests.conftest import wait_for
from tests.faults.driver import Driver, designate_custodians, drive_all
from tests.faults.records import expected_for, handled_ids, published, queue_drained, queues_by_sequence

pytestmark = pytest.mark.integration
EARLY = ("intake", "review", "negotiation", "coordinator")
LATE = ("contracts", "notifications")
LATEST = "accounting"  # first started once projects are in construction: its lifecycle copy (construction and
# after, shared.topology.TAKES_ONLY) has state changes waiting then; contracts' copy (closed, archived) cannot:
# a project reaches neither without contracts running


def _catches_up(config, service: str, events: list[dict]) -> None:
    assert expected_for(service, events), f"{service} is delivered none of these events"
    wait_for(
        lambda: expected_for(service, events) <= set(handled_ids(service, config)),
        timeout=60,
        what=f"{service} caught up",
    )
    ids = handled_ids(service, config)
    assert len(ids) == len(set(ids))
    for queue in queues_by_sequence(service, events):  # the lifecycle copies: handled by sequence number
        wait_for(lambda: queue_drained(config, queue), timeout=60, what=f"{queue} drained")


def test_events_published_before_their_consumers_ever_started_are_all_handled(start_platform, config_for):
    from nameko.standalone.rpc import ClusterRpcProxy

    from shared.errors import Conflict
    from tests.factories import IPB_CLERK

    start_platform(*EARLY)
    projects, _ = drive_all(config_for, range(1, 11), "agreed", workers=5)
    events = published(EARLY, config_for)
    start_platform(*LATE)  # for the first time: their queues were declared by the publishers' relays
    for service in LATE:
        _catches_up(config_for, service, events)
    with ClusterRpcProxy(config_for, timeout=20) as rpc:  # every project is in the late services' books
        for p in projects:
            assert rpc.contracts.get_contract(IPB_CLERK, p)["state"] == "agreed"

    designate_custodians(Driver(config_for))
    built, _ = drive_all(config_for, range(11, 16), "construction", workers=5)
    with ClusterRpcProxy(config_for, timeout=20) as rpc:  # the hand-over has returned; the coordinator's move follows
        deadline = time.monotonic() + 60
        while any(rpc.coordinator.get_project(IPB_CLERK, p)["state"] != "construction" for p in built):
            assert time.monotonic() < deadline, "the coordinator did not move the handed-over projects to construction"
            time.sleep(0.2)
    events = published(EARLY + LATE, config_for)
    assert queues_by_sequence(LATEST, events), "no state change waits for accounting's lifecycle copy"
    start_platform(LATEST)
    _catches_up(config_for, LATEST, events)
    with ClusterRpcProxy(config_for, timeout=20) as rpc:  # its copy knows they are in construction: it opens them
        for p in built:
            assert rpc.accounting.open_accounting(IPB_CLERK, p, {"reason": "建设期满"})["state"] == "open"
        with pytest.raises(Conflict, match="not under construction yet"):  # and that the agreed ones are not
            rpc.accounting.open_accounting(IPB_CLERK, projects[0], {"reason": "建设期满"})
