"""The notifications service (R7, R11) driven through its own methods with real collaborators (tests/harness.py).

Each call builds a worker over a real SQLite database, the sample policy and routes, the installed channel
plugins (sending synchronously, so a test sees each attempt's outcome), real local receivers (an SMTP server and
a group-robot endpoint in a process of their own) and a clock the test moves.  Events arrive as the bus
delivers them — the departments' and supervision's: who hears of what is the sample routes'.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine

from services.notifications import models
from services.notifications.channels import discover_channels
from services.notifications.dispatch import ChannelSet
from services.notifications.service import NotificationsService
from shared import i18n
from shared.actor import Actor
from shared.clock import SHANGHAI
from shared.errors import InvalidInput, NotAllowed, NotFound
from shared.policy import load_policy
from tests.harness import Harness, TestClock

POLICY = load_policy()


def zh(stored) -> str:
    return i18n.text(i18n.read_text(stored), "zh-CN")


PLUGINS = discover_channels()

IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
IPB_DIRECTOR = {"user_id": "u-ipbd", "position": "ipb_director", "unit": "IPB"}
ADMIN = {"user_id": "u-admin", "position": "ipb_admin", "unit": "IPB"}
PARK = {"user_id": "u-hd-clerk", "position": "park_clerk", "unit": "PARK:hengdong"}
PARK_HEAD = {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
LG_OFFICE = {"user_id": "u-lg", "position": "lg_office", "unit": "LG"}
FIN = {"user_id": "u-fin", "position": "fin_clerk", "unit": "FIN"}
LIAISON = {"user_id": "u-liaison", "position": "deputy_county_magistrate", "unit": "LG"}
SYSTEM_ACTOR = Actor("system", "system", "SYSTEM")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
T0 = dt.datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)


class Notifications(Harness):
    """The notifications service with the installed channel plugins, sending synchronously."""

    def __init__(self, engine, clock: TestClock, config: dict | None = None):
        channels = ChannelSet(
            PLUGINS, config or {"retry": {"base_seconds": 30, "max_seconds": 600, "max_attempts": 3}}, synchronous=True
        )
        super().__init__(NotificationsService, models.metadata, engine, policy=POLICY, clock=clock, channels=channels)
        self.clock = clock

    def notes(self, event_type: str | None = None) -> list[dict]:
        """The notices written, their title and text as a Chinese reader reads them."""
        return sorted(
            (
                {**n, "title": zh(n["title"]), "text": zh(n["text"])}
                for n in self.rows("notifications")
                if event_type in (None, n["event_type"])
            ),
            key=lambda n: n["id"],
        )

    def deliveries_of(self, notification_id: int) -> dict[str, dict]:
        return {d["channel"]: d for d in self.rows("deliveries") if d["notification_id"] == notification_id}


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'notifications.db'}")
    models.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return TestClock(T0)


@pytest.fixture
def n(engine, clock):
    return Notifications(engine, clock)


def project(
    n: Notifications,
    pid: str = "p1",
    ref: str = "ZS2026-0001",
    state: str = "assigned",
    unit: str | None = "PARK:hengdong",
    seq: int = 3,
) -> str:
    """A project the way notifications learns of it: filed, assigned, in a lifecycle state."""
    n.event("on_project_filed", "intake.project_filed", pid, {"ref": ref, "project_name": "铝型材项目"})
    if unit:
        n.event("on_unit_assigned", "negotiation.unit_assigned", pid, {"unit": unit})
    n.event(
        "on_project_state_changed",
        "coordinator.project_state_changed",
        pid,
        {"ref": ref, "from_state": "approved", "to_state": state, "trigger": "x", "seq": seq, "reason": "test"},
    )
    return pid


def lapse(n: Notifications, pid: str = "p1", key: str = "O1", report_due: str = "2026-09-04") -> dict:
    return n.event(
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


def configure(n: Notifications, receivers) -> None:
    n.configure_channel(ADMIN, "email", {"settings": receivers.email_settings()})
    n.configure_channel(ADMIN, "webhook", {"settings": receivers.webhook_settings()})


# -- a notification through every channel ---------------------------------------------------------------


def test_an_obligation_lapse_reaches_inbox_email_and_webhook(n, receivers):
    configure(n, receivers)
    project(n)
    lapse(n)
    (note,) = n.notes("contracts.obligation_lapsed")
    assert note["recipients"] == ["unit:PARK:hengdong", "unit:IPB"]
    assert note["title"] == "【招商】合同义务逾期：ZS2026-0001 缴清土地出让金"
    assert (
        note["text"]
        == "“缴清土地出让金”（约定2026年8月31日）未履行。请衡东工业园于2026年9月4日前向招商领导小组专题报告。"
    )
    deliveries = n.deliveries_of(note["id"])
    assert {c: d["status"] for c, d in deliveries.items()} == {
        "inbox": "delivered",
        "email": "delivered",
        "webhook": "delivered",
    }
    (mail,) = receivers.mails()
    assert sorted(mail["to"]) == ["zhaoshang@hengdong.example.gov.cn", "zhaoshang@ipb.example.gov.cn"]
    assert mail["subject"] == note["title"] and "2026年9月4日" in mail["body"] and "（合同义务逾期）" in mail["body"]
    (hook,) = receivers.webhooks()
    assert hook["json"]["msgtype"] == "text" and hook["json"]["text"]["content"].startswith(note["title"])
    # the park's clerk sees it unread (addressed to the unit; the hand-over to the park came first), marks it read
    inbox = n.inbox(PARK)
    assert inbox["unread"] == 2 and [i["event_type"] for i in inbox["items"]] == [
        "contracts.obligation_lapsed",
        "coordinator.project_state_changed",
    ]
    assert inbox["items"][0]["created_at"].endswith("+08:00")
    assert n.mark_read(PARK, note["id"])["unread"] == 1
    assert n.inbox(PARK)["items"][0]["read_at"] is not None
    assert n.inbox(PARK, True)["items"][0]["event_type"] == "coordinator.project_state_changed"
    assert n.inbox(PARK_HEAD)["unread"] == 2  # read marks are per person
    assert n.inbox(FIN)["items"] == []
    with pytest.raises(NotFound):
        n.mark_read(FIN, note["id"])


def test_the_inbox_is_written_in_the_same_transaction_as_the_notification(n, receivers, monkeypatch):
    """One commit from event to inbox: no dispatch needed for the in-app channel (e-mail and webhook wait for it)."""
    configure(n, receivers)
    project(n)
    monkeypatch.setattr(NotificationsService, "_dispatch_soon", lambda self: None)  # no dispatch at all
    lapse(n)
    (note,) = n.notes("contracts.obligation_lapsed")
    deliveries = n.deliveries_of(note["id"])
    assert {c: d["status"] for c, d in deliveries.items()} == {
        "inbox": "delivered",
        "email": "pending",
        "webhook": "pending",
    }
    inbox = deliveries["inbox"]
    assert inbox["attempts"] == 1 and inbox["delivered_at"] == inbox["created_at"]
    (attempt,) = [a for a in n.rows("delivery_attempts") if a["delivery_id"] == inbox["id"]]
    assert attempt["outcome"] == "delivered" and attempt["detail"] == "in 2 inbox(es) (2 new)"
    assert n.inbox(PARK)["items"][0]["id"] == note["id"]
    assert receivers.mails() == []


def test_only_a_worker_that_queued_a_delivery_dispatches_at_once(n, receivers, monkeypatch):
    """The immediate dispatch reads and claims in the one SQLite connection the other workers wait for: a
    worker whose notifications went only to inboxes (delivered in its transaction) leaves it to the timer."""
    configure(n, receivers)
    calls = []
    real = NotificationsService.dispatch
    monkeypatch.setattr(NotificationsService, "dispatch", lambda self: calls.append(1) or real(self))
    project(n)  # a state change: in-app notifications only
    assert calls == []
    lapse(n)  # e-mail and webhook deliveries queued: attempted at once
    assert calls == [1]
    assert len(receivers.mails()) == 1


def test_the_same_event_twice_notifies_once(n, receivers):
    configure(n, receivers)
    project(n)
    body = lapse(n)
    n.call("on_obligation_lapsed", body)
    assert len(n.notes("contracts.obligation_lapsed")) == 1
    assert len(receivers.webhooks()) == 1


def test_a_failing_channel_is_retried_with_back_off_and_the_others_are_delivered(n, clock, receivers):
    configure(n, receivers)
    receivers.fail_next(2)
    project(n)
    lapse(n)
    (note,) = n.notes("contracts.obligation_lapsed")
    deliveries = n.deliveries_of(note["id"])
    assert deliveries["inbox"]["status"] == "delivered" and deliveries["email"]["status"] == "delivered"
    hook = deliveries["webhook"]
    assert hook["status"] == "pending" and hook["attempts"] == 1 and "HTTP 500" in hook["last_error"]
    assert hook["next_attempt_at"] == clock() + dt.timedelta(seconds=30)
    clock.advance(seconds=29)
    assert n.dispatch() == 0  # not due yet
    clock.advance(seconds=1)
    assert n.dispatch() == 1
    hook = n.deliveries_of(note["id"])["webhook"]
    assert hook["status"] == "pending" and hook["next_attempt_at"] == clock() + dt.timedelta(seconds=60)  # doubled
    clock.advance(seconds=60)
    n.dispatch()
    hook = n.deliveries_of(note["id"])["webhook"]
    assert hook["status"] == "delivered" and hook["attempts"] == 3
    assert len(receivers.webhooks()) == 1
    log = n.deliveries(IPB)
    webhook_log = [d for d in log if d["channel"] == "webhook"][0]["log"]
    assert [a["outcome"] for a in webhook_log] == ["failed", "failed", "delivered"]
    with pytest.raises(NotAllowed):
        n.deliveries(PARK)


def test_a_channel_that_never_answers_gives_up_and_the_administrator_is_told(n, clock, receivers):
    n.configure_channel(ADMIN, "email", {"settings": {"host": "127.0.0.1", "port": 9, "timeout": 1}})  # nothing listens
    n.configure_channel(ADMIN, "webhook", {"settings": receivers.webhook_settings()})
    project(n)
    lapse(n)
    (note,) = n.notes("contracts.obligation_lapsed")
    for wait in (30, 60):
        clock.advance(seconds=wait)
        n.dispatch()
    email = n.deliveries_of(note["id"])["email"]
    assert email["status"] == "failed" and email["attempts"] == 3 and "ECONNREFUSED" in email["last_error"]
    assert n.deliveries_of(note["id"])["webhook"]["status"] == "delivered"
    (alert,) = [i for i in n.inbox(ADMIN)["items"] if i["event_type"] == "notifications.delivery_failed"]
    assert zh(alert["title"]) == "【招商】通知发送失败：电子邮件"


def test_an_unconfigured_channel_is_skipped_and_logged(n):
    project(n)
    lapse(n)
    (note,) = n.notes("contracts.obligation_lapsed")
    deliveries = n.deliveries_of(note["id"])
    assert deliveries["inbox"]["status"] == "delivered"
    assert (
        deliveries["email"]["status"] == "skipped" and zh(deliveries["email"]["last_error"]) == "未配置SMTP邮件服务器"
    )
    assert deliveries["webhook"]["status"] == "skipped"


def test_channel_settings_are_for_the_administrator_and_checked(n, receivers):
    with pytest.raises(NotAllowed):
        n.configure_channel(IPB_DIRECTOR, "webhook", {"settings": receivers.webhook_settings()})
    with pytest.raises(InvalidInput) as bad:
        n.configure_channel(ADMIN, "email", {"settings": {"port": 70000}})
    assert "settings.port" in bad.value.details
    with pytest.raises(InvalidInput) as unknown:
        n.configure_channel(ADMIN, "webhook", {"settings": {"colour": "red"}})
    assert "settings.colour" in unknown.value.details
    with pytest.raises(NotFound):
        n.configure_channel(ADMIN, "pager", {"settings": {}})
    n.configure_channel(ADMIN, "webhook", {"settings": {"url": receivers.webhook_url, "secret": "s3cr3t"}})
    views = {c["name"]: c for c in n.channels_settings(ADMIN)}
    assert views["webhook"]["ready"] and views["webhook"]["settings"]["secret"] == "******"
    assert views["webhook"]["source"] == "administrator" and not views["email"]["ready"]


# -- who hears of what supervision and accounting say (the sample routes) ---------------------------------------


def supervised(n: Notifications, event_type: str, handler: str, payload: dict, pid: str = "p1") -> dict:
    """An event of supervision's, with the project's facts it carries (tests/unit/test_supervision_service.py)."""
    facts = {
        "ref": "ZS2026-0001",
        "name": "铝型材项目",
        "responsible_unit": "PARK:hengdong",
        "responsible_person": None,
        "liaison_leader": None,
    }
    n.event(handler, event_type, pid, {**facts, **payload})
    (note,) = n.notes(event_type)
    return note


def test_a_stale_project_reminds_its_responsible_person_else_its_unit_and_ipb(n):
    project(n)
    note = supervised(
        n,
        "supervision.project_stale",
        "on_project_stale",
        {
            "stale_days": 14,
            "last_progress": "2026-09-01T10:00:00+08:00",
            "responsible_person": {"user_id": "u-zhang", "name": "张科长"},
        },
    )
    assert note["recipients"] == ["user:u-zhang", "unit:IPB"]
    assert note["text"] == "已14天无进展（最后进展：2026年9月1日 10:00）。请及时推进并记录进展。"
    zhang = n.inbox({"user_id": "u-zhang", "position": "park_clerk", "unit": "PARK:hengdong"})["items"]
    assert zhang[0]["id"] == note["id"]
    n.event(
        "on_project_stale",
        "supervision.project_stale",
        "p2",
        {
            "ref": "ZS2026-0002",
            "name": "x",
            "responsible_unit": "PARK:hexi",
            "responsible_person": None,
            "stale_days": 14,
            "last_progress": "2026-09-01 10:00",
        },
    )
    assert n.notes("supervision.project_stale")[1]["recipients"] == ["unit:PARK:hexi", "unit:IPB"]


def test_an_escalated_problem_goes_to_the_position_supervision_names(n):
    project(n)
    note = supervised(
        n,
        "supervision.problem_escalated",
        "on_problem_escalated",
        {
            "problem_id": 3,
            "problem": "用地指标未落实",
            "owner": "unit:LAND",
            "escalation_days": 7,
            "raised": "2026-09-01T10:00:00+08:00",
            "escalate_to": "deputy_county_magistrate",
        },
    )
    assert note["recipients"] == ["position:deputy_county_magistrate", "unit:IPB"]
    assert zh(n.inbox(LIAISON)["items"][0]["title"]).startswith("【招商】问题逾期未解决")
    assert "问题“用地指标未落实”（责任：县国土资源局）自2026年9月1日 10:00起已7天未解决" in note["text"]


def test_reminders_of_a_report_due_today_a_review_periods_last_day_and_a_follow_up(n):
    project(n)
    due = supervised(
        n,
        "supervision.special_report_due",
        "on_special_report_due",
        {
            "obligation_key": "O1",
            "obligation_text": "缴清土地出让金",
            "obligation_due": "2026-08-31",
            "report_due": "2026-09-04",
            "provisional": False,
        },
    )
    assert due["recipients"] == ["unit:PARK:hengdong"] and "缴清土地出让金" in due["title"]
    assert "今日（2026年9月4日）" in due["text"]
    ending = supervised(
        n,
        "supervision.review_period_ending",
        "on_review_period_ending",
        {"deadline": "2026-09-15", "required_units": ["DRB", "IND", "FIN"], "awaiting": ["IND", "FIN"], "round": 1},
    )
    assert ending["recipients"] == ["unit:IND", "unit:FIN"]
    reminder = supervised(
        n,
        "supervision.reminder",
        "on_reminder",
        {"note": "请园区本周内报送用地进展", "to": ["unit:PARK:hengdong"], "by": LG_OFFICE},
    )
    assert reminder["recipients"] == ["unit:PARK:hengdong"]
    assert zh(n.inbox(PARK)["items"][0]["text"]) == "请园区本周内报送用地进展"


def test_a_special_report_to_the_leading_group_is_announced_once(n):
    """A report on an overdue obligation is told by contracts' event; the register's own event tells the others."""
    project(n)
    register = {
        "project_id": "p1",
        "report_ref": "SR-ZS2026-0001-1",
        "cause": "cannot_go_ahead",
        "summary": "投资方资金链断裂",
        "obligation_key": None,
    }
    note = supervised(n, "supervision.special_report_filed", "on_special_report_filed", register)
    assert note["recipients"] == ["unit:LG", "unit:IPB"] and note["title"].startswith(
        "【招商】专题报告 SR-ZS2026-0001-1"
    )
    assert note["text"] == "项目因客观原因无法推进：投资方资金链断裂"
    n.event(
        "on_special_report_filed",
        "supervision.special_report_filed",
        "p1",
        {**register, "report_ref": "SR-ZS2026-0001-2", "cause": "overdue_obligation", "obligation_key": "O1"},
    )
    assert len(n.notes("supervision.special_report_filed")) == 1


def test_the_end_of_the_construction_period_is_told_when_accounting_opens_for_it(n):
    project(n, state="construction", seq=16)
    n.event(
        "on_accounting_opened",
        "accounting.opened",
        "p1",
        {
            "cause": "construction_period_ended",
            "participants": ["IPB"],
            "completion": "2027-03-01",
            "reason": "the contracted completion date 2027-03-01 has passed",
        },
    )
    (note,) = n.notes("accounting.opened")
    assert note["recipients"] == ["unit:IPB", "unit:PARK:hengdong"]
    assert note["text"] == "合同约定竣工日期2027年3月1日已过，投资核算已启动。"
    n.event(
        "on_accounting_opened",
        "accounting.opened",
        "p2",
        {"cause": "opened_by_ipb", "participants": ["IPB"], "reason": "opened by IPB"},
    )
    assert len(n.notes("accounting.opened")) == 1  # IPB opened that one itself


def test_a_deadline_moved_by_a_holiday_schedule_is_told(n):
    project(n)
    n.event(
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
    (note,) = n.notes("contracts.report_due_moved")
    assert note["title"] == "【招商】专题报告期限调整：ZS2026-0001 缴清土地出让金"
    assert note["recipients"][0] == "unit:PARK:hengdong"
    n.event(
        "on_review_deadline_moved",
        "review.deadline_moved",
        "p1",
        {
            "round": 1,
            "deadline": "2027-01-11",
            "deadline_provisional": False,
            "previous": "2027-01-08",
            "required_units": ["DRB"],
            "reason": "the 2027 holiday schedule is loaded",
        },
    )
    (note,) = n.notes("review.deadline_moved")
    assert note["recipients"] == ["unit:DRB", "unit:IPB"]


def test_a_missing_holiday_schedule_is_told_to_the_administrators(n):
    n.event(
        "on_holiday_schedule_missing",
        "supervision.holiday_schedule_missing",
        None,
        {"year": 2027, "today": "2026-12-01", "since": "2026-12-01", "reason": "not loaded"},
    )
    (note,) = n.notes("supervision.holiday_schedule_missing")
    assert note["title"] == "【招商】2027年法定节假日安排尚未导入" and note["recipients"] == [
        "position:ipb_admin",
        "position:system_administrator",
    ]
    assert zh(n.inbox(ADMIN)["items"][0]["title"]) == note["title"]
    assert (
        n.inbox(ADMIN)["items"][0]["title"]
        == "[Investment promotion] The official holiday schedule of 2027 is not loaded"
    )


@pytest.mark.parametrize("bad", [6754957674901253652480, 2**63, 0, -1, "x"])
def test_an_id_no_database_can_hold_is_not_found_not_a_crash(n, bad):
    """Found by the API property tests: a huge id overflowed SQLite's INTEGER (a 502)."""
    project(n)
    with pytest.raises(NotFound):
        n.mark_read(PARK, bad)


# -- the Leading Group's roster: a notice to a position reaches the persons holding it ------------------------------
def test_a_notice_to_the_county_leaders_in_charge_reaches_the_persons_on_the_roster(n):
    project(n)
    seat = {"role": "deputy_leader", "until": None, "note": None, "unit": "LG", "since": "2025-01-01"}
    entries = [
        {
            **seat,
            "seat": "deputy_magistrate:investment",
            "seat_title": "分管招商引资工作的副县长",
            "name": "周副县长",
            "user_id": "lg-zhou",
            "email": "zhou@example.gov.cn",
            "positions": ["deputy_magistrate_investment", "county_leader_in_charge"],
        },
        {
            **seat,
            "seat": "deputy_magistrate:industry",
            "seat_title": "分管工业工作的副县长",
            "name": "吴副县长",
            "user_id": "lg-wu",
            "email": None,
            "positions": ["county_leader_in_charge"],
        },
        {
            **seat,
            "seat": "deputy_magistrate:industry",
            "seat_title": "分管工业工作的副县长",
            "name": "旧副县长",
            "user_id": "lg-old",
            "email": "old@example.gov.cn",
            "positions": ["county_leader_in_charge"],
            "since": "2020-01-01",
            "until": "2024-12-31",
        },
        {
            **seat,
            "seat": "deputy_magistrate:development",
            "seat_title": "分管发展改革工作的副县长",
            "name": "郑副县长",
            "user_id": None,
            "email": "zheng@example.gov.cn",
            "positions": ["county_leader_in_charge"],
        },
    ]
    n.event("on_roster_changed", "leadership.roster_changed", None, {"entries": entries, "reason": "名单调整"})
    n.event(
        "on_review_escalated",
        "review.escalated",
        "p1",
        {"to_position": "county_leader_in_charge", "deadline": "2026-08-31", "awaiting": ["DRB"], "reason": "联审超期"},
    )
    [note] = n.notes("review.escalated")
    # the position's inbox, and each person in office with a platform account (not the one whose term ended)
    assert note["recipients"] == ["position:county_leader_in_charge", "unit:IPB", "user:lg-zhou", "user:lg-wu"]
    wu = {"user_id": "lg-wu", "position": "deputy_magistrate_industry", "unit": "LG"}
    assert [zh(i["title"]) for i in n.inbox(wu)["items"]] == [note["title"]]
    old = {"user_id": "lg-old", "position": "deputy_magistrate_industry", "unit": "LG"}
    assert n.inbox(old)["items"] == []
    # e-mail: the position's address from the policy's book, 郑's (no account) with it, and 周's own
    assert n.deliveries_of(note["id"])["email"]["targets"] == [
        "leader-in-charge@example.gov.cn",
        "zheng@example.gov.cn",
        "zhaoshang@ipb.example.gov.cn",
        "zhou@example.gov.cn",
    ]
