"""4. Duplicates and disorder: every event delivered twice and some out of order; the final state is
identical to a clean run.

A clean run drives projects to construction while a tap queue on every event exchange records what was
published.  Then, in a fresh broker vhost with fresh databases, the consuming services (coordinator,
contracts, accounting, supervision, notifications, leadership, landreserve) get the recorded events of intake, review, negotiation and
contracts again — each twice, neighbours swapped at random, the second copy late — and the coordinator's
projects (state, transitions, timeline entries) and the notifications per project must equal the clean
run's.  (The coordinator's own events are not replayed: the new coordinator publishes them itself.)
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcProxy

from shared.topology import declare_topology, event_exchange
from tests.conftest import config_of, environment, fresh_databases, fresh_vhost, running, wait_for
from tests.factories import IPB_CLERK
from tests.faults.driver import Driver, designate_custodians, drive_all
from tests.faults.records import query

pytestmark = pytest.mark.integration
PROJECTS = 6
REPLAYED_SOURCES = ("intake", "review", "negotiation", "contracts")
CONSUMERS = ("coordinator", "contracts", "accounting", "supervision", "notifications", "leadership", "landreserve")


def tap_queues(uri: str) -> None:
    with Connection(uri) as conn:
        channel = conn.channel()
        for source in REPLAYED_SOURCES:
            Queue(f"tap-{source}", exchange=event_exchange(source), routing_key="#", durable=True)(channel).declare()


def drain_taps(uri: str) -> list[tuple[str, bytes, dict]]:
    """(source, body, properties) of every tapped event, in publication order per source."""
    out = []
    with Connection(uri) as conn:
        channel = conn.channel()
        for source in REPLAYED_SOURCES:
            while (raw := channel.basic_get(f"tap-{source}", no_ack=True)) is not None:
                out.append((source, raw.delivery_info["routing_key"], raw.body, raw.properties))
    return out


def outcome(config: dict, projects: list[str]) -> dict:
    with ClusterRpcProxy(config, timeout=20) as rpc:
        views = {p: rpc.coordinator.get_project(IPB_CLERK, p) for p in projects}
    notes = query("notifications", config, "SELECT project_id, event_type, route FROM notifications")
    return {
        p: {
            "state": v["state"],
            "transitions": [(e["from_state"], e["to_state"]) for e in v["timeline"] if e["kind"] == "transition"],
            "entries": Counter(e["kind"] for e in v["timeline"]),
            "notifications": Counter((n.event_type, n.route) for n in notes if n.project_id == p),
        }
        for p, v in views.items()
    }


def disordered_twice(events: list, rng: random.Random) -> list:
    order = list(events)
    for i in range(len(order) - 1):  # some neighbours swapped
        if rng.random() < 0.3:
            order[i], order[i + 1] = order[i + 1], order[i]
    for event in events:  # every event a second time, somewhere later
        order.insert(rng.randint(order.index(event) + 1, len(order)), event)
    return order


def test_every_event_twice_some_out_of_order_gives_the_clean_result(tmp_path):
    with fresh_vhost() as clean_uri, fresh_databases(False) as databases:
        env = environment(clean_uri, tmp_path / "clean", databases)
        config = config_of(env)
        tap_queues(clean_uri)
        with running(env, config, tmp_path / "clean-logs") as start:
            start("intake", "review", "negotiation", *CONSUMERS)
            designate_custodians(Driver(config))
            projects, _ = drive_all(config, range(1, PROJECTS + 1), "construction", workers=3)
            with ClusterRpcProxy(config, timeout=20) as rpc:
                for p in projects:
                    wait_for(
                        lambda: rpc.coordinator.get_project(IPB_CLERK, p)["state"] == "construction",
                        what="construction",
                    )
            wait_for(
                lambda: all(
                    not r.n
                    for r in query(
                        "notifications",
                        config,
                        "SELECT count(*) AS n FROM deliveries WHERE status IN ('pending', 'sending', 'failed')",
                    )
                ),
                what="delivered",
            )
            clean = outcome(config, projects)
            recorded = drain_taps(clean_uri)
    assert len(recorded) > 20 * PROJECTS

    rng = random.Random(4)
    replay = disordered_twice(recorded, rng)
    with fresh_vhost() as uri, fresh_databases(False) as databases:
        env = environment(uri, tmp_path / "replay", databases)
        env["ZS_EVENT_MAX_ATTEMPTS"] = "12"  # out-of-order events wait for their predecessors by retrying
        config = config_of(env)
        with running(env, config, tmp_path / "replay-logs") as start:
            start(*CONSUMERS)
            with Connection(uri) as conn:
                declare_topology(conn)  # (the relays do it too, but maybe not yet)
                producer = conn.Producer()
                for source, routing_key, body, props in replay:
                    producer.publish(
                        body,
                        exchange=event_exchange(source),
                        routing_key=routing_key,
                        content_type=props.get("content_type"),
                        content_encoding=props.get("content_encoding"),
                        message_id=props.get("message_id"),
                        delivery_mode=2,
                        declare=[Exchange(f"{source}.events", type="topic", durable=True)],
                    )
            wait_for(
                lambda: all(v["state"] == "construction" for v in outcome(config, projects).values()),
                timeout=120,
                what="the replay reaches construction",
            )
            wait_for(lambda: outcome(config, projects) == clean, timeout=30, what="the replay equals the clean run")
        with Connection(uri) as conn:
            from shared.topology import DEAD_LETTER_QUEUE

            assert conn.channel().queue_declare(DEAD_LETTER_QUEUE, durable=True, passive=True).message_count == 0
