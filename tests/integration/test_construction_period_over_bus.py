"""R12 over RabbitMQ: when the contracted construction period ends, accounting opens the accounting by itself
(its own check of the projects in construction, from the contract it heard signed), and the coordinator moves
the project from construction to accounting."""
from __future__ import annotations

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.conftest import wait_for
from tests.factories import IPB_CLERK
from tests.integration import flows

pytestmark = pytest.mark.integration


def test_the_end_of_the_construction_period_opens_the_accounting(start_platform, config_for, monkeypatch):
    # a contract whose construction period has already ended when it is signed
    monkeypatch.setitem(flows.TERMS, "construction_start", "2026-01-05")
    monkeypatch.setitem(flows.TERMS, "completion", "2026-11-02")
    monkeypatch.setitem(flows.TERMS, "production", "2026-11-20")
    start_platform("intake", "review", "negotiation", "contracts", "accounting", "coordinator",
                   ZS_ACCOUNTING_SCAN_SECONDS="0.5")
    with ClusterRpcProxy(config_for, timeout=30) as rpc:
        project_id = flows.to_construction(rpc, 1)
        wait_for(lambda: flows.state(rpc, project_id) == "accounting", timeout=40,
                 what="the accounting opened at the end of the construction period")
        accounting = rpc.accounting.get_accounting(IPB_CLERK, project_id)
        timeline = rpc.coordinator.get_project(IPB_CLERK, project_id)["timeline"]
    assert accounting["cause"] == "construction_period_ended"  # opened by accounting itself: no notifications here
    assert accounting["participants"] == ["IPB", "FIN", "DRB", "IND", "LAND", "AUDIT", "PARK:hengdong"]
    opened = [e for e in timeline if e["kind"] == "transition" and e["to_state"] == "accounting"]
    assert len(opened) == 1 and opened[0]["actor"]["unit"] == "SYSTEM"
