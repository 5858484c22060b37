"""R2 over real RabbitMQ: intake, review and coordinator as separate processes."""

from __future__ import annotations

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from shared.i18n import text
from tests.conftest import wait_for
from tests.factories import IPB_CLERK
from tests.integration.flows import UNITS, convene, filed_lead, reviewer, state

pytestmark = pytest.mark.integration


def test_from_convening_to_approved_in_the_coordinator(start_platform, config_for):
    start_platform("intake", "review", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        project_id = filed_lead(rpc, 1)
        review = convene(rpc, project_id)
        assert review["awaiting"] == list(UNITS) + ["PARK:hengdong"]
        wait_for(lambda: state(rpc, project_id) == "under_review", what="under_review")
        for unit in review["awaiting"]:
            opinion = {"opinion": "conditional", "conditions": ["按期开工"]} if unit == "EPB" else {"opinion": "pass"}
            review = rpc.review.record_opinion(reviewer(unit), project_id, opinion)
        assert review["outcome"] == "approved" and review["conditions"] == [{"unit": "EPB", "condition": "按期开工"}]
        wait_for(lambda: state(rpc, project_id) == "approved", what="approved")
        project = rpc.coordinator.get_project(IPB_CLERK, project_id)
    kinds = [e["kind"] for e in project["timeline"]]
    assert kinds.count("review.opinion") == 7
    summaries = [text(e["summary"], "zh-CN") for e in project["timeline"]]  # as the gateway renders it
    assert "县环保局：有条件通过——按期开工" in summaries
    assert project["facts"]["review_conditions"] == [{"unit": "EPB", "condition": "按期开工"}]
    assert [e["to_state"] for e in project["timeline"] if e["kind"] == "transition"] == [
        "lead",
        "filed",
        "under_review",
        "approved",
    ]


def test_return_and_resubmission_then_a_fail_rejects(start_platform, config_for):
    start_platform("intake", "review", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        project_id = filed_lead(rpc, 2, preferred_location={"kind": "town", "id": "xintang"})
        convene(rpc, project_id)
        rpc.review.record_opinion(reviewer("DRB"), project_id, {"opinion": "pass"})
        rpc.review.record_return(IPB_CLERK, project_id, {"unit": "LAND", "request": "补充用地红线图"})
        wait_for(lambda: state(rpc, project_id) == "returned", what="returned")
        review = rpc.review.resubmit(IPB_CLERK, project_id, {"note": "已补充红线图"})
        assert review["round"] == 2 and review["awaiting"] == list(UNITS)  # a town project: no park
        wait_for(lambda: state(rpc, project_id) == "under_review", what="under review again")
        rpc.review.record_opinion(reviewer("LAND"), project_id, {"opinion": "fail", "reasons": ["占用基本农田"]})
        wait_for(lambda: state(rpc, project_id) == "rejected", what="rejected")
        transitions = [
            e["to_state"]
            for e in rpc.coordinator.get_project(IPB_CLERK, project_id)["timeline"]
            if e["kind"] == "transition"
        ]
    assert transitions == ["lead", "filed", "under_review", "returned", "under_review", "rejected"]


def test_an_eliminated_sector_is_rejected_at_convening(start_platform, config_for):
    start_platform("intake", "review", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        project_id = filed_lead(rpc, 3, sector="C3041")
        review = convene(rpc, project_id)
        assert review["outcome"] == "rejected"
        assert {f["check"]: f["verdict"] for f in review["findings"]}["national_industrial_policy"] == "fail"
        wait_for(lambda: state(rpc, project_id) == "rejected", what="rejected")
        # a rejected project no longer blocks the investor's next filing of the same name (intake closes it)
        wait_for(lambda: rpc.intake.get_lead(IPB_CLERK, project_id)["status"] == "closed", what="lead closed")
