"""The notifications service (R7, R11, R16) driven through its own methods with real collaborators.

Each call builds a worker with nameko's ``worker_factory`` over a real database (SQLite, and
PostgreSQL for two instances), the sample policy and routes, the installed channel plugins
(sending synchronously, so a test sees each attempt's outcome), real local receivers (an SMTP
server and a group-robot endpoint in a process of their own) and a clock the test moves.
Events arrive as the bus delivers them: envelopes handed to the service's handlers.
"""
from __future__ import annotations

import base64
import datetime as dt
import json

import eventlet
import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from services.notifications import domain, models
from services.notifications.channels import discover_channels
from services.notifications.dispatch import ChannelSet
from services.notifications.service import NotificationsService
from shared.actor import Actor
from shared.clock import SHANGHAI
from shared.db import ServiceStore, make_engine
from shared.documents import DocumentStore
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound
from shared.policy import load_policy
from tests.receivers import receivers  # noqa: F401 (fixture)
from tests.conftest import fresh_pg_database

POLICY = load_policy()
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


class TestClock:
    __test__ = False

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now = self.now + dt.timedelta(**delta)


class Provider:
    """What ServiceStore needs of the nameko Database provider."""

    def __init__(self, engine):
        self.engine = engine
        self.outbox = models.metadata.tables["outbox"]
        self.processed = models.metadata.tables["processed_events"]

    def committed(self, rows=()):
        pass


class Notifications:
    """Calls the service as nameko would: a fresh worker (and db session) per call."""

    def __init__(self, engine, clock: TestClock, documents: DocumentStore, config: dict | None = None):
        self.provider, self.clock, self.documents = Provider(engine), clock, documents
        self.channels = ChannelSet(PLUGINS, config or {"retry": {"base_seconds": 30, "max_seconds": 600,
                                                                 "max_attempts": 3}}, synchronous=True)

    def call(self, method: str, *args):
        store = ServiceStore(self.provider)
        worker = worker_factory(NotificationsService, db=store, policy=POLICY, clock=self.clock,
                                channels=self.channels, documents=self.documents)
        try:
            return getattr(worker, method)(*args)
        finally:
            store.close()

    def __getattr__(self, method):
        return lambda *args: self.call(method, *args)

    def event(self, handler: str, event_type: str, project_id: str, payload: dict, actor=SYSTEM_ACTOR,
              at: dt.datetime | None = None, event_id: str | None = None) -> dict:
        envelope = Envelope(event_type, actor, payload, project_id=project_id, occurred_at=at or self.clock(),
                            **({"event_id": event_id} if event_id else {}))
        self.call(handler, envelope.dump())
        return envelope.dump()

    # -- reading back ------------------------------------------------------------------------------------
    def rows(self, table, *where) -> list[dict]:
        with Session(self.provider.engine) as s:
            return [dict(r) for r in s.execute(select(table).where(*where).order_by(table.c.id)).mappings()]

    def outbox(self, event_type: str) -> list[dict]:
        return [json.loads(r["body"]) for r in self.rows(models.outbox, models.outbox.c.event_type == event_type)]

    def notes(self, event_type: str | None = None) -> list[dict]:
        t = models.notifications
        return self.rows(t, *([t.c.event_type == event_type] if event_type else []))

    def deliveries_of(self, notification_id: int) -> dict[str, dict]:
        t = models.deliveries
        return {d["channel"]: d for d in self.rows(t, t.c.notification_id == notification_id)}

    def deadline_rows(self, kind: str) -> list[dict]:
        return self.rows(models.deadlines, models.deadlines.c.kind == kind)


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
def documents(tmp_path):
    return DocumentStore(tmp_path / "documents", POLICY.documents["documents"])


@pytest.fixture
def n(engine, clock, documents):
    return Notifications(engine, clock, documents)


def project(n: Notifications, pid: str = "p1", ref: str = "ZS2026-0001", state: str = "assigned",
            unit: str | None = "PARK:hengdong", seq: int = 3) -> str:
    """A project the way notifications learns of it: filed, assigned, in a lifecycle state."""
    n.event("on_project_filed", "intake.project_filed", pid, {"ref": ref, "project_name": "铝型材项目"})
    if unit:
        n.event("on_unit_assigned", "negotiation.unit_assigned", pid, {"unit": unit})
    n.event("on_project_state_changed", "coordinator.project_state_changed", pid, {
        "ref": ref, "from_state": "approved", "to_state": state, "trigger": "x", "seq": seq, "reason": "test"})
    return pid


def lapse(n: Notifications, pid: str = "p1", key: str = "O1", report_due: str = "2026-09-04") -> dict:
    return n.event("on_obligation_lapsed", "contracts.obligation_lapsed", pid, {
        "obligation": {"key": key, "text": "缴清土地出让金", "due": "2026-08-31", "party": "investor"},
        "responsible_unit": "PARK:hengdong", "notify": ["PARK:hengdong"], "report_due": report_due,
        "provisional": False, "unknown_years": [], "reason": "obligation O1 unmet"})


def configure(n: Notifications, receivers) -> None:
    n.configure_channel(ADMIN, "email", {"settings": receivers.email_settings()})
    n.configure_channel(ADMIN, "webhook", {"settings": receivers.webhook_settings()})


# -- a notification through every channel ---------------------------------------------------------------

def test_an_obligation_lapse_reaches_inbox_email_and_webhook(n, receivers):
    configure(n, receivers)
    project(n)
    lapse(n)
    note, = n.notes("contracts.obligation_lapsed")
    assert note["recipients"] == ["unit:PARK:hengdong", "unit:IPB"]
    assert "2026-09-04" in note["text"] and note["title"] == "【招商】合同义务逾期：ZS2026-0001 O1"
    deliveries = n.deliveries_of(note["id"])
    assert {c: d["status"] for c, d in deliveries.items()} == {"inbox": "delivered", "email": "delivered",
                                                               "webhook": "delivered"}
    mail, = receivers.mails()
    assert sorted(mail["to"]) == ["zhaoshang@hengdong.example.gov.cn", "zhaoshang@ipb.example.gov.cn"]
    assert mail["subject"] == note["title"] and "2026-09-04" in mail["body"]
    hook, = receivers.webhooks()
    assert hook["json"]["msgtype"] == "text" and hook["json"]["text"]["content"].startswith(note["title"])
    # the park's clerk sees it unread (addressed to the unit; the hand-over to the park came first), marks it read
    inbox = n.inbox(PARK)
    assert inbox["unread"] == 2 and [i["event_type"] for i in inbox["items"]] == [
        "contracts.obligation_lapsed", "coordinator.project_state_changed"]
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
    note, = n.notes("contracts.obligation_lapsed")
    deliveries = n.deliveries_of(note["id"])
    assert {c: d["status"] for c, d in deliveries.items()} == {"inbox": "delivered", "email": "pending",
                                                               "webhook": "pending"}
    inbox = deliveries["inbox"]
    assert inbox["attempts"] == 1 and inbox["delivered_at"] == inbox["created_at"]
    attempt, = n.rows(models.delivery_attempts, models.delivery_attempts.c.delivery_id == inbox["id"])
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
    note, = n.notes("contracts.obligation_lapsed")
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
    note, = n.notes("contracts.obligation_lapsed")
    for wait in (30, 60):
        clock.advance(seconds=wait)
        n.dispatch()
    email = n.deliveries_of(note["id"])["email"]
    assert email["status"] == "failed" and email["attempts"] == 3 and "ECONNREFUSED" in email["last_error"]
    assert n.deliveries_of(note["id"])["webhook"]["status"] == "delivered"
    alert, = [i for i in n.inbox(ADMIN)["items"] if i["event_type"] == "notifications.delivery_failed"]
    assert alert["event_type"] == "notifications.delivery_failed" and "email" in alert["title"]


def test_an_unconfigured_channel_is_skipped_and_logged(n):
    project(n)
    lapse(n)
    note, = n.notes("contracts.obligation_lapsed")
    deliveries = n.deliveries_of(note["id"])
    assert deliveries["inbox"]["status"] == "delivered"
    assert deliveries["email"]["status"] == "skipped" and deliveries["email"]["last_error"] == "no SMTP host configured"
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


# -- durable deadlines --------------------------------------------------------------------------------------

def signed(n: Notifications, pid: str = "p1", completion: str = "2027-03-01") -> None:
    n.event("on_contract_signed", "contracts.signed", pid, {
        "version": 2, "signed_by": "park_head:hengdong", "investor_signatory": {"name": "张总", "title": "董事长"},
        "terms": {"completion": completion, "construction_start": "2026-10-01"}, "obligations": [], "reason": "signed"})


def test_the_construction_period_end_fires_once_at_its_boundary(n, clock):
    project(n, state="construction", seq=16)
    signed(n)
    row, = n.deadline_rows(domain.CONSTRUCTION_END)
    assert row["due_at"] == dt.datetime(2027, 3, 2, 0, 0, tzinfo=SHANGHAI)
    clock.now = dt.datetime(2027, 3, 1, 23, 59, 59, tzinfo=SHANGHAI)
    n.fire_due_deadlines()  # (the project's stale reminders fire meanwhile)
    assert n.outbox("notifications.construction_period_ended") == []
    clock.now = dt.datetime(2027, 3, 2, 0, 0, tzinfo=SHANGHAI)
    assert n.fire_due_deadlines() == 1
    assert n.fire_due_deadlines() == 0  # never twice
    clock.advance(days=3)
    n.fire_due_deadlines()
    event, = n.outbox("notifications.construction_period_ended")
    assert event["project_id"] == "p1" and event["payload"]["completion"] == "2027-03-01"
    assert "2027-03-01" in event["payload"]["reason"]
    assert n.notes("notifications.construction_period_ended")[0]["recipients"] == ["unit:IPB", "unit:PARK:hengdong"]


def test_a_deadline_that_passed_while_the_service_was_down_fires_after_the_restart(tmp_path, clock, documents):
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    before = create_engine(url)
    models.metadata.create_all(before)
    first = Notifications(before, clock, documents)
    project(first, state="construction", seq=16)
    signed(first, completion="2026-09-10")
    before.dispose()  # the service stops; the deadline passes while it is down
    clock.now = dt.datetime(2026, 9, 20, 8, 0, tzinfo=SHANGHAI)
    after = create_engine(url)
    models.metadata.create_all(after)  # as a restarted service does
    second = Notifications(after, clock, documents)
    assert second.fire_due_deadlines() == 2  # the construction period's end, and the project gone stale meanwhile
    assert second.fire_due_deadlines() == 0
    assert [r["fired_at"] for r in second.deadline_rows(domain.CONSTRUCTION_END)] == [clock()]
    assert len(second.outbox("notifications.construction_period_ended")) == 1
    after.dispose()


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database on this machine's server, dropped afterwards."""
    with fresh_pg_database("zs_notify") as url:
        yield url


def test_two_instances_on_one_postgresql_database_fire_each_deadline_once(pg_url, clock, documents):
    engines = [make_engine(pg_url), make_engine(pg_url)]  # green psycopg2: the two really interleave
    models.metadata.create_all(engines[0])
    a, b = (Notifications(e, clock, documents) for e in engines)
    for i in range(12):
        project(a, pid=f"p{i}", ref=f"ZS2026-{i:04d}", state="construction", seq=16)
        signed(a, pid=f"p{i}", completion="2026-09-10")
    clock.now = dt.datetime(2026, 9, 11, 0, 0, tzinfo=SHANGHAI)
    runs = [eventlet.spawn(instance.fire_due_deadlines) for instance in (a, b, a, b)]
    fired = [run.wait() for run in runs]
    assert sum(fired) == 12, fired
    events = a.outbox("notifications.construction_period_ended")
    assert sorted(e["project_id"] for e in events) == sorted(f"p{i}" for i in range(12))
    assert all(r["fired_at"] is not None for r in a.deadline_rows(domain.CONSTRUCTION_END))
    for e in engines:
        e.dispose()


# -- tracking (R11): stale and escalation at their boundaries ----------------------------------------------------

def test_a_project_without_progress_for_14_days_is_flagged_and_its_responsible_person_reminded(n, clock):
    project(n)  # the transition to "assigned" at T0 is progress
    n.set_contacts(IPB, "p1", {"responsible_person": {"user_id": "u-zhang", "name": "张科长"}})
    assert POLICY.integer("thresholds.tracking.stale_days") == 14
    clock.now = T0 + dt.timedelta(days=14) - dt.timedelta(seconds=1)
    assert n.fire_due_deadlines() == 0
    assert not n.tracking(IPB, "p1")["stale"]
    clock.now = T0 + dt.timedelta(days=14)
    assert n.fire_due_deadlines() == 1
    tracking = n.tracking(IPB, "p1")
    assert tracking["stale"] and tracking["stale_since"].startswith("2026-09-15T10:00")
    note, = n.notes("notifications.project_stale")
    assert note["recipients"] == ["user:u-zhang", "unit:IPB"] and "14天无进展" in note["text"]
    zhang = n.inbox({"user_id": "u-zhang", "position": "park_clerk", "unit": "PARK:hengdong"})["items"]
    assert zhang[0]["id"] == note["id"]
    # progress clears the flag and the stale period starts again from it
    clock.advance(days=1)
    tracking = n.record_progress(PARK, "p1", {"note": "土地挂牌公告已发布"})
    assert not tracking["stale"] and tracking["stale_due"].startswith("2026-09-30T10:00")
    clock.advance(days=14)
    assert n.fire_due_deadlines() == 1
    assert len(n.notes("notifications.project_stale")) == 2


def test_without_a_responsible_person_the_responsible_unit_is_reminded(n, clock):
    project(n)
    clock.advance(days=14)
    n.fire_due_deadlines()
    note, = n.notes("notifications.project_stale")
    assert note["recipients"] == ["unit:PARK:hengdong", "unit:IPB"]


def test_every_transition_is_progress_and_an_ended_project_is_not_followed(n, clock):
    project(n)
    clock.advance(days=13)
    n.event("on_project_state_changed", "coordinator.project_state_changed", "p1", {
        "ref": "ZS2026-0001", "from_state": "assigned", "to_state": "negotiating", "trigger": "x", "seq": 4, "reason": "r"})
    clock.advance(days=13)
    assert n.fire_due_deadlines() == 0
    n.event("on_project_state_changed", "coordinator.project_state_changed", "p1", {
        "ref": "ZS2026-0001", "from_state": "negotiating", "to_state": "terminated", "trigger": "x", "seq": 5,
        "reason": "客观原因无法推进"})
    clock.advance(days=30)
    assert n.fire_due_deadlines() == 0
    assert n.notes("notifications.project_stale") == []
    assert n.tracking(IPB, "p1")["deadlines"] == []


def test_an_older_transition_arriving_late_does_not_move_the_state_back(n):
    project(n, state="negotiating", seq=5)
    n.event("on_project_state_changed", "coordinator.project_state_changed", "p1", {
        "ref": "ZS2026-0001", "from_state": "approved", "to_state": "assigned", "trigger": "x", "seq": 4, "reason": "r"})
    assert n.tracking(IPB, "p1")["state"] == "negotiating"


def test_a_problem_open_7_days_goes_to_the_liaison_leader(n, clock):
    project(n)
    n.set_contacts(IPB, "p1", {"liaison_leader": "deputy_county_magistrate"})
    tracking = n.raise_problem(PARK, "p1", {"description": "用地指标未落实", "owner": "unit:LAND"})
    problem = tracking["problems"][0]
    assert problem["escalation_due"].startswith("2026-09-08T10:00")
    clock.now = T0 + dt.timedelta(days=7) - dt.timedelta(seconds=1)
    n.record_progress(PARK, "p1", {"note": "keeps the project from going stale"})
    assert n.fire_due_deadlines() == 0
    clock.now = T0 + dt.timedelta(days=7)
    assert n.fire_due_deadlines() == 1
    problem = n.tracking(IPB, "p1")["problems"][0]
    assert problem["escalated_to"] == ["position:deputy_county_magistrate", "unit:IPB"]
    assert problem["escalated_at"].startswith("2026-09-08T10:00")
    assert n.inbox(LIAISON)["items"][0]["title"].startswith("【招商】问题逾期未解决")
    # LAND, which owns it, resolves it
    land = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND"}
    n.resolve_problem(land, "p1", problem["id"], {"resolution": "县政府专题会议调剂指标"})
    with pytest.raises(Conflict):
        n.resolve_problem(land, "p1", problem["id"], {"resolution": "again"})


def test_a_problem_resolved_in_time_is_never_escalated_and_without_a_liaison_leader_goes_to_the_leader_in_charge(n, clock):
    project(n)
    first = n.raise_problem(IPB, "p1", {"description": "环评批复延迟", "owner": "unit:EPB"})["problems"][0]
    clock.advance(days=6, hours=23)
    n.resolve_problem(IPB, "p1", first["id"], {"resolution": "已批复"})
    second = n.raise_problem(IPB, "p1", {"description": "供电线路未接入", "owner": "position:town_head"})["problems"][1]
    clock.advance(hours=1)
    assert n.fire_due_deadlines() == 0  # the first was resolved; the second is an hour old
    clock.advance(days=7)
    n.fire_due_deadlines()
    escalated = [p for p in n.tracking(IPB, "p1")["problems"] if p["escalated_at"]]
    assert [p["id"] for p in escalated] == [second["id"]]
    assert escalated[0]["escalated_to"][0] == "position:county_leader_in_charge"


def test_tracking_acts_are_for_ipb_and_the_responsible_unit_and_inputs_name_their_field(n):
    project(n)
    with pytest.raises(NotAllowed):
        n.record_progress(FIN, "p1", {"note": "x"})
    with pytest.raises(NotAllowed):
        n.set_contacts(PARK, "p1", {"liaison_leader": "county_leader_in_charge"})
    with pytest.raises(InvalidInput) as bad:
        n.raise_problem(IPB, "p1", {"description": "x", "owner": "LAND"})
    assert "owner" in bad.value.details
    with pytest.raises(InvalidInput) as empty:
        n.record_progress(IPB, "p1", {"note": ""})
    assert "note" in empty.value.details
    with pytest.raises(NotFound):
        n.record_progress(IPB, "nope", {"note": "x"})


def test_stalled_lists_count_as_the_county_offices_do_with_time_in_state(n, clock):
    project(n, pid="a", ref="ZS2026-0001", state="approved", unit=None)
    clock.advance(days=2)
    project(n, pid="b", ref="ZS2026-0002", state="signed", seq=14)
    project(n, pid="c", ref="ZS2026-0003", state="filed_copies", seq=15)
    clock.advance(days=3)
    project(n, pid="d", ref="ZS2026-0004", state="construction", seq=16)
    project(n, pid="e", ref="ZS2026-0005", state="negotiating", seq=5)
    n.raise_problem(IPB, "d", {"description": "施工许可未办", "owner": "unit:PLAN"})
    clock.advance(days=1)
    groups = {g["category"]: g for g in n.stalled(LG_OFFICE)}
    assert {c: g["count"] for c, g in groups.items()} == {
        "approved_not_assigned": 1, "signed_not_started": 2, "started_not_completed": 1}
    assert groups["approved_not_assigned"]["label"] == "已批未落地"
    assert groups["approved_not_assigned"]["items"][0]["days_in_state"] == 6
    assert [i["ref"] for i in groups["signed_not_started"]["items"]] == ["ZS2026-0002", "ZS2026-0003"]
    assert groups["started_not_completed"]["items"][0]["open_problems"] == 1
    assert groups["started_not_completed"]["items"][0]["days_in_state"] == 1


# -- reminders on the special report's and the review period's due dates -----------------------------------------------

def test_the_special_report_is_reminded_on_its_due_date_unless_filed(n, clock):
    project(n)
    lapse(n, key="O1", report_due="2026-09-04")
    lapse(n, key="O2", report_due="2026-09-04")
    reminders = n.deadline_rows(domain.REPORT_DUE)
    assert [r["due_at"] for r in reminders] == [dt.datetime(2026, 9, 4, 9, 0, tzinfo=SHANGHAI)] * 2
    n.event("on_obligation_report_filed", "contracts.special_report_filed", "p1", {
        "obligation": {"key": "O2", "text": "开工", "due": "2026-08-31", "party": "investor",
                       "report": {"summary": "资金未到位"}},
        "document": {"id": "a" * 64, "filename": "report.pdf", "content_type": "application/pdf", "size": 10},
        "reason": "special report on O2 filed"}, actor=Actor(**PARK_HEAD))
    clock.now = dt.datetime(2026, 9, 4, 9, 0, tzinfo=SHANGHAI)
    assert n.fire_due_deadlines() == 1
    note, = n.notes("notifications.special_report_due")
    assert "O1" in note["title"] and note["recipients"] == ["unit:PARK:hengdong"]
    register = n.special_reports(IPB, "p1")
    assert [(r["ref"], r["cause"], r["obligation_key"]) for r in register] == [("SR-ZS2026-0001-1", "overdue_obligation", "O2")]
    assert register[0]["summary"] == "资金未到位"


def test_units_still_awaited_on_the_review_periods_last_day_are_reminded(n, clock):
    n.event("on_project_filed", "intake.project_filed", "p1", {"ref": "ZS2026-0001", "project_name": "铝型材项目"})
    n.event("on_review_convened", "review.convened", "p1", {"ref": "ZS2026-0001", "required_units": ["DRB", "IND", "FIN"],
                                                             "findings": [], "deadline": "2026-09-15", "reason": "x"})
    n.event("on_review_opinion_recorded", "review.opinion_recorded", "p1", {"unit": "DRB", "opinion": "pass", "round": 1,
                                                                             "conditions": [], "reasons": []})
    clock.now = dt.datetime(2026, 9, 15, 8, 59, tzinfo=SHANGHAI)
    assert n.fire_due_deadlines() == 0
    clock.now = dt.datetime(2026, 9, 15, 9, 0, tzinfo=SHANGHAI)
    assert n.fire_due_deadlines() == 1
    note, = n.notes("notifications.review_period_ending")
    assert note["recipients"] == ["unit:IND", "unit:FIN"]


def test_a_concluded_review_is_not_reminded(n, clock):
    n.event("on_review_convened", "review.convened", "p1", {"ref": "ZS2026-0001", "required_units": ["DRB"],
                                                             "findings": [], "deadline": "2026-09-15", "reason": "x"})
    n.event("on_review_concluded", "review.concluded", "p1", {"outcome": "approved", "round": 1, "conditions": []})
    clock.now = dt.datetime(2026, 9, 16, tzinfo=SHANGHAI)
    assert n.fire_due_deadlines() == 0


def test_a_reminder_is_a_deadline_like_the_others(n, clock):
    project(n)
    with pytest.raises(InvalidInput) as past:
        n.schedule_reminder(IPB, "p1", {"at": (T0 - dt.timedelta(hours=1)).isoformat(), "note": "x"})
    assert "at" in past.value.details
    reminder = n.schedule_reminder(LG_OFFICE, "p1", {"at": (T0 + dt.timedelta(hours=2)).isoformat(),
                                                     "note": "请园区本周内报送用地进展"})
    assert reminder["kind"] == "reminder" and reminder["payload"]["to"] == ["unit:PARK:hengdong"]
    clock.advance(hours=2)
    assert n.fire_due_deadlines() == 1
    assert n.inbox(PARK)["items"][0]["text"] == "请园区本周内报送用地进展"


# -- the special-report register ---------------------------------------------------------------------------------

def report_body(cause="cannot_go_ahead", filename="report.pdf", content=PDF) -> dict:
    return {"cause": cause, "summary": "投资方资金链断裂，项目无法推进",
            "document": {"filename": filename, "content_base64": base64.b64encode(content).decode()}}


def test_special_reports_are_documents_in_a_register(n, documents):
    project(n)
    report = n.file_special_report(IPB_DIRECTOR, "p1", report_body())
    assert report["ref"] == "SR-ZS2026-0001-1" and report["cause"] == "cannot_go_ahead"
    assert documents.load(report["document"]["id"]) == PDF
    assert n.special_report(LG_OFFICE, report["ref"])["summary"].startswith("投资方")
    note, = n.notes("notifications.special_report_filed")
    assert note["recipients"] == ["unit:LG", "unit:IPB"]
    second = n.file_special_report(PARK_HEAD, "p1", report_body(cause="unfinished_review"))
    assert second["ref"] == "SR-ZS2026-0001-2"
    with pytest.raises(NotAllowed):
        n.file_special_report(FIN, "p1", report_body())
    with pytest.raises(NotAllowed):
        n.special_report(FIN, report["ref"])
    with pytest.raises(InvalidInput) as obligation:
        n.file_special_report(IPB, "p1", report_body(cause="overdue_obligation"))
    assert "cause" in obligation.value.details
    with pytest.raises(InvalidInput) as exe:
        n.file_special_report(IPB, "p1", report_body(filename="report.exe"))
    assert "document.filename" in exe.value.details
    with pytest.raises(NotFound):
        n.special_report(IPB, "SR-nope")


@pytest.mark.parametrize("bad", [6754957674901253652480, 2**63, 0, -1, "x"])
def test_an_id_no_database_can_hold_is_not_found_not_a_crash(n, bad):
    """Found by the API property tests: a huge id overflowed SQLite's INTEGER (a 502)."""
    project(n)
    with pytest.raises(NotFound):
        n.mark_read(PARK, bad)
    with pytest.raises(NotFound):
        n.resolve_problem(IPB, "p1", bad, {"resolution": "已解决"})
