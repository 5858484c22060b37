"""The ledger (R10), key projects, funds in place and the LG's targets (R14) in the coordinator,
driven through its own handlers and RPCs over a real SQLite database (tests/harness.py)."""

from __future__ import annotations

import base64
import io
import random
from datetime import date, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from services.coordinator import ledger, models, summary_report
from shared.i18n import localize
from services.coordinator.service import CoordinatorService
from shared.actor import SYSTEM as SYSTEM_ACTOR
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.policy import load_policy
from tests.harness import Harness, TestClock, shanghai
from tests.ledger_events import feed, scenario

POLICY = load_policy()
CLERK = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
DIRECTOR = {"user_id": "u-ipbd", "position": "ipb_director", "unit": "IPB"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG", "name": "王县长"}
DEPUTY = {"user_id": "u-dep", "position": "deputy_magistrate_investment", "unit": "LG"}
HENGDONG = {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
HEXI = {"user_id": "u-hx", "position": "park_head:hexi", "unit": "PARK:hexi"}
LIAISON = {"user_id": "u-mag", "name": "王县长", "position": "county_magistrate"}
TEAM = [
    {"name": "赵六", "role": "队长", "unit": "IPB", "phone": "0734-1234567"},
    {"name": "钱七", "role": "专职服务专员"},
]


@pytest.fixture
def coord(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
    models.metadata.create_all(engine)
    harness = Harness(
        CoordinatorService, models.metadata, engine, policy=POLICY, clock=TestClock(shanghai(2026, 12, 10))
    )
    yield harness
    engine.dispose()


@pytest.fixture
def fed(coord):
    coord.scenario = scenario()
    for event in coord.scenario:
        feed(coord, event)
    return coord


def live(coord) -> dict:
    return {r["project_id"]: r["data"] for r in coord.rows("ledger")}


def journal(coord) -> list[Envelope]:
    return [Envelope.load(r["body"]) for r in sorted(coord.rows("ledger_journal"), key=lambda r: r["id"])]


def tick(coord, minutes=1):
    coord.dependencies["clock"].now += timedelta(minutes=minutes)


def own_acts(coord):
    coord.set_key_project(MAGISTRATE, "p1", {"liaison_leader": LIAISON, "service_team": TEAM})
    tick(coord)
    coord.assign_responsibility(CLERK, "p3", {"responsible_person": {"name": "孙八", "phone": "0734-7654321"}})
    tick(coord)
    coord.set_requirements(
        HEXI,
        "p3",
        {
            "requirements": [
                {"step": "确定供地价格", "due": "2026-12-01"},
                {"step": "完成项目选址", "due": "2027-01-15"},
            ]
        },
    )
    tick(coord)
    coord.record_funds_in_place(HENGDONG, "p1", {"on": "2026-11-30", "amount": "30000000", "note": "首期资金"})
    tick(coord)


# -- the books ---------------------------------------------------------------------------------------------------------
def test_each_project_sits_in_its_book_with_the_columns_the_county_keeps(fed):
    own_acts(fed)
    books = {b: fed.ledger(CLERK, {"book": b})["items"] for b in ledger.BOOKS}
    assert [r["ref"] for r in books["information"]] == ["ZS2026-0002"]
    assert [r["ref"] for r in books["negotiation"]] == ["ZS2026-0003"]
    assert [r["ref"] for r in books["contracted"]] == ["ZS2026-0001"]

    signed = localize(books["contracted"][0], "zh-CN")  # as the gateway renders it for a reader of Chinese
    assert (signed["state"], signed["state_name"], signed["responsible_unit"]) == (
        "construction",
        "建设中",
        "PARK:hengdong",
    )
    assert signed["responsible_leader"] == {"position": "park_head:hengdong", "name": "衡东工业园管委会主任"}
    assert signed["responsible_person"] == {"name": "李干事", "user_id": "u-ipb"}
    assert signed["time_in_state_days"] == (date(2026, 12, 10) - date(2026, 10, 22)).days
    assert (signed["tier"], signed["is_key"], signed["key_basis"]) == ("A", True, "threshold")
    assert signed["liaison_leader"] == LIAISON and [m["name"] for m in signed["service_team"]] == ["赵六", "钱七"]
    assert (signed["signed_on"], signed["contracted_investment"], signed["funds_in_place"]) == (
        "2026-10-15",
        "150000000.00",
        "30000000.00",
    )
    steps = {r["source"]: r for r in signed["requirements"]}
    assert steps["obligation:O1"]["due"] == "2026-11-20" and not steps["obligation:O1"]["done"]
    assert steps["report:O1"]["due"] == "2026-11-25" and not steps["report:O1"]["done"]
    assert steps["accounting"]["due"] == "2028-02-28"
    assert steps["review"]["done"]
    assert signed["next_due"] == "2026-11-20" and signed["overdue"]
    assert (
        "“缴清土地出让金”专题报告逾期（已红色预警）" in signed["red_flags"]
        and "推进要求逾期（时限2026年11月20日）" in signed["red_flags"]
    )
    assert signed["last_progress"]["summary"].startswith("2026年11月30日资金到位")

    town = localize(books["information"][0], "zh-CN")
    assert town["responsible_unit"] == town["registered_unit"] == "TOWN:xintang"  # until a unit is assigned
    assert town["responsible_leader"] == {"position": "county_leader_in_charge", "name": "分管县领导"}
    assert (town["tier"], town["is_key"]) == ("C", False)
    assert town["stale"] is True and f"{(date(2026, 12, 10) - date(2026, 10, 12)).days}天无进展" in town["red_flags"]

    talks = books["negotiation"][0]
    assert talks["responsible_person"] == {"name": "孙八", "phone": "0734-7654321", "user_id": None}
    assert [r["step"] for r in talks["requirements"] if not r["done"]] == ["确定供地价格", "完成项目选址"]
    assert talks["overdue"] and talks["next_due"] == "2026-12-01"


def test_filters_sorting_and_paging(fed):
    own_acts(fed)

    def refs(**query):
        return [r["ref"] for r in fed.ledger(CLERK, query)["items"]]

    assert refs(unit="PARK:hexi") == ["ZS2026-0003"]
    assert refs(state="construction") == ["ZS2026-0001"]
    assert refs(sector="C3") == ["ZS2026-0001", "ZS2026-0003"] and refs(sector="g59") == ["ZS2026-0002"]
    assert refs(tier="B") == ["ZS2026-0003"] and refs(tier="none") == []
    assert refs(key=True) == ["ZS2026-0001"] and refs(key=False) == ["ZS2026-0002", "ZS2026-0003"]
    assert refs(overdue=True) == ["ZS2026-0001", "ZS2026-0003"] and refs(overdue=False) == ["ZS2026-0002"]
    assert refs(sort="total_investment", order="desc") == ["ZS2026-0001", "ZS2026-0003", "ZS2026-0002"]
    assert refs(sort="next_due") == ["ZS2026-0001", "ZS2026-0003", "ZS2026-0002"]  # no due date last
    page = fed.ledger(CLERK, {"sort": "ref", "limit": 1, "offset": 1})
    assert page["total"] == 3 and [r["ref"] for r in page["items"]] == ["ZS2026-0002"]
    for bad, field in [
        ({"tier": "D"}, "tier"),
        ({"state": "dreaming"}, "state"),
        ({"sort": "x"}, "sort"),
        ({"limit": 501}, "limit"),
        ({"book": "other"}, "book"),
        ({"colour": "red"}, "colour"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            fed.ledger(CLERK, bad)
        assert field in refused.value.details


def test_a_park_reads_its_own_rows_only_and_others_not_at_all(fed):
    assert [r["ref"] for r in fed.ledger(HEXI)["items"]] == ["ZS2026-0003"]
    with pytest.raises(NotAllowed):
        fed.ledger(HEXI, {"unit": "PARK:hengdong"})
    with pytest.raises(NotAllowed):
        fed.ledger_row(HEXI, "p1")
    with pytest.raises(NotAllowed):
        fed.ledger({"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"})


# -- rebuilt from a replay equals the live one -------------------------------------------------------------------------
def test_the_ledger_rebuilt_from_a_replay_of_events_equals_the_live_one(fed):
    own_acts(fed)
    rows = live(fed)
    assert set(rows) == {"p1", "p2", "p3"}

    # the events as the departments sent them, what the coordinator published, and its own acts — in any order
    published = [Envelope.load(e) for e in fed.events("coordinator.project_state_changed")]
    acts = [e for e in journal(fed) if e.type in ledger.OWN_EVENTS]
    events = fed.scenario + published + acts
    assert ledger.replay(events, POLICY) == rows
    for seed in range(5):
        random.Random(seed).shuffle(events)
        assert ledger.replay(events, POLICY) == rows

    # and the coordinator's own rebuild from its journal
    assert fed.rebuild_ledger(DIRECTOR) == {"rows": 3}
    assert live(fed) == rows
    with pytest.raises(NotAllowed):
        fed.rebuild_ledger(CLERK)


def test_a_redelivered_event_changes_nothing(fed):
    before = live(fed)
    again = [e for e in fed.scenario if e.type == "contracts.special_report_late"][0]
    feed(fed, again)
    assert live(fed) == before and len(journal(fed)) == len({e.event_id for e in journal(fed)})


# -- key projects ------------------------------------------------------------------------------------------------------------
def test_key_projects_by_threshold_or_designation_with_one_county_leader_and_a_team(fed):
    journaled = len(fed.rows("ledger_journal"))
    row = localize(fed.ledger_row(CLERK, "p1"), "zh-CN")
    assert row["is_key"] and "重点项目未明确联系县级领导" in row["red_flags"]  # 1.5 亿元 ≥ the policy threshold
    with pytest.raises(InvalidInput) as below:  # 8000 万元: only the LG's designation makes it key
        fed.set_key_project(MAGISTRATE, "p3", {"liaison_leader": LIAISON, "service_team": TEAM})
    assert "designated" in below.value.details and "10,000.00 万元" in below.value.msg.render("zh-CN")
    with pytest.raises(InvalidInput) as not_county:
        fed.set_key_project(
            MAGISTRATE,
            "p3",
            {"designated": True, "service_team": TEAM, "liaison_leader": {**LIAISON, "position": "ipb_director"}},
        )
    assert "liaison_leader.position" in not_county.value.details
    for bad, field in [({"service_team": []}, "service_team"), ({"liaison_leader": None}, "liaison_leader")]:
        with pytest.raises(InvalidInput) as refused:
            fed.set_key_project(
                MAGISTRATE, "p3", {"designated": True, "liaison_leader": LIAISON, "service_team": TEAM, **bad}
            )
        assert field in refused.value.details
    with pytest.raises(NotAllowed):
        fed.set_key_project(CLERK, "p3", {"designated": True, "liaison_leader": LIAISON, "service_team": TEAM})
    assert len(fed.rows("ledger_journal")) == journaled  # a refusal journals nothing

    designated = fed.set_key_project(
        MAGISTRATE,
        "p3",
        {"designated": True, "reason": "县重点产业链项目", "liaison_leader": LIAISON, "service_team": TEAM},
    )
    assert (designated["is_key"], designated["key_basis"], designated["red_flags"]) == (True, "designated", [])
    fed.set_key_project(
        MAGISTRATE,
        "p1",
        {
            "liaison_leader": {
                **LIAISON,
                "user_id": "u-dep",
                "name": "陈副县长",
                "position": "deputy_magistrate_investment",
            },
            "service_team": TEAM,
        },
    )
    assert [r["ref"] for r in fed.ledger(CLERK, {"key": True})["items"]] == ["ZS2026-0001", "ZS2026-0003"]
    assert [r["ref"] for r in fed.key_projects_of(MAGISTRATE)["items"]] == ["ZS2026-0003"]
    assert [r["ref"] for r in fed.key_projects_of(DEPUTY)["items"]] == ["ZS2026-0001"]  # one liaison leader each


# -- funds in place, targets and completion (R14) -----------------------------------------------------------------------
def test_funds_in_place_only_for_a_contracted_project_by_its_unit_with_valid_amounts(fed):
    with pytest.raises(Conflict):
        fed.record_funds_in_place(CLERK, "p3", {"on": "2026-11-30", "amount": "1000"})
    with pytest.raises(NotAllowed):
        fed.record_funds_in_place(HEXI, "p1", {"on": "2026-11-30", "amount": "1000"})
    for body, field in [
        ({"on": "2026-11-30", "amount": "-1"}, "amount"),
        ({"on": "2026-11-30", "amount": "0.001"}, "amount"),
        ({"on": "2026-12-11", "amount": "1"}, "on"),
        ({"on": "2026-10-14", "amount": "1"}, "on"),
        ({"on": "2026-11-30"}, "amount"),
        ({"on": "30/11/2026", "amount": "1"}, "on"),
        ({"on": "2026-11-30", "amount": "1e999"}, "amount"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            fed.record_funds_in_place(CLERK, "p1", body)
        assert field in refused.value.details
    assert live(fed)["p1"]["funds"] == {}
    row = fed.record_funds_in_place(HENGDONG, "p1", {"on": "2026-11-30", "amount": "12345678.90"})
    assert row["funds_in_place"] == "12345678.90"


def test_targets_completion_counts_each_signed_project_once_for_one_unit(fed):
    signed = [e for e in fed.scenario if e.type == "contracts.signed"][0]
    feed(fed, signed)  # the same event delivered twice
    fed.record_funds_in_place(HENGDONG, "p1", {"on": "2026-11-30", "amount": "30000000"})
    fed.record_funds_in_place(CLERK, "p1", {"on": "2026-12-05", "amount": "5000000.50"})
    with pytest.raises(NotAllowed):
        fed.set_targets(CLERK, 2026, {"targets": []})
    for body, field in [
        (
            {"targets": [{"unit": "IPB", "projects_signed": 1, "contracted_investment": "1", "funds_in_place": "1"}]},
            "targets[0].unit",
        ),
        (
            {
                "targets": [
                    {
                        "unit": "PARK:hengdong",
                        "projects_signed": -1,
                        "contracted_investment": "1",
                        "funds_in_place": "1",
                    }
                ]
            },
            "targets.0.projects_signed",
        ),
        (
            {
                "targets": [
                    {
                        "unit": "PARK:hengdong",
                        "projects_signed": 1,
                        "contracted_investment": "1.001",
                        "funds_in_place": "1",
                    }
                ]
            },
            "targets[0].contracted_investment",
        ),
        (
            {
                "targets": [
                    {
                        "unit": "PARK:hengdong",
                        "projects_signed": 1,
                        "contracted_investment": "1",
                        "funds_in_place": "1e999",
                    }
                ]
            },
            "targets[0].funds_in_place",
        ),
    ]:
        with pytest.raises(InvalidInput) as refused:
            fed.set_targets(MAGISTRATE, 2026, body)
        assert field in refused.value.details, refused.value.details
    result = fed.set_targets(
        MAGISTRATE,
        2026,
        {
            "targets": [
                {
                    "unit": "PARK:hengdong",
                    "projects_signed": 4,
                    "contracted_investment": "600000000",
                    "funds_in_place": "100000000",
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
    units = {u["unit"]: u for u in result["units"]}
    hengdong = units["PARK:hengdong"]
    assert hengdong["projects"] == ["ZS2026-0001"]
    assert hengdong["done"] == {
        "projects_signed": 1,
        "contracted_investment": "150000000.00",
        "funds_in_place": "35000000.50",
    }
    assert hengdong["rate"] == {"projects_signed": "25.00", "contracted_investment": "25.00", "funds_in_place": "35.00"}
    assert (
        units["PARK:hexi"]["done"]["projects_signed"] == 0 and units["PARK:hexi"]["rate"]["projects_signed"] == "0.00"
    )
    assert "IPB" not in units  # counted for the responsible unit only
    assert fed.targets(HENGDONG, 2027)["units"] == []
    for year in (1999, "next", 10**9):
        with pytest.raises(InvalidInput) as refused:
            fed.targets(CLERK, year)
        assert "year" in refused.value.details


def test_completion_rules_on_the_rows_themselves():
    from services.coordinator.targets import completion

    base = {"signed_on": "2026-03-01", "state": "construction", "contracted_investment": "100", "funds": {}}
    rows = [
        {
            **base,
            "ref": "A",
            "responsible_unit": "PARK:hexi",
            "funds": {"e1": {"on": "2025-12-31", "amount": "5"}, "e2": {"on": "2026-01-01", "amount": "7"}},
        },
        {**base, "ref": "B", "responsible_unit": "PARK:hexi", "signed_on": "2025-12-31"},
        {**base, "ref": "C", "responsible_unit": "PARK:hexi", "state": "terminated"},
        {**base, "ref": "D", "responsible_unit": "TOWN:xintang"},
    ]
    result = {u["unit"]: u for u in completion(2026, [], rows)}
    assert result["PARK:hexi"]["projects"] == ["A"] and result["PARK:hexi"]["done"]["funds_in_place"] == "7.00"
    assert result["TOWN:xintang"]["projects"] == ["D"]


def test_the_quarterly_summary_as_word_and_excel(fed):
    own_acts(fed)
    fed.set_targets(
        MAGISTRATE,
        2026,
        {
            "targets": [
                {
                    "unit": "PARK:hengdong",
                    "projects_signed": 4,
                    "contracted_investment": "600000000",
                    "funds_in_place": "100000000",
                }
            ]
        },
    )
    word = fed.work_summary(CLERK, "2026-Q4", "docx")
    assert word["filename"] == "summary-2026-Q4.docx"
    doc = summary_report.read_docx(base64.b64decode(word["content_base64"]))
    text = "\n".join(doc["paragraphs"])
    assert "关于2026年第四季度示例县招商引资工作情况的报告" in text  # a report in 公文 form
    assert doc["paragraphs"][0] == "示例县招商引资工作领导小组办公室" and "示招商办〔2026〕1号" in text
    assert "县招商引资工作领导小组：" in text and "二〇二六年十二月十日" in text
    assert "新签约项目1个，合同投资15,000.00万元，新增到位资金3,000.00万元" in text
    table = {row[0]: row for row in doc["tables"][0]}
    assert table["衡东工业园"][2:5] == ["1", "15,000.00", "3,000.00"] and table["衡东工业园"][10] == "25.00%"
    assert table["新塘镇"][1] == "1"  # the town registered a lead this quarter
    assert any("高性能铝合金型材项目（ZS2026-0001" in p and "王县长" in p for p in doc["paragraphs"])
    again = summary_report.read_docx(base64.b64decode(fed.work_summary(CLERK, "2026-Q4", "docx")["content_base64"]))
    assert "示招商办〔2026〕1号" in again["paragraphs"]  # asked for again: the same document, the same number
    november = fed.work_summary(CLERK, "2026-11", "pdf")
    assert november["filename"] == "summary-2026-11.pdf" and base64.b64decode(november["content_base64"]).startswith(
        b"%PDF"
    )
    assert [r["number"] for r in fed.rows("document_numbers")] == ["示招商办〔2026〕1号", "示招商办〔2026〕2号"]

    excel = fed.work_summary(CLERK, "2026-11", "xlsx")
    ws = load_workbook(io.BytesIO(base64.b64decode(excel["content_base64"])))["工作汇总"]
    assert ws["A1"].value == "示例县招商引资工作2026年11月汇总"
    rows = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
    hengdong = rows["衡东工业园"]
    assert ws.cell(row=hengdong, column=3).value == 0  # signed in October, not in November
    assert (
        float(ws.cell(row=hengdong, column=5).value) == 3000.0
        and ws.cell(row=hengdong, column=5).number_format == "#,##0.00"
    )
    for period, field in [("2026-13", "period"), ("2026-Q5", "period"), ("0000-01", "period")]:
        with pytest.raises(InvalidInput) as refused:
            fed.work_summary(CLERK, period)
        assert field in refused.value.details
    with pytest.raises(NotAllowed):
        fed.work_summary(HEXI, "2026-Q4")


# -- Excel ------------------------------------------------------------------------------------------------------------------
def exported(coord, actor=CLERK, query=None):
    answer = coord.ledger_workbook(actor, query)
    return answer, load_workbook(io.BytesIO(base64.b64decode(answer["content_base64"])))


def test_the_excel_export_read_back_cell_by_cell(fed):
    own_acts(fed)
    answer, wb = exported(fed)
    assert answer["filename"] == "ledger-2026-12-10.xlsx"
    assert wb.sheetnames == ["重点招商信息台账", "在谈项目台账", "签约项目台账"]
    ws = wb["签约项目台账"]
    assert ws["A1"].value == "示例县签约项目台账" and "截至：二〇二六年十二月十日" in ws["A2"].value
    assert ws["A2"].value.startswith("填报单位：示例县招商局")
    headings = [c.value for c in ws[3]]
    assert headings == [
        "序号",
        "项目编号",
        "项目名称",
        "投资方",
        "所属行业",
        "项目地点",
        "总投资（万元）",
        "投资档次",
        "重点项目",
        "联系县级领导",
        "专职服务团队",
        "责任领导",
        "责任单位",
        "责任人",
        "推进要求",
        "完成时限",
        "当前状态",
        "状态起始日期",
        "状态持续天数",
        "最新进展",
        "最新进展日期",
        "签约日期",
        "合同投资（万元）",
        "到位资金（万元）",
        "亩均效益评价",
        "预警事项",
    ]
    cells = {h: ws.cell(row=4, column=i + 1) for i, h in enumerate(headings)}
    expected = {
        "序号": 1,
        "项目编号": "ZS2026-0001",
        "项目名称": "高性能铝合金型材项目",
        "投资方": "高性能铝合金型材项目投资有限公司",
        "所属行业": "铝压延加工（C3252）",
        "项目地点": "衡东工业园",
        "总投资（万元）": 15000,
        "投资档次": "A",
        "重点项目": "是",
        "联系县级领导": "王县长",
        "专职服务团队": "赵六、钱七",
        "责任领导": "衡东工业园管委会主任",
        "责任单位": "衡东工业园",
        "责任人": "李干事",
        "推进要求": "缴清土地出让金（2026年11月20日前）；“缴清土地出让金”未按期履约：向县招商引资工作领导小组报送专题报告"
        "（2026年11月25日前）；合同约定建设期满，开展投资核算（2028年2月28日前）",
        "完成时限": datetime(2026, 11, 20),
        "当前状态": "建设中",
        "状态起始日期": datetime(2026, 10, 22),
        "状态持续天数": 49,
        "最新进展": "2026年11月30日资金到位3,000.00 万元",
        "最新进展日期": datetime(2026, 12, 10),
        "签约日期": datetime(2026, 10, 15),
        "合同投资（万元）": 15000,
        "到位资金（万元）": 3000,
        "亩均效益评价": None,
        "预警事项": "“缴清土地出让金”专题报告逾期（已红色预警）；推进要求逾期（时限2026年11月20日）",
    }
    assert {h: c.value for h, c in cells.items()} == expected
    for heading in ("总投资（万元）", "合同投资（万元）", "到位资金（万元）"):
        assert cells[heading].number_format == "#,##0.00"
    for heading in ("完成时限", "状态起始日期", "签约日期", "最新进展日期"):
        assert cells[heading].number_format == 'yyyy"年"m"月"d"日"'
    assert ws.max_row == 4
    info = wb["重点招商信息台账"]
    assert [c.value for c in info[3]][-1] == "预警事项" and "签约日期" not in [c.value for c in info[3]]
    assert [info.cell(row=4, column=c).value for c in (2, 7, 8, 13)] == ["ZS2026-0002", 3000, "C", "新塘镇"]
    assert wb["在谈项目台账"].cell(row=4, column=14).value == "孙八"


def test_the_export_follows_the_filters_and_a_park_exports_its_own(fed):
    _, wb = exported(fed, HEXI)
    assert [wb[s].max_row for s in wb.sheetnames] == [3, 4, 3]
    _, wb = exported(fed, CLERK, {"key": True})
    assert [wb[s].max_row for s in wb.sheetnames] == [3, 3, 4]


# -- import -------------------------------------------------------------------------------------------------------------------
HEAD = [
    "序号",
    "项目编号",
    "项目名称",
    "投资方",
    "行业代码",
    "项目地点",
    "总投资（万元）",
    "责任领导",
    "责任单位",
    "责任人",
    "推进要求",
    "完成时限",
    "当前状态",
    "状态起始日期",
    "最新进展",
    "最新进展日期",
]


def county_workbook(rows_by_sheet: dict[str, list[list]], extra_heads: dict[str, list[str]] | None = None) -> str:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, rows in rows_by_sheet.items():
        ws = wb.create_sheet(sheet)
        ws.append([f"示例县{sheet}"])
        ws.append(["填报单位：县招商局"])
        ws.append(HEAD + (extra_heads or {}).get(sheet, []))
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return base64.b64encode(out.getvalue()).decode()


GOOD_INFO = [
    1,
    "TZ-001",
    "生物医药中间体项目",
    "某医药公司",
    "C2710",
    "河西新区",
    6000,
    "分管县领导",
    "河西新区",
    "周九",
    "完成项目考察",
    date(2027, 1, 10),
    "线索",
    date(2026, 11, 1),
    "已初步接洽",
    date(2026, 11, 5),
]
GOOD_TALKS = [
    1,
    "TZ-002",
    "智能装备制造项目",
    None,
    "C3491",
    "衡东工业园",
    "12,000.50",
    None,
    "衡东工业园",
    None,
    None,
    None,
    "洽谈中",
    "2026-10-01",
    None,
    None,
]
GOOD_SIGNED = [
    1,
    "TZ-003",
    "光伏组件项目",
    "某光伏公司",
    "C3825",
    "衡东工业园",
    50000,
    None,
    "衡东工业园",
    "吴十",
    None,
    None,
    "在建",
    "2026年06月01日",
    "主体厂房封顶",
    "2026年11月20日",
    "2026-03-18",
    48000,
    21000.5,
]
SIGNED_HEADS = {"签约项目台账": ["签约日期", "合同投资（万元）", "到位资金（万元）"]}


def test_an_import_with_one_bad_row_imports_nothing_and_reports_the_row_and_field(fed):
    before_rows, before_journal = live(fed), len(fed.rows("ledger_journal"))
    bad_talks = list(GOOD_TALKS)
    bad_talks[1], bad_talks[6] = "TZ-004", "约一个亿"  # 总投资 not a number
    content = county_workbook(
        {"重点招商信息台账": [GOOD_INFO], "在谈项目台账": [GOOD_TALKS, bad_talks], "签约项目台账": [GOOD_SIGNED]},
        SIGNED_HEADS,
    )
    with pytest.raises(InvalidInput) as refused:
        fed.import_ledger(CLERK, {"filename": "台账.xlsx", "content_base64": content})
    assert list(refused.value.details) == ["在谈项目台账!5.total_investment"]
    assert str(refused.value.details["在谈项目台账!5.total_investment"][0]).startswith(
        "总投资（万元）: must be a number"
    )
    said = refused.value.msg.render("zh-CN")
    assert "未导入任何数据" in said and "工作表“在谈项目台账”第5行“总投资（万元）”：须为数字" in said
    assert live(fed) == before_rows and len(fed.rows("ledger_journal")) == before_journal


@pytest.mark.parametrize(
    "change, field",
    [
        ((2, None), "name"),
        ((4, "X9999"), "sector"),
        ((6, -5), "total_investment"),
        ((8, "火星开发区"), "responsible_unit"),
        ((12, "已签约"), "state"),
        ((12, "做梦"), "state"),
        ((13, "2026-02-30"), "state_since"),
        ((13, "2099-01-01"), "state_since"),
        ((11, "2027-01-01"), "requirements"),
        ((1, "ZS2026-0001"), "ref"),
    ],
)
def test_every_rule_of_an_imported_row(fed, change, field):
    row = list(GOOD_TALKS)
    if change == (11, "2027-01-01"):
        row[10] = None
    row[change[0]] = change[1]
    content = county_workbook({"在谈项目台账": [row]})
    with pytest.raises(InvalidInput) as refused:
        fed.import_ledger(CLERK, {"filename": "ledger.xlsx", "content_base64": content})
    assert list(refused.value.details) == [f"在谈项目台账!4.{field}"]


def a_zip_without_a_workbook() -> str:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return base64.b64encode(out.getvalue()).decode()


def test_a_contracted_row_needs_its_signing_and_a_file_must_be_a_workbook(fed):
    row = list(GOOD_SIGNED)
    row[16] = None
    with pytest.raises(InvalidInput) as refused:
        fed.import_ledger(
            CLERK, {"filename": "l.xlsx", "content_base64": county_workbook({"签约项目台账": [row]}, SIGNED_HEADS)}
        )
    assert list(refused.value.details) == ["签约项目台账!4.signed_on"]
    with pytest.raises(InvalidInput) as missing:
        fed.import_ledger(
            CLERK, {"filename": "l.xlsx", "content_base64": county_workbook({"签约项目台账": [GOOD_SIGNED]})}
        )
    assert "签约项目台账!3.signed_on" in missing.value.details
    for body, field in [
        ({"filename": "l.xls", "content_base64": "AAAA"}, "filename"),
        ({"filename": "l.xlsx", "content_base64": "not base64!"}, "content_base64"),
        ({"filename": "l.xlsx", "content_base64": base64.b64encode(b"PK no zip").decode()}, "file"),
        ({"filename": "l.xlsx", "content_base64": a_zip_without_a_workbook()}, "file"),
        ({"filename": "l.xlsx", "content_base64": "AAAA", "mode": "some"}, "mode"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            fed.import_ledger(CLERK, body)
        assert field in refused.value.details
    with pytest.raises(NotAllowed):
        fed.import_ledger(HEXI, {"filename": "l.xlsx", "content_base64": "AAAA"})


def test_a_valid_workbook_is_imported_into_the_books_and_the_partial_mode_keeps_the_good_rows(fed):
    content = county_workbook(
        {"重点招商信息台账": [GOOD_INFO], "在谈项目台账": [GOOD_TALKS], "签约项目台账": [GOOD_SIGNED]}, SIGNED_HEADS
    )
    report = fed.import_ledger(CLERK, {"filename": "台账.xlsx", "content_base64": content})
    assert report == {"mode": "all_or_nothing", "imported": 3, "refs": ["TZ-001", "TZ-002", "TZ-003"], "errors": []}
    signed = [r for r in fed.ledger(CLERK, {"book": "contracted"})["items"] if r["ref"] == "TZ-003"][0]
    assert (signed["source"], signed["state"], signed["responsible_unit"], signed["signed_on"]) == (
        "import",
        "construction",
        "PARK:hengdong",
        "2026-03-18",
    )
    assert (signed["contracted_investment"], signed["funds_in_place"], signed["tier"], signed["is_key"]) == (
        "480000000.00",
        "210005000.00",
        "A",
        True,
    )
    assert signed["last_progress"]["summary"] == "主体厂房封顶"
    talks = fed.ledger_row(CLERK, [r for r in live(fed).values() if r["ref"] == "TZ-002"][0]["project_id"])
    assert talks["planned_total_investment"] == "120005000.00" and talks["book"] == "negotiation"
    info = [r for r in fed.ledger(CLERK, {"book": "information"})["items"] if r["ref"] == "TZ-001"][0]
    assert info["requirements"] == [{"step": "完成项目考察", "due": "2027-01-10", "done": False, "source": "set"}]
    assert info["responsible_leader"] == {"name": "分管县领导", "position": None}
    rows = live(fed)
    assert fed.rebuild_ledger(DIRECTOR)["rows"] == 6 and live(fed) == rows  # imported rows replay too
    hengdong = {u["unit"]: u for u in fed.targets(CLERK, 2026)["units"]}["PARK:hengdong"]
    assert hengdong["projects"] == ["TZ-003", "ZS2026-0001"]

    again = county_workbook(
        {
            "重点招商信息台账": [
                [
                    2,
                    None,
                    "无编号的线索项目",
                    None,
                    "C3252",
                    None,
                    800,
                    None,
                    "县招商局",
                    None,
                    None,
                    None,
                    "线索",
                    None,
                    None,
                    None,
                ],
                GOOD_INFO,
            ]
        }
    )
    partial = fed.import_ledger(CLERK, {"filename": "x.xlsx", "content_base64": again, "mode": "partial"})
    assert partial["imported"] == 1 and partial["refs"] == ["TZ2026-0001"]
    assert partial["errors"] == [
        {
            "sheet": "重点招商信息台账",
            "row": 5,
            "field": "ref",
            "heading": "项目编号",
            "message": {"msgid": "{ref} is already in the ledger", "params": {"ref": "TZ-001"}},
        }
    ]


def test_the_export_imports_back_into_an_empty_ledger(fed, tmp_path):
    own_acts(fed)
    answer, _ = exported(fed)
    engine = create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    models.metadata.create_all(engine)
    other = Harness(CoordinatorService, models.metadata, engine, policy=POLICY, clock=TestClock(shanghai(2026, 12, 10)))
    report = other.import_ledger(CLERK, {"filename": answer["filename"], "content_base64": answer["content_base64"]})
    assert sorted(report["refs"]) == ["ZS2026-0001", "ZS2026-0002", "ZS2026-0003"]
    mine, theirs = (sorted(h.ledger(CLERK, {"limit": 10})["items"], key=lambda r: r["ref"]) for h in (fed, other))
    for a, b in zip(mine, theirs):
        for key in (
            "ref",
            "name",
            "sector",
            "book",
            "state",
            "responsible_unit",
            "total_investment",
            "tier",
            "is_key",
            "signed_on",
            "funds_in_place",
            "next_due",
        ):
            assert a[key] == b[key], key
    engine.dispose()


def test_the_prebuilt_row_update_sets_every_column_the_row_has():
    """``ledger_store._update_row`` is built once per set of columns (the coordinator's profile: building it per
    event was a fifth of its time) and names only those that changed; a column added to ``_columns`` but not to
    ``_ROW_COLUMNS`` would silently stay stale."""
    from services.coordinator import ledger_store

    row = {
        "total_investment": "12.5",
        "last_progress": None,
        "ref": "ZS2026-0001",
        "project_id": "p",
        "name": "x",
        "book": "information",
        "state": "lead",
        "state_since": None,
        "responsible_unit": None,
        "sector": "C35",
        "tier": None,
        "is_key": False,
        "liaison_leader": None,
        "next_due": None,
    }
    assert set(ledger_store._columns(row)) == set(ledger_store._ROW_COLUMNS)


def test_folding_a_project_s_events_at_once_equals_applying_them_one_by_one_and_leaves_the_row_as_it_was():
    import copy

    events = [e for e in scenario() if e.project_id == "p1"]
    one_by_one = None
    for event in events:
        one_by_one = ledger.apply(one_by_one, event, POLICY)
    assert ledger.fold(None, events, POLICY) == one_by_one
    half = ledger.fold(None, events[:3], POLICY)
    kept = copy.deepcopy(half)
    assert ledger.fold(half, events[3:], POLICY) == one_by_one and half == kept
    assert ledger.fold(None, [], POLICY) is None and ledger.fold(half, [], POLICY) == half
    # a row handed over (own=True) is folded in place, to the same result, without its copy
    handed = copy.deepcopy(half)
    assert ledger.fold(handed, events[3:], POLICY, own=True) is handed and handed == one_by_one
    assert ledger.replay(events, POLICY) == {"p1": one_by_one}


def test_a_folded_event_writes_only_the_ledger_columns_it_changed_and_the_row_reads_as_a_full_rewrite(tmp_path):
    from sqlalchemy import event as sa_event

    from services.coordinator import ledger_store

    engine = create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    statements = []
    # the statements run on SQLite's own cursor (shared.fastpath), so they are read from SQLite's trace
    sa_event.listen(
        engine,
        "connect",
        lambda dbapi, _: dbapi.set_trace_callback(
            lambda sql: statements.append(sql) if sql.startswith("UPDATE ledger") else None
        ),
    )
    models.metadata.create_all(engine)
    h = Harness(CoordinatorService, models.metadata, engine, policy=POLICY, clock=TestClock(shanghai(2026, 12, 1)))
    events = [e for e in scenario() if e.project_id == "p1"]
    for event in events:
        handler = next(
            name
            for name in dir(CoordinatorService)
            if any(
                getattr(ep, "full_type", None) == event.type
                for ep in getattr(getattr(CoordinatorService, name), "nameko_entrypoints", ())
            )
        )
        h.call(handler, event.dump())
    assert len(statements) >= len(events) - 1 and all("data=" in sql for sql in statements)  # the JSON: every event
    assert any("ref=" not in sql and "sector=" not in sql for sql in statements)  # unchanged columns left out
    assert ledger_store._update_row(("state", "data")) is ledger_store._update_row(("state", "data"))
    # what the partial updates left in the columns equals a row written whole from its JSON
    with Session(engine) as s:
        stored = s.execute(select(models.ledger).where(models.ledger.c.project_id == "p1")).mappings().one()
        whole = ledger_store._columns(stored["data"])
        assert {k: stored[k] for k in ledger_store._ROW_COLUMNS if k != "data"} == {
            k: whole[k] for k in ledger_store._ROW_COLUMNS if k != "data"
        }
    engine.dispose()


def test_a_moved_provisional_deadline_moves_the_ledger_s_advancement_requirement_whatever_the_order():
    convened = Envelope(
        "review.convened",
        SYSTEM_ACTOR,
        payload={
            "ref": "ZS2026-0009",
            "required_units": ["DRB"],
            "findings": [],
            "note": None,
            "deadline": "2027-01-08",
            "deadline_provisional": True,
            "reason": "review convened",
        },
        project_id="p9",
        occurred_at=shanghai(2026, 12, 25),
    )
    moved = Envelope(
        "review.deadline_moved",
        SYSTEM_ACTOR,
        payload={
            "round": 1,
            "deadline": "2027-01-11",
            "deadline_provisional": False,
            "previous": "2027-01-08",
            "required_units": ["DRB"],
            "reason": "the 2027 holiday schedule is loaded",
        },
        project_id="p9",
        occurred_at=shanghai(2026, 12, 28),
    )
    for events in ([convened, moved], [moved, convened]):
        assert ledger.fold(None, events, POLICY)["review_due"] == "2027-01-11"
    obligation = {"key": "O1", "text": "缴清土地出让金", "due": "2026-12-30", "status": "lapsed", "report": None}
    row = ledger.fold(
        None,
        [
            Envelope(
                "contracts.obligation_lapsed",
                SYSTEM_ACTOR,
                payload={"obligation": {**obligation, "report_due": "2027-01-04"}},
                project_id="p9",
                occurred_at=shanghai(2026, 12, 31),
            ),
            Envelope(
                "contracts.report_due_moved",
                SYSTEM_ACTOR,
                payload={"obligation": {**obligation, "report_due": "2027-01-05"}},
                project_id="p9",
                occurred_at=shanghai(2027, 1, 2),
            ),
        ],
        POLICY,
    )
    assert row["obligations"]["O1"]["report_due"] == "2027-01-05"


# -- standard-land damages on the row (R17) ------------------------------------------------------------------------------
def test_open_standard_land_damages_are_a_red_flag_with_the_amount_owed_and_outstanding(fed):
    from tests.ledger_events import SYSTEM as SUPERVISION, LEGAL as RECOVERY

    def deliver(event):
        fed.call(
            {
                "supervision.commitment_unmet": "on_commitment_unmet",
                "supervision.damages_recorded": "on_damages_recorded",
                "supervision.damages_settled": "on_damages_settled",
            }[event.type],
            event.dump(),
        )
        return event

    def said(kind, payload, at, actor=SUPERVISION):
        return deliver(
            Envelope(
                kind,
                actor,
                {"damages_id": 7, "amount": "2400000.00", **payload},
                project_id="p1",
                occurred_at=shanghai(*at),
            )
        )

    def row():
        return localize(fed.ledger(CLERK, {"book": "contracted"})["items"][0], "zh-CN")

    assert row()["damages_owed"] is None
    said(
        "supervision.commitment_unmet",
        {"indicator": "tax_per_mu", "paid": "0.00", "reduced": "0.00", "outstanding": "2400000.00"},
        (2026, 12, 1),
    )
    assert row()["damages_owed"] == {"amount": "2400000.00", "outstanding": "2400000.00"}
    assert any("标准地违约金" in f and "2400000" not in f for f in row()["red_flags"]), row()["red_flags"]
    paid = said(
        "supervision.damages_recorded",
        {"indicator": "tax_per_mu", "paid": "1000000.00", "reduced": "0.00", "outstanding": "1400000.00"},
        (2026, 12, 3),
        RECOVERY,
    )
    assert row()["damages_owed"] == {"amount": "2400000.00", "outstanding": "1400000.00"}
    deliver(paid)  # redelivered: no change
    assert row()["damages_owed"]["outstanding"] == "1400000.00"
    said("supervision.damages_settled", {"paid": "2400000.00", "reduced": "0.00"}, (2026, 12, 5), RECOVERY)
    # an older payment arriving late does not reopen what is settled
    said(
        "supervision.damages_recorded",
        {"paid": "500000.00", "reduced": "0.00", "outstanding": "1900000.00"},
        (2026, 12, 2),
        RECOVERY,
    )
    assert row()["damages_owed"] is None and not any("标准地违约金" in f for f in row()["red_flags"])
