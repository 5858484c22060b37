"""intake -> coordinator over real RabbitMQ events, with the services as separate processes."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy

from shared.actor import Actor
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound
from shared.topology import DEAD_LETTER_QUEUE, event_exchange, routing_key
from tests.conftest import wait_for
from tests.factories import FIN_STAFF, IPB_CLERK, PARK_STAFF, lead

pytestmark = pytest.mark.integration


def project_state(rpc, project_id):
    return rpc.coordinator.get_project(IPB_CLERK, project_id)["state"]


def test_lead_registered_and_filed_reaches_coordinator(start_platform, config_for):
    start_platform("intake", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        registered = rpc.intake.register_lead(IPB_CLERK, lead(1))
        wait_for(lambda: project_state(rpc, registered["id"]) == "lead", what="project in state lead")
        rpc.intake.file_project(IPB_CLERK, registered["id"], {"reason": "complete file"})
        wait_for(lambda: project_state(rpc, registered["id"]) == "filed", what="project filed")
        project = rpc.coordinator.get_project(IPB_CLERK, registered["id"])
    steps = [(s["from_state"], s["to_state"], s["actor"]["position"]) for s in project["timeline"]]
    assert steps == [(None, "lead", "ipb_clerk"), ("lead", "filed", "ipb_clerk")]
    assert project["timeline"][1]["reason"] == "complete file"
    assert project["timeline"][1]["at"].endswith("+08:00")  # Asia/Shanghai


def test_typed_errors_cross_rpc(start_platform, config_for):
    start_platform("intake", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        registered = rpc.intake.register_lead(PARK_STAFF, lead(2))
        with pytest.raises(NotAllowed) as refused:
            rpc.intake.file_project(PARK_STAFF, registered["id"])  # only IPB files (R1)
        assert refused.value.details["operation"] == "intake.file_project" and "file a project" in refused.value.message
        with pytest.raises(NotFound):
            rpc.intake.get_lead(IPB_CLERK, "no-such-lead")
        with pytest.raises(InvalidInput) as bad:
            rpc.intake.register_lead(IPB_CLERK, lead(3, sector="Z99"))
        assert "sector" in bad.value.details
        with pytest.raises(Conflict) as duplicate:
            rpc.intake.register_lead(IPB_CLERK, lead(2, project_name=" 示例项目２ "))  # full-width 2, spaces
        assert duplicate.value.details["duplicate_of"] == registered["id"]
        with pytest.raises(NotAllowed):
            rpc.intake.register_lead(FIN_STAFF, lead(2, confirmed_new=True))
        confirmed = rpc.intake.register_lead(IPB_CLERK, lead(2, confirmed_new=True))
        assert confirmed["confirmed_new_by"]["position"] == "ipb_clerk"
        assert rpc.intake.list_leads(IPB_CLERK)["total"] == 2


def test_coordinator_killed_mid_flow_resumes(start_platform, config_for):
    """SIGKILL the coordinator between two events; restarted, it finishes the flow once."""
    platform = start_platform("intake", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        registered = [rpc.intake.register_lead(IPB_CLERK, lead(n)) for n in range(10, 15)]
        for r in registered:
            wait_for(lambda: project_state(rpc, r["id"]) == "lead", what="lead")
        platform.kill("coordinator")
        for r in registered:
            rpc.intake.file_project(IPB_CLERK, r["id"])
        platform.start("coordinator")
        platform.wait_healthy(config_for, names=["coordinator"])
        for r in registered:
            wait_for(lambda: project_state(rpc, r["id"]) == "filed", what="filed after restart")
            timeline = rpc.coordinator.get_project(IPB_CLERK, r["id"])["timeline"]
            assert [s["to_state"] for s in timeline] == ["lead", "filed"]


def test_event_published_before_its_consumer_ever_started_is_handled(start_platform, config_for):
    """Late consumer: intake's relay declares the coordinator's queues, so nothing is dropped."""
    platform = start_platform("intake")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        registered = rpc.intake.register_lead(IPB_CLERK, lead(20))
        rpc.intake.file_project(IPB_CLERK, registered["id"])
        platform.start("coordinator")
        platform.wait_healthy(config_for, names=["coordinator"])
        wait_for(lambda: project_state(rpc, registered["id"]) == "filed", what="late consumer catches up")
        assert len(rpc.coordinator.get_project(IPB_CLERK, registered["id"])["timeline"]) == 2


def _publish(amqp_uri, envelope: Envelope, times: int = 1):
    with Connection(amqp_uri) as conn:
        producer = conn.Producer()
        for _ in range(times):
            producer.publish(
                envelope.dump(),
                exchange=event_exchange(envelope.source),
                routing_key=routing_key(envelope.type, envelope.payload),
                serializer="json",
                declare=[event_exchange(envelope.source)],
                delivery_mode=2,
            )


def _dead_letters(amqp_uri) -> int:
    with Connection(amqp_uri) as conn:
        return conn.SimpleQueue(DEAD_LETTER_QUEUE).qsize()


def test_same_event_delivered_twice_has_one_effect(start_platform, config_for):
    # with 2 attempts, a duplicate handled as if new (and refused by the lifecycle) would be dead-lettered
    start_platform("coordinator", ZS_EVENT_MAX_ATTEMPTS="2")
    project_id = uuid.uuid4().hex
    actor = Actor(**IPB_CLERK)
    payload = {
        "ref": "ZS2026-9001",
        "project_name": "重复投递测试",
        "investor_name": "X",
        "sector": "C3612",
        "planned_total_investment": "1",
        "planned_fixed_asset_investment": "1",
        "land_mu": "1.00",
        "location_kind": "open",
        "location_id": None,
        "registered_unit": "IPB",
        "reason": None,
    }
    registered = Envelope(type="intake.lead_registered", actor=actor, payload=payload, project_id=project_id)
    filed = Envelope(type="intake.project_filed", actor=actor, payload=payload, project_id=project_id)
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        # each on its own queue: "filed" must not overtake "registered" here, where 2 attempts leave no time
        # to wait for it (tests/faults/test_duplicates_and_disorder.py delivers out of order)
        _publish(config_for["AMQP_URI"], registered, times=2)
        wait_for(lambda: project_state(rpc, project_id) == "lead", what="lead")
        _publish(config_for["AMQP_URI"], filed, times=3)
        wait_for(lambda: project_state(rpc, project_id) == "filed", what="filed")
        time.sleep(1.0)  # let any duplicate that would wrongly apply arrive
        project = rpc.coordinator.get_project(IPB_CLERK, project_id)
    assert [s["to_state"] for s in project["timeline"]] == ["lead", "filed"]
    assert project["version"] == 2
    assert _dead_letters(config_for["AMQP_URI"]) == 0  # duplicates were recognised, not failed


def test_event_that_keeps_failing_is_dead_lettered_and_service_keeps_serving(start_platform, config_for):
    start_platform("coordinator", ZS_EVENT_MAX_ATTEMPTS="3")
    orphan = Envelope(
        type="intake.project_filed", actor=Actor(**IPB_CLERK), payload={"ref": "ZS-X"}, project_id="no-such-project"
    )
    _publish(config_for["AMQP_URI"], orphan)

    def dead_letter():
        with Connection(config_for["AMQP_URI"]) as conn:
            message = conn.SimpleQueue(DEAD_LETTER_QUEUE).get(block=True, timeout=1)
            message.ack()
            return message

    message = wait_for(dead_letter, timeout=30, what="message in the dead-letter queue")
    assert json.loads(message.body)["event_id"] == orphan.event_id
    assert message.headers["x-zs-attempts"] == 3
    assert "NotFound" in message.headers["x-zs-error"]
    with ClusterRpcProxy(config_for, timeout=10) as rpc:
        assert rpc.coordinator.health()["status"] == "ok"
