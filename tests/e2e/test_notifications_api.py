"""Notifications and supervision through the gateway: tracking, the stalled lists, the inbox, the register of
special reports, and termination — before construction, and of a signed project under construction (its
obligations end, no red flag, its contract goes to ARCH, no accounting opens for it)."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import wait_for
from tests.e2e.conftest import headers
from tests.factories import IPB_DIRECTOR, lead
from zhaoshang import demo

pytestmark = pytest.mark.e2e
LG_OFFICE = {"user_id": "u-lg", "position": "lg_office", "unit": "LG"}
ADMIN = {"user_id": "u-admin", "position": "ipb_admin", "unit": "IPB"}
FIN = {"user_id": "u-fin", "position": "fin_clerk", "unit": "FIN"}


def test_tracking_reports_and_termination_through_the_api(api):
    project_id = api.post("/api/leads", lead(1)).json()["id"]
    assert api.post(f"/api/leads/{project_id}/file", {}).status_code == 200
    tracking = wait_for(
        lambda: (
            (r := api.get(f"/api/projects/{project_id}/tracking")).status_code == 200
            and r.json()["state"] == "filed"
            and r.json()
        ),
        what="tracking of the filed project",
    )
    assert tracking["stale_due"] and not tracking["stale"]
    progress = api.post(f"/api/projects/{project_id}/tracking/progress", {"note": "投资方来县考察"})
    assert progress.status_code == 201 and progress.json()["progress"][0]["note"] == "投资方来县考察"
    bad = api.post(f"/api/projects/{project_id}/tracking/problems", {"description": "用地", "owner": "LAND"})
    assert bad.status_code == 422 and "owner" in bad.json()["details"]
    problem = api.post(
        f"/api/projects/{project_id}/tracking/problems", {"description": "用地指标", "owner": "unit:LAND"}
    )
    assert problem.status_code == 201 and problem.json()["problems"][0]["escalation_due"]
    stalled = api.get("/api/tracking/stalled", actor=LG_OFFICE).json()
    assert [g["label"] for g in stalled] == ["已批未落地", "签约未开工", "开工未竣工"]
    assert api.get("/api/notifications/channels", actor=IPB_DIRECTOR).status_code == 403
    assert {c["name"] for c in api.get("/api/notifications/channels", actor=ADMIN).json()} == {
        "inbox",
        "email",
        "webhook",
    }

    body = {"reason": "投资方撤资，项目无法推进", "special_report_ref": "SR-ZS2026-0001-1"}
    refused = api.post(f"/api/projects/{project_id}/terminate", body, actor=IPB_DIRECTOR)
    assert refused.status_code == 422 and "special_report_ref" in refused.json()["details"]
    report = api.post(
        f"/api/projects/{project_id}/special-reports",
        {
            "cause": "cannot_go_ahead",
            "summary": "投资方撤资",
            "document": {"filename": "报告.pdf", "content_base64": base64.b64encode(b"%PDF-1.4 report").decode()},
        },
        actor=IPB_DIRECTOR,
    )
    assert report.status_code == 201, report.text
    assert api.get(f"/api/special-reports/{report.json()['ref']}", actor=FIN).status_code == 403
    assert [r["ref"] for r in api.get("/api/special-reports", actor=LG_OFFICE).json()] == ["SR-ZS2026-0001-1"]
    done = api.post(f"/api/projects/{project_id}/terminate", body, actor=IPB_DIRECTOR)
    assert done.status_code == 200 and done.json()["state"] == "terminated"
    inbox = wait_for(
        lambda: [
            i
            for i in api.get("/api/inbox", actor=LG_OFFICE).json()["items"]
            if i["title"].startswith("【招商】项目终止")
        ],
        what="the LG told of the termination",
    )
    read = api.post(f"/api/inbox/{inbox[0]['id']}/read", actor=LG_OFFICE)
    assert read.status_code == 200 and all(i["id"] != inbox[0]["id"] for i in read.json()["items"])
    assert api.get(f"/api/projects/{project_id}/tracking").json()["deadlines"] == []  # an ended project is not followed

    spec = api.get("/api/openapi.json").json()
    assert {
        "/api/inbox",
        "/api/tracking/stalled",
        "/api/special-reports",
        "/api/projects/{project_id}/tracking/problems",
        "/api/notifications/channels/{channel}",
        "/api/deadlines",
    } <= set(spec["paths"])
    assert spec["components"]["schemas"]["ReportToLgInput"]["properties"]["cause"]["enum"] == [
        "unfinished_review",
        "cannot_go_ahead",
        "overdue_obligation",
    ]


PARTICIPANTS = [
    {"unit": "PARK:hengdong", "position": "park_head:hengdong"},
    {"unit": "IPB", "position": "ipb_director"},
    {"unit": "LG", "position": "county_leader_in_charge"},
    {"unit": "LAND", "position": "bureau_head"},
]
SESSIONS = [
    {
        "held_on": "2026-11-20",
        "stage": "early",
        "participants": PARTICIPANTS,
        "agreed": ["总投资1.5亿元"],
        "open": ["税收奖励"],
        "exceeding_terms": [],
    },
    {
        "held_on": "2026-11-25",
        "stage": "final",
        "participants": PARTICIPANTS + [{"unit": "LEGAL", "position": "legal_director"}],
        "agreed": ["税收奖励按现行政策执行"],
        "open": [],
        "exceeding_terms": [],
        "land": {"value": "45", "unit": "mu"},
    },
]


def test_a_signed_project_terminated_under_construction_is_ended_everywhere(api, platform_env, monkeypatch):
    """R7, R11, R13: a project signed, filed and under construction (its obligations open) is terminated with its
    special report; then every service that keeps a copy of it has heard."""
    base = f"http://{platform_env['ZS_GATEWAY_ADDRESS']}"
    monkeypatch.setattr(demo, "_headers", lambda base, actor: {"Content-Type": "application/json", **headers(actor)})
    project = demo._file_and_review(
        base,
        demo.sample_lead(
            n=7,
            project_name="年产3万吨精密铸件项目",
            land_demand={"value": "45", "unit": "mu"},
            planned_fixed_asset_investment="100000000",
        ),
    )
    pid = project["id"]
    demo._approve(base, project)
    route = demo._negotiate(base, project, SESSIONS)
    demo._try(
        base,
        "POST",
        f"/api/projects/{pid}/decision-route/decisions",
        demo._leader(route["decides"][0], "PARK:hengdong"),
        {"decision": "agree"},
    )
    demo._print_project(base, project, "agreed")
    demo._contract_to_construction(base, project, route["signs"], "PARK:hengdong")
    obligations = api.get(f"/api/projects/{pid}/contract").json()["obligations"]
    assert {"START", "COMPLETION", "PRODUCTION", "O1", "O2"} <= {o["key"] for o in obligations}
    assert {o["status"] for o in obligations} == {"open"}

    report = api.post(
        f"/api/projects/{pid}/special-reports",
        {
            "cause": "cannot_go_ahead",
            "summary": "投资方资金链断裂，无法继续建设",
            "document": {
                "filename": "关于终止项目的专题报告.pdf",
                "content_base64": base64.b64encode(b"%PDF-1.4 x").decode(),
            },
        },
        actor=IPB_DIRECTOR,
    )
    assert report.status_code == 201, report.text
    done = api.post(
        f"/api/projects/{pid}/terminate",
        {"reason": "投资方资金链断裂，项目无法继续建设", "special_report_ref": report.json()["ref"]},
        actor=IPB_DIRECTOR,
    )
    assert done.status_code == 200 and done.json()["state"] == "terminated", done.text

    # contracts: the obligations end — none will lapse, no report will be awaited, no red flag
    def ended():
        contract = api.get(f"/api/projects/{pid}/contract").json()
        return {o["status"] for o in contract["obligations"]} == {"ended"} and contract

    contract = wait_for(ended, what="contracts hearing of the termination")
    assert contract["red_flag"] is False
    assert api.post("/api/contracts/check-obligations").status_code == 200
    assert api.get(f"/api/projects/{pid}/contract").json()["red_flag"] is False
    # supervision: nothing falls due for it any more, and it is in no stalled list
    wait_for(lambda: api.get(f"/api/projects/{pid}/tracking").json()["state"] == "terminated", what="supervision")
    assert api.get(f"/api/projects/{pid}/tracking").json()["deadlines"] == []
    stalled = api.get("/api/tracking/stalled", actor=LG_OFFICE).json()
    assert all(item["project_id"] != pid for group in stalled for item in group["items"])
    # accounting: no accounting opens for it
    opened = api.post(f"/api/projects/{pid}/accounting", {"reason": "建设期满"})
    assert opened.status_code == 409, opened.text
    # the contract file goes to the Archives Bureau, and the project stays terminated
    archived = api.post(f"/api/projects/{pid}/contract/archives", {"note": "项目终止，合同移交县档案局"})
    assert archived.status_code == 200 and archived.json()["state"] == "archived", archived.text
    timeline = wait_for(
        lambda: [e for e in api.get(f"/api/projects/{pid}").json()["timeline"] if e["kind"] == "contracts.archive"],
        what="the coordinator noting the archiving",
    )
    assert "县档案局" in timeline[0]["summary"]
    assert api.get(f"/api/projects/{pid}").json()["state"] == "terminated"
    # notifications: the Leading Group's office was told
    wait_for(
        lambda: [
            i
            for i in api.get("/api/inbox", actor=LG_OFFICE).json()["items"]
            if i["title"] == f"【招商】项目终止：{project['ref']} 年产3万吨精密铸件项目"
        ],
        what="the LG told",
    )
