"""contracts — drafts, legal review, signing, obligations, the 8-copy file and confidential
access (R6, R7, R13, R15).

IPB drafts numbered versions from the agreed terms (each a Word document);
LEGAL approves a version or returns it; only the latest version, approved by
LEGAL, is signed — by the position the decision route (R5) names.  Signing
creates the obligations.  The file needs at least 8 numbered copies held by GOV,
IPB, FIN, LAND, LEGAL, IND and the responsible unit, each with a custodian and a
cabinet.  Reading a contract is confidential: custodians of holding units, or a
leader's grant; every read, allowed or refused, is written to the audit trail.
An obligation past its due date opens a special-report task due 3 working days
later (official calendar); a report not filed in time flags the project red.
"""
from __future__ import annotations

import base64
import json
from datetime import date, datetime

from services.contracts import document, domain, models, store
from shared import audit
from shared.actor import SYSTEM, Actor, authorize, is_allowed
from shared.bus import on_event
from shared.rpc import rpc
from shared.timers import every
from shared.clock import to_shanghai
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Calendar, Clock, Documents, PolicyData
from shared.envelope import Envelope
from shared.lifecycle_copy import copy_filed_project, copy_responsible_unit, follow_state_change
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.schema import load_or_invalid, schema
from shared.wire.contracts import (
    CopiesInputSchema, ContractSchema, CustodianInputSchema, GrantInputSchema, LegalReviewInputSchema,
    ProgressInputSchema, ReadInputSchema, SignInputSchema, SpecialReportInputSchema, SubmitInputSchema, TermsSchema,
)

OBLIGATION_SCAN_SECONDS = 60  # how often obligations are checked against their dates (operational, not policy)


class ContractsService:
    name = "contracts"

    db = Database(models.metadata)
    relay = OutboxRelay()
    policy = PolicyData()
    calendar = Calendar()
    clock = Clock()
    documents = Documents()

    @rpc
    def health(self):
        return {"service": self.name, "status": "ok", "policy": self.policy.version}

    # -- what contracts learns from the others ---------------------------------------------------
    @on_event("intake.project_filed")
    @handled_once
    def on_project_filed(self, event, uow):
        copy_filed_project(uow.session, models.projects, event, {
            "ref": "ref", "project_name": "project_name", "investor_name": "investor_name",
            "planned_total_investment": "planned_total_investment",
            "planned_fixed_asset_investment": "planned_fixed_asset_investment", "planned_land_mu": "land_mu"},
            state="pending", version=1)

    @on_event("negotiation.unit_assigned")
    @handled_once
    def on_unit_assigned(self, event, uow):
        copy_responsible_unit(uow.session, models.projects, event)

    @on_event("negotiation.decided")
    @handled_once
    def on_decided(self, event, uow):
        self._agreement(uow, event)

    @on_event("negotiation.principals_decided")
    @handled_once
    def on_principals_decided(self, event, uow):
        self._agreement(uow, event)

    @staticmethod
    def _agreement(uow, event: Envelope) -> None:
        store.project(uow.session, event.project_id)
        agreed = event.payload["outcome"] == "agreed"
        store.set_fields(uow.session, event.project_id, route=event.payload["route"],
                         state="agreed" if agreed else "refused")

    @on_event("coordinator.project_state_changed")
    def on_project_state_changed(self, body):
        """The lifecycle copy; a project terminated (after signing, too) ends its obligations (R7, R11)."""
        event = Envelope.load(body)
        to_state = event.payload["to_state"]
        with self.db.unit_of_work() as uow:
            applied = follow_state_change(uow.session, models.projects, event.project_id, to_state,
                                          event.payload["seq"])
            if applied and to_state == "terminated":
                for item in store.obligations_of(uow.session, event.project_id):
                    if domain.ends_with_the_project(item["status"], item["report"]):
                        store.change_obligation(uow.session, item, item["status"], status=domain.ENDED)

    # -- R6: drafting and legal review -------------------------------------------------------------
    @rpc
    def draft(self, actor, project_id, terms):
        """IPB drafts the next numbered version from the agreed terms; its text is a Word document."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.draft", self.policy.authority)
        terms = load_or_invalid(schema(TermsSchema), terms)
        domain.check_terms(terms)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            domain.check_can_draft(current["state"])
            number = store.latest_version(uow.session, project_id) + 1
            stored = schema(TermsSchema).dump(terms)
            stored["intensity_wan_per_mu"] = str(domain.contracted_intensity(terms["fixed_asset_investment"], terms["land_mu"]))
            stored["signatory_position"] = current["route"]["signs"]
            docx = document.render_contract(stored, project=self._parties(current), version=number,
                                            template=self._template())
            store.add_version(uow.session, project_id=project_id, version=number, terms=stored, document=docx,
                              status=domain.DRAFT, drafted_by=actor.dump(), drafted_at=now)
            first = current["state"] == "agreed"
            store.change(uow.session, current, state="drafting" if first else current["state"])
            self._audit(uow, actor, "contracts.draft", project_id, "done", f"v{number}", now)
            uow.emit(Envelope("contracts.drafted", actor, project_id=project_id, payload={
                "version": number, "state_change": first, "intensity_wan_per_mu": stored["intensity_wan_per_mu"],
                "reason": f"contract v{number} drafted"}))
        return self.get_contract(actor.dump(), project_id)

    @rpc
    def submit(self, actor, project_id, data):
        actor = Actor.load(actor)
        authorize(actor, "contracts.draft", self.policy.authority)
        data = load_or_invalid(schema(SubmitInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            version = store.version(uow.session, project_id, data["version"])
            domain.check_can_submit(current["state"], version, store.latest_version(uow.session, project_id))
            store.set_version(uow.session, project_id, data["version"], status=domain.SUBMITTED)
            moves = current["state"] == "drafting"
            store.change(uow.session, current, state="legal_review")
            uow.emit(Envelope("contracts.submitted", actor, project_id=project_id, payload={
                "version": data["version"], "state_change": moves, "reason": f"v{data['version']} submitted to LEGAL"}))
        return self.get_contract(actor.dump(), project_id)

    @rpc
    def legal_review(self, actor, project_id, data):
        """LEGAL approves a submitted version, or returns it with comments."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.legal_review", self.policy.authority)
        data = load_or_invalid(schema(LegalReviewInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            approved = data["decision"] == "approve"
            version = store.version(uow.session, project_id, data["version"], with_document=approved)
            domain.check_can_review(version, store.latest_version(uow.session, project_id))
            if not approved and not data["comments"]:
                raise InvalidInput.for_field("comments", "LEGAL returns a draft with its comments")
            values = {"status": domain.APPROVED if approved else domain.RETURNED, "legal_comments": data["comments"],
                      "reviewed_by": actor.dump(), "reviewed_at": now}
            if approved:  # the text LEGAL reviewed, without its DRAFT lines
                try:
                    values["document"] = document.approve(version["document"], template=self._template())
                except ValueError:
                    raise Conflict(f"v{data['version']}'s document carries no DRAFT line, so it is not the draft "
                                   "LEGAL was sent: IPB drafts the contract again", {"version": [str(data["version"])]}) from None
            store.set_version(uow.session, project_id, data["version"], **values)
            store.change(uow.session, current, state="legal_review" if approved else "drafting")
            kind = "contracts.approved" if approved else "contracts.returned"
            uow.emit(Envelope(kind, actor, project_id=project_id, payload={
                "version": data["version"], "comments": data["comments"], "state_change": not approved,
                "reason": f"LEGAL {'approves' if approved else 'returns'} v{data['version']}"
                          + (f": {'; '.join(data['comments'])}" if data["comments"] else "")}))
        return self.get_contract(actor.dump(), project_id)

    # -- signing ------------------------------------------------------------------------------------
    @rpc
    def sign(self, actor, project_id, data):
        """The signatory the decision route names signs the approved version; obligations begin."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(SignInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            if not current["route"]:
                raise Conflict("no agreement yet: there is no decision route naming a signatory", {"route": ["none"]})
            domain.check_signatory(current["route"], actor.position)
            version = store.version(uow.session, project_id, data["version"])
            domain.check_can_sign(current["state"], version, store.latest_version(uow.session, project_id))
            for item in version["terms"]["obligations"]:
                store.add_obligation(uow.session, project_id=project_id, key=item["id"], text=item["text"],
                                     due=_date(item["due"]), party=item["party"])
            store.change(uow.session, current, state="signed", signed_version=data["version"], signed_by=actor.dump(),
                         investor_signatory=data["investor_signatory"], signed_at=now)
            self._audit(uow, actor, "contracts.sign", project_id, "done", f"v{data['version']}", now)
            uow.emit(Envelope("contracts.signed", actor, project_id=project_id, payload={
                "version": data["version"], "signed_by": actor.position, "investor_signatory": data["investor_signatory"],
                "terms": {k: version["terms"][k] for k in ("total_investment", "fixed_asset_investment", "land_mu",
                                                             "intensity_wan_per_mu", "construction_start", "completion",
                                                             "production")},
                "obligations": self._obligation_view(store.obligations_of(uow.session, project_id)),
                "reason": f"v{data['version']} signed by {actor.position} and {data['investor_signatory']['name']}"}))
        return self.get_contract(actor.dump(), project_id)

    # -- R13: custody and the copy register -------------------------------------------------------------
    @rpc
    def designate_custodian(self, actor, unit, data):
        """A unit's head designates its contract custodian and cabinet (for its own unit only)."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.designate_custodian", self.policy.authority)
        if actor.unit != unit:
            raise NotAllowed(f"{actor.position} of {actor.unit} designates {actor.unit}'s custodian, not {unit}'s",
                             {"unit": [f"must be {actor.unit}"]})
        data = load_or_invalid(schema(CustodianInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            store.upsert_custodian(uow.session, unit, user_id=data["user_id"], name=data["name"], cabinet=data["cabinet"],
                                   designated_by=actor.dump(), designated_at=now)
            self._audit(uow, actor, "contracts.designate_custodian", unit, "done", data["cabinet"], now, record_type="unit")
        return {"unit": unit, **data}

    @rpc
    def custodians(self, actor):
        actor = Actor.load(actor)
        authorize(actor, "contracts.read_custodians", self.policy.authority)
        return [{k: v for k, v in c.items() if k in ("unit", "user_id", "name", "cabinet")}
                for c in store.custodians(self.db.session).values()]

    @rpc
    def register_copies(self, actor, project_id, data):
        """IPB files the signed contract: the whole numbered register at once, or nothing (R13)."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.register_copies", self.policy.authority)
        data = load_or_invalid(schema(CopiesInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            if current["state"] != "signed":
                raise Conflict(f"the contract is {current['state']}: copies are filed once it is signed", {"state": [current["state"]]})
            required = domain.required_holders(current["responsible_unit"], self.policy.get("thresholds.contracts.copy_holders"))
            custodians = store.custodians(uow.session)
            problems = domain.copy_register_problems(data["copies"], required,
                                                     self.policy.integer("thresholds.contracts.minimum_copies"), custodians)
            if problems:
                raise InvalidInput("the contract file is incomplete — " + "; ".join(problems), {"copies": problems})
            for copy in data["copies"]:
                custodian = custodians[copy["unit"]]
                store.add_copy(uow.session, project_id=project_id, number=copy["number"], unit=copy["unit"],
                               custodian_user_id=custodian["user_id"], cabinet=custodian["cabinet"],
                               registered_by=actor.dump(), registered_at=now)
            store.change(uow.session, current, state="filed_copies")
            self._audit(uow, actor, "contracts.register_copies", project_id, "done", f"{len(data['copies'])} copies", now)
            uow.emit(Envelope("contracts.file_completed", actor, project_id=project_id, payload={
                "copies": [{"number": c["number"], "unit": c["unit"]} for c in data["copies"]],
                "reason": f"{len(data['copies'])} official copies filed"}))
        return self.get_contract(actor.dump(), project_id)

    @rpc
    def hand_over(self, actor, project_id):
        """IPB hands the filed contract to the park or town that carries it out (R7)."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.register_copies", self.policy.authority)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            if current["state"] != "filed_copies":
                raise Conflict(f"the contract is {current['state']}: it is handed over once filed", {"state": [current["state"]]})
            store.change(uow.session, current, state="construction", handed_over_at=now)
            uow.emit(Envelope("contracts.handed_over", actor, project_id=project_id, payload={
                "responsible_unit": current["responsible_unit"],
                "reason": f"handed to {current['responsible_unit']} to lead construction"}))
        return self.get_contract(actor.dump(), project_id)

    @rpc
    def hand_to_archives(self, actor, project_id, data=None):
        """When the project is closed (or terminated after signing), the contract goes to ARCH and the hand-over is
        recorded (R13)."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.register_copies", self.policy.authority)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            if current["state"] == "archived":  # a second call (a retry after a lost reply) must not hand it again
                raise Conflict(f"the contract was already handed to ARCH on {current['archived']['at']}",
                               {"state": ["archived"]})
            moves = domain.check_can_archive(current["state"], current["lifecycle_state"])
            archived = {"by": actor.dump(), "at": to_shanghai(now).isoformat(), "to": "ARCH",
                        "note": (data or {}).get("note")}
            store.change(uow.session, current, state="archived", archived=archived)
            self._audit(uow, actor, "contracts.hand_to_archives", project_id, "done", "to ARCH", now)
            uow.emit(Envelope("contracts.archived", actor, project_id=project_id, payload={
                "state_change": moves, "reason": "contract handed to the County Archives Bureau" + (
                    "" if moves else " (the project was terminated)")}))
        return self.get_contract(actor.dump(), project_id)

    # -- R13/R15: confidential access ---------------------------------------------------------------------
    @rpc
    def grant_access(self, actor, project_id, data):
        """A leader lets a named user read a contract, for a reason, until a time."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.grant_access", self.policy.authority)
        data = load_or_invalid(schema(GrantInputSchema), data)
        now = self.clock()
        if data["expires_at"] <= now:
            raise InvalidInput.for_field("expires_at", "must be in the future")
        with self.db.unit_of_work() as uow:
            store.project(uow.session, project_id)
            grant_id = store.add_grant(uow.session, project_id=project_id, grantee_user_id=data["grantee_user_id"],
                                       grantor=actor.dump(), grantor_position=actor.position, reason=data["reason"],
                                       granted_at=now, expires_at=data["expires_at"])
            self._audit(uow, actor, "contracts.grant_access", project_id, "done", data["reason"], now,
                        details={"grant": grant_id, "grantee": data["grantee_user_id"],
                                 "expires_at": data["expires_at"].isoformat()})
        return {"id": grant_id, "project_id": project_id, "grantee_user_id": data["grantee_user_id"],
                "grantor_position": actor.position, "reason": data["reason"],
                "expires_at": to_shanghai(data["expires_at"]).isoformat()}

    @rpc
    def read_contract(self, actor, project_id, data):
        """The signed contract's text, for a custodian of a holding unit or a grantee; every try is audited."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(ReadInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id)
            copies = store.copies_of(uow.session, project_id)
            custodians = store.custodians(uow.session)  # the units' custodians now (a replaced one loses access)
            holders = {c["unit"]: custodians[c["unit"]]["user_id"] for c in copies if c["unit"] in custodians}
            verdict = domain.access_verdict(actor.user_id, holders, store.grants_for(uow.session, project_id), now) \
                if copies else domain.AccessVerdict(False, "the contract is not filed yet")
            self._audit(uow, actor, "contracts.read_contract", project_id, "allowed" if verdict.allowed else "refused",
                        data["reason"], now, details={"basis": verdict.basis})
        if not verdict.allowed:  # the refusal is recorded (committed above), then reported
            raise NotAllowed(f"reading contract {current['ref']} is refused: {verdict.basis}", {"basis": verdict.basis})
        signed = store.version(self.db.session, project_id, current["signed_version"], with_document=True)
        return {"project_id": project_id, "ref": current["ref"], "version": signed["version"], "basis": verdict.basis,
                "terms": signed["terms"], "filename": f"{current['ref']}-v{signed['version']}.docx",
                "document_base64": base64.b64encode(signed["document"]).decode()}

    @rpc
    def read_draft(self, actor, project_id, version, data):
        """A draft's text for the drafting parties (IPB, LEGAL); audited like every read."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(ReadInputSchema), data)
        now = self.clock()
        allowed = is_allowed(actor, "contracts.read_draft", self.policy.authority)
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id)
            self._audit(uow, actor, "contracts.read_draft", project_id, "allowed" if allowed else "refused",
                        data["reason"], now, details={"version": version})
        if not allowed:
            raise NotAllowed(f"{actor.position} ({actor.unit}) may not read drafts of {current['ref']}",
                             {"operation": "contracts.read_draft"})
        item = store.version(self.db.session, project_id, int(version), with_document=True)
        return {"project_id": project_id, "version": item["version"], "status": item["status"], "terms": item["terms"],
                "filename": f"{current['ref']}-v{item['version']}.docx",
                "document_base64": base64.b64encode(item["document"]).decode()}

    @rpc
    def audit_entries(self, actor, project_id):
        actor = Actor.load(actor)
        authorize(actor, "contracts.read_audit", self.policy.authority)
        return [{**e, "at": to_shanghai(e["at"]).isoformat(), "details": json.loads(e["details"] or "{}")}
                for e in audit.entries_for(self.db.session, models.audit_trail, "contract", project_id)]

    # -- R7: carrying out the contract ---------------------------------------------------------------------
    @rpc
    def record_progress(self, actor, project_id, key, data):
        """The settling park or town records progress against an obligation (met or not)."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(ProgressInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id)
            authorize(actor, "contracts.record_progress", self.policy.authority,
                      responsible_unit=current["responsible_unit"] or "-")
            item = store.obligation(uow.session, project_id, key, lock=True)
            if item["status"] == domain.MET:
                raise Conflict(f"obligation {key} is already met", {"obligation": [key]})
            entry = {"note": data["note"], "met": data["met"], "by": actor.dump(), "at": to_shanghai(now).isoformat()}
            values = {"progress": item["progress"] + [entry]}
            if data["met"]:  # met late: the special report on the lapse is still owed (R7)
                values.update(met_at=now, **({} if item["status"] == domain.LAPSED else {"status": domain.MET}))
            store.change_obligation(uow.session, item, item["status"], **values)
            item.update(values)
            uow.emit(Envelope("contracts.progress_recorded", actor, project_id=project_id, payload={
                "obligation": self._obligation_view([item])[0],
                "reason": f"{key}: {data['note']}" + (" (met)" if data["met"] else "")}))
        return self.get_contract(actor.dump(), project_id)

    @rpc
    def file_special_report(self, actor, project_id, key, data):
        """The responsible unit files its special report to the LG (a document); the task closes."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(SpecialReportInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id)
            authorize(actor, "contracts.file_special_report", self.policy.authority,
                      responsible_unit=current["responsible_unit"] or "-")
            item = store.obligation(uow.session, project_id, key, lock=True)
            if item["status"] != domain.LAPSED or item["report"] is not None:
                raise Conflict(f"obligation {key} has no special report due", {"obligation": [key]})
            ref = self.documents.save_base64(data["document"])
            report = {"document": ref.dump(), "summary": data["summary"], "by": actor.dump(),
                      "at": to_shanghai(now).isoformat(), "late": item["red_flag_at"] is not None}
            store.change_obligation(uow.session, item, domain.LAPSED, report=report)
            item["report"] = report
            uow.emit(Envelope("contracts.special_report_filed", actor, project_id=project_id, payload={
                "obligation": self._obligation_view([item])[0], "document": ref.dump(),
                "reason": f"special report on {key} filed: {data['summary']}"}))
        return self.get_contract(actor.dump(), project_id)

    @rpc
    def check_obligations_now(self, actor):
        """The same scan as the timer, on request (IPB's "check now")."""
        authorize(Actor.load(actor), "contracts.register_copies", self.policy.authority)
        return self.check_obligations()

    @every("ZS_OBLIGATION_SCAN_SECONDS", OBLIGATION_SCAN_SECONDS)
    def check_obligations(self):
        """R7: lapse unmet obligations past due (a report task, due in N working days) and flag late reports."""
        now = self.clock()
        today = to_shanghai(now).date()
        days = self.policy.integer("thresholds.contracts.special_report_working_days")
        changed = 0
        session = self.db.session
        for item in store.open_obligations_due_before(session, today):
            deadline = domain.report_deadline(item["due"], self.calendar, days)
            with self.db.unit_of_work() as uow:
                if not store.change_obligation(uow.session, item, domain.OPEN, status=domain.LAPSED, lapsed_at=now,
                                               report_due=deadline.date, report_due_provisional=deadline.provisional):
                    continue
                item.update(status=domain.LAPSED, report_due=deadline.date, report_due_provisional=deadline.provisional)
                unit = store.project(uow.session, item["project_id"])["responsible_unit"]
                uow.emit(Envelope("contracts.obligation_lapsed", SYSTEM, project_id=item["project_id"], payload={
                    "obligation": self._obligation_view([item])[0], "responsible_unit": unit,
                    "notify": [unit], "report_due": deadline.date.isoformat(), "provisional": deadline.provisional,
                    "unknown_years": list(deadline.unknown_years),
                    "reason": f"obligation {item['key']} unmet at {item['due'].isoformat()}: special report to the LG due "
                              f"{deadline.date.isoformat()}{' (provisional)' if deadline.provisional else ''}"}))
                changed += 1
        for item in store.reports_due_before(session, today):
            with self.db.unit_of_work() as uow:
                if not store.change_obligation(uow.session, item, domain.LAPSED, red_flag_at=now):
                    continue
                item["red_flag_at"] = now
                uow.emit(Envelope("contracts.special_report_late", SYSTEM, project_id=item["project_id"], payload={
                    "obligation": self._obligation_view([item])[0], "notify": ["IPB", "LG"],
                    "reason": f"special report on {item['key']} was due {item['report_due'].isoformat()}: project flagged red"}))
                changed += 1
        return changed

    # -- reads ------------------------------------------------------------------------------------------------
    @rpc
    def get_contract(self, actor, project_id):
        """The contract's record — versions' status, obligations, the copy register — without its text."""
        actor = Actor.load(actor)
        session = self.db.session
        current = dict(store.project(session, project_id))
        authorize(actor, "contracts.read_register", self.policy.authority,
                  responsible_unit=current["responsible_unit"] or "-")
        versions = store.versions_of(session, project_id)
        for item in versions:  # the terms are the contract's confidential text: read_draft / read_contract
            item.pop("terms")
            item["drafted_at"] = to_shanghai(item["drafted_at"])
            item["reviewed_at"] = item["reviewed_at"] and to_shanghai(item["reviewed_at"])
        obligations = self._obligation_view(store.obligations_of(session, project_id))
        current.update(
            signatory=(current["route"] or {}).get("signs"), versions=versions, obligations=obligations,
            copies=[{"number": c["number"], "unit": c["unit"], "cabinet": c["cabinet"]} for c in store.copies_of(session, project_id)],
            signed_at=current["signed_at"] and to_shanghai(current["signed_at"]),
            red_flag=any(o["red_flag"] for o in obligations))
        return schema(ContractSchema).dump(current)

    # -- helpers ------------------------------------------------------------------------------------------------
    def _parties(self, current) -> dict:
        unit = current["responsible_unit"] or ""
        name = (self.policy.parks[unit[5:]].name_zh if unit.startswith("PARK:") and unit[5:] in self.policy.parks
                else self.policy.towns[unit[5:]].name_zh if unit.startswith("TOWN:") and unit[5:] in self.policy.towns
                else unit)
        return {"ref": current["ref"], "project_name": current["project_name"], "investor_name": current["investor_name"],
                "responsible_unit_name": name}

    def _template(self) -> dict:
        return {"copies": self.policy.integer("thresholds.contracts.minimum_copies")}

    @staticmethod
    def _obligation_view(items) -> list[dict]:
        return [{"key": o["key"], "text": o["text"], "due": o["due"].isoformat(), "party": o["party"],
                 "status": o["status"], "progress": o.get("progress") or [],
                 "report_due": o["report_due"].isoformat() if o.get("report_due") else None,
                 "report_due_provisional": o.get("report_due_provisional"), "report": o.get("report"),
                 "red_flag": o.get("red_flag_at") is not None} for o in items]

    @staticmethod
    def _audit(uow, actor: Actor, action: str, record_id: str, outcome: str, reason, at: datetime,
               details: dict | None = None, record_type: str = "contract") -> None:
        audit.append(uow.session, models.audit_trail, actor=actor.dump(), action=action, record_type=record_type,
                     record_id=record_id, outcome=outcome, reason=reason, details=details, at=at)


def _date(value):
    return value if isinstance(value, date) else date.fromisoformat(value)
