"""The ledger, the reserve and targets (R8–R10, R14) through the gateway: the public catalog without signing in (the whole answer), the ledger and
its Excel export, targets and the quarterly summary, the reserve plan, the OpenAPI paths."""

from __future__ import annotations

import base64
import io

import pytest
import requests
from docx import Document
from openpyxl import load_workbook

from shared.clock import today_shanghai
from tests.conftest import wait_for
from tests.factories import IPB_CLERK, lead

pytestmark = pytest.mark.e2e
DRB = {"user_id": "u-drb", "position": "bureau_head", "unit": "DRB"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_public_catalog_needs_no_sign_in_and_shows_seven_fields(api):
    body = {
        "year": today_shanghai().year,
        "name": "高端装备零部件项目",
        "sector": "C3484",
        "location": {"kind": "park", "id": "hengdong"},
        "location_detail": "东区",
        "total_investment": "5000000",
        "cooperation_mode": "合作经营",
        "contact_office": "衡东工业园招商部 0734-5556666",
        "intended_investor": {"name": "保密投资集团"},
        "contact_person": {"name": "钱总", "phone": "13700137000"},
        "negotiation_notes": "洽谈中：要求五免五减半",
        "contract_notes": "意向协议草稿",
        "document": {
            "kind": "proposal",
            "filename": "proposal.docx",
            "content_base64": base64.b64encode(b"PK proposal").decode(),
        },
    }
    entered = api.post("/api/reserve", body, actor=DRB)
    assert entered.status_code == 201, entered.text
    reserve = entered.json()
    assert api.post(f"/api/reserve/{reserve['id']}/publication", actor=IPB_CLERK).status_code == 200
    base = api.base
    listed = requests.get(base + "/api/catalog", timeout=10)  # no Authorization, no actor headers
    one = requests.get(base + f"/api/catalog/{reserve['ref']}", timeout=10)
    entry = {
        "ref": reserve["ref"],
        "name": "高端装备零部件项目",
        "sector": "C3484",
        "sector_name": "机械零部件加工（C3484）",
        "location": "衡东工业园东区",
        "investment_scale": "500.00 万元（C类（500万元—5000万元））",
        "cooperation_mode": "合作经营",
        "contact_office": "衡东工业园招商部 0734-5556666",
    }
    assert (listed.status_code, listed.json()) == (200, {"total": 1, "items": [entry]})
    assert (one.status_code, one.json()) == (200, entry)
    for secret in ("保密", "钱总", "13700137000", "五免五减半", "意向协议", reserve["id"]):
        assert secret not in listed.text and secret not in one.text
    assert requests.get(base + "/api/catalog/CB1999-0001", timeout=10).status_code == 404
    assert requests.get(base + "/api/catalog?investor=1", timeout=10).status_code == 422
    assert requests.get(base + "/api/reserve", timeout=10).status_code == 401  # the reserve itself is not public
    plan = api.get(f"/api/reserve-plans/{today_shanghai().year}", actor=DRB).json()
    assert [(t["tier"], t["count"]) for t in plan["tiers"]] == [("A", 0), ("B", 0), ("C", 1)]


def test_the_ledger_its_workbook_targets_and_the_quarterly_summary(api):
    registered = api.post("/api/leads", lead(31, planned_total_investment="150000000"))
    assert registered.status_code == 201, registered.text
    project = registered.json()
    api.post(f"/api/leads/{project['id']}/file", {})
    row = wait_for(
        lambda: (
            (r := api.get(f"/api/projects/{project['id']}/ledger")).ok and r.json()["state"] == "filed" and r.json()
        ),
        what="the ledger row",
    )
    assert (row["book"], row["tier"], row["is_key"], row["responsible_unit"]) == ("information", "A", True, "IPB")
    page = api.get("/api/ledger?book=information&key=true&sort=total_investment&order=desc").json()
    assert project["ref"] in [r["ref"] for r in page["items"]]
    assert api.get("/api/ledger?tier=Z").status_code == 422
    assert requests.get(api.base + "/api/ledger", timeout=10).status_code == 401

    workbook = api.get("/api/ledger.xlsx")
    assert workbook.status_code == 200 and workbook.headers["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(workbook.content))["重点招商信息台账"]
    refs = [sheet.cell(row=r, column=2).value for r in range(4, sheet.max_row + 1)]
    assert project["ref"] in refs

    year = today_shanghai().year
    put = api.put(
        f"/api/targets/{year}",
        {
            "targets": [
                {"unit": "PARK:hexi", "projects_signed": 3, "contracted_investment": "300000000", "funds_in_place": "0"}
            ]
        },
        actor=MAGISTRATE,
    )
    assert put.status_code == 200 and put.json()["units"][0]["unit_name"] == "河西新区"
    assert api.put(f"/api/targets/{year}", {"targets": []}, actor=IPB_CLERK).status_code == 403
    quarter = f"{year}-Q{(today_shanghai().month - 1) // 3 + 1}"
    summary = api.get(f"/api/summaries/{quarter}.docx")
    assert summary.status_code == 200, summary.text
    text = "\n".join(p.text for p in Document(io.BytesIO(summary.content)).paragraphs)
    assert "招商引资工作情况的报告" in text and "示招商办〔" in text  # a report in 公文 form, numbered
    assert api.get(f"/api/summaries/{year}-Q9.docx").status_code == 422


def test_the_openapi_document_has_the_new_paths(api):
    paths = api.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/ledger",
        "/api/ledger.xlsx",
        "/api/ledger/import",
        "/api/projects/{project_id}/key-project",
        "/api/targets/{year}",
        "/api/summaries/{period}.{kind}",
        "/api/reserve",
        "/api/catalog",
        "/api/catalog/{ref}",
        "/api/reserve-plans/{year}",
        "/api/projects/{project_id}/funds-in-place",
    ):
        assert path in paths
    assert all(p["name"] not in ("X-Zhaoshang-User",) for p in paths["/api/catalog"]["get"]["parameters"])
