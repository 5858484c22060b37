"""R3-R5 over real RabbitMQ: from an approved review to an agreed (or refused) project."""

from __future__ import annotations

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from shared.errors import NotAllowed
from shared.i18n import text
from tests.conftest import wait_for
from tests.factories import IPB_CLERK
from tests.integration.flows import approve, filed_lead, leader, state

pytestmark = pytest.mark.integration
PARK_HEAD = leader("park_head:hengdong", "PARK:hengdong")


def session(stage: str, land=None, exceeding=()) -> dict:
    people = [{"unit": "PARK:hengdong", "position": "park_head:hengdong"}, {"unit": "IPB", "position": "ipb_director"}]
    if stage == "final":
        people.append({"unit": "LEGAL", "position": "legal_director"})
    body = {
        "held_on": "2026-11-26",
        "stage": stage,
        "participants": people,
        "agreed": ["投资总额"],
        "exceeding_terms": list(exceeding),
    }
    if land:
        body["land"] = land
    return body


def to_negotiation(rpc, project_id):
    approve(rpc, project_id)
    rpc.negotiation.record_intermediary(IPB_CLERK, project_id, {"none": True})
    rpc.negotiation.assign_unit(IPB_CLERK, project_id, {"unit": "PARK:hengdong"})


def test_from_approval_to_agreed_within_authority(start_platform, config_for):
    start_platform("intake", "review", "negotiation", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        project_id = filed_lead(rpc, 1)
        to_negotiation(rpc, project_id)
        wait_for(lambda: state(rpc, project_id) == "assigned", what="assigned")
        rpc.negotiation.log_session(IPB_CLERK, project_id, session("early"))
        rpc.negotiation.log_session(IPB_CLERK, project_id, session("final", land={"value": "40000", "unit": "m2"}))
        route = rpc.negotiation.route(IPB_CLERK, project_id)
        assert (route["escalated"], route["decides"], route["signs"]) == (
            False,
            ["park_head:hengdong"],
            "park_head:hengdong",
        )
        with pytest.raises(NotAllowed):
            rpc.negotiation.decide(leader("county_magistrate"), project_id, {"decision": "agree"})
        rpc.negotiation.decide(PARK_HEAD, project_id, {"decision": "agree"})
        wait_for(lambda: state(rpc, project_id) == "agreed", what="agreed")
        project = rpc.coordinator.get_project(IPB_CLERK, project_id)
    transitions = [e["to_state"] for e in project["timeline"] if e["kind"] == "transition"]
    assert transitions == ["lead", "filed", "under_review", "approved", "assigned", "negotiating", "agreed"]
    assert project["facts"]["decision_route"]["signs"] == "park_head:hengdong"
    kinds = [e["kind"] for e in project["timeline"]]
    assert "negotiation.intermediary" in kinds and "negotiation.session" in kinds


def test_escalated_to_the_principals_and_refused(start_platform, config_for):
    start_platform("intake", "review", "negotiation", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        project_id = filed_lead(rpc, 2)
        to_negotiation(rpc, project_id)
        rpc.negotiation.log_session(IPB_CLERK, project_id, session("final", exceeding=["土地价格低于基准地价"]))
        assert rpc.negotiation.route(IPB_CLERK, project_id)["escalated"] is True
        rpc.negotiation.recommend(PARK_HEAD, project_id, {"recommendation": "建议个案研究"})
        wait_for(lambda: state(rpc, project_id) == "escalated", what="escalated")
        rpc.negotiation.decide(leader("party_secretary"), project_id, {"decision": "agree"})
        rpc.negotiation.decide(
            leader("county_magistrate"), project_id, {"decision": "refuse", "reasons": ["地价优惠超出政策"]}
        )
        wait_for(lambda: state(rpc, project_id) == "refused", what="refused")
        project = rpc.coordinator.get_project(IPB_CLERK, project_id)
    assert project["timeline"][-1]["reason"].render("zh-CN") == "县主要领导决策：不予签约。理由：地价优惠超出政策"
    decisions = [text(e["summary"], "en") for e in project["timeline"] if e["kind"] == "negotiation.principal_decision"]
    assert decisions == ["county party secretary: agrees", "county magistrate: refuses — 地价优惠超出政策"]
