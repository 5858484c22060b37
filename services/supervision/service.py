"""supervision — following each project once it is filed, owned by IPB (R7, R11): progress and problems (the
"four promptnesses"), the stale flag, the county's stalled lists, reminders (督办) and the register of special
reports to the Leading Group.

What falls due here is a deadline row fired by a ``@timer``, claimed with ``UPDATE … WHERE fired_at IS NULL`` in
the transaction that carries its effect, so a deadline that passed while the service was down fires on start
and two instances fire it once.  Its effect is a ``supervision.*`` event (a project stale, a problem escalated,
a report due today, a review period's last day, a reminder); who hears of it is the notifications service's
routing (``policy/notifications.yaml``), like any other event.  A special report filed (here, or against an
obligation in contracts) is announced by ``supervision.special_report_filed``: the coordinator keeps its own
copy of the register from it and checks it before it terminates a project.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import date, datetime, timedelta

from nameko.timer import timer

from services.supervision import domain, models, store
from services.supervision.benefit_service import BenefitMixin
from services.supervision.figures_service import FiguresMixin
from services.supervision.standard_land import CHECK, StandardLandMixin
from shared import holidays, need_to_know
from shared.actor import SYSTEM, Actor, authorize
from shared.bus import on_event
from shared.clock import to_shanghai
from shared.catch_up import CatchUp, Emits, waits_for
from shared.db import Database, handled_once
from shared.dependencies import Calendar, Clock, Documents, PolicyData
from shared.envelope import Envelope
from shared.errors import InvalidInput
from shared.i18n import _, read_text, reason, reason_of, stored_text
from shared.relay import OutboxRelay
from shared.rpc import rpc
from shared.schema import load_or_invalid, row_id, schema
from shared.wire.supervision import (
    ContactsInputSchema,
    DeadlineSchema,
    ProblemInputSchema,
    ProgressInputSchema,
    ReminderInputSchema,
    ResolutionInputSchema,
    SpecialReportInputSchema,
    SpecialReportSchema,
    StalledGroupSchema,
    TrackingSchema,
)

log = logging.getLogger(__name__)

DEADLINE_SCAN_SECONDS = 2  # how often due deadlines are fired (operational, not policy)
INSTANCE = f"{socket.gethostname()}:{os.getpid()}"


class SupervisionService(
    FiguresMixin, BenefitMixin, StandardLandMixin, Emits
):  # R17: data store, evaluation, commitments
    name = "supervision"

    db = Database(models.metadata)
    catch_up = CatchUp()
    relay = OutboxRelay()
    policy = PolicyData()
    clock = Clock()
    calendar = Calendar()
    documents = Documents()

    @rpc
    def health(self):
        return {"service": self.name, "status": "ok", "policy": self.policy.version}

    # -- what supervision learns from the others ---------------------------------------------------------
    @on_event("intake.project_filed")
    @handled_once
    def on_project_filed(self, event, uow):
        store.ensure_project(
            uow.session, event.project_id, ref=event.payload["ref"], name=event.payload["project_name"]
        )
        self._link_enterprise(uow.session, event)  # R17: the investor's grade, the standard-land checks' figures

    @on_event("negotiation.unit_assigned")
    @handled_once
    def on_unit_assigned(self, event, uow):
        store.ensure_project(uow.session, event.project_id)
        store.set_project(uow.session, event.project_id, responsible_unit=event.payload["unit"])

    @on_event("coordinator.project_state_changed")
    @handled_once
    def on_project_state_changed(self, event, uow):
        """Every transition is progress; a project that ends has nothing falling due any more."""
        p, s = event.payload, uow.session
        current = store.ensure_project(s, event.project_id, ref=p["ref"])
        if p["seq"] <= current["state_seq"]:
            return  # an older change, handled after a newer one
        moved = {"state": p["to_state"], "state_seq": p["seq"], "state_since": event.occurred_at}
        self._progress(s, event.project_id, p["to_state"], event.occurred_at, self.clock(), current, moved)
        if p["to_state"] in domain.ENDED:
            store.cancel_deadlines(s, self.clock(), f"project {p['to_state']}", project_id=event.project_id)

    # review (R2): a reminder on the period's last day to the units yet to give their opinion
    @on_event("review.convened")
    @handled_once
    def on_review_convened(self, event, uow):
        self._arm_review_period(
            uow.session, event.project_id, event.payload["deadline"], event.payload["required_units"], 1
        )

    @on_event("review.opinion_recorded")
    @handled_once
    def on_review_opinion_recorded(self, event, uow):
        pending = store.pending_deadline(uow.session, domain.REVIEW_PERIOD, event.project_id, "review")
        if pending and pending["payload"].get("round") == event.payload["round"]:
            payload = dict(pending["payload"])
            payload["awaiting"] = [u for u in payload["awaiting"] if u != event.payload["unit"]]
            store.update_deadline_payload(uow.session, pending["id"], payload)

    @on_event("review.returned")
    @handled_once
    def on_review_returned(self, event, uow):
        store.cancel_deadlines(
            uow.session,
            self.clock(),
            "review returned for more information",
            kind=domain.REVIEW_PERIOD,
            project_id=event.project_id,
        )

    @on_event("review.concluded")
    @handled_once
    def on_review_concluded(self, event, uow):
        store.cancel_deadlines(
            uow.session, self.clock(), "review concluded", kind=domain.REVIEW_PERIOD, project_id=event.project_id
        )

    @on_event("review.resubmitted")
    @handled_once
    def on_review_resubmitted(self, event, uow):
        last = [
            d for d in store.deadlines_of(uow.session, event.project_id, False) if d["kind"] == domain.REVIEW_PERIOD
        ]
        required = last[-1]["payload"]["required_units"] if last else []
        self._arm_review_period(
            uow.session, event.project_id, event.payload["deadline"], required, event.payload["round"]
        )

    # contracts (R7)
    @on_event("contracts.progress_recorded")
    @handled_once
    def on_obligation_progress(self, event, uow):
        store.ensure_project(uow.session, event.project_id)
        store.add_progress(
            uow.session,
            project_id=event.project_id,
            source="obligation",
            note=stored_text(reason_of(event.payload)),
            by=event.actor.dump(),
            at=event.occurred_at,
        )
        self._progress(uow.session, event.project_id, "obligation progress", event.occurred_at, self.clock())

    @on_event("contracts.obligation_lapsed")
    @handled_once
    def on_obligation_lapsed(self, event, uow):
        """R7: the report task is open (contracts' rule; notifications tells the unit now) — remind on its day."""
        p = event.payload
        store.ensure_project(uow.session, event.project_id)
        if p.get("responsible_unit"):
            store.set_project(uow.session, event.project_id, responsible_unit=p["responsible_unit"])
        due = domain.on_day(date.fromisoformat(p["report_due"]), self.policy.get("thresholds.tracking.reminder_time"))
        store.rearm(
            uow.session,
            domain.REPORT_DUE,
            event.project_id,
            p["obligation"]["key"],
            due,
            {
                **_obligation_facts(p["obligation"]),
                "report_due": p["report_due"],
                "provisional": p.get("provisional", False),
            },
            self.clock(),
            "lapsed again",
        )

    @on_event("contracts.special_report_filed")
    @handled_once
    def on_obligation_report_filed(self, event, uow):
        """A report filed against an obligation closes its reminder and joins the register."""
        p, s = event.payload, uow.session
        project = store.ensure_project(s, event.project_id)
        key = p["obligation"]["key"]
        store.cancel_deadlines(
            s, self.clock(), "report filed", kind=domain.REPORT_DUE, project_id=event.project_id, subject=key
        )
        if store.report_from_event(s, event.event_id):
            return
        ref = domain.report_ref(project["ref"], event.project_id, store.next_report_number(s, event.project_id))
        store.add_report(
            s,
            ref=ref,
            project_id=event.project_id,
            cause=domain.OVERDUE_OBLIGATION,
            summary=(p["obligation"].get("report") or {}).get("summary") or p["reason"],
            document=p["document"],
            obligation_key=key,
            filed_by=event.actor.dump(),
            filed_at=event.occurred_at,
            source_event_id=event.event_id,
        )
        self._announce_report(uow, event.actor, ref)

    # R16: a year's holiday schedule loaded moved a review period's end or a special report's deadline (their
    # services count working days): the reminder moves with it
    @on_event("contracts.report_due_moved")
    @handled_once
    def on_report_due_moved(self, event, uow):
        p = event.payload
        self._move_reminder(
            uow.session,
            event,
            domain.REPORT_DUE,
            p["obligation"]["key"],
            p["report_due"],
            {"report_due": p["report_due"], "provisional": p["provisional"]},
        )

    @on_event("review.deadline_moved")
    @handled_once
    def on_review_deadline_moved(self, event, uow):
        p = event.payload
        self._move_reminder(
            uow.session,
            event,
            domain.REVIEW_PERIOD,
            "review",
            p["deadline"],
            {"deadline": p["deadline"]},
            lambda pending: pending.get("round") == p["round"],
        )

    def _move_reminder(
        self, session, event: Envelope, kind: str, subject: str, day: str, changes: dict, applies=lambda pending: True
    ) -> None:
        pending = store.pending_deadline(session, kind, event.project_id, subject)
        if pending is not None and applies(pending["payload"]):
            at = domain.on_day(date.fromisoformat(day), self.policy.get("thresholds.tracking.reminder_time"))
            store.rearm(
                session,
                kind,
                event.project_id,
                subject,
                at,
                {**pending["payload"], **changes},
                self.clock(),
                "holiday schedule loaded",
            )

    # -- tracking (R11) ------------------------------------------------------------------------------------
    @rpc
    def tracking(self, actor, project_id):
        actor = Actor.load(actor)
        session = self.db.session
        need_to_know.check(
            actor,
            "supervision.read_tracking",
            self.policy.authority,
            need_to_know.project_units(
                store.project(session, project_id)["responsible_unit"],
                more=[p["owner"][5:] for p in store.problems_of(session, project_id) if p["owner"].startswith("unit:")],
            ),
        )
        return self._tracking_view(session, project_id)

    @rpc
    @waits_for("intake.project_filed")
    def record_progress(self, actor, project_id, data):
        """Progress as it happens (the first of the "four promptnesses"); it clears a stale flag."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(ProgressInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            authorize(
                actor,
                "supervision.record_progress",
                self.policy.authority,
                responsible_unit=project["responsible_unit"] or "-",
            )
            store.add_progress(
                uow.session, project_id=project_id, source="recorded", note=data["note"], by=actor.dump(), at=now
            )
            self._progress(uow.session, project_id, "recorded", now, now)
        return self._tracking_view(self.db.session, project_id)

    @rpc
    @waits_for("intake.project_filed")
    def raise_problem(self, actor, project_id, data):
        """A problem with its owner; open for the escalation period, it goes to the liaison leader."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(ProblemInputSchema), data)
        now = self.clock()
        days = self.policy.integer("thresholds.tracking.problem_escalation_days")
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            authorize(
                actor,
                "supervision.raise_problem",
                self.policy.authority,
                responsible_unit=project["responsible_unit"] or "-",
            )
            problem_id = store.add_problem(
                uow.session,
                project_id=project_id,
                description=data["description"],
                owner=data["owner"],
                raised_by=actor.dump(),
                raised_at=now,
            )
            escalation = domain.escalation_at(now, days)
            store.add_deadline(
                uow.session, domain.ESCALATION, project_id, str(problem_id), escalation, {"problem_id": problem_id}, now
            )
            # the owner's to-do on the workbench (the coordinator's), until it is resolved
            uow.emit(
                Envelope(
                    "supervision.problem_raised",
                    actor,
                    project_id=project_id,
                    payload={
                        **self._facts(project),
                        "problem_id": problem_id,
                        "problem": data["description"],
                        "owner": data["owner"],
                        "raised": to_shanghai(now).isoformat(),
                        "escalation_due": to_shanghai(escalation).date().isoformat(),
                        **reason(
                            _(
                                "problem raised: {problem} (to solve: {owner})",
                                problem=data["description"],
                                owner=_owner(data["owner"]),
                            )
                        ),
                    },
                )
            )
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
            authorize(
                actor,
                "supervision.resolve_problem",
                self.policy.authority,
                responsible_unit=project["responsible_unit"] or "-",
                owner_unit=owner_unit,
            )
            domain.check_can_resolve(problem)
            if not store.change_problem(
                uow.session, problem["id"], resolved_at=now, resolved_by=actor.dump(), resolution=data["resolution"]
            ):  # resolved meanwhile (where the row's lock did not hold the other resolution back): read it again
                domain.check_can_resolve(store.problem(uow.session, project_id, problem["id"]))
            store.cancel_deadlines(
                uow.session, now, "resolved", kind=domain.ESCALATION, project_id=project_id, subject=str(problem["id"])
            )
            store.add_progress(
                uow.session,
                project_id=project_id,
                source="recorded",
                note=stored_text(
                    _(
                        "problem resolved: {problem} — {resolution}",
                        problem=problem["description"],
                        resolution=data["resolution"],
                    )
                ),
                by=actor.dump(),
                at=now,
            )
            self._progress(uow.session, project_id, "problem resolved", now, now)
            uow.emit(
                Envelope(
                    "supervision.problem_resolved",
                    actor,
                    project_id=project_id,
                    payload={
                        **self._facts(project),
                        "problem_id": problem["id"],
                        "problem": problem["description"],
                        "owner": problem["owner"],
                        "resolution": data["resolution"],
                        **reason(
                            _(
                                "problem resolved: {problem} — {resolution}",
                                problem=problem["description"],
                                resolution=data["resolution"],
                            )
                        ),
                    },
                )
            )
        return self._tracking_view(self.db.session, project_id)

    @rpc
    @waits_for("intake.project_filed")
    def set_contacts(self, actor, project_id, data):
        """IPB names the project's responsible person and liaison leader (R10)."""
        actor = Actor.load(actor)
        authorize(actor, "supervision.set_contacts", self.policy.authority)
        data = load_or_invalid(schema(ContactsInputSchema), data)
        if not data:
            raise InvalidInput.for_field("body", _("name the responsible person, the liaison leader or both"))
        with self.db.unit_of_work() as uow:
            store.project(uow.session, project_id)
            store.set_project(uow.session, project_id, **data)
        return self._tracking_view(self.db.session, project_id)

    @rpc
    def stalled(self, actor):
        """Stalled projects as the county's offices count them, each with its time in state."""
        actor = Actor.load(actor)
        every = need_to_know.check_lists(actor, "supervision.read_tracking", self.policy.authority)
        session = self.db.session
        states = tuple(s for states in domain.STALLED.values() for s in states)
        problems = store.open_problem_counts(session)
        rows = [
            {
                **p,
                "stale": p["stale_since"] is not None,
                "open_problems": problems.get(p["project_id"], 0),
                "state_since": to_shanghai(p["state_since"]),
            }
            for p in store.projects_in(session, states)
            if every or p["responsible_unit"] == actor.unit
        ]
        lists = domain.stalled_lists(rows, self.clock())
        return schema(StalledGroupSchema, many=True).dump(
            [
                {"category": c, "label": domain.stalled_label(c), "count": len(items), "items": items}
                for c, items in lists.items()
            ]
        )

    # -- special reports to the Leading Group (R7, R11) ------------------------------------------------------
    @rpc
    @waits_for("intake.project_filed")
    def file_special_report(self, actor, project_id, data):
        """A special report to the Leading Group: an unfinished review, or a project that cannot go ahead."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(SpecialReportInputSchema), data)
        domain.check_report_cause(data["cause"])
        now = self.clock()
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            authorize(
                actor,
                "supervision.file_special_report",
                self.policy.authority,
                responsible_unit=project["responsible_unit"] or "-",
            )
            ref = self.documents.save_base64(data["document"])
            report_ref = domain.report_ref(
                project["ref"], project_id, store.next_report_number(uow.session, project_id)
            )
            store.add_report(
                uow.session,
                ref=report_ref,
                project_id=project_id,
                cause=data["cause"],
                summary=data["summary"],
                document=ref.dump(),
                filed_by=actor.dump(),
                filed_at=now,
            )
            self._announce_report(uow, actor, report_ref)
        return self._report_view(self.db.session, store.report(self.db.session, report_ref))

    @rpc
    def special_reports(self, actor, project_id=None):
        actor = Actor.load(actor)
        session = self.db.session
        items = store.reports(session, project_id)
        project = (store.find_project(session, project_id) or {}) if project_id else {}
        authorize(
            actor,
            "supervision.read_special_reports",
            self.policy.authority,
            responsible_unit=project.get("responsible_unit") or "-",
        )
        return [self._report_view(session, r) for r in items]

    @rpc
    def special_report(self, actor, ref):
        actor = Actor.load(actor)
        session = self.db.session
        item = store.report(session, ref)
        project = store.find_project(session, item["project_id"]) or {}
        authorize(
            actor,
            "supervision.read_special_reports",
            self.policy.authority,
            responsible_unit=project.get("responsible_unit") or "-",
        )
        return self._report_view(session, item)

    def _announce_report(self, uow, actor: Actor, ref: str) -> None:
        """``supervision.special_report_filed``: the coordinator's copy of the register, and the notice."""
        report = self._report_view(uow.session, store.report(uow.session, ref))
        uow.emit(
            Envelope(
                "supervision.special_report_filed",
                actor,
                project_id=report["project_id"],
                payload={
                    **{k: v for k, v in report.items() if k != "cause_name"},
                    "report_ref": ref,
                    **self._facts(store.project(uow.session, report["project_id"])),
                    **reason(
                        _(
                            "special report {ref} to the Leading Group filed ({cause:report_cause}): {summary}",
                            ref=ref,
                            cause=report["cause"],
                            summary=report["summary"],
                        )
                    ),
                },
            )
        )

    # -- deadlines -----------------------------------------------------------------------------------------------
    @timer(interval=DEADLINE_SCAN_SECONDS)
    def fire_due_deadlines(self):
        """Fire every deadline that is due and not fired: once, even with two instances running."""
        now = self.clock()
        self._watch_holiday_schedules(now)
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
        return fired

    @rpc
    def fire_due_now(self, actor):
        authorize(Actor.load(actor), "supervision.manage_deadlines", self.policy.authority)
        return self.fire_due_deadlines()

    @rpc
    def deadlines(self, actor, project_id=None, pending_only=True):
        authorize(Actor.load(actor), "supervision.manage_deadlines", self.policy.authority)
        return self._deadline_views(store.deadlines_of(self.db.session, project_id, bool(pending_only)))

    @rpc
    def deadlines_outlook(self, actor, as_of):
        """An administrator's dry run: the deadlines that would fire by the end of ``as_of`` — nothing fired."""
        authorize(Actor.load(actor), "supervision.preview_deadlines", self.policy.authority)
        try:
            day = date.fromisoformat(as_of)
        except (TypeError, ValueError):
            raise InvalidInput.for_field("as_of", _("must be a date, YYYY-MM-DD")) from None
        return self._deadline_views(domain.fall_due_by(store.deadlines_of(self.db.session, None, True), day))

    @rpc
    @waits_for("intake.project_filed")
    def schedule_reminder(self, actor, project_id, data):
        """IPB or the LG sets a follow-up reminder (督办) on a project: a deadline like the others."""
        actor = Actor.load(actor)
        authorize(actor, "supervision.schedule_reminder", self.policy.authority)
        data = load_or_invalid(schema(ReminderInputSchema), data)
        now = self.clock()
        domain.check_reminder_at(data["at"], now)
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            to = data["to"] or [f"unit:{project['responsible_unit'] or 'IPB'}"]
            deadline_id = store.add_deadline(
                uow.session,
                domain.REMINDER,
                project_id,
                f"reminder-{int(time.time() * 1e6)}",
                data["at"],
                {"note": data["note"], "to": to, "by": actor.dump()},
                now,
            )
        return self._deadline_views(
            [d for d in store.deadlines_of(self.db.session, project_id, False) if d["id"] == deadline_id]
        )[0]

    def _fire(self, uow, row: dict, now: datetime) -> str:
        """A due deadline's effect, in the transaction that claimed it: the event that says so."""
        s, kind, project_id, payload = uow.session, row["kind"], row["project_id"], row["payload"]
        project = store.find_project(s, project_id)
        if kind == domain.STALE:
            days = self.policy.integer("thresholds.tracking.stale_days")
            if project is None or project["state"] in domain.UNTRACKED:
                return "not tracked any more"
            if not domain.is_stale(project["last_progress_at"], days, now):
                store.add_deadline(
                    s, domain.STALE, project_id, "progress", domain.stale_at(project["last_progress_at"], days), {}, now
                )
                return "progress since: re-armed"
            store.set_project(s, project_id, stale_since=now)
            self._emit(
                uow,
                "supervision.project_stale",
                project,
                {
                    "stale_days": days,
                    "last_progress": domain.shanghai_iso(project["last_progress_at"]),
                    **reason(_("no progress for {days:count} days", days=days)),
                },
            )
            return "flagged stale"
        if kind == domain.ESCALATION:
            problem = store.problem(s, project_id, int(row["subject"]))
            if problem["resolved_at"] is not None:
                return "resolved before"
            days = self.policy.integer("thresholds.tracking.problem_escalation_days")
            position = domain.escalation_position(
                project["liaison_leader"], self.policy.get("thresholds.tracking.escalation_position")
            )
            self._emit(
                uow,
                "supervision.problem_escalated",
                project,
                {
                    "problem_id": problem["id"],
                    "problem": problem["description"],
                    "owner": problem["owner"],
                    "escalation_days": days,
                    "raised": domain.shanghai_iso(problem["raised_at"]),
                    "escalate_to": position,
                    **reason(
                        _(
                            "the problem “{problem}” is open for {days:count} days: it goes to {position:position}",
                            problem=problem["description"],
                            days=days,
                            position=position,
                        )
                    ),
                },
            )
            store.change_problem(s, problem["id"], escalated_at=now, escalated_to=[f"position:{position}"])
            return f"escalated to position:{position}"
        if kind == domain.REPORT_DUE:
            self._emit(uow, "supervision.special_report_due", project, payload)
            return "report due today: event sent"
        if kind == domain.REVIEW_PERIOD:
            if not payload.get("awaiting"):
                return "every unit has given its opinion"
            self._emit(uow, "supervision.review_period_ending", project, payload)
            return f"awaiting {', '.join(payload['awaiting'])}: event sent"
        if kind == domain.REMINDER:
            self._emit(uow, "supervision.reminder", project, payload)
            return "reminder sent"
        if kind == domain.HOLIDAYS_MISSING:
            return self._holiday_schedule_check(uow, int(row["subject"]), now)
        if kind == CHECK:  # standard land (R17)
            return self._fire_standard_land_check(uow, row, now)
        return f"unknown kind {kind}: nothing done"

    # -- R16: the official holiday schedules ---------------------------------------------------------------------
    @rpc
    def load_holidays(self, actor, year, data):
        """An administrator loads a year's official schedule: kept, and the daily notice about it stops.  (The
        deadlines counted on it are review's and contracts'; their reminders here move with their events.)"""
        actor = Actor.load(actor)
        authorize(actor, "supervision.load_holidays", self.policy.authority)
        year, schedule = holidays.schedule_of(year, data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            holidays.store_year(uow.session, models.holiday_years, year, schedule, actor.dump(), now)
            store.cancel_deadlines(
                uow.session,
                now,
                f"the {year} holiday schedule is loaded",
                kind=domain.HOLIDAYS_MISSING,
                subject=str(year),
            )
        self.calendar.add_years({year: schedule})
        self._watch_holiday_schedules(now)
        return {"service": self.name, "year": year, "moved": []}

    def _watch_holiday_schedules(self, now: datetime) -> None:
        """Keep one pending check of the official holiday schedule (a durable deadline): it survives restarts."""
        pending = store.pending_of_kind(self.db.session, domain.HOLIDAYS_MISSING)
        self.db.session.commit()
        if pending:
            return
        year, at = domain.holiday_watch(
            to_shanghai(now).date(), self.calendar.is_known_year, self.policy.get("thresholds.tracking.reminder_time")
        )
        with self.db.unit_of_work() as uow:
            store.add_deadline(uow.session, domain.HOLIDAYS_MISSING, None, str(year), at, {"year": year}, now)

    def _holiday_schedule_check(self, uow, year: int, now: datetime) -> str:
        """Tell the administrators, once a day, that a year's schedule is missing; then the next day's check."""
        today = to_shanghai(now).date()
        outcome = f"the {year} holiday schedule is known"
        if not self.calendar.is_known_year(year):
            uow.emit(
                Envelope(
                    "supervision.holiday_schedule_missing",
                    SYSTEM,
                    payload={
                        "year": year,
                        "today": today.isoformat(),
                        "since": f"{year - 1}-12-01",
                        **reason(_("the official holiday schedule of {year} is not loaded", year=year)),
                    },
                )
            )
            outcome = f"the {year} holiday schedule is missing: event sent"
        if not store.pending_of_kind(uow.session, domain.HOLIDAYS_MISSING):
            following, at = domain.holiday_watch(
                today + timedelta(days=1),
                self.calendar.is_known_year,
                self.policy.get("thresholds.tracking.reminder_time"),
            )
            store.add_deadline(uow.session, domain.HOLIDAYS_MISSING, None, str(following), at, {"year": following}, now)
        return outcome

    def _emit(self, uow, event_type: str, project: dict | None, payload: dict) -> None:
        uow.emit(
            Envelope(
                event_type,
                SYSTEM,
                project_id=project and project["project_id"],
                payload={**self._facts(project), **payload},
            )
        )

    @staticmethod
    def _facts(project: dict | None) -> dict:
        """What those who route supervision's events need of the project (notifications' recipients, texts)."""
        project = project or {}
        return {
            key: project.get(key) for key in ("ref", "name", "responsible_unit", "responsible_person", "liaison_leader")
        }

    # -- helpers ------------------------------------------------------------------------------------------------------
    def _progress(
        self, session, project_id: str, what: str, at: datetime, now: datetime, current=None, moved=None
    ) -> None:
        """Progress clears the stale flag and moves the stale deadline (R11).  ``current``: the project's row if the
        caller has read it (else read here); ``moved``: a state change's columns, written in the same statement."""
        project = {**(current or store.project(session, project_id)), **(moved or {})}
        last = max(filter(None, [project["last_progress_at"], at]))
        store.set_project(session, project_id, last_progress_at=last, stale_since=None, **(moved or {}))
        if project["state"] in domain.UNTRACKED or project["state"] is None:
            store.cancel_deadlines(
                session, now, f"not tracked in state {project['state']}", kind=domain.STALE, project_id=project_id
            )
            return
        days = self.policy.integer("thresholds.tracking.stale_days")
        store.rearm(
            session,
            domain.STALE,
            project_id,
            "progress",
            domain.stale_at(last, days),
            {"after": what},
            now,
            f"progress: {what}",
        )

    def _arm_review_period(self, session, project_id: str, deadline: str, required: list, round_: int) -> None:
        at = domain.on_day(date.fromisoformat(deadline), self.policy.get("thresholds.tracking.reminder_time"))
        store.ensure_project(session, project_id)
        store.rearm(
            session,
            domain.REVIEW_PERIOD,
            project_id,
            "review",
            at,
            {"deadline": deadline, "required_units": list(required), "awaiting": list(required), "round": round_},
            self.clock(),
            f"round {round_}",
        )

    def _deadline_views(self, rows: list) -> list:
        return schema(DeadlineSchema, many=True).dump(_deadline_rows(rows))

    def _tracking_view(self, session, project_id: str) -> dict:
        project = store.project(session, project_id)
        stale_days = self.policy.integer("thresholds.tracking.stale_days")
        days = self.policy.integer("thresholds.tracking.problem_escalation_days")
        problems = [
            {
                **p,
                "raised_at": to_shanghai(p["raised_at"]),
                "owner_name": _("{owner:address}", owner=p["owner"]),
                "escalation_due": to_shanghai(domain.escalation_at(p["raised_at"], days)),
                "escalated_at": _sh(p["escalated_at"]),
                "resolved_at": _sh(p["resolved_at"]),
            }
            for p in store.problems_of(session, project_id)
        ]
        tracked = project["state"] not in domain.UNTRACKED and project["last_progress_at"] is not None
        view = {
            **project,
            "state_since": _sh(project["state_since"]),
            "last_progress_at": _sh(project["last_progress_at"]),
            "stale": project["stale_since"] is not None,
            "stale_since": _sh(project["stale_since"]),
            "stale_due": to_shanghai(domain.stale_at(project["last_progress_at"], stale_days)) if tracked else None,
            "progress": [
                {**p, "at": to_shanghai(p["at"]), "note": read_text(p["note"])}
                for p in store.progress_of(session, project_id)
            ],
            "problems": problems,
            "deadlines": _deadline_rows(store.deadlines_of(session, project_id, True)),
        }
        return schema(TrackingSchema).dump(view)

    @staticmethod
    def _report_view(session, item: dict) -> dict:
        project = store.find_project(session, item["project_id"]) or {}
        return schema(SpecialReportSchema).dump(
            {
                **item,
                "filed_at": to_shanghai(item["filed_at"]),
                "cause_name": _("{cause:report_cause}", cause=item["cause"]),
                "project_ref": project.get("ref"),
                "project_name": project.get("name"),
            }
        )


def _owner(address: str):
    """Who must solve a problem, as a person reads it: the unit's or the position's name."""
    kind, _sep, value = address.partition(":")
    if kind == "unit":
        return _("{unit:unit}", unit=value)
    if kind == "position":
        return _("{position:position}", position=value)
    return value


def _obligation_facts(obligation: dict) -> dict:
    return {
        "obligation_key": obligation["key"],
        "obligation_text": obligation["text"],
        "obligation_due": obligation["due"],
    }


def _sh(moment):
    return moment and to_shanghai(moment)


def _deadline_rows(rows: list) -> list:
    return [
        {
            **d,
            "due_at": to_shanghai(d["due_at"]),
            "fired_at": _sh(d["fired_at"]),
            "cancelled_at": _sh(d["cancelled_at"]),
        }
        for d in rows
    ]
