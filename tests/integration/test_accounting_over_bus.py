"""R12 and R13's last step over real RabbitMQ: construction → accounting → closed → archived."""

from __future__ import annotations

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.conftest import wait_for
from tests.factories import IPB_CLERK
from tests.integration.flows import leader, state, to_construction

pytestmark = pytest.mark.integration
AUDIT = {"user_id": "u-audit", "position": "auditor", "unit": "AUDIT"}
LAND = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND"}
FIN = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}
LEGAL = {"user_id": "u-legal", "position": "legal_officer", "unit": "LEGAL"}


def test_from_construction_to_archived(start_platform, config_for):
    start_platform("intake", "review", "negotiation", "contracts", "accounting", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        project_id = to_construction(rpc, 1)
        wait_for(lambda: state(rpc, project_id) == "construction", what="construction")
        rpc.accounting.open_accounting(IPB_CLERK, project_id, {"reason": "建设期满"})  # right after the hand-over
        wait_for(lambda: state(rpc, project_id) == "accounting", what="accounting")
        rpc.accounting.record_actual_fai(AUDIT, project_id, {"amount": "72000000", "basis": "审计报告"})
        result = rpc.accounting.record_land_used(
            LAND, project_id, {"land": {"value": "3", "unit": "ha"}, "basis": "实测"}
        )
        figures = {f["name"]: f["value"] for f in result["figures"]}
        # contracted 100,000,000 ÷ 45 mu = 222.22 万元/亩; 7,200 万元 ÷ 222.22 = 32.40 mu; 45 − 32.40 = 12.60 mu × 180,000
        assert (figures["reasonable_land"], figures["excess_land"], figures["fee_to_recover"]) == (
            "32.40",
            "12.60",
            "2268000.00",
        )
        owed = rpc.accounting.issue_report(IPB_CLERK, project_id)["receivable"]
        assert (owed["amount"], owed["outstanding"]) == ("2268000.00", "2268000.00")  # the fee, once
        rpc.accounting.record_recovery(FIN, project_id, {"amount": "1000000.00", "note": "第一笔", "voucher": "F-1"})
        rpc.accounting.record_recovery(LEGAL, project_id, {"amount": "268000.00", "note": "法院执行款"})
        for position in ("county_magistrate", "party_secretary"):
            result = rpc.accounting.write_off(
                leader(position), project_id, {"decision": "agree", "reason": "招商政策兑现抵扣"}
            )
        assert result["state"] == "closed" and result["receivable"]["written_off"] == "1000000.00"
        wait_for(lambda: state(rpc, project_id) == "closed", what="closed")
        assert rpc.contracts.hand_to_archives(IPB_CLERK, project_id, {"note": "移交县档案局"})["state"] == "archived"
        wait_for(lambda: state(rpc, project_id) == "archived", what="archived")
        project = rpc.coordinator.get_project(IPB_CLERK, project_id)
    transitions = [e["to_state"] for e in project["timeline"] if e["kind"] == "transition"]
    assert transitions[-4:] == ["construction", "accounting", "closed", "archived"]
    assert project["facts"]["accounting"] == {
        "fee": "2268000.00",
        "recovered": "1268000.00",
        "written_off": "1000000.00",
    }
    kinds = [e["kind"] for e in project["timeline"]]
    assert kinds.count("accounting.recovery") == 2 and kinds.count("accounting.write_off") == 2
