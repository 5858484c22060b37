"""The ledger (R10, R14) over real RabbitMQ, every service its own process: the ledger follows the departments' events,
a key project, funds in place and the LG's targets; the rebuild equals the live ledger; the reserve's
public catalog shows its seven fields only."""

from __future__ import annotations

import base64
import io
import json

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from openpyxl import load_workbook

from shared.clock import today_shanghai
from shared.i18n import localize
from tests.conftest import wait_for
from tests.factories import IPB_CLERK
from tests.integration.flows import PARK_HEAD, approve, filed_lead, leader, state, to_construction

pytestmark = pytest.mark.integration
MAGISTRATE = {**leader("county_magistrate"), "name": "王县长"}
DIRECTOR = leader("ipb_director", "IPB")
DRB = {"user_id": "u-drb", "position": "bureau_head", "unit": "DRB"}


def books(rpc) -> dict:
    return {
        book: [r["ref"] for r in rpc.coordinator.ledger(IPB_CLERK, {"book": book})["items"]]
        for book in ("information", "negotiation", "contracted")
    }


def test_the_ledger_targets_and_catalog_over_the_bus(start_platform, config_for):
    start_platform("intake", "review", "negotiation", "contracts", "coordinator")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        signed = to_construction(rpc, 1)
        approved = filed_lead(
            rpc,
            2,
            planned_total_investment="30000000",
            planned_fixed_asset_investment="25000000",
            land_demand={"value": "10", "unit": "mu"},
        )
        approve(rpc, approved)
        wait_for(lambda: state(rpc, signed) == "construction" and state(rpc, approved) == "approved", what="states")
        refs = {rpc.intake.get_lead(IPB_CLERK, p)["ref"]: p for p in (signed, approved)}
        wait_for(
            lambda: books(rpc) == {"information": sorted(refs)[1:], "negotiation": [], "contracted": sorted(refs)[:1]},
            what="the books",
        )

        row = rpc.coordinator.ledger_row(IPB_CLERK, signed)
        assert (row["state"], row["responsible_unit"], row["contracted_investment"], row["tier"], row["is_key"]) == (
            "construction",
            "PARK:hengdong",
            "120000000.00",
            "A",
            True,
        )
        assert row["signed_on"] == today_shanghai().isoformat()
        assert [r["step"] for r in row["requirements"] if r["source"] == "obligation:O1"] == ["缴清土地出让金"]
        assert "重点项目未明确联系县级领导" in localize(row["red_flags"], "zh-CN")

        rpc.coordinator.set_key_project(
            MAGISTRATE,
            signed,
            {
                "liaison_leader": {"user_id": MAGISTRATE["user_id"], "name": "王县长", "position": "county_magistrate"},
                "service_team": [{"name": "赵六", "role": "队长"}],
            },
        )
        rpc.coordinator.record_funds_in_place(
            PARK_HEAD, signed, {"on": today_shanghai().isoformat(), "amount": "20000000"}
        )
        assert [r["ref"] for r in rpc.coordinator.key_projects_of(MAGISTRATE)["items"]] == sorted(refs)[:1]
        year = today_shanghai().year
        result = rpc.coordinator.set_targets(
            MAGISTRATE,
            year,
            {
                "targets": [
                    {
                        "unit": "PARK:hengdong",
                        "projects_signed": 2,
                        "contracted_investment": "240000000",
                        "funds_in_place": "40000000",
                    }
                ]
            },
        )
        hengdong = {u["unit"]: u for u in result["units"]}["PARK:hengdong"]
        assert hengdong["done"] == {
            "projects_signed": 1,
            "contracted_investment": "120000000.00",
            "funds_in_place": "20000000.00",
        }
        assert hengdong["rate"] == {
            "projects_signed": "50.00",
            "contracted_investment": "50.00",
            "funds_in_place": "50.00",
        }

        live = rpc.coordinator.ledger(IPB_CLERK, {"limit": 100})
        assert rpc.coordinator.rebuild_ledger(DIRECTOR) == {"rows": 2}
        assert rpc.coordinator.ledger(IPB_CLERK, {"limit": 100}) == live

        workbook = rpc.coordinator.ledger_workbook(IPB_CLERK)
        sheet = load_workbook(io.BytesIO(base64.b64decode(workbook["content_base64"])))["签约项目台账"]
        assert sheet.cell(row=4, column=2).value == sorted(refs)[0] and sheet.cell(row=4, column=7).value == 12000

        entered = rpc.intake.add_reserve_project(
            DRB,
            {
                "year": year,
                "name": "新能源电池回收利用项目",
                "sector": "C4210",
                "location": {"kind": "park", "id": "hengdong"},
                "total_investment": "60000000",
                "cooperation_mode": "独资",
                "contact_office": "县招商局 0734-5550000",
                "intended_investor": {"name": "某某循环科技有限公司"},
                "contact_person": {"name": "周经理", "phone": "13900139000"},
                "negotiation_notes": "已洽谈两轮，对方关注电价",
                "contract_notes": "框架协议待签",
                "document": {
                    "kind": "proposal",
                    "filename": "建议书.pdf",
                    "content_base64": base64.b64encode(b"%PDF-1.4 proposal").decode(),
                },
            },
        )
        rpc.intake.publish_reserve_project(IPB_CLERK, entered["id"])
        catalog = rpc.intake.public_catalog()
        plan = rpc.intake.reserve_plan(DRB, year)
    catalog = localize(catalog, "zh-CN")  # as the gateway renders it for a reader of Chinese
    assert catalog == {
        "total": 1,
        "items": [
            {
                "ref": entered["ref"],
                "name": "新能源电池回收利用项目",
                "sector": "C4210",
                "sector_name": "金属废料和碎屑加工处理（C4210）",
                "location": "衡东工业园",
                "investment_scale": "6,000.00 万元（B类（5000万元—1亿元））",
                "cooperation_mode": "独资",
                "contact_office": "县招商局 0734-5550000",
            }
        ],
    }
    assert "某某" not in json.dumps(catalog, ensure_ascii=False)
    assert [(t["tier"], t["count"], t["shortfall"]) for t in plan["tiers"]] == [("A", 0, 5), ("B", 1, 4), ("C", 0, 5)]
