"""The supervision service (R7, R11) driven through its own methods with real collaborators (tests/harness.py).

Each call builds a worker over a real database (SQLite, and PostgreSQL for two instances), the sample policy, a
document store and a clock the test moves.  Events arrive as the bus delivers them; what supervision says is
read back from its outbox (``supervision.*`` events, routed to people by notifications: its own tests).
"""

from __future__ import annotations

import base64
import datetime as dt

import eventlet
import pytest
from sqlalchemy import create_engine

from services.supervision import domain, models
from services.supervision.service import SupervisionService
from shared import i18n
from shared.actor import Actor
from shared.clock import SHANGHAI
from shared.db import make_engine
from shared.documents import DocumentStore
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound
from shared.policy import load_policy
from shared.workdays import WorkingDayCalendar
from tests.conftest import fresh_pg_database
from tests.harness import Harness, TestClock

POLICY = load_policy()
IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
IPB_DIRECTOR = {"user_id": "u-ipbd", "position": "ipb_director", "unit": "IPB"}
PARK = {"user_id": "u-hd-clerk", "position": "park_clerk", "unit": "PARK:hengdong"}
PARK_HEAD = {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
LG_OFFICE = {"user_id": "u-lg", "position": "lg_office", "unit": "LG"}
FIN = {"user_id": "u-fin", "position": "fin_clerk", "unit": "FIN"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
T0 = dt.datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)


class Supervision(Harness):
    def __init__(self, engine, clock: TestClock, documents: DocumentStore):
        self.calendar = WorkingDayCalendar(POLICY.holiday_years)  # its own: a test may load a year into it
        super().__init__(
            SupervisionService,
            models.metadata,
            engine,
            policy=POLICY,
            clock=clock,
            documents=documents,
            calendar=self.calendar,
        )

    def said(self, event_type: str) -> list[dict]:
        """The payloads of what supervision emitted of this type, in order."""
        return [e["payload"] for e in self.events(event_type)]

    def deadline_rows(self, kind: str) -> list[dict]:
        return [r for r in self.rows("deadlines") if r["kind"] == kind]


@pytest.fixture
def clock():
    return TestClock(T0)


@pytest.fixture
def documents(tmp_path):
    return DocumentStore(tmp_path / "documents", POLICY.documents["documents"])


@pytest.fixture
def s(tmp_path, clock, documents):
    engine = create_engine(f"sqlite:///{tmp_path / 'supervision.db'}")
    models.metadata.create_all(engine)
    yield Supervision(engine, clock, documents)
    engine.dispose()


def project(
    s: Supervision,
    pid: str = "p1",
    ref: str = "ZS2026-0001",
    state: str = "assigned",
    unit: str | None = "PARK:hengdong",
    seq: int = 3,
) -> str:
    """A project the way supervision learns of it: filed, assigned, in a lifecycle state."""
    s.event("on_project_filed", "intake.project_filed", pid, {"ref": ref, "project_name": "铝型材项目"})
    if unit:
        s.event("on_unit_assigned", "negotiation.unit_assigned", pid, {"unit": unit})
    state_change(s, pid, state, seq, ref=ref)
    return pid


def state_change(s: Supervision, pid: str, to_state: str, seq: int, ref: str = "ZS2026-0001") -> None:
    s.event(
        "on_project_state_changed",
        "coordinator.project_state_changed",
        pid,
        {"ref": ref, "from_state": "x", "to_state": to_state, "trigger": "x", "seq": seq, "reason": "test"},
    )


def lapse(s: Supervision, pid: str = "p1", key: str = "O1", report_due: str = "2026-09-04") -> dict:
    return s.event(
        "on_obligation_lapsed",
        "contracts.obligation_lapsed",
        pid,
        {
            "obligation": {"key": key, "text": "缴清土地出让金", "due": "2026-08-31", "party": "investor"},
            "responsible_unit": "PARK:hengdong",
            "notify": ["PARK:hengdong"],
            "report_due": report_due,
            "provisional": False,
            "unknown_years": [],
            "reason": "obligation O1 unmet",
        },
    )


# -- durable deadlines ------------------------------------------------------------------------------------------


def test_a_deadline_that_passed_while_the_service_was_down_fires_after_the_restart(tmp_path, clock, documents):
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    before = create_engine(url)
    models.metadata.create_all(before)
    project(Supervision(before, clock, documents))
    before.dispose()  # the service stops; the project goes stale while it is down
    clock.now = T0 + dt.timedelta(days=20)
    after = create_engine(url)
    models.metadata.create_all(after)  # as a restarted service does
    second = Supervision(after, clock, documents)
    assert second.fire_due_deadlines() == 1
    assert second.fire_due_deadlines() == 0
    assert [r["fired_at"] for r in second.deadline_rows(domain.STALE)] == [clock()]
    assert len(second.said("supervision.project_stale")) == 1
    after.dispose()


def test_two_instances_on_one_postgresql_database_fire_each_deadline_once(clock, documents):
    with fresh_pg_database("zs_supervise") as url:
        engines = [make_engine(url), make_engine(url)]  # green psycopg2: the two really interleave
        models.metadata.create_all(engines[0])
        a, b = (Supervision(e, clock, documents) for e in engines)
        for i in range(12):
            project(a, pid=f"p{i}", ref=f"ZS2026-{i:04d}")
        clock.now = T0 + dt.timedelta(days=14)
        runs = [eventlet.spawn(instance.fire_due_deadlines) for instance in (a, b, a, b)]
        fired = [run.wait() for run in runs]
        assert sum(fired) == 12, fired
        assert sorted(e["project_id"] for e in a.events("supervision.project_stale")) == sorted(
            f"p{i}" for i in range(12)
        )
        for e in engines:
            e.dispose()


# -- tracking (R11): stale and escalation at their boundaries ----------------------------------------------------


def test_a_project_without_progress_for_14_days_is_flagged_and_said_so_with_its_responsible_person(s, clock):
    project(s)  # the transition to "assigned" at T0 is progress
    s.set_contacts(IPB, "p1", {"responsible_person": {"user_id": "u-zhang", "name": "张科长"}})
    assert POLICY.integer("thresholds.tracking.stale_days") == 14
    clock.now = T0 + dt.timedelta(days=14) - dt.timedelta(seconds=1)
    assert s.fire_due_deadlines() == 0
    assert not s.tracking(IPB, "p1")["stale"]
    clock.now = T0 + dt.timedelta(days=14)
    assert s.fire_due_deadlines() == 1
    tracking = s.tracking(IPB, "p1")
    assert tracking["stale"] and tracking["stale_since"].startswith("2026-09-15T10:00")
    (stale,) = s.said("supervision.project_stale")
    assert stale["responsible_person"] == {"user_id": "u-zhang", "name": "张科长"}
    assert (stale["ref"], stale["name"], stale["responsible_unit"]) == ("ZS2026-0001", "铝型材项目", "PARK:hengdong")
    assert stale["stale_days"] == 14 and stale["last_progress"] == "2026-09-01T10:00:00+08:00"
    assert i18n.text(stale["reason_message"], "zh-CN") == "14天无进展"
    # progress clears the flag and the stale period starts again from it
    clock.advance(days=1)
    tracking = s.record_progress(PARK, "p1", {"note": "土地挂牌公告已发布"})
    assert not tracking["stale"] and tracking["stale_due"].startswith("2026-09-30T10:00")
    clock.advance(days=14)
    assert s.fire_due_deadlines() == 1
    assert len(s.said("supervision.project_stale")) == 2


def test_every_transition_is_progress_and_an_ended_project_is_not_followed(s, clock):
    project(s)
    clock.advance(days=13)
    state_change(s, "p1", "negotiating", 4)
    clock.advance(days=13)
    assert s.fire_due_deadlines() == 0
    state_change(s, "p1", "terminated", 5)
    clock.advance(days=30)
    assert s.fire_due_deadlines() == 0
    assert s.said("supervision.project_stale") == []
    assert s.tracking(IPB, "p1")["deadlines"] == []


def test_a_terminated_signed_project_has_nothing_falling_due_any_more(s, clock):
    """Terminated under construction (R7, R11): its report reminder, its problems' escalation and its stale flag
    are all cancelled, and it leaves the stalled lists."""
    project(s, state="construction", seq=16)
    lapse(s, report_due="2026-09-04")
    s.raise_problem(IPB, "p1", {"description": "施工许可未办", "owner": "unit:PLAN"})
    assert [g["count"] for g in s.stalled(LG_OFFICE) if g["category"] == "started_not_completed"] == [1]
    state_change(s, "p1", "terminated", 17)
    clock.advance(days=60)
    assert s.fire_due_deadlines() == 0
    assert all(r["cancelled_at"] is not None for r in s.rows("deadlines") if r["project_id"] == "p1")
    assert [g["count"] for g in s.stalled(LG_OFFICE)] == [0, 0, 0]


def test_an_older_transition_arriving_late_does_not_move_the_state_back(s):
    project(s, state="negotiating", seq=5)
    state_change(s, "p1", "assigned", 4)
    assert s.tracking(IPB, "p1")["state"] == "negotiating"


def test_a_problem_open_7_days_goes_to_the_liaison_leader(s, clock):
    project(s)
    s.set_contacts(IPB, "p1", {"liaison_leader": "deputy_county_magistrate"})
    tracking = s.raise_problem(PARK, "p1", {"description": "用地指标未落实", "owner": "unit:LAND"})
    problem = tracking["problems"][0]
    assert problem["escalation_due"].startswith("2026-09-08T10:00")
    # the owner's to-do (the coordinator's workbench hears it): what, whose, by when
    (raised,) = s.said("supervision.problem_raised")
    assert (raised["problem_id"], raised["problem"], raised["owner"], raised["escalation_due"]) == (
        problem["id"],
        "用地指标未落实",
        "unit:LAND",
        "2026-09-08",
    )
    assert raised["reason"] == "提出问题：用地指标未落实（责任：县国土资源局）"
    clock.now = T0 + dt.timedelta(days=7) - dt.timedelta(seconds=1)
    s.record_progress(PARK, "p1", {"note": "keeps the project from going stale"})
    assert s.fire_due_deadlines() == 0
    clock.now = T0 + dt.timedelta(days=7)
    assert s.fire_due_deadlines() == 1
    problem = s.tracking(IPB, "p1")["problems"][0]
    assert problem["escalated_to"] == ["position:deputy_county_magistrate"]
    assert problem["escalated_at"].startswith("2026-09-08T10:00")
    (escalated,) = s.said("supervision.problem_escalated")
    assert escalated["escalate_to"] == "deputy_county_magistrate" and escalated["problem"] == "用地指标未落实"
    assert escalated["owner"] == "unit:LAND" and escalated["escalation_days"] == 7
    # LAND, which owns it, resolves it
    land = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND"}
    s.resolve_problem(land, "p1", problem["id"], {"resolution": "县政府专题会议调剂指标"})
    (resolved,) = s.said("supervision.problem_resolved")
    assert (resolved["problem_id"], resolved["owner"], resolved["resolution"]) == (
        problem["id"],
        "unit:LAND",
        "县政府专题会议调剂指标",
    )
    with pytest.raises(Conflict):
        s.resolve_problem(land, "p1", problem["id"], {"resolution": "again"})
    assert len(s.said("supervision.problem_resolved")) == 1


def test_a_problem_resolved_in_time_is_never_escalated_and_without_a_liaison_leader_goes_to_the_policys_position(
    s, clock
):
    project(s)
    first = s.raise_problem(IPB, "p1", {"description": "环评批复延迟", "owner": "unit:EPB"})["problems"][0]
    clock.advance(days=6, hours=23)
    s.resolve_problem(IPB, "p1", first["id"], {"resolution": "已批复"})
    second = s.raise_problem(IPB, "p1", {"description": "供电线路未接入", "owner": "position:town_head"})["problems"][1]
    clock.advance(hours=1)
    assert s.fire_due_deadlines() == 0  # the first was resolved; the second is an hour old
    clock.advance(days=7)
    s.fire_due_deadlines()
    escalated = [p for p in s.tracking(IPB, "p1")["problems"] if p["escalated_at"]]
    assert [p["id"] for p in escalated] == [second["id"]]
    assert POLICY.get("thresholds.tracking.escalation_position") == "county_leader_in_charge"
    assert escalated[0]["escalated_to"] == ["position:county_leader_in_charge"]


def test_tracking_acts_are_for_ipb_and_the_responsible_unit_and_inputs_name_their_field(s):
    project(s)
    with pytest.raises(NotAllowed):
        s.record_progress(FIN, "p1", {"note": "x"})
    with pytest.raises(NotAllowed):
        s.set_contacts(PARK, "p1", {"liaison_leader": "county_leader_in_charge"})
    with pytest.raises(InvalidInput) as bad:
        s.raise_problem(IPB, "p1", {"description": "x", "owner": "LAND"})
    assert "owner" in bad.value.details
    with pytest.raises(InvalidInput) as empty:
        s.record_progress(IPB, "p1", {"note": ""})
    assert "note" in empty.value.details
    with pytest.raises(NotFound):
        s.record_progress(IPB, "nope", {"note": "x"})


def test_stalled_lists_count_as_the_county_offices_do_with_time_in_state(s, clock):
    project(s, pid="a", ref="ZS2026-0001", state="approved", unit=None)
    clock.advance(days=2)
    project(s, pid="b", ref="ZS2026-0002", state="signed", seq=14)
    project(s, pid="c", ref="ZS2026-0003", state="filed_copies", seq=15)
    clock.advance(days=3)
    project(s, pid="d", ref="ZS2026-0004", state="construction", seq=16)
    project(s, pid="e", ref="ZS2026-0005", state="negotiating", seq=5)
    s.raise_problem(IPB, "d", {"description": "施工许可未办", "owner": "unit:PLAN"})
    clock.advance(days=1)
    groups = {g["category"]: g for g in s.stalled(LG_OFFICE)}
    assert {c: g["count"] for c, g in groups.items()} == {
        "approved_not_assigned": 1,
        "signed_not_started": 2,
        "started_not_completed": 1,
    }
    assert [i18n.text(g["label"], "zh-CN") for g in groups.values()] == ["已批未落地", "签约未开工", "开工未竣工"]
    assert groups["approved_not_assigned"]["items"][0]["days_in_state"] == 6
    assert [i["ref"] for i in groups["signed_not_started"]["items"]] == ["ZS2026-0002", "ZS2026-0003"]
    assert groups["started_not_completed"]["items"][0]["open_problems"] == 1
    assert groups["started_not_completed"]["items"][0]["days_in_state"] == 1


def test_a_park_reads_the_tracking_of_its_own_projects_and_of_no_other_need_to_know(s):
    """R15: the responsible unit and a problem's owner unit read a project's tracking; another park or a bureau
    that takes no part does not; the stalled lists show a park only its own projects."""
    project(s, pid="a", ref="ZS2026-0001", state="signed", seq=14)  # Hengdong's
    project(s, pid="b", ref="ZS2026-0002", state="signed", seq=14, unit="PARK:hexi")
    s.raise_problem(IPB, "b", {"description": "用电未接通", "owner": "unit:FIN"})
    assert s.tracking(PARK, "a")["project_id"] == "a" and s.tracking(FIN, "b")["project_id"] == "b"
    for actor, pid in ((PARK, "b"), (FIN, "a")):
        with pytest.raises(NotAllowed):
            s.tracking(actor, pid)
    mine = {g["category"]: [i["ref"] for i in g["items"]] for g in s.stalled(PARK)}
    assert mine["signed_not_started"] == ["ZS2026-0001"]
    assert {g["category"]: g["count"] for g in s.stalled(LG_OFFICE)}["signed_not_started"] == 2


# -- reminders on the special report's and the review period's due dates -----------------------------------------------


def test_the_special_report_is_due_on_its_day_unless_filed_and_a_filed_one_joins_the_register(s, clock):
    project(s)
    lapse(s, key="O1", report_due="2026-09-04")
    lapse(s, key="O2", report_due="2026-09-04")
    reminders = s.deadline_rows(domain.REPORT_DUE)
    assert [r["due_at"] for r in reminders] == [dt.datetime(2026, 9, 4, 9, 0, tzinfo=SHANGHAI)] * 2
    filed = s.event(
        "on_obligation_report_filed",
        "contracts.special_report_filed",
        "p1",
        {
            "obligation": {
                "key": "O2",
                "text": "开工",
                "due": "2026-08-31",
                "party": "investor",
                "report": {"summary": "资金未到位"},
            },
            "document": {"id": "a" * 64, "filename": "report.pdf", "content_type": "application/pdf", "size": 10},
            "reason": "special report on O2 filed",
        },
        actor=Actor(**PARK_HEAD),
    )
    s.call("on_obligation_report_filed", filed)  # delivered twice: one entry
    clock.now = dt.datetime(2026, 9, 4, 9, 0, tzinfo=SHANGHAI)
    assert s.fire_due_deadlines() == 1
    (due,) = s.said("supervision.special_report_due")
    assert (due["obligation_key"], due["report_due"], due["responsible_unit"]) == ("O1", "2026-09-04", "PARK:hengdong")
    register = s.special_reports(IPB, "p1")
    assert [(r["ref"], r["cause"], r["obligation_key"]) for r in register] == [
        ("SR-ZS2026-0001-1", "overdue_obligation", "O2")
    ]
    assert register[0]["summary"] == "资金未到位"
    (announced,) = s.said("supervision.special_report_filed")  # the coordinator's copy of the register hears of it
    assert (announced["report_ref"], announced["cause"], announced["obligation_key"]) == (
        "SR-ZS2026-0001-1",
        "overdue_obligation",
        "O2",
    )


def test_units_still_awaited_on_the_review_periods_last_day_are_named(s, clock):
    s.event("on_project_filed", "intake.project_filed", "p1", {"ref": "ZS2026-0001", "project_name": "铝型材项目"})
    s.event(
        "on_review_convened",
        "review.convened",
        "p1",
        {
            "ref": "ZS2026-0001",
            "required_units": ["DRB", "IND", "FIN"],
            "findings": [],
            "deadline": "2026-09-15",
            "reason": "x",
        },
    )
    s.event(
        "on_review_opinion_recorded",
        "review.opinion_recorded",
        "p1",
        {"unit": "DRB", "opinion": "pass", "round": 1, "conditions": [], "reasons": []},
    )
    clock.now = dt.datetime(2026, 9, 15, 8, 59, tzinfo=SHANGHAI)
    assert s.fire_due_deadlines() == 0
    clock.now = dt.datetime(2026, 9, 15, 9, 0, tzinfo=SHANGHAI)
    assert s.fire_due_deadlines() == 1
    (ending,) = s.said("supervision.review_period_ending")
    assert ending["awaiting"] == ["IND", "FIN"] and ending["deadline"] == "2026-09-15"


def test_a_concluded_review_is_not_reminded(s, clock):
    s.event(
        "on_review_convened",
        "review.convened",
        "p1",
        {"ref": "ZS2026-0001", "required_units": ["DRB"], "findings": [], "deadline": "2026-09-15", "reason": "x"},
    )
    s.event("on_review_concluded", "review.concluded", "p1", {"outcome": "approved", "round": 1, "conditions": []})
    clock.now = dt.datetime(2026, 9, 16, tzinfo=SHANGHAI)
    assert s.fire_due_deadlines() == 0


def test_a_reminder_is_a_deadline_like_the_others(s, clock):
    project(s)
    with pytest.raises(InvalidInput) as past:
        s.schedule_reminder(IPB, "p1", {"at": (T0 - dt.timedelta(hours=1)).isoformat(), "note": "x"})
    assert "at" in past.value.details
    reminder = s.schedule_reminder(
        LG_OFFICE, "p1", {"at": (T0 + dt.timedelta(hours=2)).isoformat(), "note": "请园区本周内报送用地进展"}
    )
    assert reminder["kind"] == "reminder" and reminder["payload"]["to"] == ["unit:PARK:hengdong"]
    clock.advance(hours=2)
    assert s.fire_due_deadlines() == 1
    (said,) = s.said("supervision.reminder")
    assert said["note"] == "请园区本周内报送用地进展" and said["to"] == ["unit:PARK:hengdong"]


# -- the special-report register ---------------------------------------------------------------------------------


def report_body(cause="cannot_go_ahead", filename="report.pdf", content=PDF) -> dict:
    return {
        "cause": cause,
        "summary": "投资方资金链断裂，项目无法推进",
        "document": {"filename": filename, "content_base64": base64.b64encode(content).decode()},
    }


def test_special_reports_are_documents_in_a_register_announced_to_the_coordinator(s, documents):
    project(s)
    report = s.file_special_report(IPB_DIRECTOR, "p1", report_body())
    assert report["ref"] == "SR-ZS2026-0001-1" and report["cause"] == "cannot_go_ahead"
    assert documents.load(report["document"]["id"]) == PDF
    assert s.special_report(LG_OFFICE, report["ref"])["summary"].startswith("投资方")
    (announced,) = s.events("supervision.special_report_filed")
    assert announced["project_id"] == "p1" and announced["actor"]["position"] == "ipb_director"
    payload = announced["payload"]
    assert (payload["report_ref"], payload["ref"], payload["cause"]) == (
        "SR-ZS2026-0001-1",
        "ZS2026-0001",
        "cannot_go_ahead",
    )
    assert i18n.text(payload["reason_message"], "zh-CN").startswith(
        "已向招商领导小组报送专题报告SR-ZS2026-0001-1（项目因客观原因无法推进）：投资方"
    )
    assert i18n.text(report["cause_name"], "zh-CN") == "项目因客观原因无法推进"
    assert payload["document"] == report["document"] and payload["filed_at"] == report["filed_at"]
    second = s.file_special_report(PARK_HEAD, "p1", report_body(cause="unfinished_review"))
    assert second["ref"] == "SR-ZS2026-0001-2"
    with pytest.raises(NotAllowed):
        s.file_special_report(FIN, "p1", report_body())
    with pytest.raises(NotAllowed):
        s.special_report(FIN, report["ref"])
    with pytest.raises(InvalidInput) as obligation:
        s.file_special_report(IPB, "p1", report_body(cause="overdue_obligation"))
    assert "cause" in obligation.value.details
    with pytest.raises(InvalidInput) as exe:
        s.file_special_report(IPB, "p1", report_body(filename="report.exe"))
    assert "document.filename" in exe.value.details
    with pytest.raises(NotFound):
        s.special_report(IPB, "SR-nope")
    assert len(s.events("supervision.special_report_filed")) == 2  # nothing refused was announced


@pytest.mark.parametrize("bad", [6754957674901253652480, 2**63, 0, -1, "x"])
def test_an_id_no_database_can_hold_is_not_found_not_a_crash(s, bad):
    """Found by the API property tests: a huge id overflowed SQLite's INTEGER (a 502)."""
    project(s)
    with pytest.raises(NotFound):
        s.resolve_problem(IPB, "p1", bad, {"resolution": "已解决"})


# -- an administrator's dry run ----------------------------------------------------------------------------------

ADMIN = {"user_id": "u-admin", "position": "ipb_admin", "unit": "IPB"}


def test_an_administrator_sees_which_deadlines_would_fire_as_of_a_date_and_none_fires(s, clock):
    project(s)
    lapse(s, report_due="2026-09-04")  # the report-due reminder: 4 Sep, at the reminder time
    s.schedule_reminder(
        LG_OFFICE, "p1", {"at": dt.datetime(2026, 9, 10, 23, 30, tzinfo=SHANGHAI).isoformat(), "note": "督办"}
    )
    with pytest.raises(NotAllowed):
        s.deadlines_outlook(IPB, "2026-09-10")
    with pytest.raises(InvalidInput):
        s.deadlines_outlook(ADMIN, "2026-13-01")
    pending = s.rows("deadlines")
    assert [d["kind"] for d in s.deadlines_outlook(ADMIN, "2026-09-04")] == ["special_report_due"]
    by_tenth = s.deadlines_outlook(ADMIN, "2026-09-10")  # to the end of the day in Shanghai (23:30 included)
    assert [d["kind"] for d in by_tenth] == ["special_report_due", "reminder"]
    assert by_tenth[1]["due_at"] == "2026-09-10T23:30:00+08:00" and by_tenth[1]["fired_at"] is None
    assert s.rows("deadlines") == pending and s.said("supervision.reminder") == []  # nothing fired


# -- R16: the official holiday schedules ---------------------------------------------------------------------------
SAMPLE_2027 = {
    "holidays": ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"],
    "workdays": ["2027-02-06"],
}


@pytest.mark.parametrize(
    "today, known, watched, at",
    [
        ("2026-06-15", {2026}, 2027, "2026-12-01T09:00:00+08:00"),  # before December: the first check is 1 December
        ("2026-12-01", {2026}, 2027, "2026-12-01T09:00:00+08:00"),  # from 1 December, daily while 2027 is missing
        ("2026-12-20", {2026}, 2027, "2026-12-20T09:00:00+08:00"),
        ("2026-12-20", {2026, 2027}, 2028, "2027-12-01T09:00:00+08:00"),  # loaded: next 1 December, for the year after
        ("2027-01-10", {2026}, 2027, "2027-01-10T09:00:00+08:00"),  # still missing in its own year: daily
        ("2026-11-30", {2026}, 2027, "2026-12-01T09:00:00+08:00"),
    ],
)
def test_the_check_for_a_missing_holiday_schedule(today, known, watched, at):
    year, when = domain.holiday_watch(dt.date.fromisoformat(today), known.__contains__, "09:00")
    assert (year, when.isoformat()) == (watched, at)


def told(s):
    """The days supervision said a year's schedule was missing."""
    return [(e["payload"]["year"], e["payload"]["today"]) for e in s.events("supervision.holiday_schedule_missing")]


def test_from_1_december_the_administrators_are_told_daily_until_next_year_s_schedule_is_loaded(
    tmp_path, clock, documents
):
    engine = create_engine(f"sqlite:///{tmp_path / 'holidays.db'}")
    models.metadata.create_all(engine)
    s = Supervision(engine, clock, documents)
    clock.now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
    s.fire_due_deadlines()
    assert told(s) == []
    (watch,) = s.deadline_rows("holiday_schedule_missing")
    assert (watch["subject"], watch["due_at"]) == ("2027", dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))

    clock.now = dt.datetime(2026, 12, 1, 9, 0, 5, tzinfo=SHANGHAI)
    assert s.fire_due_deadlines() == 1
    assert told(s) == [(2027, "2026-12-01")]
    for hour in (10, 15, 23):  # once a day
        clock.now = dt.datetime(2026, 12, 1, hour, tzinfo=SHANGHAI)
        assert s.fire_due_deadlines() == 0
    restarted = Supervision(engine, clock, documents)  # a restart: the checks are rows, not memory
    assert restarted.fire_due_deadlines() == 0 and len(told(restarted)) == 1
    clock.now = dt.datetime(2026, 12, 3, 9, 30, tzinfo=SHANGHAI)  # down on the 2nd: the missed check fires once
    assert restarted.fire_due_deadlines() == 1
    assert [day for _, day in told(restarted)] == ["2026-12-01", "2026-12-03"]
    assert len(restarted.deadline_rows("holiday_schedule_missing")) == 3  # fired, fired, and tomorrow's

    with pytest.raises(NotAllowed):
        restarted.load_holidays(IPB, 2027, SAMPLE_2027)
    assert restarted.load_holidays(ADMIN, 2027, SAMPLE_2027) == {"service": "supervision", "year": 2027, "moved": []}
    pending = [
        d
        for d in restarted.deadline_rows("holiday_schedule_missing")
        if d["fired_at"] is None and d["cancelled_at"] is None
    ]
    assert [(d["subject"], d["due_at"].astimezone(SHANGHAI).date().isoformat()) for d in pending] == [
        ("2028", "2027-12-01")
    ]
    clock.now = dt.datetime(2026, 12, 4, 9, 30, tzinfo=SHANGHAI)
    assert restarted.fire_due_deadlines() == 0 and len(told(restarted)) == 2
    engine.dispose()


def test_a_moved_deadline_moves_its_reminder(s, clock):
    project(s)
    lapse(s, key="O1", report_due="2027-01-04")
    s.event(
        "on_report_due_moved",
        "contracts.report_due_moved",
        "p1",
        {
            "obligation": {"key": "O1", "text": "缴清土地出让金", "due": "2026-12-30", "report_due": "2027-01-05"},
            "responsible_unit": "PARK:hengdong",
            "report_due": "2027-01-05",
            "provisional": False,
            "previous": "2027-01-04",
            "reason": "the 2027 holiday schedule is loaded: the special report on O1 is due 2027-01-05, not 2027-01-04",
        },
    )
    pending = [d for d in s.deadline_rows("special_report_due") if d["cancelled_at"] is None]
    assert [(d["due_at"], d["payload"]["report_due"], d["payload"]["provisional"]) for d in pending] == [
        (dt.datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI), "2027-01-05", False)
    ]

    s.event(
        "on_review_convened",
        "review.convened",
        "p2",
        {"ref": "ZS2026-0002", "required_units": ["DRB"], "findings": [], "deadline": "2027-01-08", "reason": "x"},
    )
    s.event(
        "on_review_deadline_moved",
        "review.deadline_moved",
        "p2",
        {
            "round": 1,
            "deadline": "2027-01-11",
            "deadline_provisional": False,
            "previous": "2027-01-08",
            "required_units": ["DRB"],
            "reason": "the 2027 holiday schedule is loaded",
        },
    )
    period = [d for d in s.deadline_rows("review_period") if d["cancelled_at"] is None]
    assert [(d["due_at"], d["payload"]["deadline"], d["payload"]["awaiting"]) for d in period] == [
        (dt.datetime(2027, 1, 11, 9, 0, tzinfo=SHANGHAI), "2027-01-11", ["DRB"])
    ]
