"""The coordinator's part of the Leading Group's work, through its handlers and RPCs (tests/harness.py): the ledger
names the persons of the roster, and the target assessment with its notice (公文, Word) and Excel."""

from __future__ import annotations

import base64
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine

from services.coordinator import assessment_notice, models
from services.coordinator.service import CoordinatorService
from shared.actor import Actor
from shared.envelope import Envelope
from shared.errors import InvalidInput, NotAllowed
from shared.i18n import localize
from shared.policy import load_policy
from tests.harness import Harness, TestClock, shanghai
from tests.ledger_events import feed, scenario

POLICY = load_policy()
CLERK = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG"}
HENGDONG = {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
FIN = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}


@pytest.fixture
def fed(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
    models.metadata.create_all(engine)
    coord = Harness(CoordinatorService, models.metadata, engine, policy=POLICY, clock=TestClock(shanghai(2026, 12, 10)))
    for event in scenario():
        feed(coord, event)
    yield coord
    engine.dispose()


def roster_event(entries, at=shanghai(2026, 12, 1)) -> dict:
    return Envelope(
        "leadership.roster_changed", Actor.load(CLERK), payload={"entries": entries, "reason": "x"}, occurred_at=at
    ).dump()


def entry(seat, name, positions, since="2025-01-01", until=None, user_id=None):
    return {
        "seat": seat,
        "seat_title": seat,
        "role": "deputy_leader",
        "name": name,
        "user_id": user_id,
        "email": None,
        "since": since,
        "until": until,
        "positions": positions,
        "unit": "LG",
    }


def test_the_ledger_names_the_persons_on_the_roster(fed):
    row = fed.ledger_row(CLERK, "p1")
    assert localize(row["responsible_leader"], "zh-CN") == {
        "position": "park_head:hengdong",
        "name": "衡东工业园管委会主任",
    }
    town = localize(fed.ledger_row(CLERK, "p2")["responsible_leader"], "zh-CN")
    assert town == {"position": "county_leader_in_charge", "name": "分管县领导"}  # a town's project
    newer = [
        entry("park_head:hengdong", "冯主任", ["park_head:hengdong"]),
        entry("deputy_magistrate:industry", "吴副县长", ["county_leader_in_charge"], until="2026-11-30"),
        entry("deputy_magistrate:industry", "黄副县长", ["county_leader_in_charge"], since="2026-12-01"),
        entry("deputy_magistrate:investment", "周副县长", ["deputy_magistrate_investment", "county_leader_in_charge"]),
    ]
    older = [entry("park_head:hengdong", "旧主任", ["park_head:hengdong"])]
    fed.on_roster_changed(roster_event(newer))
    fed.on_roster_changed(roster_event(older, at=shanghai(2026, 11, 1)))  # an older roster arriving late: ignored
    row = fed.ledger_row(CLERK, "p1")
    assert localize(row["responsible_leader"], "zh-CN") == {
        "position": "park_head:hengdong",
        "name": "冯主任",
        "title": "衡东工业园管委会主任",
        "persons": ["冯主任"],
    }
    # the county leaders in charge today: the industry seat's new holder (吴's term ended) and the investment seat's
    assert localize(fed.ledger_row(CLERK, "p2")["responsible_leader"], "zh-CN") == {
        "position": "county_leader_in_charge",
        "name": "黄副县长、周副县长",
        "title": "分管县领导",
        "persons": ["黄副县长", "周副县长"],
    }
    page = fed.ledger(CLERK, {"book": "contracted"})
    assert page["items"][0]["responsible_leader"]["name"] == "冯主任"
    book = load_workbook(io.BytesIO(base64.b64decode(fed.ledger_workbook(CLERK, {})["content_base64"])))
    assert any(c.value == "冯主任" for r in book["签约项目台账"].iter_rows() for c in r)


def test_the_assessment_its_notice_and_its_workbook(fed):
    fed.record_funds_in_place(HENGDONG, "p1", {"on": "2026-11-30", "amount": "30000000"})
    fed.set_targets(
        MAGISTRATE,
        2026,
        {
            "targets": [
                {
                    "unit": "PARK:hengdong",
                    "projects_signed": 2,
                    "contracted_investment": "300000000",
                    "funds_in_place": "60000000",
                },
                {
                    "unit": "PARK:hexi",
                    "projects_signed": 2,
                    "contracted_investment": "200000000",
                    "funds_in_place": "50000000",
                },
            ]
        },
    )
    result = fed.assessment(HENGDONG, "2026")
    units = {u["unit"]: u for u in result["units"]}
    hengdong, hexi = units["PARK:hengdong"], units["PARK:hexi"]
    # Hengdong: 1 of 2 signed (12.50), 15000 of 30000 万元 (12.50), 3000 of 6000 万元 (10.00), no key project (10),
    # its special report on O1 late (0 of 1: 0), p1's funds recorded today (a record: 1 of 1, 10)
    assert hengdong["scores"] == {
        "projects_signed": "12.50",
        "contracted_investment": "12.50",
        "funds_in_place": "10.00",
        "key_projects_started": "10.00",
        "special_reports_on_time": "0.00",
        "progress_on_time": "10.00",
    }
    assert (hengdong["total"], hengdong["rank"], hengdong["mark"]) == ("55.00", 1, "red")
    # Hexi: nothing signed or in place (0), no key project or report (20), p3 idle since 20 October (0 of 1)
    assert (hexi["total"], hexi["rank"], hexi["mark"]) == ("20.00", 2, "red")
    notice = fed.assessment_document(MAGISTRATE, "2026", "docx")
    assert notice["filename"] == "assessment-2026.docx"
    text = assessment_notice.read_docx_text(base64.b64decode(notice["content_base64"]))
    # a 公文 of the Leading Group (shared/gongwen.py): its mark, its 文号 numbered per year, the table attached
    assert text[0] == "示例县招商引资工作领导小组文件" and "示招领通〔2026〕1号" in text
    assert (
        "关于2026年招商引资目标考核结果的通报" in text
        and "各园区管委会、各镇人民政府、县招商引资工作领导小组各成员单位：" in text
    )
    assert any("衡东工业园、河西新区被评为红色等次" in t for t in text)
    assert "55.00" in text and "红" in text
    again = assessment_notice.read_docx_text(
        base64.b64decode(fed.assessment_document(CLERK, "2026", "docx")["content_base64"])
    )
    assert "示招领通〔2026〕1号" in again  # asked again: the same number
    quarter = fed.assessment_document(CLERK, "2026-Q4", "pdf")
    assert quarter["filename"] == "assessment-2026-Q4.pdf" and base64.b64decode(quarter["content_base64"]).startswith(
        b"%PDF"
    )
    assert "示招领通〔2026〕2号" in assessment_notice.read_docx_text(
        base64.b64decode(fed.assessment_document(CLERK, "2026-Q4", "docx")["content_base64"])
    )  # another period: the next number
    book = load_workbook(
        io.BytesIO(base64.b64decode(fed.assessment_document(CLERK, "2026-Q4", "xlsx")["content_base64"]))
    )
    sheet = book["考核得分"]
    assert sheet["A1"].value == "示例县2026年第四季度招商引资目标考核结果"
    assert [c.value for c in sheet[4]][:2] == [1, "衡东工业园"] and sheet["I4"].value == 55
    with pytest.raises(NotAllowed):
        fed.assessment(FIN, "2026")
    with pytest.raises(InvalidInput):
        fed.assessment(CLERK, "2026-Q9")
