"""The review service (R2) driven through its own methods with real collaborators.

Each call builds a worker with nameko's ``worker_factory`` over a real SQLite
database (outbox included), the sample policy, the official working-day
calendar, the shipped check plugins and a clock the test moves forward.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from sqlalchemy import create_engine

from services.review import domain, models
from services.review.checks import discover_checks
from services.review.service import ReviewService
from shared.actor import Actor
from shared.i18n import Message
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound
from shared.policy import load_policy
from shared.workdays import WorkingDayCalendar
from tests.harness import Harness, TestClock, shanghai

POLICY = load_policy()
CHECKS = discover_checks()

IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
BUREAUS = ("DRB", "IND", "FIN", "EPB", "LAND", "PLAN")
HENGDONG_UNITS = [*BUREAUS, "PARK:hengdong"]


def reviewer(unit: str) -> dict:
    if unit.startswith("PARK:"):
        return {"user_id": f"u-{unit}", "position": f"park_head:{unit.split(':', 1)[1]}", "unit": unit}
    return {"user_id": f"u-{unit}", "position": "reviewer", "unit": unit}


def official_deadline(start: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after ``start``, straight from chinesecalendar."""
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    return day


class Review(Harness):
    """The review service with the sample policy, the official calendar and the shipped checks."""

    def __init__(self, engine, clock: TestClock):
        self.calendar = WorkingDayCalendar(POLICY.holiday_years)  # its own: a test may load a year into it
        super().__init__(
            ReviewService, models.metadata, engine, policy=POLICY, calendar=self.calendar, clock=clock, checks=CHECKS
        )
        self.clock = clock


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'review.db'}")
    models.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return TestClock(shanghai(2026, 9, 30))


@pytest.fixture
def review(engine, clock):
    return Review(engine, clock)


def file_project(
    review: Review,
    project_id: str,
    n: int = 1,
    sector: str = "C3612",
    location_kind: str = "park",
    location_id: str | None = "hengdong",
    fai: str = "60000000",
    land_mu: str = "20",
) -> None:
    """Deliver intake.project_filed to the service's handler, as the bus would."""
    event = Envelope(
        type="intake.project_filed",
        actor=Actor(**IPB),
        project_id=project_id,
        payload={
            "ref": f"ZS2026-{n:04d}",
            "project_name": f"示例项目{n}",
            "investor_name": f"示例投资有限公司{n}",
            "sector": sector,
            "planned_total_investment": "80000000",
            "planned_fixed_asset_investment": fai,
            "land_mu": land_mu,
            "location_kind": location_kind,
            "location_id": location_id,
            "registered_unit": "IPB",
            "reason": "filed",
        },
    )
    review.on_project_filed(event.dump())


def convened(review: Review, project_id: str, n: int = 1, **project) -> dict:
    file_project(review, project_id, n, **project)
    return review.convene(IPB, project_id, {"note": "joint review"})


# -- 1. the review period, on the official calendar ----------------------------------------------
def test_an_open_review_is_escalated_once_the_day_after_its_period(review, clock):
    expected = official_deadline(dt.date(2026, 9, 30), POLICY.integer("thresholds.review.period_working_days"))
    # National Day 2026: Oct 1-7 off, Saturday Oct 10 a make-up working day.
    assert expected == dt.date(2026, 10, 20)

    got = convened(review, "p1")
    assert got["deadline"] == "2026-10-20" and got["deadline_provisional"] is False
    assert got["state"] == "open" and got["required_units"] == HENGDONG_UNITS

    for moment in (
        shanghai(2026, 9, 30, 18),
        shanghai(2026, 10, 8),
        shanghai(2026, 10, 10),
        shanghai(2026, 10, 19),
        shanghai(2026, 10, 20, 0, 1),
        shanghai(2026, 10, 20, 23, 59),
    ):
        clock.now = moment
        assert review.escalate_overdue() == 0, moment
    assert review.events("review.escalated") == []
    assert review.get_review(IPB, "p1")["escalated_at"] is None

    # 00:30 on Oct 21 in Shanghai is still Oct 20 in UTC: the day is the county's day.
    clock.now = shanghai(2026, 10, 21, 0, 30)
    assert review.escalate_overdue() == 1
    assert review.escalate_overdue() == 0
    clock.now = shanghai(2026, 10, 28)
    assert review.escalate_overdue() == 0

    escalated = review.events("review.escalated")
    assert len(escalated) == 1
    event = escalated[0]
    assert event["project_id"] == "p1"
    assert event["payload"]["to_position"] == "ipb_director"
    assert event["payload"]["awaiting"] == HENGDONG_UNITS
    assert event["payload"]["deadline"] == "2026-10-20"
    assert event["actor"]["unit"] == "SYSTEM"
    after = review.get_review(IPB, "p1")
    assert after["escalated_at"] is not None and after["state"] == "open"


def test_a_period_running_into_an_unknown_year_is_provisional(review, clock):
    clock.now = shanghai(2026, 12, 21)
    got = convened(review, "p1")
    assert dt.date.fromisoformat(got["deadline"]).year == 2027
    assert got["deadline_provisional"] is True
    assert review.get_review(IPB, "p1")["deadline_provisional"] is True
    (convened_event,) = review.events("review.convened")
    assert convened_event["payload"]["deadline_provisional"] is True

    clock.now = shanghai(2026, 12, 1)  # a period inside a known year is not provisional
    assert convened(review, "p2", n=2)["deadline_provisional"] is False


def test_a_concluded_review_is_never_escalated(review, clock):
    convened(review, "p1")
    for unit in HENGDONG_UNITS:
        got = review.record_opinion(reviewer(unit), "p1", {"opinion": "pass"})
    assert got["state"] == "concluded" and got["outcome"] == "approved"

    for moment in (shanghai(2026, 10, 21), shanghai(2026, 11, 30), shanghai(2026, 12, 31)):
        clock.now = moment
        assert review.escalate_overdue() == 0
    assert review.events("review.escalated") == []
    assert review.get_review(IPB, "p1")["escalated_at"] is None


def test_a_resubmission_opens_a_new_round_with_a_new_period(review, clock):
    convened(review, "p1")
    review.record_opinion(reviewer("DRB"), "p1", {"opinion": "pass"})  # round 1 only
    clock.now = shanghai(2026, 10, 21, 9)
    assert review.escalate_overdue() == 1
    (first,) = review.events("review.escalated")
    assert first["payload"]["awaiting"] == HENGDONG_UNITS[1:]

    clock.now = shanghai(2026, 10, 22)
    returned = review.record_return(IPB, "p1", {"unit": "LAND", "request": "the land survey"})
    assert returned["state"] == "returned"
    clock.now = shanghai(2026, 11, 20)  # long past the old period: a returned review waits on the investor
    assert review.escalate_overdue() == 0

    clock.now = shanghai(2026, 11, 23, 15)  # Monday
    again = review.resubmit(IPB, "p1", {"note": "survey supplied"})
    new_deadline = official_deadline(dt.date(2026, 11, 23), 10)
    assert new_deadline == dt.date(2026, 12, 7)
    assert again["state"] == "open" and again["round"] == 2
    assert again["deadline"] == new_deadline.isoformat() and again["deadline_provisional"] is False
    assert again["escalated_at"] is None
    assert again["awaiting"] == HENGDONG_UNITS  # DRB's round-1 opinion does not count for round 2
    assert again["returns"][0]["resubmission_note"] == "survey supplied"
    (resubmitted,) = review.events("review.resubmitted")
    assert resubmitted["payload"]["round"] == 2 and resubmitted["payload"]["deadline"] == "2026-12-07"

    for moment in (shanghai(2026, 11, 24), shanghai(2026, 12, 4), shanghai(2026, 12, 7, 23, 59)):
        clock.now = moment
        assert review.escalate_overdue() == 0, moment
    clock.now = shanghai(2026, 12, 8)
    assert review.escalate_overdue() == 1
    assert review.escalate_overdue() == 0

    escalations = review.events("review.escalated")
    assert len(escalations) == 2
    second = escalations[1]["payload"]
    assert second["deadline"] == "2026-12-07" and second["awaiting"] == HENGDONG_UNITS
    assert second["to_position"] == "ipb_director"


# -- 5. opinions through the service ----------------------------------------------------------------
def test_a_reviewer_records_only_its_own_units_opinion(review):
    convened(review, "p1")
    with pytest.raises(NotAllowed):
        review.record_opinion(reviewer("DRB"), "p1", {"unit": "FIN", "opinion": "pass"})
    got = review.get_review(IPB, "p1")
    assert got["opinions"] == [] and "FIN" in got["awaiting"] and "DRB" in got["awaiting"]
    assert review.events("review.opinion_recorded") == []


def test_a_unit_gives_one_opinion_per_round(review):
    convened(review, "p1")
    review.record_opinion(reviewer("DRB"), "p1", {"opinion": "conditional", "conditions": ["energy audit"]})
    with pytest.raises(Conflict):
        review.record_opinion(reviewer("DRB"), "p1", {"opinion": "fail", "reasons": ["changed my mind"]})
    got = review.get_review(IPB, "p1")
    assert [(o["unit"], o["opinion"], o["conditions"]) for o in got["opinions"]] == [
        ("DRB", "conditional", ["energy audit"])
    ]
    assert got["state"] == "open" and "DRB" not in got["awaiting"]
    assert len(review.events("review.opinion_recorded")) == 1


def test_only_a_reviewer_position_records_an_opinion(review):
    convened(review, "p1")
    with pytest.raises(NotAllowed):
        review.record_opinion({"user_id": "u-fin-1", "position": "fin_clerk", "unit": "FIN"}, "p1", {"opinion": "pass"})
    assert review.get_review(IPB, "p1")["opinions"] == []
    assert review.events("review.opinion_recorded") == []


def test_a_conditional_opinion_names_its_conditions(review):
    convened(review, "p1")
    with pytest.raises(InvalidInput) as e:
        review.record_opinion(reviewer("EPB"), "p1", {"opinion": "conditional"})
    assert "conditions" in e.value.details
    assert review.get_review(IPB, "p1")["opinions"] == []


def test_any_fail_rejects_the_review(review):
    convened(review, "p1")
    review.record_opinion(reviewer("DRB"), "p1", {"opinion": "pass"})
    got = review.record_opinion(reviewer("FIN"), "p1", {"opinion": "fail", "reasons": ["no budget"]})
    assert got["state"] == "concluded" and got["outcome"] == "rejected" and got["awaiting"] == []
    (concluded,) = review.events("review.concluded")
    assert concluded["payload"]["outcome"] == "rejected"
    with pytest.raises(Conflict):  # no further opinion on a concluded review
        review.record_opinion(reviewer("EPB"), "p1", {"opinion": "pass"})


def test_all_pass_or_conditional_approves_with_every_condition(review):
    convened(review, "p1")
    conditions = {"EPB": ["wastewater pre-treatment", "noise barrier"], "PARK:hengdong": ["use plot B-7"]}
    for unit in HENGDONG_UNITS:
        assert review.events("review.concluded") == []
        data = {"opinion": "conditional", "conditions": conditions[unit]} if unit in conditions else {"opinion": "pass"}
        got = review.record_opinion(reviewer(unit), "p1", data)
    assert got["state"] == "concluded" and got["outcome"] == "approved"
    expected = [
        {"unit": "EPB", "condition": "wastewater pre-treatment"},
        {"unit": "EPB", "condition": "noise barrier"},
        {"unit": "PARK:hengdong", "condition": "use plot B-7"},
    ]
    assert got["conditions"] == expected
    (concluded,) = review.events("review.concluded")
    assert concluded["payload"]["outcome"] == "approved"
    assert concluded["payload"]["conditions"] == expected
    assert concluded["actor"]["unit"] == "PARK:hengdong"


# -- 6. convening ---------------------------------------------------------------------------------------
def test_an_eliminated_sector_is_rejected_at_convening(review):
    got = convened(review, "p1", sector="C3041")
    assert got["state"] == "concluded" and got["outcome"] == "rejected" and got["awaiting"] == []
    verdicts = {f["check"]: f["verdict"] for f in got["findings"]}
    assert verdicts["national_industrial_policy"] == "fail"
    assert [v for v in verdicts.values() if v == "fail"] == ["fail"]  # nothing else failed: the class alone rejects
    (concluded,) = review.events("review.concluded")
    assert concluded["payload"]["outcome"] == "rejected"
    assert "淘汰类" in concluded["payload"]["reason"]  # the reason as text, in Chinese
    assert "eliminated class" in str(Message.from_wire(concluded["payload"]["reason_message"]))  # and as a message
    assert concluded["actor"]["unit"] == "SYSTEM"
    with pytest.raises(Conflict):
        review.record_opinion(reviewer("DRB"), "p1", {"opinion": "pass"})


def test_a_permitted_project_is_not_rejected_at_convening(review):
    got = convened(review, "p1")
    assert got["state"] == "open" and got["outcome"] is None
    assert review.events("review.concluded") == []


def test_convening_needs_a_filed_project_and_happens_once(review):
    with pytest.raises(NotFound):
        review.convene(IPB, "never-filed", {})
    assert review.events() == []

    convened(review, "p1")
    with pytest.raises(Conflict):
        review.convene(IPB, "p1", {})
    assert len(review.events("review.convened")) == 1


# -- the park IPB assigns that did not review the project (R2/R3) -----------------------------------------------
def park_review_requested(review: Review, project_id: str, unit: str) -> None:
    """Deliver negotiation.park_review_requested, as the bus would."""
    event = Envelope(
        type="negotiation.park_review_requested",
        actor=Actor(**IPB),
        project_id=project_id,
        payload={"unit": unit, "reason": f"IPB proposes {unit} as the responsible unit"},
    )
    review.on_park_review_requested(event.dump())


def test_a_park_ipb_assigns_gives_its_opinion_in_a_new_round_the_others_standing(review, clock):
    # C3985 in both parks' positioning; 6,000 万元 on 20 mu = 300 万元/亩: meets Hexi's 250 too
    convened(review, "p1", sector="C3985")
    for unit in HENGDONG_UNITS:
        got = review.record_opinion(
            reviewer(unit),
            "p1",
            {
                "opinion": "conditional" if unit == "IND" else "pass",
                "conditions": ["研发投入不低于3%"] if unit == "IND" else [],
            },
        )
    assert got["outcome"] == "approved" and got["round"] == 1

    clock.now = shanghai(2026, 10, 22)
    park_review_requested(review, "p1", "PARK:hexi")
    got = review.get_review(IPB, "p1")
    assert (got["state"], got["round"], got["outcome"]) == ("open", 2, None)
    assert got["required_units"] == [*HENGDONG_UNITS, "PARK:hexi"] and got["awaiting"] == ["PARK:hexi"]
    assert {f["check"]: f["verdict"] for f in got["findings"]}["investment_intensity"] == "ok"
    assert "PARK:hexi" in {f["policy_values"].get("minimum_source") for f in got["findings"]}
    (reopened,) = review.events("review.reopened")
    assert reopened["payload"]["round"] == 2 and reopened["payload"]["unit"] == "PARK:hexi"
    assert [q["project_id"] for q in review.queue(reviewer("PARK:hexi"))] == ["p1"]
    assert review.queue(reviewer("DRB")) == []  # the others' opinions stand
    with pytest.raises(Conflict):
        review.record_opinion(reviewer("DRB"), "p1", {"opinion": "fail", "reasons": ["改变主意"]})

    got = review.record_opinion(reviewer("PARK:hexi"), "p1", {"opinion": "pass"})
    assert got["state"] == "concluded" and got["outcome"] == "approved"
    assert got["conditions"] == [{"unit": "IND", "condition": "研发投入不低于3%"}]  # carried forward still
    concluded = review.events("review.concluded")[-1]["payload"]
    assert concluded["round"] == 2 and concluded["units"] == [*HENGDONG_UNITS, "PARK:hexi"]


def test_the_park_s_fail_rejects_and_a_park_already_reviewing_is_not_added(review):
    convened(review, "p1", sector="C3985")
    for unit in HENGDONG_UNITS:
        review.record_opinion(reviewer(unit), "p1", {"opinion": "pass"})
    with pytest.raises(Conflict):
        park_review_requested(review, "p1", "PARK:hengdong")
    park_review_requested(review, "p1", "PARK:hexi")
    got = review.record_opinion(reviewer("PARK:hexi"), "p1", {"opinion": "fail", "reasons": ["园区无可用地块"]})
    assert got["outcome"] == "rejected"  # R2: any fail rejects


def test_a_check_the_project_fails_at_the_new_park_rejects_the_round_at_once(review):
    # 4,500 万元 on 20 mu = 225 万元/亩: Hengdong's 200 passes, Hexi's 250 does not
    convened(review, "p1", sector="C3985", fai="45000000")
    for unit in HENGDONG_UNITS:
        review.record_opinion(reviewer(unit), "p1", {"opinion": "pass"})
    park_review_requested(review, "p1", "PARK:hexi")
    got = review.get_review(IPB, "p1")
    assert got["state"] == "concluded" and got["outcome"] == "rejected"
    assert "investment_intensity" in review.events("review.concluded")[-1]["payload"]["reason"]


# -- R16: a year's official holiday schedule loaded counts the provisional deadlines again ---------------------------
ADMIN = {"user_id": "u-admin", "position": "ipb_admin", "unit": "IPB"}
SAMPLE_2027 = {
    "holidays": ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"],
    "workdays": ["2027-02-06"],
}


def test_loading_the_year_moves_every_provisional_review_deadline_in_it_and_says_which(review, clock):
    clock.now = shanghai(2026, 12, 25)  # Fri: 10 working days run into 2027, not yet known
    first = convened(review, "p1")
    assert (first["deadline"], first["deadline_provisional"]) == ("2027-01-08", True)  # 1 Jan counted as a weekday
    clock.now = shanghai(2026, 12, 1)
    assert convened(review, "p2", n=2)["deadline_provisional"] is False  # inside 2026: not provisional, not moved
    clock.now = shanghai(2026, 12, 28)
    with pytest.raises(NotAllowed):
        review.load_holidays(IPB, 2027, SAMPLE_2027)
    with pytest.raises(InvalidInput) as bad:
        review.load_holidays(ADMIN, 2027, {"holidays": ["2026-10-01"]})
    assert "holidays" in bad.value.details and review.get_review(IPB, "p1")["deadline"] == "2027-01-08"

    answer = review.load_holidays(ADMIN, 2027, SAMPLE_2027)
    assert answer["moved"] == [
        {
            "project_id": "p1",
            "ref": "ZS2026-0001",
            "what": {"msgid": "review period (round {round})", "params": {"round": 1}},
            "from": "2027-01-08",
            "to": "2027-01-11",
            "provisional": False,
        }
    ]
    got = review.get_review(IPB, "p1")
    assert (got["deadline"], got["deadline_provisional"]) == ("2027-01-11", False)
    (moved,) = review.events("review.deadline_moved")
    assert moved["payload"]["deadline"] == "2027-01-11" and moved["payload"]["previous"] == "2027-01-08"
    assert review.load_holidays(ADMIN, 2027, SAMPLE_2027)["moved"] == []  # loaded again: nothing left to move
    clock.now = shanghai(2026, 12, 29)
    assert convened(review, "p3", n=3)["deadline_provisional"] is False  # new periods count on it at once
    clock.now = shanghai(2027, 1, 11, 23)
    review.escalate_overdue()  # p1's period now ends on the 11th: not escalated (p2's ended in December)
    assert [e["project_id"] for e in review.events("review.escalated")] == ["p2"]


def test_a_review_deadline_is_counted_again_only_while_provisional_and_open():
    calendar = WorkingDayCalendar({2027: SAMPLE_2027})
    review = {
        "state": "open",
        "deadline_provisional": True,
        "period_start": dt.date(2026, 12, 25),
        "deadline": dt.date(2027, 1, 8),
    }
    assert domain.moved_deadline(review, calendar, 10).date == dt.date(2027, 1, 11)
    assert domain.moved_deadline({**review, "state": "concluded"}, calendar, 10) is None
    assert domain.moved_deadline({**review, "deadline_provisional": False}, calendar, 10) is None
    unknown = WorkingDayCalendar({})
    assert domain.moved_deadline(review, unknown, 10) is None  # still the same provisional day: nothing moved
