"""review — the joint review of a filed project (R2), with department check plugins.

IPB convenes; the platform computes the required units (DRB, IND, FIN, EPB,
LAND, PLAN and the park the project is bound for) and runs every installed
check plugin (entry-point group ``zhaoshang.review_checks``).  A failing check
(eliminated sector, intensity below the minimum, sector barred at the location)
rejects the review by itself.  Each unit's reviewer records its own opinion once
per round; any fail rejects, all pass/conditional approves with every condition
carried forward; IPB may record a unit's return for more information and, later,
the investor's resubmission, which opens a new round.  A review still open
after the review period (policy, working days) is escalated to IPB's director.
"""

from __future__ import annotations

from nameko.extensions import DependencyProvider

from services.review import checks, domain, models, store
from shared import holidays, need_to_know
from shared.actor import SYSTEM, Actor, authorize
from shared.bus import on_event
from shared.rpc import rpc
from shared.timers import every
from shared.clock import to_shanghai
from shared.catch_up import CatchUp, Emits, waits_for
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Calendar, Clock, PolicyData
from shared.envelope import Envelope
from shared.lifecycle_copy import copy_filed_project
from shared.errors import Conflict
from shared.i18n import _, reason, to_wire
from shared.schema import load_or_invalid, schema
from shared.wire.review import (
    ConveneInputSchema,
    OpinionInputSchema,
    QueueItemSchema,
    ResubmitInputSchema,
    ReturnInputSchema,
    ReviewSchema,
)

ESCALATION_SCAN_SECONDS = 30  # how often open reviews are checked against their period (operational, not policy)


class CheckPlugins(DependencyProvider):
    """The installed department checks, discovered once when the service starts."""

    def setup(self):
        self.checks = checks.discover_checks()

    def get_dependency(self, worker_ctx):
        return self.checks


class ReviewService(Emits):
    name = "review"

    db = Database(models.metadata)
    relay = OutboxRelay()
    policy = PolicyData()
    calendar = Calendar()
    clock = Clock()
    checks = CheckPlugins()
    catch_up = CatchUp()

    @rpc
    def health(self):
        return {
            "service": self.name,
            "status": "ok",
            "policy": self.policy.version,
            "checks": sorted(c.name for c in self.checks),
        }

    @on_event("intake.project_filed")
    @handled_once
    def on_project_filed(self, event, uow):
        """Only a filed project may be reviewed (R1): remember what the checks need."""
        copy_filed_project(uow.session, models.filed_projects, event, store.FILED)

    @on_event("negotiation.park_review_requested")
    def on_park_review_requested(self, body):
        """R2/R3: IPB proposes a park that did not review the project: it joins the reviewing units and gives its
        opinion in a new round (the others' opinions stand); the checks run again at that park."""
        event = Envelope.load(body)
        now = self.clock()
        with self.db.handle_once(event.event_id, "on_park_review_requested") as uow:
            if uow is None:
                return
            review = store.review_row(uow.session, event.project_id, lock=True)
            unit = event.payload["unit"]
            domain.check_can_reopen(review["state"], review["outcome"], unit, review["required_units"])
            project = store.filed_project(uow.session, event.project_id)
            findings = [
                f.dump() for f in checks.run_checks(self.checks, self._facts(project).at_unit(unit), self.policy)
            ]
            required = [*review["required_units"], unit]
            start = to_shanghai(now).date()
            deadline = self._deadline(start)
            store.change_review(
                uow.session,
                review,
                state=domain.OPEN,
                outcome=None,
                concluded_at=None,
                period_start=start,
                round=review["round"] + 1,
                base_round=domain.first_counting_round(review),
                required_units=required,
                findings=findings,
                outside_policy=any(f["outside_policy"] for f in findings),
                deadline=deadline.date,
                deadline_provisional=deadline.provisional,
                escalated_at=None,
            )
            uow.emit(
                Envelope(
                    "review.reopened",
                    event.actor,
                    project_id=event.project_id,
                    payload={
                        "round": review["round"] + 1,
                        "unit": unit,
                        "required_units": required,
                        "findings": findings,
                        "deadline": deadline.date.isoformat(),
                        "deadline_provisional": deadline.provisional,
                        "reason": event.payload["reason"],
                    },
                )
            )
            failures = domain.binding_failures(findings)
            if failures:
                self._conclude(
                    uow,
                    store.review_row(uow.session, event.project_id),
                    "rejected",
                    SYSTEM,
                    now,
                    reasons=[f"{f['check']}: {f['reason']}" for f in failures],
                )

    # -- IPB --------------------------------------------------------------------------
    @rpc
    @waits_for("intake.project_filed")
    def convene(self, actor, project_id, data=None):
        actor = Actor.load(actor)
        authorize(actor, "review.convene", self.policy.authority)
        data = load_or_invalid(schema(ConveneInputSchema), data or {})
        now = self.clock()
        with self.db.unit_of_work() as uow:
            project = store.filed_project(uow.session, project_id)
            domain.check_not_convened(store.has_review(uow.session, project_id), project["ref"], project_id)
            findings = [f.dump() for f in checks.run_checks(self.checks, self._facts(project), self.policy)]
            required = list(domain.required_units(project["location_kind"], project["location_id"]))
            start = to_shanghai(now).date()
            deadline = self._deadline(start)
            store.insert_review(
                uow.session,
                project_id=project_id,
                state=domain.OPEN,
                required_units=required,
                findings=findings,
                outside_policy=any(f["outside_policy"] for f in findings),
                convened_by=actor.dump(),
                convened_at=now,
                period_start=start,
                deadline=deadline.date,
                deadline_provisional=deadline.provisional,
            )
            uow.emit(
                Envelope(
                    "review.convened",
                    actor,
                    project_id=project_id,
                    payload={
                        "ref": project["ref"],
                        "required_units": required,
                        "findings": findings,
                        "note": data["note"],
                        "deadline": deadline.date.isoformat(),
                        "deadline_provisional": deadline.provisional,
                        **reason(
                            data["note"]
                            or _(
                                "joint review convened; the review period ends {deadline:date}", deadline=deadline.date
                            )
                        ),
                    },
                )
            )
            failures = domain.binding_failures(findings)
            if failures:
                self._conclude(
                    uow,
                    store.review_row(uow.session, project_id),
                    "rejected",
                    SYSTEM,
                    now,
                    reasons=[_("{check:check}: {reason}", check=f["check"], reason=f["reason"]) for f in failures],
                )
        return self.get_review(actor.dump(), project_id)

    @rpc
    def record_return(self, actor, project_id, data):
        """IPB records that a unit returned the project for more information."""
        actor = Actor.load(actor)
        authorize(actor, "review.record_return", self.policy.authority)
        data = load_or_invalid(schema(ReturnInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            review = store.review_row(uow.session, project_id)
            domain.check_can_record(review["state"], data["unit"], review["required_units"], set())
            store.add_return(
                uow.session,
                project_id=project_id,
                round=review["round"],
                unit=data["unit"],
                request=data["request"],
                recorded_by=actor.dump(),
                at=now,
            )
            store.change_review(uow.session, review, state=domain.RETURNED)
            uow.emit(
                Envelope(
                    "review.returned",
                    actor,
                    project_id=project_id,
                    payload={
                        "unit": data["unit"],
                        "request": data["request"],
                        "round": review["round"],
                        **reason(
                            _(
                                "{unit:unit} asks for more information: {request}",
                                unit=data["unit"],
                                request=data["request"],
                            )
                        ),
                    },
                )
            )
        return self.get_review(actor.dump(), project_id)

    @rpc
    def resubmit(self, actor, project_id, data):
        """IPB records the investor's resubmission: a new round with a new review period."""
        actor = Actor.load(actor)
        authorize(actor, "review.resubmit", self.policy.authority)
        data = load_or_invalid(schema(ResubmitInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            review = store.review_row(uow.session, project_id)
            domain.check_can_resubmit(review["state"])
            start = to_shanghai(now).date()
            deadline = self._deadline(start)
            store.close_returns(uow.session, project_id, review["round"], now, data["note"])
            store.change_review(
                uow.session,
                review,
                state=domain.OPEN,
                round=review["round"] + 1,
                period_start=start,
                base_round=review["round"] + 1,  # every unit gives its opinion again
                deadline=deadline.date,
                deadline_provisional=deadline.provisional,
                escalated_at=None,
            )
            uow.emit(
                Envelope(
                    "review.resubmitted",
                    actor,
                    project_id=project_id,
                    payload={
                        "round": review["round"] + 1,
                        "deadline": deadline.date.isoformat(),
                        "deadline_provisional": deadline.provisional,
                        **reason(
                            _(
                                "resubmitted by the investor ({note}); round {round} of the review ends {deadline:date}",
                                note=data["note"],
                                round=review["round"] + 1,
                                deadline=deadline.date,
                            )
                        ),
                    },
                )
            )
        return self.get_review(actor.dump(), project_id)

    # -- reviewing units ------------------------------------------------------------------
    @rpc
    @waits_for("negotiation.park_review_requested")
    def record_opinion(self, actor, project_id, data):
        """A unit's reviewer records its own unit's opinion, once per round."""
        actor = Actor.load(actor)
        authorize(actor, "review.record_opinion", self.policy.authority)
        data = load_or_invalid(schema(OpinionInputSchema), data)
        domain.check_own_unit(actor.position, actor.unit, data["unit"])
        domain.check_opinion(data["opinion"], data["conditions"], data["reasons"])
        now = self.clock()
        with self.db.unit_of_work() as uow:
            review = store.review_row(uow.session, project_id, lock=True)
            given = store.current_opinions(uow.session, review)
            domain.check_can_record(review["state"], actor.unit, review["required_units"], {o["unit"] for o in given})
            store.change_review(uow.session, review)  # two last opinions at once: the second retries, sees the first
            opinion = {
                "project_id": project_id,
                "round": review["round"],
                "unit": actor.unit,
                "opinion": data["opinion"],
                "conditions": data["conditions"],
                "reasons": data["reasons"],
                "actor": actor.dump(),
                "at": now,
            }
            store.add_opinion(uow.session, **opinion)
            uow.emit(
                Envelope(
                    "review.opinion_recorded",
                    actor,
                    project_id=project_id,
                    payload={
                        "unit": actor.unit,
                        "opinion": data["opinion"],
                        "conditions": data["conditions"],
                        "reasons": data["reasons"],
                        "round": review["round"],
                    },
                )
            )
            given.append(opinion)
            outcome = domain.outcome(tuple(review["required_units"]), {o["unit"]: o["opinion"] for o in given})
            if outcome != "pending":
                self._conclude(uow, review, outcome, actor, now, opinions=given)
        return self.get_review(actor.dump(), project_id)

    # -- reads ------------------------------------------------------------------------------
    @rpc
    def get_review(self, actor, project_id):
        actor = Actor.load(actor)
        session = self.db.session
        review = dict(store.review_row(session, project_id))
        project = store.filed_project(session, project_id)
        need_to_know.check(
            actor,
            "review.read",
            self.policy.authority,
            need_to_know.project_units(
                *review["required_units"], location=(project["location_kind"], project["location_id"])
            ),
        )
        opinions = store.opinions_of(session, project_id)
        counting = store.current_opinions(session, review)
        current = {o["unit"] for o in counting}
        for item in opinions:
            item["at"] = to_shanghai(item["at"])
        returns = store.returns_of(session, project_id)
        for item in returns:
            item["at"] = to_shanghai(item["at"])
            item["resubmitted_at"] = item["resubmitted_at"] and to_shanghai(item["resubmitted_at"])
        review.update(
            ref=project["ref"],
            project_name=project["project_name"],
            opinions=opinions,
            returns=returns,
            awaiting=[u for u in review["required_units"] if u not in current]
            if review["state"] == domain.OPEN
            else [],
            conditions=domain.conditions_of(counting),
            convened_at=to_shanghai(review["convened_at"]),
            concluded_at=review["concluded_at"] and to_shanghai(review["concluded_at"]),
            escalated_at=review["escalated_at"] and to_shanghai(review["escalated_at"]),
        )
        return schema(ReviewSchema).dump(review)

    @rpc
    def queue(self, actor):
        """The acting unit's desk: open reviews awaiting its opinion, soonest deadline first."""
        actor = Actor.load(actor)
        authorize(actor, "review.record_opinion", self.policy.authority)
        items = sorted(store.queue_for(self.db.session, actor.unit), key=lambda r: r["deadline"])
        return schema(QueueItemSchema, many=True).dump(items)

    # -- the review period ---------------------------------------------------------------------
    @rpc
    def escalate_overdue_now(self, actor):
        """The same scan as the timer, on request."""
        authorize(Actor.load(actor), "review.convene", self.policy.authority)
        return self.escalate_overdue()

    @every("ZS_REVIEW_SCAN_SECONDS", ESCALATION_SCAN_SECONDS)
    def escalate_overdue(self):
        """R2: an open review past its period goes to IPB's director, once (even with two instances)."""
        now = self.clock()
        today = to_shanghai(now).date()
        escalated = 0
        for review in store.open_reviews(self.db.session):
            if not domain.is_overdue(review["state"], review["deadline"], review["escalated_at"] is not None, today):
                continue
            try:
                with self.db.unit_of_work() as uow:
                    store.change_review(uow.session, review, escalated_at=now)
                    awaiting = [
                        u
                        for u in review["required_units"]
                        if u not in {o["unit"] for o in store.current_opinions(uow.session, review)}
                    ]
                    uow.emit(
                        Envelope(
                            "review.escalated",
                            SYSTEM,
                            project_id=review["project_id"],
                            payload={
                                "to_position": self.policy.get("authority.escalation.review_overdue"),
                                "deadline": review["deadline"].isoformat(),
                                "deadline_provisional": review["deadline_provisional"],
                                "awaiting": awaiting,
                                **reason(
                                    _(
                                        "the review period ended on {deadline:date}; units yet to give their opinion: "
                                        "{awaiting:units}",
                                        deadline=review["deadline"],
                                        awaiting=awaiting,
                                    )
                                ),
                            },
                        )
                    )
            except Conflict:  # changed since the scan read it (concluded, or another instance escalated it)
                continue
            escalated += 1
        return escalated

    # -- R16: a year's official holiday schedule loaded -----------------------------------------------------
    @rpc
    def load_holidays(self, actor, year, data):
        """An administrator loads a year's official schedule: kept, added to the calendar, and every provisional
        review deadline counted again; each that moved is said (``review.deadline_moved``) and returned."""
        actor = Actor.load(actor)
        authorize(actor, "review.load_holidays", self.policy.authority)
        year, schedule = holidays.schedule_of(year, data)
        period = self.policy.integer("thresholds.review.period_working_days")
        calendar = self.calendar.with_years({year: schedule})
        moved = []
        with self.db.unit_of_work() as uow:
            holidays.store_year(uow.session, models.holiday_years, year, schedule, actor.dump(), self.clock())
            for review in store.provisional_reviews(uow.session):
                new = domain.moved_deadline(review, calendar, period)
                if new is None:
                    continue
                store.change_review(uow.session, review, deadline=new.date, deadline_provisional=new.provisional)
                ref = store.filed_project(uow.session, review["project_id"])["ref"]
                item = {
                    "project_id": review["project_id"],
                    "ref": ref,
                    "what": to_wire(_("review period (round {round})", round=review["round"])),
                    "from": review["deadline"].isoformat(),
                    "to": new.date.isoformat(),
                    "provisional": new.provisional,
                }
                moved.append(item)
                uow.emit(
                    Envelope(
                        "review.deadline_moved",
                        actor,
                        project_id=review["project_id"],
                        payload={
                            "round": review["round"],
                            "deadline": item["to"],
                            "deadline_provisional": new.provisional,
                            "previous": item["from"],
                            "required_units": review["required_units"],
                            **reason(
                                _(
                                    "the holiday schedule of {year} is loaded: the review period ends {to:date} (still "
                                    "provisional), not {previous:date}",
                                    year=year,
                                    to=new.date,
                                    previous=item["from"],
                                )
                                if new.provisional
                                else _(
                                    "the holiday schedule of {year} is loaded: the review period ends {to:date}, not "
                                    "{previous:date}",
                                    year=year,
                                    to=new.date,
                                    previous=item["from"],
                                )
                            ),
                        },
                    )
                )
        self.calendar.add_years({year: schedule})
        return {"service": self.name, "year": year, "moved": moved}

    # -- helpers --------------------------------------------------------------------------------
    def _deadline(self, start, calendar=None):
        return domain.review_deadline(
            start, calendar or self.calendar, self.policy.integer("thresholds.review.period_working_days")
        )

    @staticmethod
    def _facts(project) -> checks.ProjectFacts:
        return checks.ProjectFacts(
            project["sector"],
            project["fixed_asset_investment"],
            project["land_mu"],
            project["location_kind"],
            project["location_id"],
        )

    def _conclude(self, uow, review, outcome, actor, now, opinions=(), reasons=()):
        conditions = domain.conditions_of(list(opinions))
        store.change_review(
            uow.session,
            store.review_row(uow.session, review["project_id"]),
            state=domain.CONCLUDED,
            outcome=outcome,
            concluded_at=now,
        )
        findings = review["findings"]
        summary = list(reasons) or [
            _("{unit:unit}: {opinion:opinion}", unit=o["unit"], opinion=o["opinion"]) for o in opinions
        ]
        uow.emit(
            Envelope(
                "review.concluded",
                actor,
                project_id=review["project_id"],
                payload={
                    "outcome": outcome,
                    "conditions": conditions,
                    "findings": findings,
                    "outside_policy": any(f["outside_policy"] for f in findings),
                    "round": review["round"],
                    "units": list(review["required_units"]),
                    **reason(_("joint review {outcome:outcome}: {summary:clauses}", outcome=outcome, summary=summary)),
                },
            )
        )
