"""The Leading Group's work and the land reserve in real headless Chromium, at 1366 px and at 390 px (a phone).

LAND imports a workbook of parcels with bad rows (refused, naming them; nothing stored) and then the good one; the
plan draws the sample shapes from the project's own Leaflet (no tile server) with each parcel coloured by status;
a lead's page lists the ready parcels that suit it.  The LG office imports the roster (bad rows refused, then
imported) and the roster shows the office and its director; IPB plans a fair, records it and links the lead it
produced, and the effectiveness report counts it; the LG's assessment shows each unit's score and mark and its
notice downloads.  Screenshots: tests/browser/output/lg-*.png.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import run_flow
from tests.browser.driver import OUTPUT
from tests.conftest import wait_for
from tests.factories import SAMPLE_PARCELS, SAMPLE_ROSTER, parcel_workbook, roster_workbook
from zhaoshang import demo

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

LAND = "lg-land,bureau_head,LAND"
IPB = "lg-ipb,ipb_clerk,IPB"
LG = "lg-mag,county_magistrate,LG"
PARK = "lg-park,park_head:hengdong,PARK:hengdong"


def actor(text: str) -> dict:
    user_id, position, unit = text.split(",")
    return {"user_id": user_id, "position": position, "unit": unit}


COLOURS = {"ready": "#2e7d32", "in_listing": "#ef6c00", "reserved": "#9e9e9e"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workbooks")
    bad_parcels = [
        SAMPLE_PARCELS[0],
        ["HD-09", "坏地块", "月球开发区", None, -3, "住宅用地", 1, 2, "可供地"] + [None] * 6,
    ]
    bad_roster = SAMPLE_ROSTER[:2] + [["县长助理", "某某", None, None, "2026-01-01", None, None]]
    out = {}
    for name, content in (
        ("parcels-bad", parcel_workbook(bad_parcels)),
        ("parcels", parcel_workbook()),
        ("roster-bad", roster_workbook(bad_roster)),
        ("roster", roster_workbook()),
    ):
        path = folder / f"{name}.xlsx"
        path.write_bytes(content)
        out[name] = str(path)
    return out


@pytest.fixture(scope="module")
def county(web, files):
    """LAND's parcels and the LG office's roster, each imported in the browser (a bad file first); a lead of 45 mu
    for Hengdong (C3252, 222 万元/亩 planned)."""
    api, base, _ = web
    parcels = run_flow(
        "leading_group_flows:import_workbook",
        base=base,
        actor=LAND,
        route="/land",
        form="parcel-import",
        bad=files["parcels-bad"],
        good=files["parcels"],
        tag="land",
    )
    roster = run_flow(
        "leading_group_flows:import_workbook",
        base=base,
        actor=IPB,
        route="/leading-group",
        form="roster-import",
        bad=files["roster-bad"],
        good=files["roster"],
        tag="roster",
    )
    lead = demo._try(
        base,
        "POST",
        "/api/leads",
        demo.CLERK,
        demo.sample_lead(
            n=41,
            project_name="浏览器测试铝型材项目",
            land_demand={"value": "45", "unit": "mu"},
            planned_fixed_asset_investment="100000000",
        ),
    )
    phone_lead = demo._try(
        base, "POST", "/api/leads", demo.CLERK, demo.sample_lead(n=42, project_name="浏览器测试手机端项目")
    )
    return {"parcels": parcels, "roster": roster, "lead": lead, "leads": {1366: lead, 390: phone_lead}}


def test_bad_workbooks_are_refused_naming_their_rows_and_nothing_is_stored(web, county):
    api, base, _ = web
    parcels, roster = county["parcels"], county["roster"]
    assert "第4行" in parcels["refusal"] and "未导入任何数据" in parcels["refusal"]
    assert "已导入8个地块" in parcels["imported"]
    assert "第5行" in roster["refusal"] and "已导入10条" in roster["imported"]
    codes = [p["code"] for p in api.get("/api/parcels", actor(LAND)).json()["items"]]
    assert "HD-09" not in codes and len(codes) == 8


def test_the_roster_reaches_the_ledger_over_the_bus(web, county):
    """leadership.roster_changed travels to the coordinator: the lead's responsible leader (IPB's director while the
    lead is IPB's) is named by the person the roster seats as the office director."""
    api, base, _ = web
    row = wait_for(
        lambda: (
            (r := api.get(f"/api/projects/{county['lead']['id']}/ledger", actor(IPB)).json())
            .get("responsible_leader", {})
            .get("persons")
            and r
        ),
        what="the ledger named by the roster",
    )
    assert row["responsible_leader"] == {
        "position": "ipb_director",
        "name": "陈局长",
        "title": "招商局局长",
        "persons": ["陈局长"],
    }


@pytest.mark.parametrize("width", [1366, 390])
def test_the_land_reserve_on_its_plan_and_a_leads_matching_parcels(web, county, width):
    api, base, _ = web
    seen = run_flow(
        "leading_group_flows:land", base=base, actor=IPB, lead_id=county["lead"]["id"], who="ipb", width=width
    )
    on_plan = seen["parcels_on_plan"]
    assert set(on_plan) == {row[0] for row in SAMPLE_PARCELS}
    assert on_plan["HD-01"] == ["ready", COLOURS["ready"]] and on_plan["HD-03"] == ["in_listing", COLOURS["in_listing"]]
    assert on_plan["HD-04"] == ["reserved", COLOURS["reserved"]]
    assert seen["tiles"] == []  # no tile images: the shapes only
    assert "衡东园一号地块" in seen["popup"] and "可供地" in seen["popup"] and "48 亩" in seen["popup"]
    assert "120 亩" in seen["parcel"] and "17.5 万元/亩" in seen["parcel"] and "2026年第4批" in seen["parcel"]
    # the lead's 45 mu in Hengdong: HD-02 (meets its 220 万元/亩 standard) first, HD-01 and HD-05 below theirs
    matches = seen["matches"]
    assert matches.index("HD-02") < matches.index("HD-01") < matches.index("HD-05") and "HX-01" not in matches
    assert "低于该地块标准地指标" in matches
    assert "HD-02" in seen["matched_by_hand"] and "HX-01" not in seen["matched_by_hand"]  # the same demand typed in


@pytest.mark.parametrize("width", [1366, 390])
def test_the_roster_shows_the_office_and_the_holders(web, county, width):
    api, base, _ = web
    seen = run_flow("leading_group_flows:roster", base=base, actor=PARK, who="park", width=width)
    assert "县招商局" in seen["office"] and "陈局长" in seen["office"]
    assert seen["holders"]["county_magistrate"] == "孙县长" and seen["holders"]["cppcc_chairman"] == "钱主席"
    assert seen["holders"]["head:DRB"] == "空缺"


@pytest.mark.parametrize("width", [1366, 390])
def test_an_event_planned_recorded_and_linked_counts_in_the_report(web, county, width):
    api, base, _ = web
    lead = county["leads"][width]  # one source event a lead: each width's event its own lead
    seen = run_flow(
        "leading_group_flows:event_life", base=base, actor=IPB, lead_ref=lead["ref"], who="ipb", width=width
    )
    assert "28 万元" in seen["cost"] and lead["ref"] in seen["leads"]
    assert "招商推介会/展会" in seen["kinds"]
    report = api.get("/api/event-effectiveness/2026", actor(IPB)).json()
    fairs = next(k for k in report["kinds"] if k["kind"] == "fair")
    assert fairs["events"] >= 1 and fairs["leads"] >= 1


@pytest.mark.parametrize("width", [1366, 390])
def test_the_assessment_with_its_marks_and_notice(web, county, width):
    api, base, _ = web
    demo._try(
        base,
        "PUT",
        "/api/targets/2026",
        actor(LG),
        {
            "targets": [
                {
                    "unit": "PARK:hengdong",
                    "projects_signed": 2,
                    "contracted_investment": "300000000",
                    "funds_in_place": "60000000",
                },
                {"unit": "TOWN:xintang", "projects_signed": 0, "contracted_investment": "0", "funds_in_place": "0"},
            ]
        },
    )
    seen = run_flow("leading_group_flows:assessment", base=base, actor=LG, who="lg", period="2026", width=width)
    assert "衡东工业园" in seen["table"] and "新塘镇" in seen["table"]
    assert seen["marks"][0] == "green" and "red" in seen["marks"]  # nothing asked of Xintang: full marks
    assert seen["notice"] == "assessment-2026.docx"
    assert (OUTPUT / f"lg-lg-{width}-assessment.png").exists()


@pytest.mark.parametrize("width", [1366, 390])
def test_search_finds_the_land_reserve_s_parcels_by_two_characters_for_whoever_reads_them(web, county, width):
    """Issue 25 §5: the reserve's entries are found like projects — two characters of a parcel's name, as you type,
    ranked with the projects — by a unit that reads the parcels; AUDIT, which does not, finds none."""
    api, base, _ = web
    seen = run_flow(
        "leading_group_flows:search_parcels",
        base=base,
        actor=PARK,
        who="park",
        fragment="河西",
        code="HX-01",
        width=width,
    )
    assert sorted(seen["typed"]) == ["HX-01", "HX-02"] and "土地储备地块" in seen["typed_text"]
    assert "河西新区一号地块" in seen["table"] and "52 亩" in seen["table"] and "可供地" in seen["table"]
    assert seen["parcel_page"].startswith("HX-01 河西新区一号地块")
    hits = api.get("/api/search?q=HX-02", actor(IPB)).json()["items"]
    assert hits[0]["kind"] == "parcel" and hits[0]["ref"] == "HX-02" and hits[0]["parcel"]["area_mu"] == "80"
    audit = {"user_id": "lg-audit", "position": "auditor", "unit": "AUDIT"}
    assert [h for h in api.get("/api/search?q=河西", audit).json()["items"] if h["kind"] == "parcel"] == []
    # a project's filter (its state or year) finds projects only; a park's finds its own parcels
    assert all(h["kind"] != "parcel" for h in api.get("/api/search?q=河西&year=2026", actor(IPB)).json()["items"])
    in_hengdong = api.get("/api/search?q=地块&unit=PARK:hengdong", actor(IPB)).json()["items"]
    assert {h["ref"] for h in in_hengdong} == {"HD-01", "HD-02", "HD-03", "HD-04", "HD-05"}
