"""R17 through the gateway: a project signed on standard land, its completion figures entered by the units that own
them and last year's imported into the enterprise data store (a bad file stores nothing), a shortfall, its
rectification, damages by the contract's clause with the special report to the Leading Group it is (R7), the damages
reduced by both principals (one agreeing changes nothing, a refusal ends the round) and paid in full (one
receivable)."""

from __future__ import annotations

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from shared.clock import today_shanghai
from tests.conftest import wait_for
from tests import enterprises as gen
from tests.factories import IPB_CLERK, credit_code
from tests.integration.flows import LEGAL, PARK_HEAD, SIGNATORY, agreed

pytestmark = pytest.mark.e2e
FIN = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}
IND = {"user_id": "u-ind", "position": "bureau_head", "unit": "IND"}
DRB = {"user_id": "u-drb", "position": "bureau_head", "unit": "DRB"}
LAND = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND"}
AUDIT = {"user_id": "u-audit", "position": "auditor", "unit": "AUDIT"}
PARK = {"user_id": "u-hd-clerk", "position": "park_clerk", "unit": "PARK:hengdong"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "GOV"}
SECRETARY = {"user_id": "u-sec", "position": "party_secretary", "unit": "LG"}


def signed_today(rpc, n: int) -> str:
    """An agreed hengdong project (45 mu, 1 亿元 fixed assets) drafted with its completion and full-production
    dates today, approved by LEGAL and signed: its checks fall due at once."""
    pid = agreed(rpc, n)
    today = today_shanghai().isoformat()
    terms = {
        "construction_start": today,
        "completion": today,
        "production": today,
        "commitments": [{"indicator": "output_per_mu", "value": "550"}],
    }
    draft = rpc.contracts.draft(IPB_CLERK, pid, terms)  # right after the decision
    assert draft["state"] == "drafting"
    rpc.contracts.submit(IPB_CLERK, pid, {"version": 1})
    rpc.contracts.legal_review(LEGAL, pid, {"version": 1, "decision": "approve"})
    rpc.contracts.sign(PARK_HEAD, pid, {"version": 1, "investor_signatory": SIGNATORY})
    return pid


def test_signing_to_a_settled_damages_receivable(api, module_platform):
    _, _, config = module_platform
    with ClusterRpcProxy(config, timeout=30) as rpc:
        pid = signed_today(rpc, 171)
    sl = f"/api/projects/{pid}/standard-land"
    view = wait_for(lambda: (v := api.get(sl).json()).get("commitments") and v, what="supervision heard the signing")
    committed = {c["indicator"]: c["value"] for c in view["commitments"]}
    # hengdong, C35: the policy's floors; the intensity the contract's (1 亿元 ÷ 45 mu); output stronger, as drafted
    assert committed == {
        "intensity": "222.22",
        "plot_ratio": "1.2",
        "output_per_mu": "550",
        "tax_per_mu": "30",
        "energy_per_output": "0.2",
    }
    assert [c["stage"] for c in view["checks"]][:2] == ["completion", "production"]
    assert view["commitments"][0]["name"] == "固定资产投资强度"  # Chinese first
    floors = api.get(f"{sl}/floors").json()
    assert {f["indicator"]: f["floor"] for f in floors}["tax_per_mu"] == "30"

    year = today_shanghai().year - 1
    # bad input changes nothing: not the owner's figure, a figure out of its range, no year
    refused = api.post(f"{sl}/figures", {"figure": "tax", "year": year, "value": "10800000", "reason": "x"}, actor=IND)
    assert refused.status_code == 403 and "县财政局" in refused.json()["message"]
    bad = api.post(f"{sl}/figures", {"figure": "plot_ratio", "value": "35", "reason": "x"}, actor=LAND)
    assert bad.status_code == 422 and "value" in bad.json()["details"]
    assert api.post(f"{sl}/figures", {"figure": "tax", "value": "1", "reason": "x"}, actor=FIN).status_code == 422
    assert api.get(sl).json()["figures"] == []

    # the completion figures: AUDIT's investment, LAND's land and plot ratio
    api.post(
        f"{sl}/figures", {"figure": "fixed_asset_investment", "value": "100000000", "reason": "审计报告"}, actor=AUDIT
    )
    api.post(f"{sl}/figures", {"figure": "land_used_mu", "value": "45", "reason": "竣工测量"}, actor=LAND)
    view = api.post(f"{sl}/figures", {"figure": "plot_ratio", "value": "1.35", "reason": "规划核实"}, actor=LAND).json()
    completion = next(c for c in view["checks"] if c["stage"] == "completion")
    assert completion["status"] == "done" and {r["result"] for r in completion["results"]} == {"met"}
    # last year's data, imported into the enterprise data store by the units that own it (keyed by the credit code):
    # 45 mu × 30 万元/亩 committed = 1 350 万元; 1 080 万元 paid → 24 万元/亩
    code = credit_code(f"91430100MA4L{171:05d}")  # the investor's of lead 171 (tests.factories)
    output = gen._xlsx(["统一社会信用代码", "年度", "工业总产值（万元）"], [[code, year, 27000]], "企业年度数据")
    assert api.post("/api/enterprise-figures/import", gen.upload("产值.xlsx", output), actor=IND).status_code == 201
    energy = gen._csv(["统一社会信用代码", "年度", "综合能耗（吨标准煤）"], [[code, year, "4000"]])
    assert api.post("/api/enterprise-figures/import", gen.upload("能耗.csv", energy), actor=DRB).status_code == 201
    bad = gen._csv(["统一社会信用代码", "年度", "税收（万元）"], [[code, year, "1080"], [code[:17] + "X", year, "5"]])
    refused = api.post("/api/enterprise-figures/import", gen.upload("税收有误.csv", bad), actor=FIN)
    assert refused.status_code == 422 and "第3行" in refused.json()["message"]  # nothing of the file is stored
    assert next(c for c in api.get(sl).json()["checks"] if c["stage"] == "production")["status"] == "awaiting_data"
    tax = gen._csv(["统一社会信用代码", "年度", "税收（万元）"], [[code, year, "1080"]])
    assert api.post("/api/enterprise-figures/import", gen.upload("税收.csv", tax), actor=FIN).status_code == 201
    view = api.get(sl).json()
    production = next(c for c in view["checks"] if c["stage"] == "production")
    results = {r["indicator"]: (r["actual"], r["result"]) for r in production["results"]}
    assert results == {
        "output_per_mu": ("600", "met"),
        "tax_per_mu": ("24", "short"),
        "energy_per_output": ("0.1481", "met"),
    }
    [rect] = view["rectifications"]
    assert (rect["indicator"], rect["status"], rect["status_name"]) == ("tax_per_mu", "open", "整改中")
    inbox = wait_for(
        lambda: [
            n
            for n in api.get("/api/inbox", actor=PARK).json()["items"]
            if "整改" in n["title"] and n["project_id"] == pid
        ],
        what="the park told of the rectification",
    )
    assert "亩均税收" in inbox[0]["text"]

    # the enterprise reports it rectified; checked again on the data: still short → the tax clause
    view = api.post(f"{sl}/rectifications/{rect['id']}/recheck", {"note": "已补报"}, actor=PARK).json()
    [damages] = view["damages"]
    assert (damages["amount"], damages["outstanding"], damages["status"]) == ("2700000.00", "2700000.00", "outstanding")
    assert "270" in damages["formula"]  # (30 − 24) × 45 mu = 270 万元
    assert view["rectifications"][0]["status"] == "damages"
    # R7: a commitment unmet past its rectification is a special report to the Leading Group, in the register
    register = api.get(f"/api/special-reports?project_id={pid}", actor=SECRETARY)
    assert register.status_code == 200, register.text
    [filed] = [r for r in register.json() if r["cause"] == "unmet_commitment"]
    assert (filed["rectification_id"], filed["cause_name"]) == (rect["id"], "标准地承诺整改期满仍未达标")
    assert "亩均税收" in filed["summary"] and "270" in filed["summary"]
    assert filed["document"]["filename"].endswith("专题报告.docx")
    assert view["rectifications"][0]["special_report_ref"] == filed["ref"]

    pay = f"{sl}/damages/{damages['id']}/payments"
    assert api.post(pay, {"amount": "1.00"}, actor=IND).status_code == 403
    assert api.post(pay, {"amount": "2000000.00", "voucher": "FIN-171-1"}, actor=FIN).status_code == 201
    over = api.post(pay, {"amount": "700000.01"}, actor=LEGAL)
    assert over.status_code == 422 and "amount" in over.json()["details"]
    # only the principals reduce, both of them: one's agreement changes nothing, a refusal ends the round
    reduce = f"{sl}/damages/{damages['id']}/reductions"
    propose = {"decision": "agree", "amount": "100000.00", "reason": "企业受灾，酌情减免"}
    assert api.post(reduce, {**propose, "reason": "x"}, actor=FIN).status_code == 403
    first = api.post(reduce, propose, actor=MAGISTRATE)
    assert first.status_code == 201, first.text
    [waiting] = first.json()["damages"]
    assert (waiting["reduced"], waiting["outstanding"]) == ("0.00", "700000.00")
    assert waiting["reduction"]["pending"]["awaiting"] == ["party_secretary"]
    again = api.post(reduce, {"decision": "agree", "reason": "再次同意"}, actor=MAGISTRATE)
    assert again.status_code == 409 and "position" in again.json()["details"]
    refused = api.post(reduce, {"decision": "refuse", "reason": "受灾证明不全"}, actor=SECRETARY)
    assert refused.status_code == 201, refused.text
    [after] = refused.json()["damages"]
    assert (after["reduced"], after["outstanding"], after["reduction"]["pending"]) == ("0.00", "700000.00", None)
    assert api.post(reduce, propose, actor=MAGISTRATE).status_code == 201
    agreed_ = api.post(reduce, {"decision": "agree", "reason": "受灾属实，同意减免"}, actor=SECRETARY)
    assert agreed_.status_code == 201, agreed_.text
    [after] = agreed_.json()["damages"]
    assert (after["reduced"], after["outstanding"], after["reduction"]["pending"]) == ("100000.00", "600000.00", None)
    assert [(d["position"], d["decision"], d["outcome"]) for d in after["reduction"]["decisions"]] == [
        ("county_magistrate", "agree", None),
        ("party_secretary", "refuse", "refused"),
        ("county_magistrate", "agree", None),
        ("party_secretary", "agree", "reduced"),
    ]
    done = api.post(pay, {"amount": "600000.00", "voucher": "LEGAL-171-1"}, actor=LEGAL)
    assert done.status_code == 201, done.text
    [damages] = done.json()["damages"]
    assert (damages["paid"], damages["reduced"], damages["outstanding"], damages["status"]) == (
        "2600000.00",
        "100000.00",
        "0.00",
        "settled",
    )
    assert [(e["kind"], e["by"]["unit"]) for e in damages["entries"]] == [
        ("payment", "FIN"),
        ("reduction", "LG"),
        ("payment", "LEGAL"),
    ]
    assert api.post(pay, {"amount": "1.00"}, actor=FIN).status_code == 409
    timeline = wait_for(
        lambda: (
            [
                e
                for e in api.get(f"/api/projects/{pid}").json()["timeline"]
                if e["kind"] == "supervision.damages_settled"
            ]
            and api.get(f"/api/projects/{pid}").json()["timeline"]
        ),
        what="the project's file tells the rectification, the damages, the settlement",
    )
    said = [e.get("reason") or e.get("summary") for e in timeline if e["kind"].startswith("supervision.")]
    kinds = [e["kind"] for e in timeline if e["kind"].startswith("supervision.")]
    told = ("supervision.damages_recorded", "supervision.damages_reduction_decided")
    assert [k for k in kinds if k not in told][-3:] == [
        "supervision.rectification_opened",
        "supervision.commitment_unmet",
        "supervision.damages_settled",
    ], kinds
    assert "supervision.damages_recorded" in kinds[kinds.index("supervision.commitment_unmet") :], kinds
    assert kinds.count("supervision.damages_reduction_decided") == 4, kinds
    assert any("减免" in (x or "") and "未获同意" in (x or "") for x in said), said
    assert any("亩均税收" in (x or "") and "270" in (x or "") for x in said), said
