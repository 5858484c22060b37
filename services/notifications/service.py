"""notifications — channels, durable deadlines, tracking and the special-report register (R7, R11).

Events from the other services, and this service's own deadlines, are routed by
``policy/notifications.yaml`` (event type, facts, units and positions) to recipients and channel
plugins (entry points ``zhaoshang.notification_channels``: inbox, email, webhook).  Each delivery
is a row, attempted by the dispatcher (``@timer``) in its channel's own pool, logged attempt by
attempt and retried with back-off; one channel failing never holds up another.

Deadlines (stale project, problem escalation, construction period end, special report due,
review period, reminders) are rows fired by a ``@timer``: a row is claimed with
``UPDATE … WHERE fired_at IS NULL`` in the transaction that carries its effect, so a deadline
that passed while the service was down fires on start, and two instances fire it once.

Tracking (R11): progress and problems per project; a project without progress for the stale
period is flagged and its responsible person reminded; a problem open for the escalation period
goes to the liaison leader; the stalled lists count projects the way the county's offices do.
The register of special reports to the Leading Group is here; the coordinator checks it before
it terminates a project.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from datetime import date, datetime, timedelta
from functools import partial

from marshmallow import RAISE, ValidationError
from nameko.timer import timer
from sqlalchemy.orm import Session

from services.notifications import domain, models, store
from services.notifications.channels import ChannelError, DeliveryContext, Message, effective_settings, shown_settings
from services.notifications.dispatch import Channels
from shared.actor import SYSTEM, Actor, authorize
from shared.bus import on_event
from shared.clock import to_shanghai
from shared.db import Database
from shared.relay import OutboxRelay
from shared.dependencies import Clock, Documents, PolicyData
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotFound
from shared.rpc import rpc
from shared.schema import flatten_messages, load_or_invalid, schema
from shared.wire.notifications import (
    ChannelSchema, ChannelSettingsInputSchema, ContactsInputSchema, DeadlineSchema, DeliverySchema, InboxSchema,
    ProblemInputSchema, ProgressInputSchema, ReminderInputSchema, ResolutionInputSchema, SpecialReportInputSchema,
    SpecialReportSchema, StalledGroupSchema, TrackingSchema,
)

log = logging.getLogger(__name__)

DISPATCH_SECONDS = 1  # how often due deliveries are attempted (operational, not policy)
DEADLINE_SCAN_SECONDS = 2  # how often due deadlines are fired (operational, not policy)
LEASE_SECONDS = 120  # a delivery taken by an instance that then died is attempted again after this
INSTANCE = f"{socket.gethostname()}:{os.getpid()}"
RETRY_DEFAULTS = {"base_seconds": 30, "max_seconds": 3600, "max_attempts": 8}



ROW_ID_MAX = 2**63 - 1  # SQLite INTEGER and PostgreSQL BIGINT


def row_id(value, field: str) -> int:
    """A row id from a caller: a whole number a database can hold, else there is no such row (404, not a crash:
    ``POST /api/inbox/6754957674901253652480/read`` overflowed SQLite's INTEGER, found by the API property tests)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(f"no {field.replace('_', ' ')} {value}", {field: [str(value)]}) from None
    if not 1 <= number <= ROW_ID_MAX:
        raise NotFound(f"no {field.replace('_', ' ')} {value}", {field: [str(value)]})
    return number

class InboxWriter:
    """The inbox the in-app channel writes to (its own short transaction)."""

    def __init__(self, engine, now: datetime):
        self.engine, self.now = engine, now

    def put(self, notification_id: int, addresses: list[str]) -> int:
        with Session(self.engine) as session, session.begin():
            return store.put_in_inbox(session, notification_id, addresses, self.now)


class SessionInbox:
    """The inbox on a transaction already open (for a channel that delivers in it)."""

    def __init__(self, session, now: datetime):
        self.session, self.now = session, now

    def put(self, notification_id: int, addresses: list[str]) -> int:
        return store.put_in_inbox(self.session, notification_id, addresses, self.now)


class NotificationsService:
    name = "notifications"

    db = Database(models.metadata)
    relay = OutboxRelay()
    policy = PolicyData()
    clock = Clock()
    channels = Channels()
    _deliveries_queued = False  # this worker added a delivery to attempt (each worker has its own instance)
    documents = Documents()

    @rpc
    def health(self):
        return {"service": self.name, "status": "ok", "policy": self.policy.version,
                "channels": sorted(self.channels.plugins)}

    # -- what notifications learns from the others ---------------------------------------------------
    @on_event("intake.project_filed")
    def on_project_filed(self, body):
        event = Envelope.load(body)
        with self.db.handle_once(event.event_id, "on_project_filed") as uow:
            if uow is not None:
                store.ensure_project(uow.session, event.project_id, ref=event.payload["ref"],
                                     name=event.payload["project_name"])

    @on_event("coordinator.project_state_changed")
    def on_project_state_changed(self, body):
        """Every transition is progress; a project leaving the tracked states stops being followed."""
        event = Envelope.load(body)
        p = event.payload
        with self.db.handle_once(event.event_id, "on_project_state_changed") as uow:
            if uow is None:
                return
            s = uow.session
            current = store.ensure_project(s, event.project_id, ref=p["ref"])
            if p["seq"] > current["state_seq"]:
                store.set_project(s, event.project_id, state=p["to_state"], state_seq=p["seq"],
                                  state_since=event.occurred_at)
                self._progress(s, event.project_id, p["to_state"], event.occurred_at, self.clock())
                if p["to_state"] in domain.PAST_CONSTRUCTION:
                    store.cancel_deadlines(s, self.clock(), f"project {p['to_state']}", project_id=event.project_id,
                                           kinds=(domain.CONSTRUCTION_END,))
                if p["to_state"] in domain.ENDED:
                    store.cancel_deadlines(s, self.clock(), f"project {p['to_state']}", project_id=event.project_id)
            self._notify(uow, event.event_id, event.type, event.project_id, p)
        self._dispatch_soon()

    @on_event("negotiation.unit_assigned")
    def on_unit_assigned(self, body):
        event = Envelope.load(body)
        with self.db.handle_once(event.event_id, "on_unit_assigned") as uow:
            if uow is not None:
                store.ensure_project(uow.session, event.project_id)
                store.set_project(uow.session, event.project_id, responsible_unit=event.payload["unit"])

    # review (R2): a reminder on the period's last day to the units yet to give their opinion
    @on_event("review.convened")
    def on_review_convened(self, body):
        event = Envelope.load(body)
        with self.db.handle_once(event.event_id, "on_review_convened") as uow:
            if uow is not None:
                self._arm_review_period(uow.session, event.project_id, event.payload["deadline"],
                                        event.payload["required_units"], 1)

    @on_event("review.opinion_recorded")
    def on_review_opinion_recorded(self, body):
        event = Envelope.load(body)
        with self.db.handle_once(event.event_id, "on_review_opinion_recorded") as uow:
            if uow is None:
                return
            pending = store.pending_deadline(uow.session, domain.REVIEW_PERIOD, event.project_id, "review")
            if pending and pending["payload"].get("round") == event.payload["round"]:
                payload = dict(pending["payload"])
                payload["awaiting"] = [u for u in payload["awaiting"] if u != event.payload["unit"]]
                store.update_deadline_payload(uow.session, pending["id"], payload)

    @on_event("review.returned")
    def on_review_returned(self, body):
        self._end_review_period(Envelope.load(body), "on_review_returned", "returned for more information")

    @on_event("review.concluded")
    def on_review_concluded(self, body):
        self._end_review_period(Envelope.load(body), "on_review_concluded", "concluded")

    @on_event("review.resubmitted")
    def on_review_resubmitted(self, body):
        event = Envelope.load(body)
        with self.db.handle_once(event.event_id, "on_review_resubmitted") as uow:
            if uow is None:
                return
            last = [d for d in store.deadlines_of(uow.session, event.project_id, False) if d["kind"] == domain.REVIEW_PERIOD]
            required = last[-1]["payload"]["required_units"] if last else []
            self._arm_review_period(uow.session, event.project_id, event.payload["deadline"], required,
                                    event.payload["round"])

    @on_event("review.escalated")
    def on_review_escalated(self, body):
        self._notify_once(Envelope.load(body), "on_review_escalated")

    # contracts (R7, R12)
    @on_event("contracts.signed")
    def on_contract_signed(self, body):
        """The contracted completion date ends the construction period: a deadline for the accounting."""
        event = Envelope.load(body)
        with self.db.handle_once(event.event_id, "on_contract_signed") as uow:
            if uow is None:
                return
            completion = date.fromisoformat(event.payload["terms"]["completion"])
            store.ensure_project(uow.session, event.project_id)
            store.set_project(uow.session, event.project_id, completion=completion)
            store.rearm(uow.session, domain.CONSTRUCTION_END, event.project_id, "construction",
                        domain.construction_end_at(completion), {"completion": completion.isoformat()},
                        self.clock(), "contract signed again")

    @on_event("contracts.progress_recorded")
    def on_obligation_progress(self, body):
        event = Envelope.load(body)
        with self.db.handle_once(event.event_id, "on_obligation_progress") as uow:
            if uow is None:
                return
            store.ensure_project(uow.session, event.project_id)
            store.add_progress(uow.session, project_id=event.project_id, source="obligation", note=event.payload["reason"],
                               by=event.actor.dump(), at=event.occurred_at)
            self._progress(uow.session, event.project_id, "obligation progress", event.occurred_at, self.clock())

    @on_event("contracts.obligation_lapsed")
    def on_obligation_lapsed(self, body):
        """R7: the report task is open — notify now, remind on the day it is due."""
        event = Envelope.load(body)
        p = event.payload
        with self.db.handle_once(event.event_id, "on_obligation_lapsed") as uow:
            if uow is None:
                return
            store.ensure_project(uow.session, event.project_id)
            if p.get("responsible_unit"):
                store.set_project(uow.session, event.project_id, responsible_unit=p["responsible_unit"])
            key = p["obligation"]["key"]
            due = domain.on_day(date.fromisoformat(p["report_due"]), self.policy.get("notifications.reminder_time"))
            store.rearm(uow.session, domain.REPORT_DUE, event.project_id, key, due,
                        {**self._obligation_facts(p["obligation"]), "report_due": p["report_due"],
                         "provisional": p.get("provisional", False)}, self.clock(), "lapsed again")
            self._notify(uow, event.event_id, event.type, event.project_id, p)
        self._dispatch_soon()

    @on_event("contracts.special_report_filed")
    def on_obligation_report_filed(self, body):
        """A report filed against an obligation closes its reminder and joins the register."""
        event = Envelope.load(body)
        p = event.payload
        with self.db.handle_once(event.event_id, "on_obligation_report_filed") as uow:
            if uow is None:
                return
            s = uow.session
            project = store.ensure_project(s, event.project_id)
            key = p["obligation"]["key"]
            store.cancel_deadlines(s, self.clock(), "report filed", kind=domain.REPORT_DUE, project_id=event.project_id,
                                   subject=key)
            if not store.report_from_event(s, event.event_id):
                number = store.next_report_number(s, event.project_id)
                store.add_report(s, ref=domain.report_ref(project["ref"], event.project_id, number),
                                 project_id=event.project_id, cause="overdue_obligation",
                                 summary=(p["obligation"].get("report") or {}).get("summary") or p["reason"],
                                 document=p["document"], obligation_key=key, filed_by=event.actor.dump(),
                                 filed_at=event.occurred_at, source_event_id=event.event_id)
            self._notify(uow, event.event_id, event.type, event.project_id, p)
        self._dispatch_soon()

    @on_event("contracts.special_report_late")
    def on_special_report_late(self, body):
        self._notify_once(Envelope.load(body), "on_special_report_late")

    # -- the inbox ------------------------------------------------------------------------------------------
    @rpc
    def inbox(self, actor, unread_only=False, limit=50):
        """What the acting person receives: addressed to their user id, their position or their unit."""
        actor = Actor.load(actor)
        authorize(actor, "notifications.read_inbox", self.policy.authority)
        addresses = domain.address_matches(actor.dump())
        session = self.db.session
        items = store.inbox_for(session, addresses, actor.user_id, bool(unread_only), min(int(limit), 500))
        return schema(InboxSchema).dump({"unread": store.unread_count(session, addresses, actor.user_id),
                                   "items": [self._shown(i) for i in items]})

    @rpc
    def mark_read(self, actor, notification_id):
        actor = Actor.load(actor)
        authorize(actor, "notifications.read_inbox", self.policy.authority)
        with self.db.unit_of_work() as uow:
            notification_id = row_id(notification_id, "notification_id")
            if not store.in_inbox_of(uow.session, notification_id, domain.address_matches(actor.dump())):
                raise NotFound(f"notification {notification_id} is not in your inbox",
                               {"notification_id": [str(notification_id)]})
            store.mark_read(uow.session, int(notification_id), actor.user_id, self.clock())
        return self.inbox(actor.dump(), True)

    # -- deliveries and channels -------------------------------------------------------------------------------
    @rpc
    def deliveries(self, actor, project_id=None, limit=50):
        """The delivery log: each notification's channels, status, attempts and their outcomes."""
        actor = Actor.load(actor)
        authorize(actor, "notifications.read_deliveries", self.policy.authority)
        session = self.db.session
        notes = {n["id"]: n for n in store.notifications_where(session, project_id, min(int(limit), 500), 0)}
        rows = store.deliveries_of(session, list(notes))
        log_rows = store.attempts_of(session, [d["id"] for d in rows])
        out = []
        for d in rows:
            attempts = [{**a, "at": to_shanghai(a["at"])} for a in log_rows if a["delivery_id"] == d["id"]]
            out.append({**d, "title": notes[d["notification_id"]]["title"],
                        "event_type": notes[d["notification_id"]]["event_type"], "log": attempts,
                        "next_attempt_at": _sh(d["next_attempt_at"]), "delivered_at": _sh(d["delivered_at"])})
        return schema(DeliverySchema, many=True).dump(out)

    @rpc
    def channels_settings(self, actor):
        actor = Actor.load(actor)
        authorize(actor, "notifications.configure_channels", self.policy.authority)
        return self._channel_views(store.stored_settings(self.db.session))

    @rpc
    def configure_channel(self, actor, channel, data):
        """IPB's administrator points a channel elsewhere at run time (over config/zhaoshang.yaml)."""
        actor = Actor.load(actor)
        authorize(actor, "notifications.configure_channels", self.policy.authority)
        plugin = self.channels.plugins.get(channel)
        if plugin is None:
            raise NotFound(f"no channel {channel!r} is installed", {"channel": [f"one of {', '.join(self.channels.plugins)}"]})
        data = load_or_invalid(schema(ChannelSettingsInputSchema), data)
        try:
            given = plugin.settings_schema().load(data["settings"], unknown=RAISE, partial=True)
        except ValidationError as exc:
            fields = {f"settings.{k}": v for k, v in flatten_messages(exc.messages).items()}
            raise InvalidInput("invalid channel settings — " + "; ".join(f"{k}: {', '.join(v)}" for k, v in fields.items()),
                               fields) from None
        given = {k: v for k, v in data["settings"].items() if k in given}  # as sent (JSON-safe)
        with self.db.unit_of_work() as uow:
            stored = store.stored_settings(uow.session)
            store.store_settings(uow.session, channel, {**stored.get(channel, {}), **given}, actor.dump(), self.clock())
        return [c for c in self._channel_views(store.stored_settings(self.db.session)) if c["name"] == channel][0]

    def _channel_views(self, stored: dict) -> list:
        views = []
        for name, plugin in sorted(self.channels.plugins.items()):
            settings = effective_settings(plugin, self.channels.config_of(name), stored.get(name))
            why = plugin.not_ready(settings)
            views.append({"name": name, "ready": why is None, "not_ready": why,
                          "settings": shown_settings(plugin, settings),
                          "source": "administrator" if name in stored else "config"})
        return schema(ChannelSchema, many=True).dump(views)

    @timer(interval=DISPATCH_SECONDS)
    def dispatch(self):
        """Attempt every due delivery, each channel in its own pool; returns how many were started."""
        now = self.clock()
        session = self.db.session
        engine = session.get_bind()
        stored = store.stored_settings(session)
        work = []
        for name, plugin in self.channels.plugins.items():
            free = self.channels.free(name)
            if free <= 0:
                continue
            ids = store.due_deliveries(session, now, name, free)
            session.commit()  # end the read before claiming (SQLite: never upgrade a stale read)
            for delivery_id in ids:
                with self.db.unit_of_work() as uow:
                    if store.claim_delivery(uow.session, delivery_id, now, now + timedelta(seconds=LEASE_SECONDS)):
                        work.append((name, plugin, delivery_id))
        session.commit()
        retry = {**RETRY_DEFAULTS, **(self.channels.config_of("retry") or {})}
        for name, plugin, delivery_id in work:
            settings = effective_settings(plugin, self.channels.config_of(name), stored.get(name))
            self.channels.spawn(name, partial(_attempt, engine, plugin, delivery_id, settings, retry, self.clock,
                                              self._routes(), self.policy))
        return len(work)

    def _dispatch_soon(self) -> None:
        """Start the deliveries this worker just created without waiting for the timer (none created —
        in-app notifications are delivered in their own transaction — nothing to do: the dispatch's reads
        and claims would only hold the database the other workers wait for)."""
        if not self._deliveries_queued:
            return
        self._deliveries_queued = False
        try:
            self.dispatch()
        except Exception:  # the timer tries again in a second
            log.exception("immediate dispatch failed; the timer will retry")

    # -- durable deadlines ---------------------------------------------------------------------------------------
    @timer(interval=DEADLINE_SCAN_SECONDS)
    def fire_due_deadlines(self):
        """Fire every deadline that is due and not fired: once, even with two instances running."""
        now = self.clock()
        session = self.db.session
        due = store.due_deadlines(session, now)
        session.commit()
        fired = 0
        for row in due:
            try:
                with self.db.unit_of_work() as uow:
                    if not store.claim_deadline(uow.session, row["id"], now, INSTANCE):
                        continue  # another instance fired it, or it was cancelled meanwhile
                    outcome = self._fire(uow, row, now)
                    store.set_deadline_outcome(uow.session, row["id"], outcome)
                fired += 1
            except Exception:  # this one is retried on the next scan; the others still fire
                log.exception("deadline %s (%s) could not fire; retrying on the next scan", row["id"], row["kind"])
        if fired:
            self._dispatch_soon()
        return fired

    @rpc
    def fire_due_now(self, actor):
        authorize(Actor.load(actor), "notifications.manage_deadlines", self.policy.authority)
        return self.fire_due_deadlines()

    @rpc
    def deadlines(self, actor, project_id=None, pending_only=True):
        authorize(Actor.load(actor), "notifications.manage_deadlines", self.policy.authority)
        return self._deadline_views(store.deadlines_of(self.db.session, project_id, bool(pending_only)))

    @rpc
    def schedule_reminder(self, actor, project_id, data):
        """IPB or the LG sets a follow-up reminder (督办) on a project: a deadline like the others."""
        actor = Actor.load(actor)
        authorize(actor, "notifications.schedule_reminder", self.policy.authority)
        data = load_or_invalid(schema(ReminderInputSchema), data)
        now = self.clock()
        if data["at"] <= now:
            raise InvalidInput.for_field("at", "must be in the future")
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            to = data["to"] or [f"unit:{project['responsible_unit'] or 'IPB'}"]
            deadline_id = store.add_deadline(uow.session, domain.REMINDER, project_id, f"reminder-{int(time.time() * 1e6)}",
                                             data["at"], {"note": data["note"], "to": to, "by": actor.dump()}, now)
        return self._deadline_views([d for d in store.deadlines_of(self.db.session, project_id, False)
                                     if d["id"] == deadline_id])[0]

    def _fire(self, uow, row: dict, now: datetime) -> str:
        s, kind, project_id, payload = uow.session, row["kind"], row["project_id"], row["payload"]
        cause = f"deadline:{row['id']}"
        if kind == domain.STALE:
            project = store.find_project(s, project_id)
            days = self.policy.integer("thresholds.tracking.stale_days")
            if project is None or project["state"] in domain.UNTRACKED:
                return "not tracked any more"
            if not domain.is_stale(project["last_progress_at"], days, now):
                store.add_deadline(s, domain.STALE, project_id, "progress",
                                   domain.stale_at(project["last_progress_at"], days), {}, now)
                return "progress since: re-armed"
            store.set_project(s, project_id, stale_since=now)
            sent = self._notify(uow, cause, "notifications.project_stale", project_id, {
                "stale_days": days, "last_progress": domain.shanghai_text(project["last_progress_at"])})
            return f"flagged stale; reminded {', '.join(sent) or 'nobody'}"
        if kind == domain.ESCALATION:
            problem = store.problem(s, project_id, int(row["subject"]))
            if problem["resolved_at"] is not None:
                return "resolved before"
            days = self.policy.integer("thresholds.tracking.problem_escalation_days")
            sent = self._notify(uow, cause, "notifications.problem_escalated", project_id, {
                "problem": problem["description"], "owner": problem["owner"], "escalation_days": days,
                "raised": domain.shanghai_text(problem["raised_at"])})
            store.change_problem(s, problem["id"], escalated_at=now, escalated_to=sent)
            return f"escalated to {', '.join(sent) or 'nobody'}"
        if kind == domain.CONSTRUCTION_END:
            completion = payload["completion"]
            uow.emit(Envelope("notifications.construction_period_ended", SYSTEM, project_id=project_id, payload={
                "completion": completion,
                "reason": f"the contracted completion date {completion} has passed: the construction period is over"}))
            self._notify(uow, cause, "notifications.construction_period_ended", project_id, {"completion": completion})
            return "construction period ended: event sent"
        if kind == domain.REPORT_DUE:
            sent = self._notify(uow, cause, "notifications.special_report_due", project_id, payload)
            return f"reminded {', '.join(sent) or 'nobody'}"
        if kind == domain.REVIEW_PERIOD:
            if not payload.get("awaiting"):
                return "every unit has given its opinion"
            sent = self._notify(uow, cause, "notifications.review_period_ending", project_id, payload)
            return f"reminded {', '.join(sent) or 'nobody'}"
        if kind == domain.REMINDER:
            sent = self._notify(uow, cause, "notifications.reminder", project_id, payload)
            return f"reminded {', '.join(sent) or 'nobody'}"
        return f"unknown kind {kind}: nothing done"

    # -- tracking (R11) ------------------------------------------------------------------------------------------
    @rpc
    def tracking(self, actor, project_id):
        actor = Actor.load(actor)
        authorize(actor, "notifications.read_tracking", self.policy.authority)
        return self._tracking_view(self.db.session, project_id)

    @rpc
    def record_progress(self, actor, project_id, data):
        """Progress as it happens (the first of the "four promptnesses"); it clears a stale flag."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(ProgressInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            authorize(actor, "notifications.record_progress", self.policy.authority,
                      responsible_unit=project["responsible_unit"] or "-")
            store.add_progress(uow.session, project_id=project_id, source="recorded", note=data["note"],
                               by=actor.dump(), at=now)
            self._progress(uow.session, project_id, "recorded", now, now)
        return self._tracking_view(self.db.session, project_id)

    @rpc
    def raise_problem(self, actor, project_id, data):
        """A problem with its owner; open for the escalation period, it goes to the liaison leader."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(ProblemInputSchema), data)
        now = self.clock()
        days = self.policy.integer("thresholds.tracking.problem_escalation_days")
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            authorize(actor, "notifications.raise_problem", self.policy.authority,
                      responsible_unit=project["responsible_unit"] or "-")
            problem_id = store.add_problem(uow.session, project_id=project_id, description=data["description"],
                                           owner=data["owner"], raised_by=actor.dump(), raised_at=now)
            store.add_deadline(uow.session, domain.ESCALATION, project_id, str(problem_id),
                               domain.escalation_at(now, days), {"problem_id": problem_id}, now)
        return self._tracking_view(self.db.session, project_id)

    @rpc
    def resolve_problem(self, actor, project_id, problem_id, data):
        actor = Actor.load(actor)
        data = load_or_invalid(schema(ResolutionInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            problem = store.problem(uow.session, project_id, row_id(problem_id, "problem_id"), lock=True)
            owner_unit = problem["owner"][5:] if problem["owner"].startswith("unit:") else "-"
            authorize(actor, "notifications.resolve_problem", self.policy.authority,
                      responsible_unit=project["responsible_unit"] or "-", owner_unit=owner_unit)
            if not store.change_problem(uow.session, problem["id"], resolved_at=now, resolved_by=actor.dump(),
                                        resolution=data["resolution"]):
                raise Conflict(f"problem {problem_id} is already resolved", {"problem_id": [str(problem_id)]})
            store.cancel_deadlines(uow.session, now, "resolved", kind=domain.ESCALATION, project_id=project_id,
                                   subject=str(problem["id"]))
            store.add_progress(uow.session, project_id=project_id, source="recorded",
                               note=f"问题已解决：{problem['description']} — {data['resolution']}", by=actor.dump(), at=now)
            self._progress(uow.session, project_id, "problem resolved", now, now)
        return self._tracking_view(self.db.session, project_id)

    @rpc
    def set_contacts(self, actor, project_id, data):
        """IPB names the project's responsible person and liaison leader (R10)."""
        actor = Actor.load(actor)
        authorize(actor, "notifications.set_contacts", self.policy.authority)
        data = load_or_invalid(schema(ContactsInputSchema), data)
        if not data:
            raise InvalidInput.for_field("body", "give responsible_person and/or liaison_leader")
        with self.db.unit_of_work() as uow:
            store.project(uow.session, project_id)
            store.set_project(uow.session, project_id, **data)
        return self._tracking_view(self.db.session, project_id)

    @rpc
    def stalled(self, actor):
        """Stalled projects as the county's offices count them, each with its time in state."""
        actor = Actor.load(actor)
        authorize(actor, "notifications.read_tracking", self.policy.authority)
        session = self.db.session
        states = tuple(s for states in domain.STALLED.values() for s in states)
        problems = store.open_problem_counts(session)
        rows = [{**p, "stale": p["stale_since"] is not None, "open_problems": problems.get(p["project_id"], 0),
                 "state_since": to_shanghai(p["state_since"])} for p in store.projects_in(session, states)]
        lists = domain.stalled_lists(rows, self.clock())
        return schema(StalledGroupSchema, many=True).dump([
            {"category": c, "label": domain.STALLED_LABELS[c], "count": len(items), "items": items}
            for c, items in lists.items()])

    # -- special reports (R7, R11) ---------------------------------------------------------------------------------
    @rpc
    def file_special_report(self, actor, project_id, data):
        """A special report to the Leading Group: an unfinished review, or a project that cannot go ahead."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(SpecialReportInputSchema), data)
        domain.check_report_cause(data["cause"])
        now = self.clock()
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            authorize(actor, "notifications.file_special_report", self.policy.authority,
                      responsible_unit=project["responsible_unit"] or "-")
            ref = self.documents.save_base64(data["document"])
            report_ref = domain.report_ref(project["ref"], project_id, store.next_report_number(uow.session, project_id))
            store.add_report(uow.session, ref=report_ref, project_id=project_id, cause=data["cause"],
                             summary=data["summary"], document=ref.dump(), filed_by=actor.dump(), filed_at=now)
            self._notify(uow, f"report:{report_ref}", "notifications.special_report_filed", project_id, {
                "report_ref": report_ref, "cause": data["cause"], "cause_zh": domain.CAUSES[data["cause"]],
                "summary": data["summary"]})
        self._dispatch_soon()
        return self._report_view(store.report(self.db.session, report_ref))

    @rpc
    def special_reports(self, actor, project_id=None):
        actor = Actor.load(actor)
        session = self.db.session
        items = store.reports(session, project_id)
        if project_id:
            project = store.find_project(session, project_id) or {}
            authorize(actor, "notifications.read_special_reports", self.policy.authority,
                      responsible_unit=project.get("responsible_unit") or "-")
        else:
            authorize(actor, "notifications.read_special_reports", self.policy.authority, responsible_unit="-")
        return [self._report_view(r) for r in items]

    @rpc
    def special_report(self, actor, ref):
        actor = Actor.load(actor)
        session = self.db.session
        item = store.report(session, ref)
        project = store.find_project(session, item["project_id"]) or {}
        authorize(actor, "notifications.read_special_reports", self.policy.authority,
                  responsible_unit=project.get("responsible_unit") or "-")
        return self._report_view(item)

    # -- helpers ------------------------------------------------------------------------------------------------------
    def _routes(self) -> list[domain.Route]:
        """The routes (a channel named there but not installed is recorded 'skipped', not fatal)."""
        return self.policy.derived("notification_routes", lambda p: domain.load_routes(p.get("notifications")))

    def _notify_once(self, event: Envelope, handler: str) -> None:
        with self.db.handle_once(event.event_id, handler) as uow:
            if uow is not None:
                self._notify(uow, event.event_id, event.type, event.project_id, event.payload)
        self._dispatch_soon()

    def _notify(self, uow, cause: str, event_type: str, project_id: str | None, payload: dict) -> list[str]:
        """Route one event to its notifications and their deliveries; returns who was addressed."""
        s = uow.session
        project = store.find_project(s, project_id) or {}
        facts = {"project_id": project_id, "ref": project.get("ref"), "name": project.get("name"),
                 "state": project.get("state"), "responsible_unit": project.get("responsible_unit"),
                 "responsible_person": project.get("responsible_person"), "liaison_leader": project.get("liaison_leader")}
        facts.update({k: v for k, v in payload.items() if v is not None and not isinstance(v, dict)})
        if isinstance(payload.get("obligation"), dict):
            facts.update(self._obligation_facts(payload["obligation"]))
        now = self.clock()
        book = self.policy.get("notifications").get("addresses") or {}
        stored = store.stored_settings(s)
        addressed: list[str] = []
        for route in domain.routes_for(event_type, facts, self._routes()):
            recipients, unresolved = domain.resolve_recipients(route.recipients, facts)
            if not recipients:
                log.warning("%s: route %d resolves to nobody (%s)", event_type, route.index, ", ".join(unresolved))
                continue
            title, text = domain.render(route.title, facts), domain.render(route.text, facts)
            notification_id = store.add_notification(
                s, cause=cause, route=route.index, event_type=event_type, project_id=project_id, ref=facts["ref"],
                title=title, text=text, recipients=recipients, unresolved=unresolved, created_at=now)
            if notification_id is None:
                continue
            addressed.extend(r for r in recipients if r not in addressed)
            for name in route.channels:
                plugin = self.channels.plugins.get(name)
                if plugin is None:
                    targets, why = [], f"no channel plugin named {name} is installed"
                else:
                    targets = plugin.targets(recipients, book)
                    why = None if targets else "no address for these recipients"
                    why = why or plugin.not_ready(effective_settings(plugin, self.channels.config_of(name),
                                                                     stored.get(name)))
                if not why and getattr(plugin, "delivers_in_transaction", False):
                    message = Message(notification_id, event_type, project_id, facts["ref"], title, text,
                                      tuple(recipients), to_shanghai(now))
                    _deliver_here(s, plugin, message, targets, now)
                    continue
                store.add_delivery(s, notification_id=notification_id, channel=name, targets=targets,
                                   status=domain.SKIPPED if why else domain.PENDING,
                                   next_attempt_at=None if why else now, last_error=why, created_at=now)
                self._deliveries_queued = self._deliveries_queued or not why
        return addressed


    def _progress(self, session, project_id: str, what: str, at: datetime, now: datetime) -> None:
        """Progress clears the stale flag and moves the stale deadline (R11)."""
        project = store.project(session, project_id)
        last = max(filter(None, [project["last_progress_at"], at]))
        store.set_project(session, project_id, last_progress_at=last, stale_since=None)
        if project["state"] in domain.UNTRACKED or project["state"] is None:
            store.cancel_deadlines(session, now, f"not tracked in state {project['state']}", kind=domain.STALE,
                                   project_id=project_id)
            return
        days = self.policy.integer("thresholds.tracking.stale_days")
        store.rearm(session, domain.STALE, project_id, "progress", domain.stale_at(last, days), {"after": what}, now,
                    f"progress: {what}")

    def _arm_review_period(self, session, project_id: str, deadline: str, required: list, round_: int) -> None:
        at = domain.on_day(date.fromisoformat(deadline), self.policy.get("notifications.reminder_time"))
        store.ensure_project(session, project_id)
        store.rearm(session, domain.REVIEW_PERIOD, project_id, "review", at,
                    {"deadline": deadline, "required_units": list(required), "awaiting": list(required), "round": round_},
                    self.clock(), f"round {round_}")

    def _end_review_period(self, event: Envelope, handler: str, why: str) -> None:
        with self.db.handle_once(event.event_id, handler) as uow:
            if uow is not None:
                store.cancel_deadlines(uow.session, self.clock(), f"review {why}", kind=domain.REVIEW_PERIOD,
                                       project_id=event.project_id)

    @staticmethod
    def _obligation_facts(obligation: dict) -> dict:
        return {"obligation_key": obligation["key"], "obligation_text": obligation["text"],
                "obligation_due": obligation["due"]}

    @staticmethod
    def _shown(item: dict) -> dict:
        return {**item, "created_at": to_shanghai(item["created_at"]), "read_at": _sh(item.get("read_at"))}

    def _deadline_views(self, rows: list) -> list:
        return schema(DeadlineSchema, many=True).dump(_deadline_rows(rows))

    def _tracking_view(self, session, project_id: str) -> dict:
        project = store.project(session, project_id)
        stale_days = self.policy.integer("thresholds.tracking.stale_days")
        days = self.policy.integer("thresholds.tracking.problem_escalation_days")
        problems = [{**p, "raised_at": to_shanghai(p["raised_at"]),
                     "escalation_due": to_shanghai(domain.escalation_at(p["raised_at"], days)),
                     "escalated_at": _sh(p["escalated_at"]), "resolved_at": _sh(p["resolved_at"])}
                    for p in store.problems_of(session, project_id)]
        tracked = project["state"] not in domain.UNTRACKED and project["last_progress_at"] is not None
        view = {**project, "state_since": _sh(project["state_since"]), "last_progress_at": _sh(project["last_progress_at"]),
                "stale": project["stale_since"] is not None, "stale_since": _sh(project["stale_since"]),
                "stale_due": to_shanghai(domain.stale_at(project["last_progress_at"], stale_days)) if tracked else None,
                "progress": [{**p, "at": to_shanghai(p["at"])} for p in store.progress_of(session, project_id)],
                "problems": problems,
                "deadlines": _deadline_rows(store.deadlines_of(session, project_id, True))}
        return schema(TrackingSchema).dump(view)

    @staticmethod
    def _report_view(item: dict) -> dict:
        return schema(SpecialReportSchema).dump({**item, "filed_at": to_shanghai(item["filed_at"])})


def _sh(moment):
    return moment and to_shanghai(moment)


def _deadline_rows(rows: list) -> list:
    return [{**d, "due_at": to_shanghai(d["due_at"]), "fired_at": _sh(d["fired_at"]),
             "cancelled_at": _sh(d["cancelled_at"])} for d in rows]


def _deliver_here(session, plugin, message: Message, targets: list[str], now: datetime) -> None:
    """A channel that writes only to this service's database (the inbox) delivers in the notification's own
    transaction: the notification and its delivery are committed together, or neither is."""
    started = time.monotonic()
    receipt = str(plugin.send(message, list(targets), {}, DeliveryContext(SessionInbox(session, now))))
    store.add_delivered(session, message.notification_id, plugin.name, targets, receipt, now,
                        int((time.monotonic() - started) * 1000))


def _attempt(engine, plugin, delivery_id: int, settings: dict, retry: dict, clock, routes, policy) -> None:
    """One attempt of one delivery (in its channel's pool): send, then log the outcome and plan a retry."""
    with Session(engine) as session:
        current = store.delivery(session, delivery_id)
        note = store.notification(session, current["notification_id"])
    message = Message(note["id"], note["event_type"], note["project_id"], note["ref"], note["title"], note["text"],
                      tuple(note["recipients"]), to_shanghai(note["created_at"]))
    started = time.monotonic()
    try:
        receipt = str(plugin.send(message, list(current["targets"]), settings, DeliveryContext(InboxWriter(engine, clock()))))
        error = None
    except Exception as exc:  # any failure of a plugin is a failed attempt, never a crash of the service
        receipt, error = None, str(exc) if isinstance(exc, ChannelError) else f"{type(exc).__name__}: {exc}"
    duration = int((time.monotonic() - started) * 1000)
    now = clock()
    attempt = current["attempts"]
    with Session(engine) as session, session.begin():
        if error is None:
            store.finish_attempt(session, delivery_id, attempt, now, "delivered", receipt, duration,
                                 status=domain.DELIVERED, delivered_at=now, receipt=receipt, last_error=None)
            return
        status, next_at = domain.after_failure(attempt, int(retry["max_attempts"]), now, float(retry["base_seconds"]),
                                               float(retry["max_seconds"]))
        store.finish_attempt(session, delivery_id, attempt, now, "failed", error, duration,
                             status=status, next_attempt_at=next_at, last_error=error)
        if status == domain.FAILED:
            log.error("ALERT notification %s: %s gave up after %d attempts: %s", note["id"], current["channel"], attempt, error)
            if note["event_type"] != "notifications.delivery_failed":
                _alert_failed(session, note, current["channel"], attempt, error, now, routes)
        else:
            log.warning("notification %s: %s attempt %d failed, retrying at %s: %s", note["id"], current["channel"],
                        attempt, next_at.isoformat(), error)


def _alert_failed(session, note: dict, channel: str, attempts: int, error: str, now: datetime, routes) -> None:
    """A delivery given up on: IPB's administrator is told in the inbox (never by the failing channel itself)."""
    facts = {"channel": channel, "notification_id": note["id"], "notification_title": note["title"],
             "attempts": attempts, "error": error, "ref": note["ref"]}
    for route in domain.routes_for("notifications.delivery_failed", facts, routes):
        recipients, unresolved = domain.resolve_recipients(route.recipients, facts)
        notification_id = store.add_notification(
            session, cause=f"failed:{note['id']}:{channel}", route=route.index, event_type="notifications.delivery_failed",
            project_id=note["project_id"], ref=note["ref"], title=domain.render(route.title, facts),
            text=domain.render(route.text, facts), recipients=recipients, unresolved=unresolved, created_at=now)
        if notification_id is not None and "inbox" in route.channels:
            store.put_in_inbox(session, notification_id, recipients, now)
            store.add_delivery(session, notification_id=notification_id, channel="inbox", targets=recipients,
                               status=domain.DELIVERED, delivered_at=now, receipt="written with the alert",
                               created_at=now)
