"""The lifecycle's loop back to negotiation (R5) when the events of one project arrive out of order.

A refusal, IPB's renegotiation and the new decision travel on three queues: the coordinator applies each in
the negotiation round it belongs to, so whatever order they arrive in, the project ends where the negotiation
is (``domain.round_verdict``).  The coordinator runs in a worker over a real SQLite database.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine

from services.coordinator import domain, models
from services.coordinator.service import CoordinatorService
from shared.actor import Actor
from shared.clock import SHANGHAI
from shared.envelope import Envelope
from shared.errors import Conflict
from shared.policy import load_policy
from tests.harness import Harness
from tests.ledger_events import lead_payload

POLICY = load_policy()
CLERK = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
HEAD = {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
ROUTE = {"escalated": False, "decides": ["park_head:hengdong"], "signs": "park_head:hengdong", "land_mu": "45"}
AT = dt.datetime(2026, 11, 20, 10, tzinfo=SHANGHAI)


def event(type_, payload, actor=CLERK) -> dict:
    return Envelope(type_, Actor(**actor), {"reason": type_, **payload}, project_id="p1", occurred_at=AT).dump()


@pytest.fixture
def coordinator(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
    models.metadata.create_all(engine)
    harness = Harness(CoordinatorService, models.metadata, engine, policy=POLICY)
    lead = lead_payload("ZS2026-0001", "高性能铝合金型材项目", "150000000")
    harness.on_lead_registered(event("intake.lead_registered", lead))
    harness.on_project_filed(event("intake.project_filed", lead))
    harness.on_review_convened(
        event(
            "review.convened",
            {
                "ref": "ZS2026-0001",
                "required_units": ["DRB"],
                "findings": [],
                "deadline": "2026-11-10",
                "deadline_provisional": False,
            },
        )
    )
    harness.on_review_concluded(
        event(
            "review.concluded",
            {"outcome": "approved", "conditions": [], "findings": [], "outside_policy": False, "round": 1},
        )
    )
    harness.on_unit_assigned(
        event("negotiation.unit_assigned", {"unit": "PARK:hengdong", "ranking": [], "proposed": "PARK:hengdong"})
    )
    harness.on_session_logged(
        event(
            "negotiation.session_logged",
            {
                "seq": 1,
                "first": True,
                "stage": "final",
                "held_on": "2026-11-20",
                "agreed": [],
                "open": [],
                "exceeding_terms": [],
            },
        )
    )
    yield harness
    engine.dispose()


def state(coordinator) -> str:
    return coordinator.get_project(CLERK, "p1")["state"]


def decided(outcome: str, round_: int) -> dict:
    return event("negotiation.decided", {"outcome": outcome, "round": round_, "route": ROUTE, "reasons": []}, HEAD)


def test_refusal_renegotiation_and_the_new_decision_end_agreed_in_whatever_order_they_arrive(coordinator):
    assert state(coordinator) == "negotiating"
    agreed, refused = decided("agreed", 2), decided("refused", 1)
    reopened = event("negotiation.reopened", {"round": 2, "cause": "renegotiation", "changed": []})
    with pytest.raises(Conflict):  # round 2's decision waits for the reopening before it (the bus retries it)
        coordinator.on_negotiation_decided(agreed)
    with pytest.raises(Conflict):  # the reopening waits for the refusal it reopens
        coordinator.on_negotiation_reopened(reopened)
    assert state(coordinator) == "negotiating"
    coordinator.on_negotiation_decided(refused)
    assert state(coordinator) == "refused"
    coordinator.on_negotiation_reopened(reopened)
    assert state(coordinator) == "negotiating"
    coordinator.on_negotiation_decided(agreed)
    project = coordinator.get_project(CLERK, "p1")
    assert project["state"] == "agreed" and project["facts"]["negotiation_round"] == 2
    moves = [e["to_state"] for e in project["timeline"] if e["kind"] == "transition"]
    assert moves[-3:] == ["refused", "negotiating", "agreed"]


def test_a_contract_event_of_an_earlier_round_is_a_note_not_a_move(coordinator):
    coordinator.on_negotiation_decided(decided("agreed", 1))
    coordinator.on_negotiation_reopened(
        event("negotiation.reopened", {"round": 2, "cause": "terms_changed", "changed": ["land_mu"]})
    )
    coordinator.on_contract_drafted(event("contracts.drafted", {"version": 1, "state_change": True, "round": 1}))
    project = coordinator.get_project(CLERK, "p1")
    assert project["state"] == "negotiating"
    assert any(e["kind"] == "contracts.drafted" and "(earlier round)" in e["summary"] for e in project["timeline"])


def test_the_round_verdict():
    assert domain.round_verdict(1, "negotiation.decided:agreed", 1) == domain.APPLY
    assert domain.round_verdict(1, "negotiation.reopened", 2) == domain.APPLY
    assert domain.round_verdict(2, "negotiation.reopened", 2) == domain.STALE
    assert domain.round_verdict(2, "contracts.drafted", 1) == domain.STALE
    assert domain.round_verdict(2, "contracts.drafted", None) == domain.APPLY  # sent before rounds existed
    with pytest.raises(Conflict):
        domain.round_verdict(1, "negotiation.decided:agreed", 2)
    assert domain.event_round("review.concluded", {"round": 3}) is None  # a review's round is its own


def test_a_refused_project_is_ipbs_to_do_on_the_workbench():
    from services.coordinator import workbench

    (todo,) = workbench.awaiting({"state": "refused", "responsible_unit": "PARK:hengdong"}, POLICY)
    assert (todo["kind"], todo["unit"], todo["operation"]) == ("renegotiate", "IPB", "negotiation.renegotiate")


def test_the_ledger_keeps_the_principals_decisions_and_the_park_s_round_in_any_order():
    """The workbench reads the fold: after a reopening the principals decide again; in the assigned park's round
    the other units' opinions stand (both folded the same whatever order the events arrive in)."""
    import random

    from services.coordinator import ledger, workbench

    def ev(type_, payload, actor=CLERK):
        return Envelope(type_, Actor(**actor), {"reason": type_, **payload}, project_id="p1", occurred_at=AT)

    lead = lead_payload("ZS2026-0001", "高性能铝合金型材项目", "150000000")
    route = {
        "escalated": True,
        "decides": ["party_secretary", "county_magistrate"],
        "recommends": "park_head:hengdong",
        "signs": "county_magistrate",
    }
    base = [
        ev("intake.lead_registered", lead),
        ev("negotiation.escalated", {"route": route, "round": 1}),
        ev("negotiation.principal_decided", {"position": "party_secretary", "decision": "agree", "round": 1}),
        ev("negotiation.reopened", {"round": 2, "cause": "terms_changed", "changed": ["land_mu"]}),
        ev("negotiation.principal_decided", {"position": "county_magistrate", "decision": "agree", "round": 2}),
    ]
    state = ev("coordinator.project_state_changed", {"from_state": "negotiating", "to_state": "escalated", "seq": 9})
    for seed in range(6):
        events = base[:1] + random.Random(seed).sample(base[1:], 4) + [state]
        row = ledger.replay(events, POLICY)["p1"]
        assert row["principal_decisions"] == ["county_magistrate"]  # round 1's secretary decides again
        assert [t["position"] for t in workbench.awaiting(row, POLICY)] == ["party_secretary"]

    units = ["DRB", "IND", "FIN", "EPB", "LAND", "PLAN", "PARK:hengdong", "PARK:hexi"]
    reopened = ev(
        "review.reopened",
        {
            "round": 2,
            "unit": "PARK:hexi",
            "required_units": units,
            "findings": [],
            "deadline": "2026-12-20",
            "deadline_provisional": False,
        },
    )
    under = ev("coordinator.project_state_changed", {"from_state": "approved", "to_state": "under_review", "seq": 6})
    row = ledger.replay([ev("intake.lead_registered", lead), reopened, under], POLICY)["p1"]
    assert [(t["kind"], t["unit"]) for t in workbench.awaiting(row, POLICY)] == [("opinion", "PARK:hexi")]
