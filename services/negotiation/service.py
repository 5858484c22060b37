"""negotiation — the responsible unit (R3), negotiation sessions (R4) and the decision
route of the 60-mu rule (R5).

After an approved review IPB records the investor's intermediary (or that there
is none), the platform ranks the parks whose positioning covers the sector
(else the towns) and IPB confirms one — or picks another with a reason.  Sessions
are logged with their participants, and refused when the lead, IPB or (in the
final stage) LEGAL is missing.  The decision route is computed from the data at
every read; only the positions it names may recommend, decide — and, in the
contracts service, sign (the route travels in ``negotiation.decided`` /
``negotiation.principals_decided`` and is readable by ``route``).
"""
from __future__ import annotations

from decimal import Decimal

from services.negotiation import domain, models, store
from shared.actor import Actor, authorize
from shared.bus import on_event
from shared.clock import to_shanghai
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Clock, PolicyData
from shared.envelope import Envelope
from shared.lifecycle_copy import copy_filed_project
from shared.errors import Conflict
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.wire.negotiation import (
    AssignInputSchema, CandidateSchema, DecisionInputSchema, IntermediaryInputSchema, NegotiationSchema,
    RecommendInputSchema, RouteSchema, SessionInputSchema,
)


class NegotiationService:
    name = "negotiation"

    db = Database(models.metadata)
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
        copy_filed_project(uow.session, models.negotiations, event, {
            "ref": "ref", "project_name": "project_name", "sector": "sector",
            "planned_land_mu": lambda e: Decimal(e.payload["land_mu"]), "location_kind": "location_kind",
            "location_id": "location_id"}, **store.NEW)

    @on_event("review.concluded")
    @handled_once
    def on_review_concluded(self, event, uow):
        current = store.row(uow.session, event.project_id)
        p = event.payload
        store.change(uow.session, current, stage=p["outcome"], outside_policy=bool(p["outside_policy"]),
                     review_conditions=p["conditions"])

    # -- R3 -------------------------------------------------------------------------------------
    @rpc
    def record_intermediary(self, actor, project_id, data):
        actor = Actor.load(actor)
        authorize(actor, "negotiation.record_intermediary", self.policy.authority)
        data = load_or_invalid(schema(IntermediaryInputSchema), data)
        intermediary = {"none": True} if data["none"] else {"name": data["name"].strip(), "contact": data["contact"]}
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            self._expect(current, ("approved",), "record the intermediary")
            store.change(uow.session, current, intermediary=intermediary, intermediary_recorded_by=actor.dump())
            uow.emit(Envelope("negotiation.intermediary_recorded", actor, project_id=project_id, payload={
                "intermediary": intermediary,
                "reason": "no intermediary" if data["none"] else f"intermediary: {intermediary['name']}"}))
        return self.get_negotiation(actor.dump(), project_id)

    @rpc
    def ranking(self, actor, project_id):
        actor = Actor.load(actor)
        authorize(actor, "negotiation.read", self.policy.authority)
        current = store.row(self.db.session, project_id)
        candidates = domain.rank_units(current["sector"], current["location_kind"], current["location_id"], self.policy)
        return schema(CandidateSchema, many=True).dump(candidates)

    @rpc
    def assign_unit(self, actor, project_id, data):
        actor = Actor.load(actor)
        authorize(actor, "negotiation.assign_unit", self.policy.authority)
        data = load_or_invalid(schema(AssignInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            self._expect(current, ("approved",), "choose the responsible unit")
            if current["intermediary"] is None:
                raise Conflict("record the investor's intermediary (or that there is none) first (R3)",
                               {"intermediary": ["not recorded"]})
            ranking = domain.rank_units(current["sector"], current["location_kind"], current["location_id"], self.policy)
            domain.check_assignment(data["unit"], ranking, data["reason"], self.policy)
            dumped = schema(CandidateSchema, many=True).dump(ranking)
            store.change(uow.session, current, stage="assigned", responsible_unit=data["unit"], ranking=dumped,
                         assignment_reason=data["reason"])
            uow.emit(Envelope("negotiation.unit_assigned", actor, project_id=project_id, payload={
                "unit": data["unit"], "ranking": dumped, "proposed": ranking[0].unit if ranking else None,
                "reason": data["reason"] or f"handed to {data['unit']} (ranked first)"}))
        return self.get_negotiation(actor.dump(), project_id)

    # -- R4 -------------------------------------------------------------------------------------
    @rpc
    def log_session(self, actor, project_id, data):
        actor = Actor.load(actor)
        data = load_or_invalid(schema(SessionInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            authorize(actor, "negotiation.log_session", self.policy.authority,
                      responsible_unit=current["responsible_unit"] or "-")
            self._expect(current, ("assigned", "negotiating"), "log a negotiation session")
            domain.check_session(current["responsible_unit"], data["stage"], data["participants"], self.policy)
            land = data["land"]
            exact = domain.agreed_land_mu(land["value"], land["unit"], self.policy) if land else None
            seq = store.add_session(
                uow.session, project_id, held_on=data["held_on"], stage=data["stage"], participants=data["participants"],
                agreed=data["agreed"], open_matters=data["open"], exceeding_terms=data["exceeding_terms"],
                land_value=str(land["value"]) if land else None, land_unit=land["unit"] if land else None,
                land_mu=exact, logged_by=actor.dump(), at=self.clock())
            first = current["stage"] == "assigned"
            store.change(uow.session, current, stage="negotiating")
            uow.emit(Envelope("negotiation.session_logged", actor, project_id=project_id, payload={
                "seq": seq, "first": first, "stage": data["stage"], "held_on": data["held_on"].isoformat(),
                "agreed": data["agreed"], "open": data["open"], "exceeding_terms": data["exceeding_terms"],
                "reason": f"negotiation session {seq} ({data['stage']}) on {data['held_on'].isoformat()}"}))
        return self.get_negotiation(actor.dump(), project_id)

    # -- R5 -------------------------------------------------------------------------------------
    @rpc
    def route(self, actor, project_id):
        """The decision route computed now from the data, with its reasons."""
        actor = Actor.load(actor)
        authorize(actor, "negotiation.read", self.policy.authority)
        session = self.db.session
        return schema(RouteSchema).dump(self._route(store.row(session, project_id), store.sessions_of(session, project_id)))

    @rpc
    def recommend(self, actor, project_id, data):
        """The park committee / the leaders in charge recommend to the principals (escalated route)."""
        actor = Actor.load(actor)
        authorize(actor, "negotiation.decide", self.policy.authority)
        data = load_or_invalid(schema(RecommendInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            route = self._route(current, store.sessions_of(uow.session, project_id))
            domain.check_recommender(route, actor.position, current["stage"])
            recommendation = {"text": data["recommendation"], "by": actor.dump(), "at": to_shanghai(self.clock()).isoformat()}
            store.change(uow.session, current, stage="escalated", recommendation=recommendation, route=route.dump())
            uow.emit(Envelope("negotiation.escalated", actor, project_id=project_id, payload={
                "route": route.dump(), "recommendation": data["recommendation"],
                "reason": f"recommended to {' and '.join(route.decides)}: {data['recommendation']}"}))
        return self.get_negotiation(actor.dump(), project_id)

    @rpc
    def decide(self, actor, project_id, data):
        """A decision by a position the route names (R5)."""
        actor = Actor.load(actor)
        authorize(actor, "negotiation.decide", self.policy.authority)
        data = load_or_invalid(schema(DecisionInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.row(uow.session, project_id, lock=True)
            route = self._route(current, store.sessions_of(uow.session, project_id))
            if current["stage"] == "escalated":
                route = domain.DecisionRoute(**{**current["route"], "decides": tuple(current["route"]["decides"]),
                                                "reasons": tuple(current["route"]["reasons"])})
            domain.check_decider(route, actor.position, current["stage"], data["decision"], current["decisions"])
            decisions = {**current["decisions"], actor.position: data["decision"]}
            reasons = data["reasons"]
            if not route.escalated:
                store.change(uow.session, current, stage="agreed", decisions=decisions, route=route.dump())
                uow.emit(Envelope("negotiation.decided", actor, project_id=project_id, payload={
                    "outcome": "agreed", "route": route.dump(), "decided_by": actor.position,
                    "reason": f"decided within authority by {actor.position}" + (f": {'; '.join(reasons)}" if reasons else "")}))
            else:
                outcome = domain.principals_outcome(route, decisions)
                store.change(uow.session, current, stage=outcome or "escalated", decisions=decisions)
                uow.emit(Envelope("negotiation.principal_decided", actor, project_id=project_id, payload={
                    "position": actor.position, "decision": data["decision"], "reasons": reasons}))
                if outcome:
                    uow.emit(Envelope("negotiation.principals_decided", actor, project_id=project_id, payload={
                        "outcome": outcome, "route": route.dump(), "decisions": decisions, "reasons": reasons,
                        "reason": f"the principals {'agree' if outcome == 'agreed' else 'refuse'}"
                                  + (f": {'; '.join(reasons)}" if reasons else "")}))
        return self.get_negotiation(actor.dump(), project_id)

    # -- reads ------------------------------------------------------------------------------------
    @rpc
    def get_negotiation(self, actor, project_id):
        actor = Actor.load(actor)
        authorize(actor, "negotiation.read", self.policy.authority)
        session = self.db.session
        current = dict(store.row(session, project_id))
        sessions = store.sessions_of(session, project_id)
        for item in sessions:
            item["at"] = to_shanghai(item["at"])
        current["sessions"] = sessions
        current["session_lead"] = (domain.session_lead(current["responsible_unit"], self.policy)
                                   if current["responsible_unit"] else None)
        decided_on = current["stage"] in ("escalated", "agreed", "refused") and current["route"]
        if current["responsible_unit"] and not decided_on:  # else: the route the decision was taken on
            current["route"] = self._route(current, sessions).dump()
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
                route = self._route(current, store.sessions_of(session, current["project_id"])).dump()
                action = "recommend" if route["escalated"] else "decide"
            names = [route["recommends"]] if action == "recommend" else route["decides"]
            if actor.position in names and actor.position not in current["decisions"]:
                desk.append({"project_id": current["project_id"], "ref": current["ref"], "stage": current["stage"],
                             "project_name": current["project_name"], "action": action, "route": route})
        return desk

    # -- helpers ----------------------------------------------------------------------------------
    def _route(self, current, sessions) -> domain.DecisionRoute:
        if not current["responsible_unit"]:
            raise Conflict("no responsible unit yet: the route depends on it (R3 first)", {"responsible_unit": ["none"]})
        latest = sessions[-1] if sessions else None
        agreed_land = [s["land_mu"] for s in sessions if s["land_mu"] is not None]
        land = agreed_land[-1] if agreed_land else current["planned_land_mu"]
        exceeding = latest["exceeding_terms"] if latest else []
        return domain.decision_route(current["responsible_unit"], exceeding, current["outside_policy"], Decimal(land),
                                     self.policy)

    @staticmethod
    def _expect(current, stages, act: str) -> None:
        if current["stage"] not in stages:
            raise Conflict(f"{current['ref']} is {current['stage']}: cannot {act} (needs {' or '.join(stages)})",
                           {"stage": [current["stage"]]})
