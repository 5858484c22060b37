"""The Leading Group's roster and office, and its investment events (leadership): seats from policy, a change of
person keeping the history, positions resolved to the persons holding them, the office's workbook imported whole or
not at all; events planned, recorded, their material and leads, and what each signed project cost."""

from __future__ import annotations

import base64
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine

from services.leadership import domain, events, models
from services.leadership.service import LeadershipService
from shared.actor import Actor
from shared.documents import DocumentStore
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound
from shared.policy import load_policy
from shared.roster import holders
from tests.factories import SAMPLE_ROSTER, roster_workbook, upload
from tests.harness import Harness, TestClock, shanghai

POLICY = load_policy()
IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
LG = {"user_id": "u-lg", "position": "county_magistrate", "unit": "LG"}
HENGDONG = {"user_id": "u-hd", "position": "park_promotion:hengdong", "unit": "PARK:hengdong"}
HEXI = {"user_id": "u-hx", "position": "park_promotion:hexi", "unit": "PARK:hexi"}
PDF = b"%PDF-1.4 programme of the fair"


@pytest.fixture
def office(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'leadership.db'}")
    models.metadata.create_all(engine)
    harness = Harness(
        LeadershipService,
        models.metadata,
        engine,
        policy=POLICY,
        clock=TestClock(shanghai(2026, 12, 1)),
        documents=DocumentStore(tmp_path / "documents", POLICY.documents["documents"]),
    )
    yield harness
    engine.dispose()


# -- the seats ------------------------------------------------------------------------------------------------------
def test_the_seats_follow_the_countys_document():
    seats = domain.seats(POLICY)
    by_role = {}
    for seat in seats:
        by_role.setdefault(seat.role, []).append(seat.id)
    assert by_role["leader"] == ["party_secretary", "npc_director", "cppcc_chairman", "county_magistrate"]
    assert by_role["executive_deputy_leader"] == ["deputy_secretary"]
    assert by_role["deputy_leader"] == ["npc_liaison", "cppcc_liaison"] + [
        f"deputy_magistrate:{d}"
        for d in ("development", "finance", "investment", "industry", "land", "environment", "construction", "labour")
    ] + ["park_head:hengdong", "park_head:hexi"]
    assert by_role["member"] == [
        f"head:{u}" for u in ("DRB", "IND", "FIN", "EPB", "LAND", "PLAN", "AUDIT", "LEGAL", "GOV")
    ]
    office = [s for s in seats if s.role == "office_director"]
    assert [(s.id, s.unit, s.positions) for s in office] == [("office_director", "IPB", ("ipb_director",))]
    assert domain.seat_of("县长", seats).positions == ("county_magistrate",)
    assert domain.seat_of("衡东工业园党工委书记、管委会主任", seats).positions == ("park_head:hengdong",)


# -- the roster -----------------------------------------------------------------------------------------------------
def test_a_change_of_person_ends_the_previous_term_and_keeps_it(office):
    office.appoint(
        IPB, {"seat": "deputy_magistrate:investment", "name": "周副县长", "user_id": "lg-zhou", "since": "2025-01-01"}
    )
    office.appoint(
        IPB, {"seat": "分管招商引资工作的副县长", "name": "林副县长", "user_id": "lg-lin", "since": "2026-11-15"}
    )
    seat = next(s for s in office.roster(IPB)["seats"] if s["id"] == "deputy_magistrate:investment")
    assert seat["holder"]["name"] == "林副县长" and seat["holder"]["until"] is None
    assert [(e["name"], e["since"], e["until"]) for e in seat["history"]] == [
        ("林副县长", "2026-11-15", None),
        ("周副县长", "2025-01-01", "2026-11-14"),
    ]
    # on a day of the previous term, the roster shows the previous holder
    before = next(s for s in office.roster(IPB, "2026-06-30")["seats"] if s["id"] == "deputy_magistrate:investment")
    assert before["holder"]["name"] == "周副县长"
    with pytest.raises(Conflict) as refused:
        office.appoint(IPB, {"seat": "deputy_magistrate:investment", "name": "何副县长", "since": "2026-11-15"})
    assert "a change of person begins after that day" in str(refused.value)
    with pytest.raises(InvalidInput) as refused:
        office.appoint(IPB, {"seat": "县长助理", "name": "某人", "since": "2026-01-01"})
    assert set(refused.value.details) == {"seat"}
    with pytest.raises(NotAllowed):
        office.appoint(HENGDONG, {"seat": "county_magistrate", "name": "某人", "since": "2026-01-01"})


def test_each_change_sends_the_whole_roster_and_positions_resolve_to_their_persons(office):
    office.import_roster(IPB, upload("名单.xlsx", roster_workbook()))
    [changed] = office.events("leadership.roster_changed")
    entries = changed["payload"]["entries"]
    assert len(entries) == len(SAMPLE_ROSTER)
    today = date(2026, 12, 1)
    # a notice "to the county leaders in charge" reaches the three deputy magistrates the policy names
    assert [h["name"] for h in holders(entries, "county_leader_in_charge", today)] == [
        "郑副县长",
        "周副县长",
        "吴副县长",
    ]
    assert [h["user_id"] for h in holders(entries, "deputy_magistrate_investment", today)] == ["lg-dm-invest"]
    assert [h["name"] for h in holders(entries, "park_head:hengdong", today)] == ["冯主任"]
    assert holders(entries, "county_leader_in_charge", date(2024, 12, 31)) == []  # before their terms
    assert [h["name"] for h in office.holders(IPB, "party_secretary")] == ["王书记"]
    roster = office.roster(LG)
    assert roster["office"]["unit"] == "IPB" and roster["office"]["director"]["name"] == "陈局长"


def test_the_roster_workbook_is_imported_whole_or_not_at_all(office):
    rows = SAMPLE_ROSTER + [
        ["县长助理", "某某", None, None, "2026-01-01", None, None],  # no such seat
        ["县政协主席", "X", None, None, "2026-01-01", None, None],  # name too short
        ["县委书记", "新书记", None, "not-an-address", "2026年13月1日", None, None],  # e-mail, date
        ["分管工业工作的副县长", "黄副县长", None, None, "2024-06-01", None, None],  # before 吴's term in row 10
    ]
    with pytest.raises(InvalidInput) as refused:
        office.import_roster(IPB, upload("名单.xlsx", roster_workbook(rows)))
    assert set(refused.value.details) == {
        "领导小组成员!13.seat",
        "领导小组成员!14.name",
        "领导小组成员!15.email",
        "领导小组成员!15.since",
        "领导小组成员!16.since",
    }
    assert "4 row(s) of the workbook are invalid — nothing was imported" in str(refused.value)
    assert "a term begins after the latest one" in str(refused.value.details["领导小组成员!16.since"][0])
    assert office.rows("roster") == [] and office.events("leadership.roster_changed") == []
    done = office.import_roster(IPB, upload("名单.xlsx", roster_workbook()))
    assert done["imported"] == 10
    again = office.import_roster(IPB, upload("名单.xlsx", roster_workbook()))  # the same file twice: nothing new
    assert again["imported"] == 0 and len(office.rows("roster")) == 10
    later = office.import_roster(
        IPB, upload("名单.xlsx", roster_workbook([["县长", "新县长", "lg-new", None, "2026-12-01", None, "换届"]]))
    )
    assert later["appointments"][0]["name"] == "新县长"
    kept = {(r["name"], r["until"]) for r in office.rows("roster") if r["seat"] == "county_magistrate"}
    assert kept == {("孙县长", date(2026, 11, 30)), ("新县长", None)}


# -- investment events ------------------------------------------------------------------------------------------------
def plan(n=1, **changes) -> dict:
    body = {
        "kind": "fair",
        "title": f"2026粤港澳大湾区招商推介会{n}",
        "organising_unit": "IPB",
        "place": "深圳",
        "planned_on": "2026-05-20",
        "budget": "300000",
    }
    body.update(changes)
    return body


def record(**changes) -> dict:
    body = {
        "held_on": "2026-05-20",
        "participants": [{"name": "周副县长", "unit": "LG"}, {"name": "陈局长", "unit": "IPB"}],
        "investors_met": [{"name": "广东某铝业集团", "interest": "铝型材"}],
        "actual_cost": "280000.00",
        "summary": "签约意向3个",
    }
    body.update(changes)
    return body


def lead(office, project_id, ref, channel="fair", signed_on=None, total="150000000", registered=shanghai(2026, 6, 1)):
    office.on_lead_registered(
        Envelope(
            "intake.lead_registered",
            Actor.load(IPB),
            project_id=project_id,
            occurred_at=registered,
            payload={"ref": ref, "project_name": f"项目{ref}", "source_channel": channel, "registered_unit": "IPB"},
        ).dump()
    )
    if signed_on:
        office.on_contract_signed(
            Envelope(
                "contracts.signed",
                Actor.load(IPB),
                project_id=project_id,
                occurred_at=signed_on,
                payload={"terms": {"total_investment": total}},
            ).dump()
        )


def test_an_event_is_planned_recorded_with_its_material_and_linked_to_its_leads(office):
    event = office.plan_event(IPB, plan())
    assert event["ref"] == "HD2026-001" and event["status"] == "planned" and event["budget"] == "300000"
    held = office.record_event(IPB, event["id"], record())
    assert (
        held["status"] == "held"
        and held["actual_cost"] == "280000.00"
        and held["investors_met"][0]["name"] == "广东某铝业集团"
    )
    with_material = office.attach_material(
        IPB,
        event["id"],
        {"title": "推介会议程", "filename": "议程.pdf", "content_base64": base64.b64encode(PDF).decode()},
    )
    assert with_material["materials"][0]["content_type"] == "application/pdf"
    file = office.material_document(IPB, event["id"], 1)
    assert base64.b64decode(file["content_base64"]) == PDF
    with pytest.raises(InvalidInput) as refused:  # a text file named .pdf: the type is read from the content
        office.attach_material(
            IPB,
            event["id"],
            {"title": "x", "filename": "x.pdf", "content_base64": base64.b64encode(b"just text").decode()},
        )
    assert set(refused.value.details) == {"file.content"}
    lead(office, "p-1", "ZS2026-0001")
    linked = office.link_leads(IPB, event["id"], {"refs": ["zs2026-0001"]})
    assert [x["ref"] for x in linked["leads"]] == ["ZS2026-0001"]
    other = office.plan_event(IPB, plan(2))
    office.record_event(IPB, other["id"], record())
    with pytest.raises(Conflict):  # one source event a lead
        office.link_leads(IPB, other["id"], {"refs": ["ZS2026-0001"]})
    with pytest.raises(NotFound) as unknown:  # a lead nobody registered: refused at once, naming it
        office.link_leads(IPB, other["id"], {"refs": ["ZS2026-0404"]})
    assert unknown.value.details == {"refs": ["ZS2026-0404"]}


def test_the_rules_of_planning_and_recording(office):
    with pytest.raises(InvalidInput) as refused:
        office.plan_event(IPB, plan(kind="banquet", budget="-1", organising_unit="MOON"))
    assert set(refused.value.details) == {"kind", "budget", "organising_unit"}
    with pytest.raises(NotAllowed):  # a park plans its own events, not another's
        office.plan_event(HEXI, plan(organising_unit="PARK:hengdong"))
    mine = office.plan_event(HENGDONG, plan(organising_unit="PARK:hengdong"))
    with pytest.raises(NotAllowed):
        office.record_event(HEXI, mine["id"], record())
    with pytest.raises(InvalidInput) as refused:
        office.record_event(HENGDONG, mine["id"], record(held_on="2026-12-02", participants=[], actual_cost="0.001"))
    assert set(refused.value.details) == {"held_on", "participants", "actual_cost"}
    cancelled = office.cancel_event(HENGDONG, mine["id"], {"reason": "客商行程调整"})
    assert cancelled["status"] == "cancelled"
    with pytest.raises(Conflict):
        office.record_event(HENGDONG, mine["id"], record())
    unheld = office.plan_event(IPB, plan(3))
    lead(office, "p-9", "ZS2026-0009")
    with pytest.raises(Conflict):  # leads come from a held event
        office.link_leads(IPB, unheld["id"], {"refs": ["ZS2026-0009"]})


def test_the_cost_per_signed_project_by_event_kind_and_channel(office):
    """Worked figures: a fair held at 280,000 yuan brought 3 leads, 2 of them signed (150 and 90 million yuan);
    a delegation held at 120,000 brought 1 lead, not signed; an online promotion still planned (budget 50,000)
    brought none; a cancelled visit counts for nothing.  Leads of the year by channel: fair 3 (2 signed), visit 2
    (the delegation's lead and one that came by itself, signed), online 0.

    * the fair: 280,000 ÷ 2 = 140,000.00 yuan per signed project;
    * the delegation: no signed project, so no cost per signed project;
    * the kinds: fair 140,000.00; delegation —; online — (budget 50,000.00 counted, nothing signed);
    * channel visit: the delegation's 120,000 ÷ 1 signed (the lead that came by itself) = 120,000.00;
    * in all: 280,000 + 120,000 + 50,000 = 450,000 for 2 signed projects of events = 225,000.00 each."""
    fair = office.plan_event(IPB, plan())
    office.record_event(IPB, fair["id"], record())
    delegation = office.plan_event(
        IPB, plan(2, kind="delegation", place="苏州", planned_on="2026-07-08", budget="150000")
    )
    office.record_event(IPB, delegation["id"], record(held_on="2026-07-08", actual_cost="120000"))
    office.plan_event(IPB, plan(3, kind="online", planned_on="2026-12-20", budget="50000"))
    visit = office.plan_event(IPB, plan(4, kind="visit", budget="20000"))
    office.cancel_event(IPB, visit["id"], {"reason": "取消"})
    lead(office, "p-1", "ZS2026-0001", signed_on=shanghai(2026, 9, 1), total="150000000")
    lead(office, "p-2", "ZS2026-0002", signed_on=shanghai(2026, 10, 1), total="90000000")
    lead(office, "p-3", "ZS2026-0003")
    lead(office, "p-4", "ZS2026-0004", channel="visit")
    lead(office, "p-5", "ZS2026-0005", channel="visit", signed_on=shanghai(2026, 11, 1), total="60000000")
    lead(office, "p-6", "ZS2025-0099", channel="fair", registered=shanghai(2025, 12, 1))  # of another year
    office.link_leads(IPB, fair["id"], {"refs": ["ZS2026-0001", "ZS2026-0002", "ZS2026-0003"]})
    office.link_leads(IPB, delegation["id"], {"refs": ["ZS2026-0004"]})
    report = office.effectiveness(LG, 2026)
    by_ref = {e["ref"]: e for e in report["events"]}
    fair_row = {
        k: by_ref["HD2026-001"][k]
        for k in ("leads", "signed", "cost", "cost_basis", "cost_per_signed", "signed_refs", "contracted_investment")
    }
    assert fair_row == {
        "leads": 3,
        "signed": 2,
        "cost": "280000.00",
        "cost_basis": "actual",
        "cost_per_signed": "140000.00",
        "signed_refs": ["ZS2026-0001", "ZS2026-0002"],
        "contracted_investment": "240000000.00",
    }
    assert (by_ref["HD2026-002"]["signed"], by_ref["HD2026-002"]["cost_per_signed"]) == (0, None)
    assert (by_ref["HD2026-003"]["cost"], by_ref["HD2026-003"]["cost_basis"]) == ("50000.00", "budget")
    assert "HD2026-004" not in by_ref  # cancelled
    kinds = {k["kind"]: k for k in report["kinds"]}
    assert (kinds["fair"]["cost_per_signed"], kinds["delegation"]["cost_per_signed"], kinds["online"]["cost"]) == (
        "140000.00",
        None,
        "50000.00",
    )
    channels = {c["channel"]: c for c in report["channels"]}
    assert (channels["fair"]["leads"], channels["fair"]["signed"], channels["fair"]["cost_per_signed"]) == (
        3,
        2,
        "140000.00",
    )
    assert (
        channels["visit"]["leads"],
        channels["visit"]["signed"],
        channels["visit"]["cost"],
        channels["visit"]["cost_per_signed"],
    ) == (2, 1, "120000.00", "120000.00")
    assert report["total"] == {
        "events": 3,
        "leads": 4,
        "signed": 2,
        "cost": "450000.00",
        "contracted_investment": "240000000.00",
        "cost_per_signed": "225000.00",
    }
    # the same in Excel, 万元 as numbers
    book = load_workbook(io.BytesIO(base64.b64decode(office.effectiveness_workbook(IPB, 2026)["content_base64"])))
    assert book.sheetnames == ["招商活动", "按活动类型", "按来源渠道"]
    sheet = book["招商活动"]
    assert sheet["A1"].value == "示例县2026年招商活动成效统计表" and sheet["A4"].value == "HD2026-001"
    assert (
        sheet["J4"].value == Decimal("28")
        and sheet["L4"].value == Decimal("14")
        and sheet["J4"].number_format == "#,##0.00"
    )
    with pytest.raises(NotAllowed):
        office.effectiveness(HENGDONG, 2026)


def test_cost_of_an_event_by_its_status():
    assert events.cost_of({"status": "held", "actual_cost": "280000", "budget": "300000"}) == Decimal("280000")
    assert events.cost_of({"status": "planned", "actual_cost": None, "budget": "300000"}) == Decimal("300000")
    assert events.cost_of({"status": "cancelled", "actual_cost": None, "budget": "300000"}) == 0
