"""notifications — who hears of what, and how: channels (plugins), routing, delivery and the inbox.

Events from the other services are routed by ``policy/notifications.yaml`` (event type, facts, units and
positions) to recipients and channel plugins (entry points ``zhaoshang.notification_channels``: inbox, email,
webhook).  Each delivery is a row, attempted by the dispatcher (``@timer``) in its channel's own pool, logged
attempt by attempt and retried with back-off; one channel failing never holds up another.  What falls due
(a stale project, a problem open too long, a report due today, a reminder) is the supervision service's to
keep; it says so by ``supervision.*`` events, routed here like any other.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from functools import partial

from marshmallow import RAISE, ValidationError
from nameko.timer import timer
from sqlalchemy.orm import Session

from services.notifications import domain, models, store
from services.notifications.channels import ChannelError, DeliveryContext, Message, effective_settings, shown_settings
from services.notifications.dispatch import Channels
from shared.actor import Actor, authorize
from shared.bus import on_event
from shared.clock import to_shanghai
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Clock, PolicyData
from shared.envelope import Envelope
from shared.errors import InvalidInput, NotFound
from shared.roster import keep, kept_entries
from shared.rpc import rpc
from shared import i18n
from shared.i18n import _, read_text, stored_text
from shared.schema import flatten_messages, load_or_invalid, problems_of, row_id, schema
from shared.wire.notifications import (
    ChannelSchema,
    ChannelSettingsInputSchema,
    DeliverySchema,
    InboxSchema,
)

log = logging.getLogger(__name__)

DISPATCH_SECONDS = 1  # how often due deliveries are attempted (operational, not policy)
LEASE_SECONDS = 120  # a delivery taken by an instance that then died is attempted again after this
RETRY_DEFAULTS = {"base_seconds": 30, "max_seconds": 3600, "max_attempts": 8}


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

    @rpc
    def health(self):
        return {
            "service": self.name,
            "status": "ok",
            "policy": self.policy.version,
            "channels": sorted(self.channels.plugins),
        }

    # -- what notifications learns from the others: the facts its routes use, and what to tell ---------------
    @on_event("intake.project_filed")
    @handled_once
    def on_project_filed(self, event, uow):
        store.ensure_project(
            uow.session, event.project_id, ref=event.payload["ref"], name=event.payload["project_name"]
        )

    @on_event("negotiation.unit_assigned")
    @handled_once
    def on_unit_assigned(self, event, uow):
        store.ensure_project(uow.session, event.project_id)
        store.set_project(uow.session, event.project_id, responsible_unit=event.payload["unit"])

    @on_event("coordinator.project_state_changed")
    def on_project_state_changed(self, body):
        self._notify_once(Envelope.load(body), "on_project_state_changed", self._follow_state)

    @staticmethod
    def _follow_state(session, event: Envelope) -> None:
        p = event.payload
        current = store.ensure_project(session, event.project_id, ref=p["ref"])
        if p["seq"] > current["state_seq"]:
            store.set_project(session, event.project_id, state=p["to_state"], state_seq=p["seq"])

    @on_event("review.escalated")
    def on_review_escalated(self, body):
        self._notify_once(Envelope.load(body), "on_review_escalated")

    @on_event("contracts.obligation_lapsed")
    def on_obligation_lapsed(self, body):
        """R7: the report task is open — the responsible unit is told now."""
        self._notify_once(Envelope.load(body), "on_obligation_lapsed", self._note_responsible_unit)

    @staticmethod
    def _note_responsible_unit(session, event: Envelope) -> None:
        store.ensure_project(session, event.project_id)
        if event.payload.get("responsible_unit"):
            store.set_project(session, event.project_id, responsible_unit=event.payload["responsible_unit"])

    @on_event("contracts.special_report_filed")
    def on_obligation_report_filed(self, body):
        self._notify_once(Envelope.load(body), "on_obligation_report_filed")

    @on_event("contracts.special_report_late")
    def on_special_report_late(self, body):
        self._notify_once(Envelope.load(body), "on_special_report_late")

    @on_event("accounting.opened")
    def on_accounting_opened(self, body):
        self._notify_once(Envelope.load(body), "on_accounting_opened")

    @on_event("review.deadline_moved")
    def on_review_deadline_moved(self, body):
        """R16: a year's holiday schedule loaded moved a review period's end."""
        self._notify_once(Envelope.load(body), "on_review_deadline_moved")

    @on_event("contracts.report_due_moved")
    def on_report_due_moved(self, body):
        """R16: a year's holiday schedule loaded moved a special report's deadline."""
        self._notify_once(Envelope.load(body), "on_report_due_moved")

    # supervision (R7, R11): what fell due there, and the special-report register
    @on_event("supervision.project_stale")
    def on_project_stale(self, body):
        self._notify_once(Envelope.load(body), "on_project_stale")

    @on_event("supervision.problem_escalated")
    def on_problem_escalated(self, body):
        self._notify_once(Envelope.load(body), "on_problem_escalated")

    @on_event("supervision.special_report_due")
    def on_special_report_due(self, body):
        self._notify_once(Envelope.load(body), "on_special_report_due")

    @on_event("supervision.special_report_filed")
    def on_special_report_filed(self, body):
        self._notify_once(Envelope.load(body), "on_special_report_filed")

    @on_event("supervision.review_period_ending")
    def on_review_period_ending(self, body):
        self._notify_once(Envelope.load(body), "on_review_period_ending")

    @on_event("supervision.reminder")
    def on_reminder(self, body):
        self._notify_once(Envelope.load(body), "on_reminder")

    @on_event("supervision.rectification_opened")
    def on_rectification_opened(self, body):
        """R17: a standard-land commitment is short; the responsible unit and IPB are told of the rectification."""
        self._notify_once(Envelope.load(body), "on_rectification_opened")

    @on_event("supervision.commitment_unmet")
    def on_commitment_unmet(self, body):
        """R17, R7: still short after rectification; damages apply, the Leading Group and the recovering units are told."""
        self._notify_once(Envelope.load(body), "on_commitment_unmet")

    @on_event("supervision.damages_settled")
    def on_damages_settled(self, body):
        self._notify_once(Envelope.load(body), "on_damages_settled")

    @on_event("supervision.holiday_schedule_missing")
    def on_holiday_schedule_missing(self, body):
        """R16: told daily from 1 December while next year's official holiday schedule is missing."""
        self._notify_once(Envelope.load(body), "on_holiday_schedule_missing")

    # -- the inbox ------------------------------------------------------------------------------------------
    @on_event("leadership.roster_changed")
    @handled_once
    def on_roster_changed(self, event, uow):
        """The Leading Group's roster: a notice to a position reaches the persons holding it."""
        keep(uow.session, models.roster_copy, event)

    @rpc
    def inbox(self, actor, unread_only=False, limit=50):
        """What the acting person receives: addressed to their user id, their position or their unit."""
        actor = Actor.load(actor)
        authorize(actor, "notifications.read_inbox", self.policy.authority)
        addresses = domain.address_matches(actor.dump())
        session = self.db.session
        items = store.inbox_for(session, addresses, actor.user_id, bool(unread_only), min(int(limit), 500))
        return schema(InboxSchema).dump(
            {"unread": store.unread_count(session, addresses, actor.user_id), "items": [self._shown(i) for i in items]}
        )

    @rpc
    def mark_read(self, actor, notification_id):
        actor = Actor.load(actor)
        authorize(actor, "notifications.read_inbox", self.policy.authority)
        with self.db.unit_of_work() as uow:
            notification_id = row_id(notification_id, "notification_id")
            if not store.in_inbox_of(uow.session, notification_id, domain.address_matches(actor.dump())):
                raise NotFound(
                    _("notice #{number} is not in your inbox", number=notification_id),
                    {"notification_id": [str(notification_id)]},
                )
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
            out.append(
                {
                    **d,
                    "title": read_text(notes[d["notification_id"]]["title"]),
                    "last_error": read_text(d["last_error"]),
                    "event_type": notes[d["notification_id"]]["event_type"],
                    "log": attempts,
                    "next_attempt_at": _sh(d["next_attempt_at"]),
                    "delivered_at": _sh(d["delivered_at"]),
                }
            )
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
            raise NotFound(
                _("no notification channel {channel} is installed", channel=channel),
                {
                    "channel": [
                        _(
                            "one of {channels:list}",
                            channels=[_("{channel:notice_channel}", channel=c) for c in sorted(self.channels.plugins)],
                        )
                    ]
                },
            )
        data = load_or_invalid(schema(ChannelSettingsInputSchema), data)
        try:
            given = plugin.settings_schema().load(data["settings"], unknown=RAISE, partial=True)
        except ValidationError as exc:
            fields = {f"settings.{k}": v for k, v in flatten_messages(exc.messages).items()}
            raise InvalidInput(
                _("invalid channel settings — {problems:clauses}", problems=problems_of(fields)), fields
            ) from None
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
            views.append(
                {
                    "name": name,
                    "ready": why is None,
                    "not_ready": why,
                    "settings": shown_settings(plugin, settings),
                    "source": "administrator" if name in stored else "config",
                }
            )
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
            self.channels.spawn(
                name,
                partial(
                    _attempt, engine, plugin, delivery_id, settings, retry, self.clock, self._routes(), self.policy
                ),
            )
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

    # -- helpers ------------------------------------------------------------------------------------------------------
    def _routes(self) -> list[domain.Route]:
        """The routes (a channel named there but not installed is recorded 'skipped', not fatal)."""
        return self.policy.derived("notification_routes", lambda p: domain.load_routes(p.get("notifications")))

    def _notify_once(self, event: Envelope, handler: str, learn=None) -> None:
        """Route the event once (``handler`` records it as processed), after ``learn(session, event)`` kept what
        the routes need of it; the deliveries it made are started at once."""
        with self.db.handle_once(event.event_id, handler) as uow:
            if uow is not None:
                if learn is not None:
                    learn(uow.session, event)
                self._notify(uow, event.event_id, event.type, event.project_id, event.payload)
        self._dispatch_soon()

    def _notify(self, uow, cause: str, event_type: str, project_id: str | None, payload: dict) -> list[str]:
        """Route one event to its notifications and their deliveries; returns who was addressed."""
        s = uow.session
        facts = domain.facts(project_id, store.find_project(s, project_id), payload)
        now = self.clock()
        book = self.policy.get("notifications").get("addresses") or {}
        stored = store.stored_settings(s)
        addressed: list[str] = []
        roster = kept_entries(s, models.roster_copy)
        for route in domain.routes_for(event_type, facts, self._routes()):
            recipients, unresolved = domain.resolve_recipients(route.recipients, facts)
            if not recipients:
                log.warning("%s: route %d resolves to nobody (%s)", event_type, route.index, ", ".join(unresolved))
                continue
            recipients, book = domain.with_persons(recipients, roster, to_shanghai(now).date(), book)
            title, text = domain.render(route, facts)
            notification_id = store.add_notification(
                s,
                cause=cause,
                route=route.index,
                event_type=event_type,
                project_id=project_id,
                ref=facts["ref"],
                title=stored_text(title),
                text=stored_text(text),
                recipients=recipients,
                unresolved=unresolved,
                created_at=now,
            )
            if notification_id is None:
                continue
            addressed.extend(r for r in recipients if r not in addressed)
            for name in route.channels:
                plugin = self.channels.plugins.get(name)
                if plugin is None:
                    targets, why = [], _("no channel plugin named {channel} is installed", channel=name)
                else:
                    targets = plugin.targets(recipients, book)
                    why = None if targets else _("no address for these recipients")
                    why = why or plugin.not_ready(
                        effective_settings(plugin, self.channels.config_of(name), stored.get(name))
                    )
                if not why and getattr(plugin, "delivers_in_transaction", False):
                    message = Message(
                        notification_id,
                        event_type,
                        project_id,
                        facts["ref"],
                        _zh(title),
                        _zh(text),
                        tuple(recipients),
                        to_shanghai(now),
                    )
                    _deliver_here(s, plugin, message, targets, now)
                    continue
                store.add_delivery(
                    s,
                    notification_id=notification_id,
                    channel=name,
                    targets=targets,
                    status=domain.SKIPPED if why else domain.PENDING,
                    next_attempt_at=None if why else now,
                    last_error=stored_text(why),
                    created_at=now,
                )
                self._deliveries_queued = self._deliveries_queued or not why
        return addressed

    @staticmethod
    def _shown(item: dict) -> dict:
        return {
            **item,
            "created_at": to_shanghai(item["created_at"]),
            "read_at": _sh(item.get("read_at")),
            "title": read_text(item["title"]),
            "text": read_text(item["text"]),
        }


def _sh(moment):
    return moment and to_shanghai(moment)


def _zh(stored) -> str:
    """A notice's title or text (as kept, or a Message) in Chinese: what e-mail and the group robot send."""
    return i18n.text(read_text(stored), i18n.DEFAULT_LOCALE)


def _deliver_here(session, plugin, message: Message, targets: list[str], now: datetime) -> None:
    """A channel that writes only to this service's database (the inbox) delivers in the notification's own
    transaction: the notification and its delivery are committed together, or neither is."""
    started = time.monotonic()
    receipt = str(plugin.send(message, list(targets), {}, DeliveryContext(SessionInbox(session, now))))
    store.add_delivered(
        session, message.notification_id, plugin.name, targets, receipt, now, int((time.monotonic() - started) * 1000)
    )


def _attempt(engine, plugin, delivery_id: int, settings: dict, retry: dict, clock, routes, policy) -> None:
    """One attempt of one delivery (in its channel's pool): send, then log the outcome and plan a retry."""
    with Session(engine) as session:
        current = store.delivery(session, delivery_id)
        note = store.notification(session, current["notification_id"])
    message = Message(
        note["id"],
        note["event_type"],
        note["project_id"],
        note["ref"],
        _zh(note["title"]),
        _zh(note["text"]),
        tuple(note["recipients"]),
        to_shanghai(note["created_at"]),
    )
    started = time.monotonic()
    try:
        receipt = str(
            plugin.send(message, list(current["targets"]), settings, DeliveryContext(InboxWriter(engine, clock())))
        )
        error = None
    except Exception as exc:  # any failure of a plugin is a failed attempt, never a crash of the service
        receipt, error = None, str(exc) if isinstance(exc, ChannelError) else f"{type(exc).__name__}: {exc}"
    duration = int((time.monotonic() - started) * 1000)
    now = clock()
    attempt = current["attempts"]
    with Session(engine) as session, session.begin():
        if error is None:
            store.finish_attempt(
                session,
                delivery_id,
                attempt,
                now,
                "delivered",
                receipt,
                duration,
                status=domain.DELIVERED,
                delivered_at=now,
                receipt=receipt,
                last_error=None,
            )
            return
        status, next_at = domain.after_failure(
            attempt, int(retry["max_attempts"]), now, float(retry["base_seconds"]), float(retry["max_seconds"])
        )
        store.finish_attempt(
            session,
            delivery_id,
            attempt,
            now,
            "failed",
            error,
            duration,
            status=status,
            next_attempt_at=next_at,
            last_error=error,
        )
        if status == domain.FAILED:
            log.error(
                "ALERT notification %s: %s gave up after %d attempts: %s",
                note["id"],
                current["channel"],
                attempt,
                error,
            )
            if note["event_type"] != "notifications.delivery_failed":
                _alert_failed(session, note, current["channel"], attempt, error, now, routes)
        else:
            log.warning(
                "notification %s: %s attempt %d failed, retrying at %s: %s",
                note["id"],
                current["channel"],
                attempt,
                next_at.isoformat(),
                error,
            )


def _alert_failed(session, note: dict, channel: str, attempts: int, error: str, now: datetime, routes) -> None:
    """A delivery given up on: IPB's administrator is told in the inbox (never by the failing channel itself)."""
    facts = {
        "channel": channel,
        "notification_id": note["id"],
        "notification_title": read_text(note["title"]),
        "attempts": attempts,
        "error": error,
        "ref": note["ref"],
    }
    for route in domain.routes_for("notifications.delivery_failed", facts, routes):
        recipients, unresolved = domain.resolve_recipients(route.recipients, facts)
        title, text = domain.render(route, facts)
        notification_id = store.add_notification(
            session,
            cause=f"failed:{note['id']}:{channel}",
            route=route.index,
            event_type="notifications.delivery_failed",
            project_id=note["project_id"],
            ref=note["ref"],
            title=stored_text(title),
            text=stored_text(text),
            recipients=recipients,
            unresolved=unresolved,
            created_at=now,
        )
        if notification_id is not None and "inbox" in route.channels:
            store.put_in_inbox(session, notification_id, recipients, now)
            store.add_delivery(
                session,
                notification_id=notification_id,
                channel="inbox",
                targets=recipients,
                status=domain.DELIVERED,
                delivered_at=now,
                receipt="written with the alert",
                created_at=now,
            )
