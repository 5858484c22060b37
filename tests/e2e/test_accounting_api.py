"""R12 through the gateway: the excess-land fee is one receivable owed by the investor, recovered once."""

from __future__ import annotations

import io

import pytest
from docx import Document
from nameko.standalone.rpc import ClusterRpcProxy

from tests.conftest import wait_for
from tests.integration.flows import leader, to_construction

pytestmark = pytest.mark.e2e
AUDIT = {"user_id": "u-audit", "position": "auditor", "unit": "AUDIT"}
LAND = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND"}
FIN = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}
LEGAL = {"user_id": "u-legal", "position": "legal_officer", "unit": "LEGAL"}


def test_the_fee_is_one_receivable_paid_by_any_recovering_unit_and_written_off_only_by_the_principals(
    api, module_platform
):
    _, _, config = module_platform
    with ClusterRpcProxy(config, timeout=30) as rpc:
        pid = to_construction(rpc, 61)
    acct = f"/api/projects/{pid}/accounting"
    opened = api.post(acct, {"reason": "建设期满"})  # right after the hand-over
    assert opened.status_code == 201, opened.text
    assert api.put(f"{acct}/actual-fai", {"amount": "72000000", "basis": "审计报告"}, actor=AUDIT).ok
    # contracted 100,000,000 ÷ 45 mu = 222.22 万元/亩; 7,200 万元 ÷ 222.22 = 32.40 mu; 45 − 32.40 = 12.60 mu × 180,000
    computed = api.put(f"{acct}/land-used", {"land": {"value": "3", "unit": "ha"}, "basis": "实测"}, actor=LAND).json()
    assert computed["state"] == "computed" and computed["receivable"] is None
    early = api.post(f"{acct}/recovery", {"amount": "1", "note": "x"}, actor=FIN)
    assert early.status_code == 409  # the fee is owed once the report is issued

    issued = api.post(f"{acct}/report", {})
    assert issued.status_code == 201, issued.text
    owed = issued.json()["receivable"]
    assert (issued.json()["state"], owed["amount"], owed["outstanding"], owed["status"]) == (
        "reported",
        "2268000.00",
        "2268000.00",
        "outstanding",
    )
    assert [r["unit"] for r in owed["roles"]] == ["FIN", "LAND", "LEGAL"]
    report = Document(io.BytesIO(api.get(f"{acct}/report.docx").content))
    recovery = [p.text for p in report.paragraphs]
    recovery = recovery[recovery.index("三、费用追缴") + 1 : recovery.index("特此报告。")]
    assert sum(line.count("226.80万元") for line in recovery) == 1  # the fee once (in 万元), and who does what
    assert "县财政局负责向投资方收缴" in recovery[1] and "县法制办负责投资方不缴纳时依法追索" in recovery[1]

    paid = api.post(f"{acct}/recovery", {"amount": "1000000.00", "voucher": "FIN-61-1", "note": "第一笔"}, actor=FIN)
    assert paid.status_code == 201, paid.text
    again = api.post(f"{acct}/recovery", {"amount": "1000000.00", "voucher": "FIN-61-1", "note": "第一笔"}, actor=FIN)
    assert again.json()["receivable"]["paid"] == "1000000.00"  # the same voucher, counted once
    over = api.post(f"{acct}/recovery", {"amount": "1268000.01", "note": "执行款"}, actor=LEGAL)
    assert over.status_code == 422 and "1,268,000.00" in over.json()["details"]["amount"][0]
    assert api.post(f"{acct}/recovery", {"amount": "5", "note": "x"}, actor=AUDIT).status_code == 403
    assert api.post(f"{acct}/recovery", {"note": "已送达超出合理用地处置通知"}, actor=LAND).status_code == 201
    partial = api.post(f"{acct}/recovery", {"amount": "268000.00", "note": "法院执行款"}, actor=LEGAL).json()
    assert (partial["state"], partial["receivable"]["paid"], partial["receivable"]["outstanding"]) == (
        "reported",
        "1268000.00",
        "1000000.00",
    )

    deputy = api.post(
        f"{acct}/write-off", {"decision": "agree", "reason": "x"}, actor=leader("deputy_magistrate_investment")
    )
    assert deputy.status_code == 403
    assert api.post(f"{acct}/write-off", {"decision": "agree"}, actor=leader("county_magistrate")).status_code == 422
    first = api.post(
        f"{acct}/write-off",
        {"decision": "agree", "reason": "企业破产清算，余款无法追回"},
        actor=leader("county_magistrate"),
    )
    assert first.status_code == 201 and first.json()["state"] == "reported"
    done = api.post(
        f"{acct}/write-off", {"decision": "agree", "reason": "同意核销"}, actor=leader("party_secretary")
    ).json()
    owed = done["receivable"]
    assert (done["state"], owed["paid"], owed["written_off"], owed["outstanding"], owed["status"]) == (
        "closed",
        "1268000.00",
        "1000000.00",
        "0.00",
        "written_off",
    )
    assert [(e["unit"], e["kind"]) for e in owed["entries"]] == [
        ("FIN", "payment"),
        ("LAND", "action"),
        ("LEGAL", "payment"),
    ]
    assert all(e["at"].endswith("+08:00") for e in owed["entries"])
    assert api.post(f"{acct}/recovery", {"amount": "1", "note": "x"}, actor=FIN).status_code == 409

    project = wait_for(
        lambda: (p := api.get(f"/api/projects/{pid}").json())["state"] == "closed" and p,
        what="the coordinator heard the accounting closed",
    )
    assert project["facts"]["accounting"] == {
        "fee": "2268000.00",
        "recovered": "1268000.00",
        "written_off": "1000000.00",
    }
    timeline = wait_for(
        lambda: (
            (t := api.get(f"/api/projects/{pid}").json()["timeline"])
            and [e["kind"] for e in t].count("accounting.write_off") == 2
            and t
        ),
        what="both principals' decisions on the timeline",
    )
    kinds = [e["kind"] for e in timeline]
    assert (
        kinds.count("accounting.recovery") == 3
    )  # FIN's payment (its repeat not counted), LAND's act, LEGAL's payment
    assert any("同意核销" in e["summary"] and "经县主要领导决定予以核销" in e["summary"] for e in timeline)
