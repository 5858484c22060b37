"""Two instances of every department service and of the coordinator, on PostgreSQL, share the work:
every project reaches construction, every transition happens once, and a timer fires once."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, update

from services.contracts import models
from shared.db import database_url

from tests.conftest import wait_for
from tests.factories import IPB_CLERK
from tests.integration import flows

pytestmark = [pytest.mark.integration, pytest.mark.postgresql]
SERVICES = ("intake", "review", "negotiation", "contracts", "accounting", "coordinator")
PROJECTS = 6
RETRY_WINDOW = 120.0  # seconds: the longest an early event may wait for the event before it


def an_obligation_falls_due(config: dict, project_id: str, key: str) -> None:
    """Time passes: the obligation's due date is yesterday (a contract cannot be signed with an obligation
    already past due, R6, so the test moves the obligation rather than the contract)."""
    engine = create_engine(database_url("contracts", config))
    try:
        with engine.begin() as c:
            obligations = models.obligations
            moved = c.execute(
                update(obligations)
                .where(obligations.c.project_id == project_id, obligations.c.key == key)
                .values(due=dt.date.today() - dt.timedelta(days=1))
            ).rowcount
        assert moved == 1
    finally:
        engine.dispose()


def test_two_instances_of_each_service_share_the_work_once(start_platform, config_for, monkeypatch):
    in_a_month = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    monkeypatch.setitem(flows.TERMS, "obligations", [{"id": "O1", "text": "缴清土地出让金", "due": in_a_month}])
    fast = {"ZS_OBLIGATION_SCAN_SECONDS": "0.3", "ZS_REVIEW_SCAN_SECONDS": "0.3"}
    # each instance's metrics on a port the OS picks (guessed free ports collided with other shards' sockets)
    first = start_platform(*SERVICES, ZS_METRICS_BASE_PORT="auto", **fast)
    second = start_platform(*SERVICES, ZS_METRICS_BASE_PORT="auto", **fast)
    assert len(first.procs) == len(second.procs) == len(SERVICES)
    with ClusterRpcProxy(config_for, timeout=30) as rpc:
        projects = [flows.to_construction(rpc, n) for n in range(1, PROJECTS + 1)]
        for project_id in projects:
            # an event that overtook its predecessor is retried with doubling delays (EVENT_RETRY_*): under a
            # loaded machine that takes longer than wait_for's default 20 s, so wait out the retry window
            wait_for(
                lambda: flows.state(rpc, project_id) == "construction",
                timeout=RETRY_WINDOW,
                what=f"construction (now {flows.state(rpc, project_id)})",
            )
            an_obligation_falls_due(config_for, project_id, "O1")
            wait_for(
                lambda: (
                    "contracts.obligation_lapsed"
                    in [e["kind"] for e in rpc.coordinator.get_project(IPB_CLERK, project_id)["timeline"]]
                ),
                timeout=RETRY_WINDOW,
                what="the obligation lapsed",
            )
        import time

        time.sleep(2.0)  # several more scans by both contracts instances
        timelines = [rpc.coordinator.get_project(IPB_CLERK, p)["timeline"] for p in projects]
    for platform in (first, second):  # both instances of every service took part
        for service in SERVICES:
            text = requests.get(f"http://127.0.0.1:{platform.metrics_port(service)}/metrics", timeout=5).text
            handled = sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("zhaoshang_messages_total{") and 'outcome="handled"' in line
            )
            assert handled > 0, f"an instance of {service} handled nothing"
    expected = [
        "lead",
        "filed",
        "under_review",
        "approved",
        "assigned",
        "negotiating",
        "agreed",
        "drafting",
        "legal_review",
        "signed",
        "filed_copies",
        "construction",
    ]
    for timeline in timelines:
        assert [e["to_state"] for e in timeline if e["kind"] == "transition"] == expected
        assert [e["kind"] for e in timeline].count("contracts.obligation_lapsed") == 1  # the timer fired once
        assert [e["kind"] for e in timeline].count("review.opinion") == 7
