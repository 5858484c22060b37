"""5. Poison messages: bad JSON, missing fields, a 5 MB body — each goes to the dead-letter queue after a
bounded number of attempts with an ALERT, and the service keeps serving."""

from __future__ import annotations

import json
import uuid

import pytest
from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy

from shared.actor import Actor
from shared.envelope import Envelope
from shared.topology import DEAD_LETTER_QUEUE, event_exchange
from tests.conftest import wait_for
from tests.factories import IPB_CLERK

pytestmark = pytest.mark.integration
ATTEMPTS = 3


def publish_raw(amqp_uri: str, event_type: str, body: bytes, content_type: str = "application/json") -> None:
    source, name = event_type.split(".", 1)
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(
            body,
            exchange=event_exchange(source),
            routing_key=name,
            content_type=content_type,
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=uuid.uuid4().hex,
        )


class Letter:
    def __init__(self, raw):
        self.body = raw.body if isinstance(raw.body, bytes) else raw.body.encode()
        self.headers = raw.properties.get("application_headers") or {}


def drain_dead_letters(amqp_uri: str) -> list:
    """Raw basic.get: a dead letter may be a body no decoder accepts."""
    out = []
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        channel.queue_declare(DEAD_LETTER_QUEUE, durable=True, passive=True)
        while (raw := channel.basic_get(DEAD_LETTER_QUEUE, no_ack=False)) is not None:
            channel.basic_ack(raw.delivery_tag)
            out.append(Letter(raw))
    return out


def lead_registered(project_id: str) -> Envelope:
    payload = {
        "ref": f"ZS2026-{project_id[:4]}",
        "project_name": "毒消息之后",
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
    return Envelope(type="intake.lead_registered", actor=Actor(**IPB_CLERK), payload=payload, project_id=project_id)


def test_poison_messages_are_dead_lettered_with_an_alert_and_the_service_keeps_serving(
    start_platform, config_for, tmp_path
):
    platform = start_platform("coordinator", ZS_EVENT_MAX_ATTEMPTS=str(ATTEMPTS))
    uri = config_for["AMQP_URI"]
    missing_fields = {"event_id": uuid.uuid4().hex, "type": "intake.lead_registered", "payload": {}}  # no actor, …
    big = json.dumps({"event_id": uuid.uuid4().hex, "padding": "x" * (5 * 1024 * 1024)}).encode()
    publish_raw(uri, "intake.lead_registered", b"{not json at all")
    publish_raw(uri, "intake.lead_registered", json.dumps(missing_fields).encode())
    publish_raw(uri, "intake.project_filed", big)
    publish_raw(uri, "intake.project_filed", b"\x00\xff binary", content_type="application/x-unknown")

    letters = []
    wait_for(
        lambda: letters.extend(drain_dead_letters(uri)) or len(letters) >= 4,
        timeout=60,
        what="four poison messages in the dead-letter queue",
    )
    assert len(letters) == 4
    by_size = sorted(letters, key=lambda m: len(m.body))
    assert len(by_size[-1].body) > 5 * 1024 * 1024  # the 5 MB body, kept whole
    errors = {m.headers["x-zs-error"].split(":")[0]: m.headers["x-zs-attempts"] for m in letters}
    assert all(1 <= attempts <= ATTEMPTS for attempts in errors.values())
    assert any(m.body == b"{not json at all" and m.headers["x-zs-attempts"] == 1 for m in letters)
    assert all(m.headers["x-zs-service"] == "coordinator" for m in letters)
    assert platform.dead() == {}, "the coordinator process died"

    log = (tmp_path / "logs" / "coordinator.log").read_text(errors="replace")
    assert log.count("ALERT dead-lettered") == 4

    healthy = lead_registered(uuid.uuid4().hex)  # and it still handles good events
    with Connection(uri) as conn:
        conn.Producer().publish(
            healthy.dump(),
            exchange=event_exchange("intake"),
            routing_key="lead_registered",
            serializer="json",
            delivery_mode=2,
        )
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        wait_for(
            lambda: rpc.coordinator.get_project(IPB_CLERK, healthy.project_id)["state"] == "lead",
            what="a good event handled after the poison",
        )
        assert rpc.coordinator.health()["status"] == "ok"
    assert platform.dead() == {}
