"""negotiation — the responsible unit (R3), negotiation sessions (R4) and the decision
route of the 60-mu rule (R5).

After an approved review IPB records the investor's intermediary (or that there
is none), the platform ranks the parks whose positioning covers the sector
(else the towns) and IPB confirms one — or picks another with a reason.  The
review's location checks run again for the unit chosen (a failure refuses it);
a park that did not review the project gives its opinion in a new review round
before it takes the project.  Sessions are logged with their participants, and
refused when the lead, IPB or (in the final stage) LEGAL is missing; the policy
terms they record stay open until a later session withdraws them.  The decision
route is computed from the data at every read; only the positions it names may
recommend, decide (agree or refuse) — and, in the contracts service, sign.  The
decision carries the terms decided (``negotiation.decided`` /
``negotiation.principals_decided``); a session after it that changes them sends
the project back to negotiation (``negotiation.reopened``) for a new decision on
the route the changed terms give.
"""

from __future__ import annotations

from decimal import Decimal

from services.negotiation import domain, models, store
from shared import need_to_know
from shared.actor import SYSTEM, Actor, authorize
from shared.bus import on_event
from shared.clock import to_shanghai
from shared.catch_up import CatchUp, Emits, waits_for
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Clock, PolicyData
from shared.envelope import Envelope
from shared.lifecycle_copy import copy_filed_project
from shared.i18n import _, reason, to_wire
from shared.location_checks import ProjectFacts
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.wire.negotiation import (
    AssignInputSchema,
    CandidateSchema,
    ClauseSchema,
    DecisionInputSchema,
    IntermediaryInputSchema,
    NegotiationSchema,
    RecommendInputSchema,
    RenegotiateInputSchema,
    RouteSchema,
    SessionInputSchema,
)


class NegotiationService(Emits):
    name = "negotiation"

    db = Database(models.metadata)
    catch_up = CatchUp()
    relay = OutboxRelay()
    policy = PolicyData()
    clock = Clock()

    @rpc
    def health(self):
        return {"service": self.name, "status": "ok", "policy": self.policy.version}

    # -- what negotiation learns from the others ---------------------------------------------
    @on_event("intake.project_filed")
    @handled_once
    def on_project_filed(self, event, uow):
        copy_filed_project(
            uow.session,
            models.negotiations,
            event,
            {
                "ref": "ref",
                "project_name": "project_name",
                "sector": "sector",
                "planned_land_mu": lambda e: Decimal(e.payload["land_mu"]),
                "location_kind": "location_kind",
                "location_id": "location_id",
                "planned_total_investment": lambda e: Decimal(e.payload["planned_total_investment"]),
                "planned_fixed_asset_investment": lambda e: Decimal(e.payload["planned_fixed_asset_investment"]),
            },
            **store.NEW,
        )

    @on_event("review.concluded")
    @handled_once
    def on_review_concluded(self, event, uow):
        """The review's outcome; a conclusion after the assigned park's round completes (or ends) the assignment."""
        current = store.row(uow.session, event.project_id)
        p = event.payload
        units = domain.review_units(p.get("units"), current["location_kind"], current["location_id"])
        values = dict(outside_policy=bool(p["outside_policy"]), review_conditions=p["conditions"], review_units=units)
        pending = current["stage"] == domain.PARK_REVIEW and current["pending"]
        if pending and p["outcome"] == "approved":
            self._hand_over(uow, current, pending, values)
        else:
            store.change(uow.session, current, stage=p["outcome"], pending=None, **values)

    @on_event("contracts.signed")
    @handled_once
    def on_contract_signed(self, event, uow):
        """Signed: the decided terms are the contract's now; no session changes them any more."""
        store.change(uow.session, store.row(uow.session, event.project_id), stage=domain.SIGNED)

    # -- R3 -------------------------------------------------------------------------------------
    @rpc
    @waits_for("intake.project_filed", "review.concluded")
    def record_intermediary(self, actor, project_id, data):
        actor = Actor.load(actor)
        authorize(actor, "negotiation.record_intermediary", self.policy.authority)
        data = load_or_invalid(schema(IntermediaryInputSchema), data)
        intermediary = {"none": True} if data["none"] else {"name": data["name"].strip(), "contact": data["contact"]}
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            domain.check_stage(current["ref"], current["stage"], ("approved",), _("record the intermediary"))
            store.change(uow.session, current, intermediary=intermediary, intermediary_recorded_by=actor.dump())
            uow.emit(
                Envelope(
                    "negotiation.intermediary_recorded",
                    actor,
                    project_id=project_id,
                    payload={
                        "intermediary": intermediary,
                        **reason(
                            _("no intermediary")
                            if data["none"]
                            else _("intermediary: {name}", name=intermediary["name"])
                        ),
                    },
                )
            )
        return self.get_negotiation(actor.dump(), project_id)

    @rpc
    def ranking(self, actor, project_id):
        actor = Actor.load(actor)
        current = store.row(self.db.session, project_id)
        self._may_read(actor, current, store.sessions_of(self.db.session, project_id))
        candidates = domain.rank_units(current["sector"], current["location_kind"], current["location_id"], self.policy)
        return schema(CandidateSchema, many=True).dump(candidates)

    @rpc
    @waits_for("intake.project_filed", "review.concluded")
    def assign_unit(self, actor, project_id, data):
        """IPB confirms the responsible unit — provided the project passes that unit's location checks (R2/R3); a
        park that did not review the project is asked for its opinion first (a new review round)."""
        actor = Actor.load(actor)
        authorize(actor, "negotiation.assign_unit", self.policy.authority)
        data = load_or_invalid(schema(AssignInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            domain.check_stage(current["ref"], current["stage"], ("approved",), _("choose the responsible unit"))
            domain.check_intermediary_recorded(current["intermediary"])
            ranking = domain.rank_units(
                current["sector"], current["location_kind"], current["location_id"], self.policy
            )
            domain.check_assignment(data["unit"], ranking, data["reason"], self.policy)
            domain.check_location(self._facts(current), data["unit"], self.policy)
            dumped = to_wire(schema(CandidateSchema, many=True).dump(ranking))
            pending = {
                "unit": data["unit"],
                "reason": data["reason"],
                "ranking": dumped,
                "proposed": ranking[0].unit if ranking else None,
                "by": actor.dump(),
            }
            reviewed = domain.review_units(current["review_units"], current["location_kind"], current["location_id"])
            if domain.needs_park_review(data["unit"], reviewed):
                store.change(uow.session, current, stage=domain.PARK_REVIEW, pending=pending, ranking=dumped)
                why = (
                    _(
                        "IPB proposes {unit:unit} as the responsible unit: {reason}; {unit:unit} did not review the "
                        "project and gives its opinion first",
                        unit=data["unit"],
                        reason=data["reason"],
                    )
                    if data["reason"]
                    else _(
                        "IPB proposes {unit:unit} as the responsible unit; {unit:unit} did not "
                        "review the project and gives its opinion first",
                        unit=data["unit"],
                    )
                )
                uow.emit(
                    Envelope(
                        "negotiation.park_review_requested",
                        actor,
                        project_id=project_id,
                        payload={"unit": data["unit"], **reason(why)},
                    )
                )
            else:
                self._hand_over(uow, current, pending, {})
        return self.get_negotiation(actor.dump(), project_id)

    def _hand_over(self, uow, current, pending, values) -> None:
        """The project goes to the unit chosen (R3): ``negotiation.unit_assigned``."""
        by = Actor.load(pending["by"]) if pending.get("by") else SYSTEM
        store.change(
            uow.session,
            current,
            stage="assigned",
            responsible_unit=pending["unit"],
            ranking=pending["ranking"],
            assignment_reason=pending["reason"],
            pending=None,
            **values,
        )
        uow.emit(
            Envelope(
                "negotiation.unit_assigned",
                by,
                project_id=current["project_id"],
                payload={
                    "unit": pending["unit"],
                    "ranking": pending["ranking"],
                    "proposed": pending["proposed"],
                    **reason(pending["reason"] or _("handed to {unit:unit} (ranked first)", unit=pending["unit"])),
                },
            )
        )

    # -- R4 -------------------------------------------------------------------------------------
    @rpc
    @waits_for("intake.project_filed", "review.concluded")
    def log_session(self, actor, project_id, data):
        actor = Actor.load(actor)
        data = load_or_invalid(schema(SessionInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            authorize(
                actor,
                "negotiation.log_session",
                self.policy.authority,
                responsible_unit=current["responsible_unit"] or "-",
            )
            domain.check_stage(current["ref"], current["stage"], domain.SESSION_STAGES, _("log a negotiation session"))
            domain.check_session(current["responsible_unit"], data["stage"], data["participants"], self.policy)
            land = data["land"]
            exact = domain.agreed_land_mu(land["value"], land["unit"], self.policy) if land else None
            total = domain.agreed_amount(data["total_investment"], "total_investment", self.policy)
            fixed = domain.agreed_amount(data["fixed_asset_investment"], "fixed_asset_investment", self.policy)
            new_terms = domain.session_terms(data, self.policy, (current["responsible_unit"], current["sector"]))
            seq = store.add_session(
                uow.session,
                project_id,
                held_on=data["held_on"],
                stage=data["stage"],
                participants=data["participants"],
                agreed=data["agreed"],
                open_matters=data["open"],
                exceeding_terms=[t["text"] for t in new_terms if t["exceeds"]],
                land_value=str(land["value"]) if land else None,
                land_unit=land["unit"] if land else None,
                land_mu=exact,
                total_investment=total,
                fixed_asset_investment=fixed,
                logged_by=actor.dump(),
                at=self.clock(),
            )
            lead = domain.session_lead(current["responsible_unit"], self.policy)
            added, withdrawn = domain.record_terms(
                store.terms_of(uow.session, project_id),
                new_terms,
                data["withdrawn"],
                actor.dump(),
                lead,
                seq,
                data["held_on"],
            )
            for term in added:
                store.add_term(uow.session, project_id, term)
            for item in withdrawn:
                store.withdraw_term(uow.session, project_id, item, actor.dump())
            sessions = store.sessions_of(uow.session, project_id)
            now = domain.decided_terms(current, sessions, store.terms_of(uow.session, project_id))
            domain.check_agreed_investment(now)
            changed = domain.reopens(current["stage"], current["decided_terms"], now)
            first = current["stage"] == "assigned"
            uow.emit(
                Envelope(
                    "negotiation.session_logged",
                    actor,
                    project_id=project_id,
                    payload={
                        "seq": seq,
                        "first": first,
                        "stage": data["stage"],
                        "held_on": data["held_on"].isoformat(),
                        "agreed": data["agreed"],
                        "open": data["open"],
                        "exceeding_terms": [t["text"] for t in added if t["exceeds"]],
                        "policy_terms": [{k: t[k] for k in ("term_id", "text", "exceeds")} for t in added],
                        "withdrawn": [{"term": w["term_id"], "reason": w["reason"]} for w in withdrawn],
                        **reason(_session_reason(seq, data["stage"], data["held_on"], withdrawn)),
                    },
                )
            )
            if changed:
                self._reopen(
                    uow,
                    current,
                    actor,
                    changed,
                    "terms_changed",
                    _(
                        "session {seq} changed the decided terms ({changed:list}): a new decision is needed "
                        "on the route they give",
                        seq=seq,
                        changed=[_("{f:field}", f=c) for c in changed],
                    ),
                )
            else:
                store.change(uow.session, current, stage="negotiating" if first else current["stage"])
        return self.get_negotiation(actor.dump(), project_id)

    def _reopen(self, uow, current, actor: Actor, changed: list[str], cause: str, why) -> None:
        """R5: the project goes back to negotiation, for a new decision on the route its terms then give."""
        round_ = (current["round"] or 1) + 1
        store.change(
            uow.session,
            current,
            stage=domain.NEGOTIATING,
            round=round_,
            decisions={},
            recommendation=None,
            route=None,
            decided_terms=None,
        )
        uow.emit(
            Envelope(
                "negotiation.reopened",
                actor,
                project_id=current["project_id"],
                payload={
                    "round": round_,
                    "from_stage": current["stage"],
                    "cause": cause,
                    "changed": changed,
                    **reason(why),
                },
            )
        )

    @rpc
    def renegotiate(self, actor, project_id, data):
        """IPB takes a refused project back to negotiation (R5: it may renegotiate or terminate it)."""
        actor = Actor.load(actor)
        authorize(actor, "negotiation.renegotiate", self.policy.authority)
        data = load_or_invalid(schema(RenegotiateInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            domain.check_stage(current["ref"], current["stage"], (domain.REFUSED,), _("renegotiate"))
            self._reopen(
                uow, current, actor, [], "renegotiation", _("IPB renegotiates: {reason}", reason=data["reason"])
            )
        return self.get_negotiation(actor.dump(), project_id)

    @rpc
    def incentive_catalogue(self, actor):
        """The county's preferential-policy clauses with their current-policy limits (``policy/incentives.yaml``)."""
        need_to_know.check_lists(Actor.load(actor), "negotiation.read", self.policy.authority)  # no project's data
        return schema(ClauseSchema, many=True).dump(list(domain.catalogue(self.policy).values()))

    # -- R5 -------------------------------------------------------------------------------------
    @rpc
    def route(self, actor, project_id):
        """The decision route computed now from the data, with its reasons."""
        actor = Actor.load(actor)
        session = self.db.session
        current, sessions = store.row(session, project_id), store.sessions_of(session, project_id)
        self._may_read(actor, current, sessions)
        return schema(RouteSchema).dump(self._route(session, current, sessions)[0])

    @rpc
    def recommend(self, actor, project_id, data):
        """The park committee / the leaders in charge recommend to the principals (escalated route)."""
        actor = Actor.load(actor)
        authorize(actor, "negotiation.decide", self.policy.authority)
        data = load_or_invalid(schema(RecommendInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            sessions = store.sessions_of(uow.session, project_id)
            route, terms = self._route(uow.session, current, sessions)
            domain.check_recommender(route, actor.position, current["stage"])
            domain.check_legal_attended(sessions)
            domain.check_terms_known(terms)
            recommendation = {
                "text": data["recommendation"],
                "by": actor.dump(),
                "at": to_shanghai(self.clock()).isoformat(),
            }
            store.change(
                uow.session,
                current,
                stage="escalated",
                recommendation=recommendation,
                route=route.dump(),
                decided_terms=terms,
            )
            uow.emit(
                Envelope(
                    "negotiation.escalated",
                    actor,
                    project_id=project_id,
                    payload={
                        "route": route.dump(),
                        "recommendation": data["recommendation"],
                        "terms": terms,
                        "round": current["round"] or 1,
                        **reason(
                            _(
                                "recommended to {principals:positions}: {recommendation}",
                                principals=list(route.decides),
                                recommendation=data["recommendation"],
                            )
                        ),
                    },
                )
            )
        return self.get_negotiation(actor.dump(), project_id)

    @rpc
    def decide(self, actor, project_id, data):
        """A decision — agree or refuse, with reasons — by a position the route names (R5), once LEGAL has
        taken part in a final-stage session (R4).  It carries the terms decided."""
        actor = Actor.load(actor)
        authorize(actor, "negotiation.decide", self.policy.authority)
        data = load_or_invalid(schema(DecisionInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            sessions = store.sessions_of(uow.session, project_id)
            if current["stage"] == domain.ESCALATED:  # the route and terms the recommendation went up with
                route, terms = domain.DecisionRoute.load(current["route"]), current["decided_terms"]
            else:
                route, terms = self._route(uow.session, current, sessions)
            domain.check_decider(route, actor.position, current["stage"], current["decisions"])
            domain.check_legal_attended(sessions)
            domain.check_terms_known(terms)
            decisions = {**current["decisions"], actor.position: data["decision"]}
            reasons = data["reasons"]
            outcome = domain.outcome_of(route, decisions)
            base = {"route": route.dump(), "terms": terms, "round": current["round"] or 1, "reasons": reasons}
            if not route.escalated:
                store.change(
                    uow.session, current, stage=outcome, decisions=decisions, route=route.dump(), decided_terms=terms
                )
                uow.emit(
                    Envelope(
                        "negotiation.decided",
                        actor,
                        project_id=project_id,
                        payload={
                            **base,
                            "outcome": outcome,
                            "decided_by": actor.position,
                            "decision": data["decision"],
                            **reason(
                                _(
                                    "decided within authority by {position:position}: {decision:outcome} — {reasons:clauses}",
                                    position=actor.position,
                                    decision=data["decision"],
                                    reasons=reasons,
                                )
                                if reasons
                                else _(
                                    "decided within authority by {position:position}: {decision:outcome}",
                                    position=actor.position,
                                    decision=data["decision"],
                                )
                            ),
                        },
                    )
                )
            else:
                store.change(uow.session, current, stage=outcome or "escalated", decisions=decisions)
                uow.emit(
                    Envelope(
                        "negotiation.principal_decided",
                        actor,
                        project_id=project_id,
                        payload={
                            "position": actor.position,
                            "decision": data["decision"],
                            "reasons": reasons,
                            "round": current["round"] or 1,
                        },
                    )
                )
                if outcome:
                    uow.emit(
                        Envelope(
                            "negotiation.principals_decided",
                            actor,
                            project_id=project_id,
                            payload={
                                **base,
                                "outcome": outcome,
                                "decisions": decisions,
                                **reason(
                                    _(
                                        "the principals decide: {outcome:outcome} — {reasons:clauses}",
                                        outcome=outcome,
                                        reasons=reasons,
                                    )
                                    if reasons
                                    else _("the principals decide: {outcome:outcome}", outcome=outcome)
                                ),
                            },
                        )
                    )
        return self.get_negotiation(actor.dump(), project_id)

    # -- reads ------------------------------------------------------------------------------------
    @rpc
    def get_negotiation(self, actor, project_id):
        actor = Actor.load(actor)
        session = self.db.session
        current = dict(store.row(session, project_id))
        sessions = store.sessions_of(session, project_id)
        self._may_read(actor, current, sessions)
        terms = store.terms_of(session, project_id)
        current.update(
            sessions=[{**item, "at": to_shanghai(item["at"])} for item in sessions],
            policy_terms=terms,
            terms=domain.decided_terms(current, sessions, terms),
            round=current["round"] or 1,
            legal_attended=domain.legal_attended_final(sessions),
        )
        current["session_lead"] = (
            domain.session_lead(current["responsible_unit"], self.policy) if current["responsible_unit"] else None
        )
        decided_on = current["stage"] in ("escalated", "agreed", "refused", "signed") and current["route"]
        if current["responsible_unit"] and not decided_on:  # else: the route the decision was taken on
            current["route"] = self._route(session, current, sessions)[0].dump()
        return schema(NegotiationSchema).dump(current)

    @rpc
    def decisions_awaiting(self, actor):
        """A leader's desk: negotiations where the route names the acting position to recommend or decide now."""
        actor = Actor.load(actor)
        authorize(actor, "negotiation.decide", self.policy.authority)
        session = self.db.session
        desk = []
        for current in store.in_stages(session, ("negotiating", "escalated")):
            if current["stage"] == "escalated":
                route, action = current["route"], "decide"
            else:
                route = self._route(session, current, store.sessions_of(session, current["project_id"]))[0].dump()
                action = "recommend" if route["escalated"] else "decide"
            names = [route["recommends"]] if action == "recommend" else route["decides"]
            if actor.position in names and actor.position not in current["decisions"]:
                desk.append(
                    {
                        "project_id": current["project_id"],
                        "ref": current["ref"],
                        "stage": current["stage"],
                        "project_name": current["project_name"],
                        "action": action,
                        "route": route,
                    }
                )
        return desk

    # -- helpers ----------------------------------------------------------------------------------
    def _may_read(self, actor, current, sessions) -> None:
        """Need-to-know: the park or town of the project and the units that took part in its sessions."""
        need_to_know.check(
            actor,
            "negotiation.read",
            self.policy.authority,
            need_to_know.project_units(
                current["responsible_unit"],
                location=(current["location_kind"], current["location_id"]),
                more=[p.get("unit") for s in sessions for p in s["participants"]],
            ),
        )

    def _route(self, session, current, sessions) -> tuple[domain.DecisionRoute, dict]:
        """The route now and the terms it is computed on (``domain.decided_terms``)."""
        terms_recorded = store.terms_of(session, current["project_id"])
        terms = domain.decided_terms(current, sessions, terms_recorded)
        route = domain.route_of(
            current["responsible_unit"], terms_recorded, current["outside_policy"], terms["land_mu"], self.policy
        )
        return route, terms

    @staticmethod
    def _facts(current) -> ProjectFacts:
        fixed = current["planned_fixed_asset_investment"]
        return ProjectFacts(
            current["sector"],
            None if fixed is None else Decimal(fixed),
            Decimal(current["planned_land_mu"]),
            current["location_kind"],
            current["location_id"],
        )


def _session_reason(seq: int, stage: str, held_on, withdrawn: list[dict]):
    """A session on the timeline: its number, stage and date, and the policy terms it withdrew (with why)."""
    said = _("negotiation session {seq} ({stage:session_stage}) on {on:date}", seq=seq, stage=stage, on=held_on)
    if not withdrawn:
        return said
    return _(
        "{session}; withdrawn: {terms:clauses}",
        session=said,
        terms=[_("{term}: {reason}", term=w["term_id"], reason=w["reason"]) for w in withdrawn],
    )
