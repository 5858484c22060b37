"""The yearly per-mu benefit evaluation (R17 §4–§5) run by the supervision service over its data store, through
its methods over a real SQLite database (tests/harness.py): results per grade and per park or town, the card, the
workbook and the 公文 notice, the grade told to a followed project's ledger, the forecast."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from shared.clock import SHANGHAI
from shared.errors import InvalidInput, NotAllowed, NotFound
from shared.gongwen import read_docx_text
from shared.i18n import text
from shared.policy import load_policy
from tests import enterprises as gen
from tests.enterprises import DRB, FIN, IND, IPB, LAND

POLICY = load_policy()
PARK = {"user_id": "u-hd", "position": "park_clerk", "unit": "PARK:hengdong"}
T0 = dt.datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def s(tmp_path):
    harness, engine = gen.supervision(tmp_path / "supervision.db", POLICY, T0)
    yield harness
    engine.dispose()


def load(s, made):
    s.import_enterprises(IPB, gen.upload("名录.xlsx", gen.register_file(made)))
    for actor, kinds in ((FIN, ("tax",)), (DRB, ("energy",)), (IND, ("output",)), (LAND, ("land",))):
        s.import_figures(actor, gen.upload("f.xlsx", gen.figures_file(made, kinds)))


def test_the_year_is_evaluated_graded_per_grade_and_per_park_or_town(s):
    made = gen.enterprises(32)  # production started 2015 + i % 8: none in 2024 or 2025
    made[3].production_year = 2024  # class T: second year of production
    load(s, made)
    with pytest.raises(NotAllowed):
        s.evaluate_benefit(FIN, 2025)
    with pytest.raises(InvalidInput):
        s.evaluate_benefit(IPB, 2026)  # not over yet
    result = s.evaluate_benefit(IPB, 2025)
    assert result["graded"] == 31 and result["per_grade"] == {"A": 6, "B": 12, "C": 11, "D": 2, "T": 1}
    graded = [x for x in result["items"] if x["status"] == "graded"]
    assert [x["rank"] for x in graded] == list(range(1, 32))
    totals = [float(x["total"]) for x in graded]
    assert totals == sorted(totals, reverse=True)
    assert [x["grade"] for x in graded] == ["A"] * 6 + ["B"] * 12 + ["C"] * 11 + ["D"] * 2
    t = next(x for x in result["items"] if x["grade"] == "T")
    assert t["credit_code"] == made[3].credit_code and "投产未满2年" in text(t["reason"], "zh_CN")
    hengdong = next(p for p in result["per_location"] if p["location"] == "PARK:hengdong")
    assert sum(hengdong["grades"].values()) == sum(1 for e in made if e.location == "衡东工业园")
    only_a = s.benefit_evaluation(PARK, 2025, "A")
    assert only_a["total"] == 6 and {x["grade"] for x in only_a["items"]} == {"A"}


def test_an_enterprise_s_card_shows_its_indicators_against_the_baselines(s):
    made = gen.enterprises(12)
    load(s, made)
    s.evaluate_benefit(IPB, 2025)
    card = s.benefit_card(IPB, made[0].credit_code, None)
    assert card["year"] == 2025 and card["of"] == 12
    tax = next(i for i in card["indicators"] if i["key"] == "tax_per_mu")
    assert tax["baseline"] == "28" and tax["weight"] == "0.45" and text(tax["name"], "zh_CN") == "亩均税收"
    assert float(tax["value"]) == pytest.approx(
        float(made[0].figures[2025]["tax"] / made[0].figures[2025]["land"]), abs=0.006
    )
    assert card["history"] == [{"year": 2025, "grade": card["grade"], "total": card["total"], "rank": card["rank"]}]
    with pytest.raises(NotFound):
        s.benefit_card(IPB, gen.code(999), 2025)


def test_the_workbook_and_the_notice_as_a_gongwen(s):
    made = gen.enterprises(20)
    load(s, made)
    s.evaluate_benefit(IPB, 2025)
    book = s.benefit_document(IPB, 2025, "xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(base64.b64decode(book["content_base64"])))
    assert wb.sheetnames[:6] == ["评价结果", "A类", "B类", "C类", "D类", "T类"]
    assert wb["A类"].max_row == 3 + 4 and wb["D类"].max_row == 3 + 1
    notice = s.benefit_document(IPB, 2025, "docx")
    lines = "\n".join(read_docx_text(base64.b64decode(notice["content_base64"])))
    assert "关于公布2025年度工业企业亩均效益综合评价结果的通知" in lines
    assert "A类4家、B类8家、C类7家、D类1家" in lines and "示招商办〔2026〕1号" in lines
    again = s.benefit_document(IPB, 2025, "docx")
    assert "示招商办〔2026〕1号" in "\n".join(read_docx_text(base64.b64decode(again["content_base64"])))


def test_a_followed_project_s_investor_grade_is_told_to_the_ledger(s):
    made = gen.enterprises(10)
    load(s, made)
    s.event(
        "on_project_filed",
        "intake.project_filed",
        "p-1",
        {"ref": "ZS2026-0001", "project_name": "示例项目", "credit_code": made[5].credit_code},
    )
    result = s.evaluate_benefit(IPB, 2025)
    [told] = [e for e in s.events("supervision.benefit_graded")]
    mine = next(x for x in result["items"] if x["credit_code"] == made[5].credit_code)
    assert told["project_id"] == "p-1"
    assert told["payload"]["grade"] == mine["grade"] and told["payload"]["year"] == 2025


def test_a_forecast_ranks_planned_figures_among_the_latest_evaluation(s):
    made = gen.enterprises(20)
    load(s, made)
    empty = s.benefit_forecast(IPB, {"tax": "600", "output": "12000", "energy": "300", "land_mu": "20"})
    assert empty["grade"] is None and "尚无" in text(empty["grade_name"], "zh_CN")
    s.evaluate_benefit(IPB, 2025)
    best = s.benefit_forecast(PARK, {"tax": "6000", "output": "120000", "energy": "300", "land_mu": "20"})
    assert best["grade"] == "A" and best["rank"] == 1 and best["of"] == 21 and best["baseline_year"] == 2026
    assert best["total"] == "120.00"
    worst = s.benefit_forecast(IPB, {"tax": "1", "output": "1", "land_mu": "20"})
    assert worst["grade"] == "D"


def test_signed_projects_outcomes_are_public_only_where_policy_discloses_them_and_only_its_public_fields(s, tmp_path):
    made = gen.enterprises(12)
    load(s, made)
    for n, (state, who) in enumerate((("construction", made[2]), ("negotiating", made[3]), ("terminated", made[4]))):
        pid = f"p-{n}"
        s.event(
            "on_project_filed",
            "intake.project_filed",
            pid,
            {"ref": f"ZS2026-000{n}", "project_name": f"项目{n}", "credit_code": who.credit_code},
        )
        s.event(
            "on_project_state_changed",
            "coordinator.project_state_changed",
            pid,
            {"ref": f"ZS2026-000{n}", "seq": 1, "from_state": None, "to_state": state},
        )
    s.evaluate_benefit(IPB, 2025)
    with pytest.raises(NotFound) as refused:
        s.public_outcomes(None)  # the sample county does not disclose them
    assert "不公开" in text(refused.value.msg, "zh_CN")
    policy = load_policy()
    policy.documents["benefit"] = {
        **policy.documents["benefit"],
        "disclosure": {"enabled": True, "public": ["grade", "tax_per_mu"]},
    }
    disclosing, engine = gen.supervision(tmp_path / "supervision.db", policy, T0)
    page = disclosing.public_outcomes(None)
    engine.dispose()
    [one] = page["items"]  # signed only: not the one negotiating, not the terminated one
    card = s.benefit_card(IPB, made[2].credit_code, 2025)
    assert one["ref"] == "ZS2026-0000" and one["grade"] == card["grade"] and page["year"] == 2025
    assert set(one["indicators"]) == {"tax_per_mu"} and one["total"] is None
