"""The web app's flows in real headless Chromium, each with a screenshot under tests/browser/output/.

The set-up of the single-step flows (a lead under review, a negotiation awaiting the decision, a contract filed)
goes through the API as ``zhaoshang demo`` does it; the step the issue names is done in the browser
(``flows.py``), and its effect is checked through the API again.  One project walks its whole life — lead to
archives — in the browser alone, the README's way: its people created by the README's own ``zhaoshang add-user``
commands, each signing in with user id and password in the order of the README's table (``whole_life``).  A
project is terminated only with a special report; the administrator creates a user.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

import pytest

from tests.browser.conftest import run_flow
from tests.conftest import wait_for
from tests.factories import credit_code
from zhaoshang import demo

pytestmark = [pytest.mark.browser, pytest.mark.e2e]  # e2e: the whole platform runs

PARK_HEAD = "demo-park,park_head:hengdong,PARK:hengdong"
PARTICIPANTS = [
    {"unit": "PARK:hengdong", "position": "park_head:hengdong"},
    {"unit": "IPB", "position": "ipb_director"},
    {"unit": "LG", "position": "county_leader_in_charge"},
    {"unit": "LAND", "position": "bureau_head"},
]
EARLY = {
    "held_on": "2026-11-20",
    "stage": "early",
    "participants": PARTICIPANTS,
    "agreed": ["总投资1.5亿元", "供地方式：挂牌出让"],
    "open": ["税收奖励"],
    "exceeding_terms": [],
}
FINAL = {
    "held_on": "2026-11-25",
    "stage": "final",
    "participants": PARTICIPANTS + [{"unit": "LEGAL", "position": "legal_director"}],
    "agreed": ["税收奖励按现行政策执行", "2027年3月开工"],
    "open": [],
    "exceeding_terms": [],
    "land": {"value": "45", "unit": "mu"},
}


def project_page(base: str, project_id: str, actor: str, expect: list[str], name: str) -> dict:
    """The project's page as ``actor`` (dev actor mode) once ``expect``'s selectors show: each one's text, a screenshot."""
    return run_flow("project_page", base=base, project_id=project_id, actor=actor, expect=expect, name=name)


def reviewed_lead(base: str, n: int, name: str) -> dict:
    """A lead registered, filed and under joint review (as the demo does it)."""
    return demo._file_and_review(
        base,
        demo.sample_lead(
            n=n,
            project_name=name,
            land_demand={"value": "45", "unit": "mu"},
            planned_fixed_asset_investment="100000000",
        ),
    )


def negotiated_lead(base: str, n: int, name: str) -> dict:
    lead = reviewed_lead(base, n, name)
    demo._approve(base, lead)
    demo._negotiate(base, lead, [EARLY, FINAL])
    return lead


def test_ipb_clerk_registers_and_files_a_lead(web):
    api, base, _ = web
    form = {
        "#f-project_name": "年产2万吨新型建材项目",
        "#f-investor_name": "湖南浏览器测试建材有限公司",
        "#f-credit_code": credit_code("91430100MA4L7B01C"),
        "#f-contact_name": "赵经理",
        "#f-contact_phone": "0731-55556666",
        "#f-contact_email": "zhao@example.com",
        "#f-sector": "C3031",
        "#f-planned_total_investment": "9000",
        "#f-planned_fixed_asset_investment": "0.8亿",
        "#f-land_value": "30",
        "#f-location_id": "hengdong",
    }
    result = run_flow("register_and_file_lead", base=base, lead=form)
    lead_id = result["lead_id"]
    assert Path(result["screenshot"]).exists()
    lead = api.get(f"/api/leads/{lead_id}").json()
    assert lead["status"] == "filed" and lead["project_name"] == "年产2万吨新型建材项目" and lead["land_mu"] == "30.00"
    # typed as 9000 (万元, the form's default) and 0.8亿: sent in yuan
    assert (
        Decimal(lead["planned_total_investment"]) == 90000000
        and Decimal(lead["planned_fixed_asset_investment"]) == 80000000
    )
    project = wait_for(
        lambda: (p := api.get(f"/api/projects/{lead_id}").json()).get("state") == "filed" and p,
        what="the project filed",
    )
    assert project["timeline"][-1]["reason"] == "材料齐全，同意立项"
    assert project["timeline"][-1]["actor"]["user_id"] == "u-ipb-1"


def test_bureau_reviewer_enters_an_opinion(web):
    api, base, _ = web
    lead = reviewed_lead(base, 4, "浏览器测试审查项目")
    result = run_flow("review_opinion", base=base, project_id=lead["id"])
    assert Path(result["screenshot"]).exists()
    review = api.get(f"/api/projects/{lead['id']}/review").json()
    [drb] = [o for o in review["opinions"] if o["unit"] == "DRB"]
    assert drb["opinion"] == "conditional" and drb["conditions"] == ["投产后三年内研发投入不低于营业收入的3%"]
    assert drb["actor"]["user_id"] == "rev-drb"


def test_a_reader_outside_a_stage_finds_its_card_not_theirs_and_no_refusal_for_its_steps(web):
    """LEGAL reads every project but not its joint review (R15): on a project under review the review's card says it
    is not for this position, and where the next steps are there is nothing, not a refusal (no step is LEGAL's)."""
    _, base, _ = web
    lead = reviewed_lead(base, 11, "浏览器测试法制办查阅项目")
    page = project_page(
        base,
        lead["id"],
        "u-legal,legal_director,LEGAL",
        ["#card-review p.muted", "main"],
        "legal-director-project-under-review",
    )
    review = page["text"]["#card-review p.muted"]  # the card's text
    assert "本岗位无权查看此部分" in review, review
    assert "无权执行此操作" not in page["text"]["main"] and "联审中" in page["text"]["main"], page["text"]["main"]
    # IPB reads the review: that no opinion is given yet is said, not an empty table
    page = project_page(base, lead["id"], "u-ipb-1,ipb_clerk,IPB", ["#card-review #opinions-table"], "ipb-under-review")
    assert "尚无单位出具意见" in page["text"]["#card-review #opinions-table"]  # (the card's text)


def test_park_head_decides(web):
    api, base, _ = web
    lead = negotiated_lead(base, 5, "浏览器测试决策项目")
    result = run_flow("park_head_decides", base=base, project_id=lead["id"], actor=PARK_HEAD)
    assert Path(result["screenshot"]).exists()
    wait_for(lambda: api.get(f"/api/projects/{lead['id']}").json()["state"] == "agreed", what="agreed")
    decisions = api.get(f"/api/projects/{lead['id']}/negotiation").json()["decisions"]
    assert "agree" in str(decisions["park_head:hengdong"]), decisions
    page = project_page(
        base,
        lead["id"],
        PARK_HEAD,
        ["#card-route ul li", "#card-review #opinions-table", "#sessions-table"],
        "3b-project-page-after-decision",
    )
    assert "约定用地45.00 亩，不超过60.00 亩" in page["text"]["#card-route ul li"]  # the route's reason in Chinese
    sessions = page["text"]["#sessions-table"]  # who took part, each unit named once
    assert "县法制办主任" in sessions and "县国土资源局局长" in sessions and "法制办法制办" not in sessions, sessions


def test_custodians_register(web):
    api, base, _ = web
    lead = negotiated_lead(base, 6, "浏览器测试合同项目")
    demo._try(
        base,
        "POST",
        f"/api/projects/{lead['id']}/decision-route/decisions",
        demo._leader("park_head:hengdong", "PARK:hengdong"),
        {"decision": "agree"},
    )
    demo._print_project(base, lead, "agreed")
    demo._contract_to_construction(base, lead, "park_head:hengdong", "PARK:hengdong")
    result = run_flow("custodian_register", base=base, actor="fin-archivist,archivist,FIN")
    assert Path(result["screenshot"]).exists()
    assert lead["ref"] in result["held"] and "第3份" in result["held"] and "财政局 合同柜 F-3" in result["held"]
    assert "财政局 档案员" in result["custodians"]
    page = project_page(
        base, lead["id"], "fin-archivist,archivist,FIN", ["#card-contract table"], "4b-project-page-contract"
    )
    assert "取得项目用地并缴清土地出让金" in page["text"]["#card-contract table"]
    assert "按期开工建设" in page["text"]["#card-contract table"]  # R6: the dates became obligations at signing


SECRETS = ("保密意向投资方有限公司", "保密联系人", "13900001111", "保密洽谈记录", "保密合同备注", "建议书.pdf")


def test_public_catalog_shows_no_confidential_field(web):
    api, base, config = web
    from nameko.standalone.rpc import ClusterRpcProxy

    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    drb = {"user_id": "drb-1", "position": "reserve_clerk", "unit": "DRB"}
    with ClusterRpcProxy(config, timeout=20) as rpc:  # the reserve is entered over the bus
        entry = rpc.intake.add_reserve_project(
            drb,
            {
                "year": 2026,
                "name": "浏览器测试公开招商项目",
                "sector": "C3252",
                "location": {"kind": "park", "id": "hengdong"},
                "total_investment": "300000000",
                "cooperation_mode": "独资",
                "contact_office": "县投资促进局 0731-1234567",
                "description": "铝型材深加工",
                "intended_investor": {"name": "保密意向投资方有限公司"},
                "contact_person": {"name": "保密联系人", "phone": "13900001111"},
                "negotiation_notes": "保密洽谈记录：让利条件",
                "contract_notes": "保密合同备注",
                "document": {
                    "kind": "proposal",
                    "filename": "建议书.pdf",
                    "content_base64": base64.b64encode(pdf).decode(),
                },
            },
        )
        rpc.intake.publish_reserve_project(drb, entry["id"])
    result = run_flow("public_catalog", base=base)  # nobody signed in
    assert Path(result["screenshot"]).exists()
    assert result["url"].endswith("/catalog") and "登录" not in result["text"].split("公开招商项目库", 1)[-1]
    for secret in SECRETS:
        assert secret not in result["text"]
    assert any("catalog" in p for p in api.get("/api/openapi.json").json()["paths"])
    assert "浏览器测试公开招商项目" in result["text"]
    for body in result["api"]:  # nor did the answers the page read carry them
        assert not any(s in body for s in SECRETS + ("intended_investor", "contact_person", "negotiation_notes"))
    # the entry's own page (where the search leads): its owner reads it whole, in Chinese, at a desk and on a phone
    for phone in (False, True):
        own = run_flow("reserve_entry", base=base, actor="drb-1,reserve_clerk,DRB", entry_id=entry["id"], phone=phone)
        assert "浏览器测试公开招商项目" in own["text"] and "保密意向投资方有限公司" in own["detail"]
        assert "县发改局" in own["detail"] and "已公开" in own["detail"] and not own["overflow"]
    # a park that does not own it is refused, in Chinese, and shown none of it
    other = run_flow("reserve_entry", base=base, actor="hx-head,park_head:hexi,PARK:hexi", entry_id=entry["id"])
    assert "保密意向投资方有限公司" not in other["text"] and "浏览器测试公开招商项目" not in other["text"]


def test_language_switch_and_api_reference(web):
    _, base, _ = web
    result = run_flow("language_switch", base=base)
    assert "总览" in result["zh"] and "Dashboard" in result["en"]
    assert "/api/projects/{project_id}/review/opinions" in result["docs"]


def test_a_user_signs_in_with_a_password_and_signs_out(web):
    api, base, config = web
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy(config, timeout=20) as rpc:  # what `zhaoshang add-user` does
        rpc.gateway.provision_user(
            {"user_id": "operator", "position": "system", "unit": "SYSTEM"},
            {
                "user_id": "wang.clerk",
                "name": "王文员",
                "password": "Wang#Desk-Lamp-26",
                "position": "ipb_clerk",
                "unit": "IPB",
            },
        )
    result = run_flow("sign_in", base=base, user_id="wang.clerk", password="Wang#Desk-Lamp-26")
    assert "用户名或密码错误" in result["refusal"]  # the gateway's message, in Chinese first (R18)
    assert "王文员" in result["who"] and "招商局工作人员" in result["who"] and "县招商局" in result["who"]
    assert "ipb_clerk" not in result["who"]  # names, not codes
    assert result["screenshot"].endswith("0-signed-in-dashboard.png")


LIFE = [
    "filed",
    "under_review",
    "returned",
    "under_review",
    "approved",
    "assigned",
    "negotiating",
    "agreed",
    "drafting",
    "legal_review",
    "drafting",
    "legal_review",
    "signed",
    "filed_copies",
    "construction",
    "accounting",
    "closed",
    "archived",
]


LEAD = {
    "#f-project_name": "年产5万吨高性能铝合金型材项目",
    "#f-investor_name": "湖南恒达新材料有限公司",
    "#f-credit_code": "91430100MA4L0XXX79",
    "#f-contact_name": "王经理",
    "#f-contact_phone": "0731-88886666",
    "#f-sector": "C3252",
    "#f-planned_total_investment": "15000",
    "#f-planned_fixed_asset_investment": "10000",
    "#f-land_value": "45",
    "#f-location_id": "hengdong",
}  # the README's sample lead (its step 1 says so)


def test_one_project_walks_its_whole_life_in_the_browser(web, readme_people):
    """Lead to archives, every step in its form on the project page, each person of the README signing in with her
    password as the README's table says."""
    api, base, _ = web
    people = readme_people
    assert people["address"] == base + "/"  # the address the README's commands printed is where they sign in
    step_1 = {n: text for n, _, text in people["steps"]}[1]
    for value in LEAD.values():
        assert value in step_1, f"the README's step 1 does not give {value}"
    result = run_flow(
        "whole_life",
        base=people["address"].rstrip("/"),
        lead=LEAD,
        people=people["people"],
        password=people["password"],
    )
    print(f"whole life: {len(result['sign_ins'])} sign-ins, {result['signing_in_seconds']} s signing in")
    assert result["sign_ins"] == people["sign_ins"]  # who signed in for which step: the README's table, exactly
    assert {p["user_id"] for p in people["people"]} == {user for _, user in result["sign_ins"]}
    assert result["requests"]["actor_headers"] == 0 and result["requests"]["bearer"] > 100  # signed in: tokens only
    assert "李文员 招商局工作人员 · 县招商局" in result["who"] and "DEV" not in result["who"]
    pid = result["project_id"]
    assert result["states"] == LIFE  # the page showed each state in turn
    for path in result["screenshots"]:
        assert Path(path).exists() and Path(path).stat().st_size > 10_000, path

    project = api.get(f"/api/projects/{pid}").json()
    assert project["state"] == "archived"
    assert [s["to_state"] for s in project["timeline"] if s["kind"] == "transition"][1:] == LIFE

    review = api.get(f"/api/projects/{pid}/review").json()  # R2: a return, a resubmission, every unit in round 2
    assert review["round"] == 2 and review["outcome"] == "approved" and "第2轮" in result["round"]
    assert [(r["unit"], r["request"]) for r in review["returns"]] == [("LAND", "请补充项目用地红线图")]
    assert {o["unit"] for o in review["opinions"] if o["round"] == 2} == set(review["required_units"])
    assert "投产后三年内研发投入不低于营业收入的3%" in result["opinions"]

    negotiation = api.get(f"/api/projects/{pid}/negotiation").json()  # R3, R4, R5
    assert negotiation["intermediary"] == {"none": True} and negotiation["responsible_unit"] == "PARK:hengdong"
    assert "衡东工业园" in result["ranking"] and "涵盖铝压延加工（C3252）" in result["ranking"]  # the reason in Chinese
    early, final = negotiation["sessions"]
    assert early["stage"] == "early" and final["stage"] == "final" and Decimal(final["land_mu"]) == 45
    assert {"unit": "LEGAL", "position": "legal_director", "name": None} in final["participants"]
    refusal = result["session_refusal"]  # who is missing, in Chinese, beside the server's own rule
    assert "输入不符合规则" in refusal and "本次洽谈缺少：县法制办（后期洽谈须参加）" in refusal
    assert negotiation["decisions"] == {"park_head:hengdong": "agree"}
    assert "等待 衡东工业园管委会主任" in result["decision_waiting"]

    contract = api.get(f"/api/projects/{pid}/contract").json()  # R6, R13
    assert [(v["version"], v["status"]) for v in contract["versions"]] == [(1, "returned"), (2, "approved")]
    assert contract["versions"][0]["legal_comments"] == ["第七条违约责任需明确违约金计算方式"]
    assert "第七条违约责任需明确违约金计算方式" in result["returned"] and result["intensity"] == "222.22 万元/亩"
    assert contract["signed_version"] == 2 and contract["signed_by"]["position"] == "park_head:hengdong"
    assert contract["investor_signatory"] == {"name": "张总", "title": "董事长"}
    assert Path(result["docx"]).read_bytes()[:2] == b"PK" and result["docx"].endswith("-v1.docx")
    assert sorted(c["unit"] for c in contract["copies"]) == sorted(
        ["GOV", "IPB", "FIN", "LAND", "LEGAL", "IND", "IPB", "PARK:hengdong"]
    )
    assert "衡东工业园未持有正本" in result["copies_refusal"] and "已登记正本7份，至少须8份" in result["copies_refusal"]
    assert "PARK:hengdong 合同柜 1号" in result["custodians"]
    assert contract["archived"]["to"] == "ARCH"

    accounting = api.get(f"/api/projects/{pid}/accounting").json()  # R12
    figures = {f["name"]: f["value"] for f in accounting["figures"]}
    assert (
        accounting["state"] == "closed"
        and figures["excess_land"] == "4.50"
        and figures["fee_to_recover"] == "810000.00"
    )
    assert "应追缴费用" in result["figures"] and "4.50 亩 × 18.00 万元/亩" in result["figures"]
    owed = accounting["receivable"]  # the fee once: FIN's payment and the principals' write-off add up to it
    assert (owed["amount"], owed["paid"], owed["written_off"], owed["status"]) == (
        "810000.00",
        "500000.00",
        "310000.00",
        "written_off",
    )
    assert "810,000" in result["receivable"] and "负责向投资方收缴" in result["receivable"]
    assert Path(result["report_docx"]).read_bytes()[:2] == b"PK"
    assert Path(result["report_pdf"]).read_bytes()[:4] == b"%PDF"


def test_the_administrator_creates_a_user_who_signs_in(web):
    api, base, config = web
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy(config, timeout=20) as rpc:  # what `zhaoshang create-admin` does
        rpc.gateway.provision_user(
            {"user_id": "operator", "position": "system", "unit": "SYSTEM"},
            {
                "user_id": "admin",
                "name": "系统管理员",
                "password": "Root#Keeper-Lamp-26",
                "position": "ipb_admin",
                "unit": "IPB",
                "is_admin": True,
            },
        )
    user = {
        "user_id": "zhao.reviewer",
        "name": "赵审查",
        "password": "zhao-pass-2026!",
        "position": "reviewer",
        "unit": "LAND",
    }
    result = run_flow("admin_creates_a_user", base=base, admin="admin", password="Root#Keeper-Lamp-26", user=user)
    assert Path(result["screenshot"]).exists()
    assert "输入不符合规则" in result["refusal"] and "密码" in result["refusal"]  # the field by its name
    assert "zhao.reviewer" in result["users"] and "县国土资源局" in result["users"]
    assert "赵审查" in result["who"] and "审查人员" in result["who"] and "县国土资源局" in result["who"]
    assert "用户管理" not in result["nav"]  # the page is the administrator's only
    users = api.get("/api/users", actor={"user_id": "admin", "position": "ipb_admin", "unit": "IPB"}).json()
    [row] = [u for u in users if u["user_id"] == "zhao.reviewer"]
    assert (row["position"], row["unit"], row["active"], row["is_admin"]) == ("reviewer", "LAND", True, False)


def test_a_project_is_terminated_only_with_a_special_report(web):
    """R11 on the project page: the IPB director's termination is refused without a special report (in Chinese,
    naming the rule); the park (the responsible unit) files one; the director terminates citing it."""
    api, base, _ = web
    lead = negotiated_lead(base, 8, "浏览器测试终止项目")
    park = {"user_id": "demo-park", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
    wait_for(lambda: api.get(f"/api/projects/{lead['id']}").json()["state"] == "negotiating", what="negotiating")
    wait_for(
        lambda: api.get(f"/api/special-reports?project_id={lead['id']}", actor=park).ok,
        what="the supervision service knowing the park is responsible",
    )
    result = run_flow(
        "terminate_with_special_report",
        base=base,
        project_id=lead["id"],
        director="ipb-director,ipb_director,IPB",
        unit_actor=PARK_HEAD,
    )
    refusal = result["refusal"]
    assert "输入不符合规则" in refusal and "须先向县领导小组报送专题报告" in refusal and "字段专题报告" in refusal
    [report] = api.get(f"/api/special-reports?project_id={lead['id']}").json()
    assert report["cause"] == "cannot_go_ahead" and report["filed_by"]["unit"] == "PARK:hengdong"
    assert report["document"]["filename"] == "专题报告.pdf" and report["document"]["content_type"] == "application/pdf"
    assert report["ref"] in result["filed"] and report["ref"] in result["reports"] and result["chosen"] == report["ref"]
    project = api.get(f"/api/projects/{lead['id']}").json()
    assert project["state"] == "terminated" and project["facts"]["special_report_ref"] == report["ref"]
    last = [s for s in project["timeline"] if s["kind"] == "transition"][-1]
    assert (last["to_state"], last["actor"]["position"], last["reason"]) == (
        "terminated",
        "ipb_director",
        "投资方资金链断裂，项目无法推进",
    )
    assert "项目已终止" in result["terminated"] and report["ref"] in result["terminated"]
    for path in result["screenshots"]:
        assert Path(path).exists() and Path(path).stat().st_size > 10_000, path
