"""Each position's day at the workbench, in real headless Chromium at 1366 px and at 390 px (a phone).

The set-up goes through the API as ``zhaoshang demo`` does (a lead registered, one under joint review, one awaiting
the park head's decision); each position then opens the web app (dev actor mode): the workbench shows its to-dos
with their counts, each to-do opens its form, the inbox marks a notice read, search finds the project by two
characters of its name and by its credit code, and — for the positions that attach documents — an attachment
uploads and downloads with its checksum while a file of the wrong type (by content) is refused and stores nothing.
No page scrolls horizontally at either width.  The ledger's print view renders to a PDF of A4 landscape pages; the
呈批件 and the review's 审批单 print with their signature blocks; a session survives a project opened in a new tab.
Screenshots: tests/browser/output/wb-*.png (README, docs/WEBAPP.md).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.browser.conftest import run_flow
from tests.browser.driver import OUTPUT
from tests.browser.test_webapp import EARLY, FINAL
from tests.conftest import wait_for
from zhaoshang import demo

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

NAME = "年产3万吨高端铝型材项目"
IPB = "wb-ipb,ipb_clerk,IPB"
DRB = "wb-drb,reviewer,DRB"
PARK = "demo-park,park_head:hengdong,PARK:hengdong"
LG = "wb-mag,county_magistrate,LG"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)


def actor(text: str) -> dict:
    user_id, position, unit = text.split(",")
    return {"user_id": user_id, "position": position, "unit": unit}


@pytest.fixture(scope="module")
def day(web):
    """A lead (IPB files it), a project under joint review (the units give opinions), one awaiting the park head's
    decision; the files to attach."""
    api, base, config = web
    reviewed = demo._file_and_review(
        base,
        demo.sample_lead(
            n=21,
            project_name=NAME,
            land_demand={"value": "45", "unit": "mu"},
            planned_fixed_asset_investment="100000000",
        ),
    )
    negotiated = demo._file_and_review(
        base,
        demo.sample_lead(
            n=22,
            project_name="浏览器测试洽谈项目",
            land_demand={"value": "45", "unit": "mu"},
            planned_fixed_asset_investment="100000000",
        ),
    )
    demo._approve(base, negotiated)
    demo._negotiate(base, negotiated, [EARLY, FINAL])
    lead = demo._try(
        base, "POST", "/api/leads", demo.CLERK, demo.sample_lead(n=23, project_name="浏览器测试待立项线索")
    )
    for owner, problem in (("unit:PARK:hengdong", "园区道路尚未接通"), ("unit:DRB", "能评指标需协调")):  # R11, by IPB
        raised = api.post(
            f"/api/projects/{negotiated['id']}/tracking/problems", {"description": problem, "owner": owner}
        )
        assert raised.status_code == 201, raised.text
    ids = {
        "file_lead": lead["id"],
        "opinion": reviewed["id"],
        "decide": negotiated["id"],
        "search": reviewed["id"],
        "resolve_problem": negotiated["id"],
    }

    def kinds(who):
        return {(i["kind"], i["project_id"]) for i in api.get("/api/workbench", actor=actor(who)).json()["items"]}

    wait_for(lambda: ("file_lead", lead["id"]) in kinds(IPB), what="IPB's to-do: file the lead")
    wait_for(lambda: ("opinion", reviewed["id"]) in kinds(DRB), what="DRB's to-do: its opinion")
    wait_for(lambda: ("decide", negotiated["id"]) in kinds(PARK), what="the park head's to-do: decide")
    for who in (PARK, DRB):
        wait_for(
            lambda: ("resolve_problem", negotiated["id"]) in kinds(who), what=f"{who}'s to-do: resolve the problem"
        )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "wb-licence.pdf").write_bytes(PDF)
    (OUTPUT / "wb-photo-named-as.pdf").write_bytes(PNG)  # a PNG by its content, whatever its name says
    return {
        "api": api,
        "base": base,
        "config": config,
        "ids": ids,
        "code": reviewed["investor"]["credit_code"],
        "reviewed": reviewed,
        "negotiated": negotiated,
    }


def unread_notice(api, project_id: str, who: str, width: int) -> int:
    """A notice this person has not read: IPB's reminder (督办) addressed to them, fired by supervision's timer a
    moment later and delivered to their inbox by notifications; its id."""
    person = actor(who)
    note = f"浏览器测试督办：请{width}像素宽时阅读"
    at = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(seconds=2)).isoformat()
    answer = api.post(
        f"/api/projects/{project_id}/tracking/reminders", {"at": at, "note": note, "to": [f"user:{person['user_id']}"]}
    )
    assert answer.status_code == 201, answer.text

    def arrived():
        items = api.get("/api/inbox", actor=person).json()["items"]
        return next((n["id"] for n in items if note in (n.get("text") or "") and not n["read_at"]), None)

    return wait_for(arrived, timeout=30, what=f"the reminder in {person['user_id']}'s inbox")


DAYS = {  # who: (actor, the to-dos to open and the form each opens, what to attach, what is refused)
    "ipb": (
        IPB,
        {"file_lead": "#file-form"},
        {"kind": "business_licence", "path": "wb-licence.pdf"},
        {"kind": "proposal", "path": "wb-photo-named-as.pdf"},
    ),
    "drb": (
        DRB,
        {"opinion": ".queue-item form", "resolve_problem": "#card-problems form.resolve-form"},
        {"kind": "review_opinion", "path": "wb-licence.pdf"},
        None,
    ),
    "park": (
        PARK,
        {
            "decide": ".decision-item form",
            "opinion": ".queue-item form",
            "resolve_problem": "#card-problems form.resolve-form",
        },
        None,
        None,
    ),
    "lg": (LG, {}, None, None),
}


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("who", list(DAYS))
def test_a_position_s_day_at_the_workbench(day, who, width):
    who_actor, todos, attach, refused = DAYS[who]
    api = day["api"]
    before = api.get(f"/api/projects/{day['ids']['search']}/attachments").json()["items"]
    unread_notice(api, day["ids"]["search"], who_actor, width)
    seen = run_flow(
        "workbench_flows:position_day",
        width=width,
        base=day["base"],
        actor=who_actor,
        who=who,
        todos=todos,
        search=NAME[4:6],
        credit_code=day["code"],
        project_id=day["ids"],
        attach=attach and {**attach, "path": str(OUTPUT / attach["path"])},
        refused=refused and {**refused, "path": str(OUTPUT / refused["path"])},
    )
    bench = api.get("/api/workbench", actor=actor(who_actor)).json()
    for kind in todos:  # the workbench shows each to-do with its count, as the server derives them
        assert [kind, day["ids"][kind]] in seen["todos"]
        assert seen["counts"][kind].endswith(str(bench["counts"][kind]))
    assert {k for k, _ in seen["todos"]} == set(bench["counts"])
    for item in bench["items"]:  # each with its deadline as the server has it
        assert seen["dues"][f"{item['kind']} {item['project_id']}"] == item["due"]
    if "resolve_problem" in todos:  # the problem's own form, in view, ready to type the resolution
        assert seen["problem_form"]["focused"] == "resolution" and seen["problem_form"]["in_view"]
    if who == "lg":
        assert seen["todos"] == []
    # the inbox marks read (there is always an unread notice: the reminder above): one unread fewer, here and on
    # the badge, and the server has it read
    assert seen["unread_before"] >= 1 and seen["unread_after"] == seen["unread_before"] - 1
    assert seen["badge"] == str(seen["unread_after"])
    notice = [
        n for n in api.get("/api/inbox", actor=actor(who_actor)).json()["items"] if str(n["id"]) == seen["marked"]
    ]
    assert notice and notice[0]["read_at"]
    assert NAME in seen["typed"] and NAME in seen["by_code"] and day["code"] in seen["by_code"]
    assert "投资方" in seen["basic"] and "万元" in seen["basic"] and "45 亩" in seen["basic"]
    assert "铝压延加工（C3252）" in seen["basic"]  # the sector by its name, not its code alone
    if attach:
        after = api.get(f"/api/projects/{day['ids']['search']}/attachments").json()["items"]
        assert len(after) == len(before) + 1  # the refused file stored nothing; the good one is listed once
        digest = hashlib.sha256(PDF).hexdigest()
        assert seen["listed_sha256"] == digest == seen["downloaded_sha256"]
        assert after[-1]["sha256"] == digest and after[-1]["by"]["user_id"] == actor(who_actor)["user_id"]
    if refused:
        assert "输入不符合规则" in seen["refusal"] and "png" in seen["field_error"]
    for path in seen["screenshots"]:
        assert Path(path).exists()


def test_the_ledger_prints_on_a4_landscape_without_the_menu(day):
    result = run_flow("workbench_flows:ledger_print", base=day["base"], actor=IPB)
    assert result["menu"] == "none"
    assert result["table"][0] <= result["table"][1], f"the ledger is wider than A4 landscape: {result['table']}"
    total = day["api"].get("/api/ledger?book=information&limit=1").json()["total"]
    assert result["rows"] == total
    pdf = PdfReader(result["pdf"])
    for page in pdf.pages:  # A4 landscape: 842 x 595 points
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 841.9) < 2 and abs(height - 595.3) < 2, (width, height)
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "重点招商信息台账" in text and day["reviewed"]["ref"] in text


def test_the_decision_and_the_review_print_as_forms_to_sign(day):
    decision = run_flow(
        "workbench_flows:approval_print", base=day["base"], actor=PARK, project_id=day["ids"]["decide"], kind="decision"
    )
    assert "签字" in decision["text"] and "衡东工业园管委会主任" in decision["text"] and "45 亩" in decision["text"]
    review = run_flow(
        "workbench_flows:approval_print", base=day["base"], actor=IPB, project_id=day["ids"]["opinion"], kind="review"
    )
    assert "县招商局局长意见" in review["text"] and NAME in review["text"]
    for result in (decision, review):
        page = PdfReader(result["pdf"]).pages[0]
        assert float(page.mediabox.height) > float(page.mediabox.width)  # A4 portrait


def test_a_project_opened_in_a_new_tab_is_still_signed_in(day):
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy(day["config"], timeout=20) as rpc:
        rpc.gateway.provision_user(
            {"user_id": "cli", "position": "ipb_admin", "unit": "IPB"},
            {
                "user_id": "wb.clerk",
                "name": "吴文员",
                "password": "wb-clerk-2026!",
                "position": "ipb_clerk",
                "unit": "IPB",
            },
        )
    result = run_flow(
        "workbench_flows:new_tab",
        base=day["base"],
        user_id="wb.clerk",
        password="wb-clerk-2026!",
        project_id=day["ids"]["search"],
    )
    assert "signin" not in result["url"] and Path(result["screenshot"]).exists()


def test_the_park_head_reads_the_parcels_that_suit_its_project_without_reading_the_lead(day):
    """The project page's 适合的储备地块 card: the park responsible reads the project's file, not its lead (intake's);
    the demand comes from the file then (its land, sector, planned investment, the park as the place)."""
    api = day["api"]
    project = day["ids"]["decide"]
    assert api.get(f"/api/leads/{project}", actor=actor(PARK)).status_code == 403
    answer = api.get(f"/api/projects/{project}/parcels", actor=actor(PARK))
    assert answer.status_code == 200 and isinstance(answer.json(), list)
