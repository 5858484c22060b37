"""R6, R13, R7 over real RabbitMQ: from an agreed project to construction, every step in the coordinator."""

from __future__ import annotations

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from shared.errors import InvalidInput, NotAllowed
from tests.conftest import wait_for
from tests.factories import IPB_CLERK
from tests.integration.flows import (
    HEADS,
    LEGAL,
    PARK_HEAD,
    TERMS,
    agreed,
    designate_custodians,
    leader,
    state,
)

pytestmark = pytest.mark.integration


def test_from_agreed_to_construction(start_platform, config_for):
    start_platform("intake", "review", "negotiation", "contracts", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        project_id = agreed(rpc, 1)
        assert rpc.contracts.draft(IPB_CLERK, project_id, TERMS)["state"] == "drafting"
        rpc.contracts.submit(IPB_CLERK, project_id, {"version": 1})
        rpc.contracts.legal_review(LEGAL, project_id, {"version": 1, "decision": "approve"})
        with pytest.raises(NotAllowed):
            rpc.contracts.sign(
                leader("county_magistrate"),
                project_id,
                {"version": 1, "investor_signatory": {"name": "张总", "title": "董事长"}},
            )
        rpc.contracts.sign(
            PARK_HEAD, project_id, {"version": 1, "investor_signatory": {"name": "张总", "title": "董事长"}}
        )
        designate_custodians(rpc)
        with pytest.raises(InvalidInput) as short:
            rpc.contracts.register_copies(
                IPB_CLERK, project_id, {"copies": [{"number": n, "unit": u} for n, u in enumerate(HEADS, 1)]}
            )
        assert "7 copies registered; at least 8 are required" in short.value.details["copies"]
        copies = [{"number": n, "unit": u} for n, u in enumerate(list(HEADS) + ["PARK:hengdong"], 1)]
        rpc.contracts.register_copies(IPB_CLERK, project_id, {"copies": copies})
        rpc.contracts.hand_over(IPB_CLERK, project_id)
        wait_for(lambda: state(rpc, project_id) == "construction", what="construction")
        project = rpc.coordinator.get_project(IPB_CLERK, project_id)
    transitions = [e["to_state"] for e in project["timeline"] if e["kind"] == "transition"]
    assert transitions[-6:] == ["agreed", "drafting", "legal_review", "signed", "filed_copies", "construction"]
    assert project["facts"]["obligations"]["O1"]["due"] == TERMS["obligations"][0]["due"]
    assert project["facts"]["obligations"]["START"]["due"] == TERMS["construction_start"]  # R6: created at signing
    assert [c["unit"] for c in project["facts"]["copies"]][-1] == "PARK:hengdong"
    assert "contracts.legal_approval" in [e["kind"] for e in project["timeline"]]
