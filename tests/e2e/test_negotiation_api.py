"""R3-R5 through the gateway: the route is shown with its reasons and enforced."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.factories import lead

pytestmark = pytest.mark.e2e
UNITS = ("DRB", "IND", "FIN", "EPB", "LAND", "PLAN")


def test_negotiation_through_the_api(api):
    pid = api.post(
        "/api/leads",
        lead(
            1,
            land_demand={"value": "75", "unit": "mu"},
            planned_total_investment="200000000",
            planned_fixed_asset_investment="150000000",
        ),
    ).json()["id"]
    api.post(f"/api/leads/{pid}/file", {})
    assert api.post(f"/api/projects/{pid}/review", {}).status_code == 201  # right after the filing
    for unit in UNITS:
        api.post(
            f"/api/projects/{pid}/review/opinions",
            {"opinion": "pass"},
            actor={"user_id": "r", "position": "reviewer", "unit": unit},
        )
    api.post(
        f"/api/projects/{pid}/review/opinions",
        {"opinion": "pass"},
        actor={"user_id": "p", "position": "park_head:hengdong", "unit": "PARK:hengdong"},
    )

    early = api.post(f"/api/projects/{pid}/responsible-unit", {"unit": "PARK:hengdong"})
    assert (early.status_code, early.json()["error"]) == (409, "conflict")  # not before the intermediary
    assert api.post(f"/api/projects/{pid}/intermediary", {"name": "某招商咨询公司"}).status_code == 200
    ranking = api.get(f"/api/projects/{pid}/responsible-unit/ranking").json()
    assert ranking[0]["unit"] == "PARK:hengdong" and ranking[0]["why"]
    assert api.post(f"/api/projects/{pid}/responsible-unit", {"unit": "PARK:hengdong"}).status_code == 200

    missing = api.post(
        f"/api/projects/{pid}/negotiation/sessions",
        {
            "held_on": "2026-11-26",
            "stage": "final",
            "participants": [
                {"unit": "PARK:hengdong", "position": "park_head:hengdong"},
                {"unit": "IPB", "position": "ipb_clerk"},
            ],
        },
    )
    assert missing.status_code == 422 and "县法制办" in missing.json()["message"]
    logged = api.post(
        f"/api/projects/{pid}/negotiation/sessions",
        {
            "held_on": "2026-11-26",
            "stage": "early",
            "agreed": ["用地75亩"],
            "participants": [
                {"unit": "PARK:hengdong", "position": "park_head:hengdong"},
                {"unit": "IPB", "position": "ipb_clerk"},
            ],
        },
    )
    assert logged.status_code == 201

    route = api.get(f"/api/projects/{pid}/decision-route").json()
    assert route["escalated"] and route["signs"] == "county_magistrate"
    assert any("约定用地75.00 亩，大于60.00 亩" in r for r in route["reasons"]), route["reasons"]
    magistrate = {"user_id": "m", "position": "county_magistrate", "unit": "LG"}
    too_soon = api.post(f"/api/projects/{pid}/decision-route/decisions", {"decision": "agree"}, actor=magistrate)
    assert too_soon.status_code == 409
    park_head = {"user_id": "p", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
    before_legal = api.post(
        f"/api/projects/{pid}/decision-route/recommendation", {"recommendation": "建议同意"}, actor=park_head
    )  # R4: LEGAL attends a final-stage session before any decision
    assert before_legal.status_code == 409 and "县法制办" in before_legal.json()["message"]  # in Chinese by default
    assert (
        api.post(
            f"/api/projects/{pid}/negotiation/sessions",
            {
                "held_on": "2026-11-27",
                "stage": "final",
                "agreed": ["用地75亩"],
                "participants": [
                    {"unit": "PARK:hengdong", "position": "park_head:hengdong"},
                    {"unit": "IPB", "position": "ipb_clerk"},
                    {"unit": "LEGAL", "position": "legal_director"},
                ],
            },
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"/api/projects/{pid}/decision-route/recommendation", {"recommendation": "建议同意"}, actor=park_head
        ).status_code
        == 200
    )
    assert [d["project_id"] for d in api.get("/api/decisions/awaiting", actor=magistrate).json()] == [pid]
    secretary = {"user_id": "s", "position": "party_secretary", "unit": "LG"}
    for principal in (secretary, magistrate):
        assert (
            api.post(
                f"/api/projects/{pid}/decision-route/decisions", {"decision": "agree"}, actor=principal
            ).status_code
            == 201
        )
    wait_for(lambda: api.get(f"/api/projects/{pid}").json()["state"] == "agreed", what="agreed")
    assert api.get(f"/api/projects/{pid}/negotiation").json()["intermediary"] == {
        "name": "某招商咨询公司",
        "contact": None,
    }


def test_a_refusal_within_authority_goes_back_to_ipb_which_renegotiates(api):
    pid = api.post("/api/leads", lead(2)).json()["id"]  # 45 mu: the park head decides
    api.post(f"/api/leads/{pid}/file", {})
    assert api.post(f"/api/projects/{pid}/review", {}).status_code == 201  # right after the filing
    for unit in UNITS:
        api.post(
            f"/api/projects/{pid}/review/opinions",
            {"opinion": "pass"},
            actor={"user_id": "r", "position": "reviewer", "unit": unit},
        )
    park_head = {"user_id": "p", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
    api.post(f"/api/projects/{pid}/review/opinions", {"opinion": "pass"}, actor=park_head)
    assert api.post(f"/api/projects/{pid}/intermediary", {"none": True}).status_code == 200
    api.post(f"/api/projects/{pid}/responsible-unit", {"unit": "PARK:hengdong"})
    api.post(
        f"/api/projects/{pid}/negotiation/sessions",
        {
            "held_on": "2026-11-26",
            "stage": "final",
            "agreed": ["用地45亩"],
            "participants": [
                {"unit": "PARK:hengdong", "position": "park_head:hengdong"},
                {"unit": "IPB", "position": "ipb_clerk"},
                {"unit": "LEGAL", "position": "legal_director"},
            ],
        },
    )
    refused = api.post(
        f"/api/projects/{pid}/decision-route/decisions",
        {"decision": "refuse", "reasons": ["亩均税收承诺不足"]},
        actor=park_head,
    )
    assert refused.status_code == 201 and refused.json()["stage"] == "refused"
    wait_for(lambda: api.get(f"/api/projects/{pid}").json()["state"] == "refused", what="refused")
    timeline = api.get(f"/api/projects/{pid}").json()["timeline"]
    assert "亩均税收承诺不足" in timeline[-1]["reason"]
    inbox = wait_for(
        lambda: [i for i in api.get("/api/inbox?limit=200").json()["items"] if "决策不同意" in i["title"]],
        what="IPB notified of the refusal",
    )
    assert "亩均税收承诺不足" in inbox[0]["text"]
    again = api.post(f"/api/projects/{pid}/negotiation/renegotiation", {"reason": "投资方提高亩均税收承诺"})
    assert again.status_code == 200 and again.json()["round"] == 2
    wait_for(lambda: api.get(f"/api/projects/{pid}").json()["state"] == "negotiating", what="negotiating again")
