"""The Leading Group's target assessment (R14, services/coordinator/scoring.py) worked through on sample data.

The method is policy/assessment.yaml: weights 25 (projects signed), 25 (contracted investment), 20 (funds in
place), 10 (key projects started), 10 (special reports on time), 10 (progress recorded on time); completion capped at
the target; nothing to measure scores the whole weight; green from 85, yellow from 60, red below.

Second quarter of 2026 (the year to 30 June; half of each yearly target), assessed on 10 July 2026:

| unit | signed | contracted (万元) | funds (万元) | key started | reports on time | progress on time | total | rank | mark |
|---|---|---|---|---|---|---|---|---|---|
| Hengdong (targets 4, 40000, 20000 → half: 2, 20000, 10000) | 2/2 → 25 | 23000/20000 = 1.15 → capped → 25 | 8000/10000 = 0.8 → 16 | 1/1 → 10 | 1/1 → 10 | 3/4 = 0.75 → 7.50 | 93.50 | 1 | green |
| Xintang (targets 2, 10000, 5000 → 1, 5000, 2500) | 1/1 → 25 | 6000/5000 → capped → 25 | 1000/2500 = 0.4 → 8 | none → 10 | none → 10 | 1/2 = 0.5 → 5 | 83.00 | 2 | yellow |
| Hexi (targets 2, 30000, 10000 → 1, 15000, 5000) | 1/1 → 25 | 10000/15000 = 0.6667 → 16.67 | 0/5000 → 0 | 0/1 → 0 | 0/1 (late) → 0 | 1/2 = 0.5 → 5 | 46.67 | 3 | red |
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.coordinator import scoring
from shared.errors import InvalidInput
from shared.policy import load_policy

POLICY = load_policy()
TODAY = date(2026, 7, 10)
WAN = 10000
TARGETS = [
    {
        "unit": "PARK:hengdong",
        "projects_signed": 4,
        "contracted_investment": 40000 * WAN,
        "funds_in_place": 20000 * WAN,
    },
    {"unit": "PARK:hexi", "projects_signed": 2, "contracted_investment": 30000 * WAN, "funds_in_place": 10000 * WAN},
    {"unit": "TOWN:xintang", "projects_signed": 2, "contracted_investment": 10000 * WAN, "funds_in_place": 5000 * WAN},
]


def row(ref, unit, state, signed_on=None, investment=None, key=False, funds=(), obligations=None, late=(), last=None):
    return {
        "ref": ref,
        "responsible_unit": unit,
        "assigned_unit": unit,
        "state": state,
        "signed_on": signed_on,
        "contracted_investment": None if investment is None else str(investment * WAN),
        "is_key": key,
        "funds": {f"f{i}": {"amount": str(amount * WAN), "on": on} for i, (amount, on) in enumerate(funds)},
        "obligations": obligations or {},
        "late_reports": list(late),
        "last_progress": {"at": f"{last}T10:00:00+08:00"} if last else None,
    }


ROWS = [
    # Hengdong: two signed (one a key project in construction, its special report filed on time), one negotiating
    row(
        "H1",
        "PARK:hengdong",
        "construction",
        "2026-03-10",
        15000,
        key=True,
        funds=[(6000, "2026-05-01")],
        obligations={"O1": {"report_due": "2026-05-06", "report_filed": True}},
        last="2026-06-25",
    ),
    row(
        "H2",
        "PARK:hengdong",
        "signed",
        "2026-06-01",
        8000,
        funds=[(2000, "2026-06-20"), (500, "2026-07-02")],
        last="2026-06-01",
    ),  # 29 days without a record at 30 June; the July funds are not the quarter's
    row("H3", "PARK:hengdong", "negotiating", last="2026-06-28"),
    # Hexi: one key project signed, not started, its special report late; one negotiation without a record
    row(
        "X1",
        "PARK:hexi",
        "signed",
        "2026-04-15",
        10000,
        key=True,
        obligations={"O1": {"report_due": "2026-06-10", "report_filed": True}},
        late=["O1"],
        last="2026-06-29",
    ),
    row("X2", "PARK:hexi", "negotiating", last="2026-05-01"),
    row("X3", "PARK:hexi", "terminated", "2026-05-01", 50000, last="2026-05-20"),  # terminated: not counted
    # Xintang: one signed project in construction, a negotiation idle since 1 June
    row("T1", "TOWN:xintang", "construction", "2026-02-01", 6000, funds=[(1000, "2026-03-01")], last="2026-06-20"),
    row("T2", "TOWN:xintang", "negotiating", last="2026-06-01"),
    # signed in the third quarter: not the second quarter's signing, but carried out then (its record of 5 July,
    # after the quarter, counts as on time): Hengdong's progress is H1, H3 and H4 of four (H2 idle 29 days)
    row("H4", "PARK:hengdong", "signed", "2026-07-05", 99999, last="2026-07-05"),
]


def test_the_second_quarter_worked_through():
    result = scoring.assess(
        "2026-Q2", ROWS, TARGETS, TODAY, POLICY, order=["PARK:hengdong", "PARK:hexi", "TOWN:xintang"]
    )
    assert (result["label"], result["end"], result["share"]) == ("2026年第二季度", "2026-06-30", "0.5")
    units = {u["unit"]: u for u in result["units"]}
    hengdong, hexi, xintang = units["PARK:hengdong"], units["PARK:hexi"], units["TOWN:xintang"]
    assert hengdong["target"] == {
        "projects_signed": "2.0",
        "contracted_investment": "200000000.0",
        "funds_in_place": "100000000.0",
    }
    assert hengdong["done"]["projects"] == ["H1", "H2"] and hengdong["done"]["funds_in_place"] == "80000000"
    assert hengdong["figures"] == {
        "key_projects_signed": 1,
        "key_projects_started": 1,
        "special_reports_due": 1,
        "special_reports_on_time": 1,
        "projects_carried_out": 4,
        "progress_on_time": 3,
    }
    assert hengdong["measures"] == {
        "projects_signed": "1.0000",
        "contracted_investment": "1",
        "funds_in_place": "0.8000",
        "key_projects_started": "1.0000",
        "special_reports_on_time": "1.0000",
        "progress_on_time": "0.7500",
    }
    assert hengdong["scores"] == {
        "projects_signed": "25.00",
        "contracted_investment": "25.00",
        "funds_in_place": "16.00",
        "key_projects_started": "10.00",
        "special_reports_on_time": "10.00",
        "progress_on_time": "7.50",
    }
    assert (hengdong["total"], hengdong["rank"], hengdong["mark"]) == ("93.50", 1, "green")

    assert xintang["scores"] == {
        "projects_signed": "25.00",
        "contracted_investment": "25.00",
        "funds_in_place": "8.00",
        "key_projects_started": "10.00",
        "special_reports_on_time": "10.00",
        "progress_on_time": "5.00",
    }
    assert xintang["not_applicable"] == ["key_projects_started", "special_reports_on_time"]
    assert (xintang["total"], xintang["rank"], xintang["mark"]) == ("83.00", 2, "yellow")

    assert hexi["done"]["projects"] == ["X1"]  # X3 was terminated
    assert hexi["scores"] == {
        "projects_signed": "25.00",
        "contracted_investment": "16.67",
        "funds_in_place": "0.00",
        "key_projects_started": "0.00",
        "special_reports_on_time": "0.00",
        "progress_on_time": "5.00",
    }
    assert (hexi["total"], hexi["rank"], hexi["mark"]) == ("46.67", 3, "red")
    assert [u["unit"] for u in result["units"]] == ["PARK:hengdong", "TOWN:xintang", "PARK:hexi"]


def test_the_year_counts_every_signed_project_against_the_whole_target():
    result = scoring.assess("2026", ROWS, TARGETS, date(2027, 1, 5), POLICY)
    hengdong = next(u for u in result["units"] if u["unit"] == "PARK:hengdong")
    # H1, H2 and H4 of 4: 0.75 → 18.75; contracted 15000 + 8000 + 99999 万元 of 40000: capped
    assert hengdong["done"]["projects"] == ["H1", "H2", "H4"] and hengdong["scores"]["projects_signed"] == "18.75"
    assert hengdong["scores"]["contracted_investment"] == "25.00"
    assert result["share"] == "1"


def test_equal_scores_share_a_rank_and_the_marks_fall_at_the_policys_thresholds():
    twin = [dict(t, unit=u) for t, u in zip(TARGETS[:2], ("TOWN:shiwan", "TOWN:yangqiao"))]
    result = scoring.assess("2026-Q1", [], twin, TODAY, POLICY)
    # nothing signed: 0 of each completion (70 points lost), every share has nothing to measure: 30 points
    assert [(u["total"], u["rank"], u["mark"]) for u in result["units"]] == [("30.00", 1, "red"), ("30.00", 1, "red")]
    assert [scoring.mark(Decimal(x), POLICY) for x in ("85", "84.99", "60", "59.99")] == [
        "green",
        "yellow",
        "yellow",
        "red",
    ]


@pytest.mark.parametrize("key", ["2026-Q5", "26", "2026-11", "", "1999"])
def test_a_period_is_a_year_or_a_quarter(key):
    with pytest.raises(InvalidInput):
        scoring.assessment_period(key)
