"""Through the gateway, every service its own process: what is signed is what was decided (R5, R6), and the
location checks follow the project to the unit IPB assigns (R2, R3)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from services.contracts.document import read_contract
from shared.clock import today_shanghai
from tests.conftest import wait_for
from tests.factories import lead

pytestmark = pytest.mark.e2e
BUREAUS = ("DRB", "IND", "FIN", "EPB", "LAND", "PLAN")
PARK_HEAD = {"user_id": "p", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
HEXI_HEAD = {"user_id": "x", "position": "park_head:hexi", "unit": "PARK:hexi"}
MAGISTRATE = {"user_id": "m", "position": "county_magistrate", "unit": "LG"}
SECRETARY = {"user_id": "s", "position": "party_secretary", "unit": "LG"}
LEGAL = {"user_id": "l", "position": "legal_officer", "unit": "LEGAL"}
PEOPLE = [
    {"unit": "PARK:hengdong", "position": "park_head:hengdong"},
    {"unit": "IPB", "position": "ipb_clerk"},
    {"unit": "LEGAL", "position": "legal_director"},
]
SIGNATORY = {"name": "张总", "title": "董事长"}


def state(api, pid) -> str:
    return api.get(f"/api/projects/{pid}").json()["state"]


def reaches(api, pid, wanted: str) -> None:
    wait_for(lambda: state(api, pid) == wanted, what=f"the project {wanted}")


def approved(api, n: int, **changes) -> str:
    """A lead filed and approved by the joint review (bound for Hengdong), with its intermediary recorded."""
    pid = api.post("/api/leads", lead(n, **changes)).json()["id"]
    api.post(f"/api/leads/{pid}/file", {})
    assert api.post(f"/api/projects/{pid}/review", {}).status_code == 201
    for unit in BUREAUS:
        api.post(
            f"/api/projects/{pid}/review/opinions",
            {"opinion": "pass"},
            actor={"user_id": "r", "position": "reviewer", "unit": unit},
        )
    api.post(f"/api/projects/{pid}/review/opinions", {"opinion": "pass"}, actor=PARK_HEAD)
    assert api.post(f"/api/projects/{pid}/intermediary", {"none": True}).status_code == 200
    return pid


def session(land_mu: str, held_on: str = "2026-11-26") -> dict:
    return {
        "held_on": held_on,
        "stage": "final",
        "participants": PEOPLE,
        "agreed": ["供地方式：挂牌出让"],
        "land": {"value": land_mu, "unit": "mu"},
        "policy_terms": [{"clause": "tax_reward_years", "value": "3"}],
    }


def after(days: int) -> str:
    return (today_shanghai() + dt.timedelta(days=days)).isoformat()


DATES = {"construction_start": after(120), "completion": after(480), "production": after(570)}


def draft(api, pid, **over):
    body = {**DATES, "obligations": [{"id": "O1", "text": "缴清土地出让金", "due": after(60)}], **over}
    return api.post(f"/api/projects/{pid}/contract/versions", body)


def document_of(api, pid, version: int) -> str:
    read = api.post(f"/api/projects/{pid}/contract/versions/{version}/reading", {"reason": "核对"}).json()
    contract = read_contract(base64.b64decode(read["document_base64"]))
    return "\n".join(contract["paragraphs"])


def test_the_contract_is_the_decision_and_a_change_needs_a_new_decision_on_its_route(api):
    pid = approved(api, 1)  # 45 mu planned, 10,000 万元 of fixed assets: 222.22 万元/亩
    assert api.post(f"/api/projects/{pid}/responsible-unit", {"unit": "PARK:hengdong"}).status_code == 200
    assert api.post(f"/api/projects/{pid}/negotiation/sessions", session("45")).status_code == 201
    assert (
        api.post(f"/api/projects/{pid}/decision-route/decisions", {"decision": "agree"}, actor=PARK_HEAD).status_code
        == 201
    )
    reaches(api, pid, "agreed")

    # the draft is composed from the decided terms; typed differently it is refused, naming the term
    assert draft(api, pid).status_code == 201
    record = api.get(f"/api/projects/{pid}/contract").json()
    assert record["decided_terms"] == {
        "land_mu": "45",
        "total_investment": "120000000",
        "fixed_asset_investment": "100000000",
        "intensity_wan_per_mu": "222.22",
        "agreed": ["供地方式：挂牌出让"],
        "policy_terms": ["地方留成税收奖励年限：3年"],
    }
    assert record["party_a"] == "衡东工业园管理委员会"  # the party's full name (policy full_name_zh)
    typed = draft(api, pid, land_mu="80")
    assert typed.status_code == 422 and list(typed.json()["details"]) == ["land_mu"]
    text = document_of(api, pid, 1)
    assert "甲方：衡东工业园" in text and "地方留成税收奖励年限：3年" in text
    assert "本合同一式十份，甲乙双方各执一份，其余八份由县政府办等单位存档" in text
    api.post(f"/api/projects/{pid}/contract/submission", {"version": 1})
    assert (
        api.post(
            f"/api/projects/{pid}/contract/legal-review", {"version": 1, "decision": "approve"}, actor=LEGAL
        ).status_code
        == 200
    )

    # a session changes the land to 80 mu: back to negotiation, a decision on the principals' route now
    assert api.post(f"/api/projects/{pid}/negotiation/sessions", session("80", "2026-11-28")).status_code == 201
    reaches(api, pid, "negotiating")
    unsigned = api.post(
        f"/api/projects/{pid}/contract/signature", {"version": 1, "investor_signatory": SIGNATORY}, actor=PARK_HEAD
    )
    assert unsigned.status_code == 409  # v1 is LEGAL-approved, but no decision is in force
    route = api.get(f"/api/projects/{pid}/decision-route").json()
    assert route["escalated"] and route["land_mu"] == "80" and route["signs"] == "county_magistrate"
    assert (
        api.post(f"/api/projects/{pid}/decision-route/decisions", {"decision": "agree"}, actor=PARK_HEAD).status_code
        == 403
    )
    assert (
        api.post(
            f"/api/projects/{pid}/decision-route/recommendation", {"recommendation": "建议按80亩供地"}, actor=PARK_HEAD
        ).status_code
        == 200
    )
    for principal in (SECRETARY, MAGISTRATE):
        assert (
            api.post(
                f"/api/projects/{pid}/decision-route/decisions", {"decision": "agree"}, actor=principal
            ).status_code
            == 201
        )
    reaches(api, pid, "agreed")

    # the new decision's terms, its signatory, the county government as 甲方
    wait_for(
        lambda: api.get(f"/api/projects/{pid}/contract").json()["decided_terms"]["land_mu"] == "80",
        what="contracts heard of the new decision",
    )
    assert draft(api, pid).status_code == 201
    record = api.get(f"/api/projects/{pid}/contract").json()
    assert record["party_a"] == "示例县人民政府" and record["signatory"] == "county_magistrate"
    assert "甲方：示例县人民政府" in document_of(api, pid, 2)
    api.post(f"/api/projects/{pid}/contract/submission", {"version": 2})
    api.post(f"/api/projects/{pid}/contract/legal-review", {"version": 2, "decision": "approve"}, actor=LEGAL)
    assert (
        api.post(
            f"/api/projects/{pid}/contract/signature", {"version": 2, "investor_signatory": SIGNATORY}, actor=PARK_HEAD
        ).status_code
        == 403
    )
    signed = api.post(
        f"/api/projects/{pid}/contract/signature", {"version": 2, "investor_signatory": SIGNATORY}, actor=MAGISTRATE
    )
    assert signed.status_code == 200
    obligations = {o["key"]: o["due"] for o in signed.json()["obligations"]}
    assert obligations == {
        "START": DATES["construction_start"],
        "COMPLETION": DATES["completion"],
        "PRODUCTION": DATES["production"],
        "O1": after(60),
    }
    reaches(api, pid, "signed")
    moves = [e["to_state"] for e in api.get(f"/api/projects/{pid}").json()["timeline"] if e["kind"] == "transition"]
    assert moves[-9:] == [
        "agreed",
        "drafting",
        "legal_review",
        "negotiating",
        "escalated",
        "agreed",
        "drafting",
        "legal_review",
        "signed",
    ]


def test_the_location_checks_follow_the_project_to_the_park_ipb_assigns(api):
    # C3985 is in both parks' positioning.  10,000 万元 on 45 mu = 222.22 万元/亩: Hengdong's minimum is 200,
    # Hexi's own 250 (policy/industry.yaml)
    short = approved(api, 2, sector="C3985")
    refused = api.post(f"/api/projects/{short}/responsible-unit", {"unit": "PARK:hexi", "reason": "投资方改选河西"})
    assert refused.status_code == 422
    assert "投资强度" in refused.json()["message"] and "222.22" in refused.json()["message"]
    assert "250" in refused.json()["message"]
    assert api.get(f"/api/projects/{short}/negotiation").json()["stage"] == "approved"

    # 12,000 万元 on 45 mu = 266.67 万元/亩 meets Hexi's minimum: Hexi, which did not review it, gives its opinion first
    pid = approved(
        api, 3, sector="C3985", planned_total_investment="150000000", planned_fixed_asset_investment="120000000"
    )
    reaches(api, pid, "approved")
    asked = api.post(f"/api/projects/{pid}/responsible-unit", {"unit": "PARK:hexi", "reason": "河西配套更完善"})
    assert asked.status_code == 200 and asked.json()["stage"] == "park_review"
    reaches(api, pid, "under_review")
    review = wait_for(
        lambda: (r := api.get(f"/api/projects/{pid}/review").json())["round"] == 2 and r, what="the review's new round"
    )
    assert review["awaiting"] == ["PARK:hexi"] and review["state"] == "open"
    assert [item["project_id"] for item in api.get("/api/review/queue", actor=HEXI_HEAD).json()] == [pid]
    assert api.post(f"/api/projects/{pid}/review/opinions", {"opinion": "pass"}, actor=HEXI_HEAD).status_code == 201
    reaches(api, pid, "assigned")
    negotiation = api.get(f"/api/projects/{pid}/negotiation").json()
    assert negotiation["responsible_unit"] == "PARK:hexi" and negotiation["session_lead"] == "park_head:hexi"
    moves = [e["to_state"] for e in api.get(f"/api/projects/{pid}").json()["timeline"] if e["kind"] == "transition"]
    assert moves[-4:] == ["approved", "under_review", "approved", "assigned"]
