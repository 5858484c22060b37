"""All services up as separate processes; the county's clerk works through the HTTP API."""

from __future__ import annotations

import pytest
import requests

from shared.vocabulary import field_name

from tests.conftest import wait_for
from tests.e2e.conftest import ALL, headers
from tests.factories import IPB_CLERK, PARK_STAFF, lead

pytestmark = pytest.mark.e2e


def test_every_service_answers_health_over_the_bus(api):
    # a gateway just started may answer its first round before its RPC replies are consumed: ok by the next round
    answer = wait_for(lambda: (a := api.get("/api/health")).status_code == 200 and a, timeout=15, what="health ok")
    assert answer.json()["services"] == {name: "ok" for name in ALL if name != "gateway"}
    assert all(0 <= age <= 15 for age in answer.json()["age_seconds"].values())


def test_lead_registered_and_filed_through_the_api(api):
    before = api.get("/api/projects").json()
    created = api.post("/api/leads", lead(1, land_demand={"value": "4", "unit": "ha"}))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["land_mu"] == "60.00" and body["status"] == "lead"
    assert body["registered_at"].endswith("+08:00")

    # a park may register a lead but not file it (R1: filed by IPB)
    refused = api.post(f"/api/leads/{body['id']}/file", {}, actor=PARK_STAFF)
    assert refused.status_code == 403 and refused.json()["error"] == "not_allowed"

    filed = api.post(f"/api/leads/{body['id']}/file", {"reason": "材料齐全"})
    assert filed.status_code == 200, filed.text
    assert filed.json()["status"] == "filed"
    again = api.post(f"/api/leads/{body['id']}/file", {})
    assert again.status_code == 409

    project = wait_for(
        lambda: (p := api.get(f"/api/projects/{body['id']}").json()).get("state") == "filed" and p,
        what="project filed in the coordinator",
    )
    assert [s["to_state"] for s in project["timeline"]] == ["lead", "filed"]
    assert project["timeline"][1]["reason"] == "材料齐全"
    assert "review.convened" in project["allowed_next"]
    listing = api.get("/api/projects").json()
    assert listing["total"] == before["total"] + 1
    assert listing["by_state"].get("filed", 0) == before["by_state"].get("filed", 0) + 1


@pytest.mark.parametrize(
    "change, field",
    [
        (
            {"investor": {"name": "甲公司", "kind": "domestic", "credit_code": "91350100M000100Y44"}},
            "investor.credit_code",
        ),
        ({"sector": "C99"}, "sector"),
        ({"planned_total_investment": "-5"}, "planned_total_investment"),
        ({"land_demand": {"value": "10", "unit": "acre"}}, "land_demand.unit"),
        ({"preferred_location": {"kind": "park", "id": "nowhere"}}, "preferred_location.id"),
        ({"source_channel": "rumour"}, "source_channel"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(api, change, field):
    leads, projects = api.get("/api/leads").json()["total"], api.get("/api/projects").json()["total"]
    answer = api.post("/api/leads", lead(7, **change))
    assert answer.status_code == 422, answer.text
    error = answer.json()
    assert error["error"] == "invalid_input"
    assert field in error["details"], error
    assert field_name(field, "zh-CN") in error["message"]  # the message names the field as a person calls it
    assert api.get("/api/leads").json()["total"] == leads
    assert api.get("/api/projects").json()["total"] == projects


def test_malformed_json_and_missing_actor_are_4xx(api, platform_env):
    base = f"http://{platform_env['ZS_GATEWAY_ADDRESS']}"
    broken = requests.post(base + "/api/leads", data="{not json", headers=headers(IPB_CLERK), timeout=10)
    assert broken.status_code == 422 and "body" in broken.json()["details"]
    anonymous = requests.get(base + "/api/leads", timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthenticated"
    half = requests.get(base + "/api/leads", headers={"X-Zhaoshang-User": "u1"}, timeout=10)
    assert half.status_code == 401
    assert api.get("/api/leads/nope").status_code == 404


def test_openapi_document_describes_the_api_from_the_schemas(api):
    spec = api.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/leads",
        "/api/leads/{lead_id}/file",
        "/api/projects/{project_id}",
        "/api/projects/{project_id}/review",
        "/api/projects/{project_id}/review/opinions",
        "/api/review/queue",
    } <= set(spec["paths"])
    assert spec["components"]["schemas"]["OpinionInput"]["properties"]["opinion"]["enum"] == [
        "pass",
        "conditional",
        "fail",
    ]
    lead_input = spec["components"]["schemas"]["LeadInput"]
    assert {"investor", "sector", "land_demand", "preferred_location"} <= set(lead_input["required"])
    assert "422" in spec["paths"]["/api/leads"]["post"]["responses"]
