"""Notifications through the gateway: tracking, the stalled lists, the inbox, the register and termination."""
from __future__ import annotations

import base64

import pytest

from tests.conftest import wait_for
from tests.factories import IPB_DIRECTOR, lead

pytestmark = pytest.mark.e2e
LG_OFFICE = {"user_id": "u-lg", "position": "lg_office", "unit": "LG"}
ADMIN = {"user_id": "u-admin", "position": "ipb_admin", "unit": "IPB"}
FIN = {"user_id": "u-fin", "position": "fin_clerk", "unit": "FIN"}


def test_tracking_reports_and_termination_through_the_api(api):
    project_id = api.post("/api/leads", lead(1)).json()["id"]
    assert api.post(f"/api/leads/{project_id}/file", {}).status_code == 200
    tracking = wait_for(lambda: (r := api.get(f"/api/projects/{project_id}/tracking")).status_code == 200
                        and r.json()["state"] == "filed" and r.json(), what="tracking of the filed project")
    assert tracking["stale_due"] and not tracking["stale"]
    progress = api.post(f"/api/projects/{project_id}/tracking/progress", {"note": "投资方来县考察"})
    assert progress.status_code == 201 and progress.json()["progress"][0]["note"] == "投资方来县考察"
    bad = api.post(f"/api/projects/{project_id}/tracking/problems", {"description": "用地", "owner": "LAND"})
    assert bad.status_code == 422 and "owner" in bad.json()["details"]
    problem = api.post(f"/api/projects/{project_id}/tracking/problems", {"description": "用地指标", "owner": "unit:LAND"})
    assert problem.status_code == 201 and problem.json()["problems"][0]["escalation_due"]
    stalled = api.get("/api/tracking/stalled", actor=LG_OFFICE).json()
    assert [g["label"] for g in stalled] == ["已批未落地", "签约未开工", "开工未竣工"]
    assert api.get("/api/notifications/channels", actor=IPB_DIRECTOR).status_code == 403
    assert {c["name"] for c in api.get("/api/notifications/channels", actor=ADMIN).json()} == {"inbox", "email", "webhook"}

    body = {"reason": "投资方撤资，项目无法推进", "special_report_ref": "SR-ZS2026-0001-1"}
    refused = api.post(f"/api/projects/{project_id}/terminate", body, actor=IPB_DIRECTOR)
    assert refused.status_code == 422 and "special_report_ref" in refused.json()["details"]
    report = api.post(f"/api/projects/{project_id}/special-reports", {
        "cause": "cannot_go_ahead", "summary": "投资方撤资",
        "document": {"filename": "报告.pdf", "content_base64": base64.b64encode(b"%PDF-1.4 report").decode()}},
        actor=IPB_DIRECTOR)
    assert report.status_code == 201, report.text
    assert api.get(f"/api/special-reports/{report.json()['ref']}", actor=FIN).status_code == 403
    assert [r["ref"] for r in api.get("/api/special-reports", actor=LG_OFFICE).json()] == ["SR-ZS2026-0001-1"]
    done = api.post(f"/api/projects/{project_id}/terminate", body, actor=IPB_DIRECTOR)
    assert done.status_code == 200 and done.json()["state"] == "terminated"
    inbox = wait_for(lambda: [i for i in api.get("/api/inbox", actor=LG_OFFICE).json()["items"]
                              if i["title"].startswith("【招商】项目终止")], what="the LG told of the termination")
    read = api.post(f"/api/inbox/{inbox[0]['id']}/read", actor=LG_OFFICE)
    assert read.status_code == 200 and all(i["id"] != inbox[0]["id"] for i in read.json()["items"])
    assert api.get(f"/api/projects/{project_id}/tracking").json()["deadlines"] == []  # an ended project is not followed

    spec = api.get("/api/openapi.json").json()
    assert {"/api/inbox", "/api/tracking/stalled", "/api/special-reports", "/api/projects/{project_id}/tracking/problems",
            "/api/notifications/channels/{channel}", "/api/deadlines"} <= set(spec["paths"])
    assert spec["components"]["schemas"]["ReportToLgInput"]["properties"]["cause"]["enum"] == [
        "unfinished_review", "cannot_go_ahead", "overdue_obligation"]
