"""The joint review (R2) through the gateway: IPB convenes, each bureau uses its own desk."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.factories import IPB_CLERK, lead

pytestmark = pytest.mark.e2e


def bureau(unit):
    return {"user_id": f"u-{unit}", "position": "reviewer", "unit": unit}


def test_review_through_the_api(api):
    project_id = api.post("/api/leads", lead(1)).json()["id"]
    assert api.post(f"/api/leads/{project_id}/file", {}).status_code == 200
    convened = api.post(f"/api/projects/{project_id}/review", {})
    assert convened.status_code == 201, convened.text
    review = convened.json()
    assert len(review["findings"]) == 4 and review["deadline_provisional"] is False

    desk = api.get("/api/review/queue", actor=bureau("FIN")).json()
    assert [item["project_id"] for item in desk] == [project_id]

    other = api.post(
        f"/api/projects/{project_id}/review/opinions", {"unit": "EPB", "opinion": "pass"}, actor=bureau("FIN")
    )
    assert other.status_code == 403 and "unit" in other.json()["details"]
    clerk = api.post(f"/api/projects/{project_id}/review/opinions", {"opinion": "pass"}, actor=IPB_CLERK)
    assert clerk.status_code == 403
    bad = api.post(f"/api/projects/{project_id}/review/opinions", {"opinion": "conditional"}, actor=bureau("FIN"))
    assert bad.status_code == 422 and "conditions" in bad.json()["details"]

    for unit in ("DRB", "IND", "FIN", "EPB", "LAND", "PLAN"):
        assert (
            api.post(f"/api/projects/{project_id}/review/opinions", {"opinion": "pass"}, actor=bureau(unit)).status_code
            == 201
        )
    again = api.post(
        f"/api/projects/{project_id}/review/opinions", {"opinion": "fail", "reasons": ["改主意"]}, actor=bureau("FIN")
    )
    assert again.status_code == 409
    assert api.get("/api/review/queue", actor=bureau("FIN")).json() == []
    park = {"user_id": "u-park", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
    final = api.post(f"/api/projects/{project_id}/review/opinions", {"opinion": "pass"}, actor=park).json()
    assert final["outcome"] == "approved"
    wait_for(lambda: api.get(f"/api/projects/{project_id}").json()["state"] == "approved", what="approved")
    assert api.get(f"/api/projects/{project_id}/review").json()["opinions"][2]["unit"] == "FIN"
