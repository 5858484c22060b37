"""contracts — drafts, legal review, signing, obligations, the 8-copy file and confidential
access (R6, R7, R13, R15).

IPB drafts numbered versions from the terms of the decision in force (R5: land,
investment, intensity, agreed matters, policy terms) with the dates, obligations
and other terms it adds (each a Word document); LEGAL approves a version or
returns it; only the latest version, approved by LEGAL and carrying exactly the
decided terms, is signed — by the position the decision route (R5) names, with
the county government as 甲方 where the county magistrate or the deputy
magistrate signs.  A decided term changed in negotiation takes the decision out
of force until the next one.  Signing creates the obligations: the start,
completion and production dates and those the draft lists, none due before the
signing date.  The file needs at least 8 numbered copies held by GOV,
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

from nameko.rpc import RpcProxy

from services.contracts import document, domain, models, store
from shared import audit, holidays, need_to_know, standard_land, vocabulary
from shared.actor import SYSTEM, Actor, authorize, is_allowed
from shared.bus import on_event
from shared.rpc import rpc
from shared.timers import every
from shared.clock import to_shanghai
from shared.catch_up import CatchUp, Emits, waits_for
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Calendar, Clock, Documents, PolicyData
from shared.envelope import Envelope
from shared.lifecycle_copy import copy_filed_project, copy_responsible_unit, follow_state_change
from shared.errors import InvalidInput, NotFound
from shared.i18n import _, read_text, reason, stored_text, to_wire
from shared.schema import load_or_invalid, schema
from shared.wire.contracts import (
    CopiesInputSchema,
    ContractSchema,
    CustodianInputSchema,
    GrantInputSchema,
    LegalReviewInputSchema,
    ProgressInputSchema,
    ReadInputSchema,
    SignInputSchema,
    SpecialReportInputSchema,
    SubmitInputSchema,
    TermsSchema,
)

OBLIGATION_SCAN_SECONDS = 60  # how often obligations are checked against their dates (operational, not policy)


class ContractsService(Emits):
    name = "contracts"

    db = Database(models.metadata)
    catch_up = CatchUp()
    relay = OutboxRelay()
    policy = PolicyData()
    calendar = Calendar()
    clock = Clock()
    documents = Documents()
    landreserve = RpcProxy("landreserve")  # the parcel a contract supplies (its facts and delisting price)

    @rpc
    def health(self):
        return {"service": self.name, "status": "ok", "policy": self.policy.version}

    @rpc
    def audit_head(self):
        """The head of this service's audit trail, for the gateway to anchor (shared/anchors.py)."""
        return audit.head(self.db.session, models.audit_trail)

    # -- what contracts learns from the others ---------------------------------------------------
    @on_event("intake.project_filed")
    @handled_once
    def on_project_filed(self, event, uow):
        copy_filed_project(
            uow.session,
            models.projects,
            event,
            {
                "ref": "ref",
                "project_name": "project_name",
                "investor_name": "investor_name",
                "planned_total_investment": "planned_total_investment",
                "planned_fixed_asset_investment": "planned_fixed_asset_investment",
                "planned_land_mu": "land_mu",
                "sector": "sector",
            },
            state="pending",
            version=1,
        )

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
        """The decision and the terms decided (R5): a draft is composed from them, a signature checks them."""
        current = store.project(uow.session, event.project_id)
        p = event.payload
        values = domain.decision_values(current, p["outcome"], p.get("round") or 1, p["route"], p.get("terms"))
        if values:
            store.set_fields(uow.session, event.project_id, **values)

    @on_event("negotiation.reopened")
    @handled_once
    def on_reopened(self, event, uow):
        """A decided term changed (or IPB renegotiates): the decision is no longer in force (R5)."""
        values = domain.reopening_values(store.project(uow.session, event.project_id), event.payload["round"])
        if values:
            store.set_fields(uow.session, event.project_id, **values)

    @on_event("coordinator.project_state_changed")
    def on_project_state_changed(self, body):
        """The lifecycle copy; a project terminated (after signing, too) ends its obligations (R7, R11)."""
        event = Envelope.load(body)
        to_state = event.payload["to_state"]
        with self.db.unit_of_work() as uow:
            applied = follow_state_change(
                uow.session, models.projects, event.project_id, to_state, event.payload["seq"]
            )
            if applied and to_state == "terminated":
                for item in store.obligations_of(uow.session, event.project_id):
                    if domain.ends_with_the_project(item["status"], item["report"]):
                        store.change_obligation(uow.session, item, item["status"], status=domain.ENDED)

    # -- R6: drafting and legal review -------------------------------------------------------------
    @rpc
    @waits_for(
        "intake.project_filed", "negotiation.unit_assigned", "negotiation.decided", "negotiation.principals_decided"
    )
    def draft(self, actor, project_id, terms):
        """IPB drafts the next numbered version from the decided terms (R5) and its dates, obligations and other
        terms; its text is a Word document."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.draft", self.policy.authority)
        given = load_or_invalid(schema(TermsSchema), terms)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            decided = domain.decision_in_force(current)
            after = domain.next_state("draft", current["state"])
            terms = domain.compose_terms(decided, given)
            domain.check_terms(terms)
            terms["commitments"] = standard_land.compose(
                self.policy,
                current["responsible_unit"],
                current.get("sector"),
                given["commitments"],
                terms["policy_terms"],
                terms["land_mu"],
                terms["fixed_asset_investment"],
                terms["intensity_wan_per_mu"],
            )
            number = store.latest_version(uow.session, project_id) + 1
            stored = {
                **schema(TermsSchema).dump(terms),
                **{k: terms[k] for k in ("intensity_wan_per_mu", "agreed", "policy_terms", "commitments")},
            }
            stored.update(signatory_position=current["route"]["signs"], decision_round=current["decision_round"])
            stored["parcel"] = self._parcel(actor, stored.get("parcel"), project_id)
            clauses = [
                *domain.contract_clauses(stored),
                *standard_land.contract_lines(stored["commitments"], self.policy),
            ]
            parcel = stored["parcel"] and {
                **stored["parcel"],
                "location_name": vocabulary.unit_name(stored["parcel"]["location"], "zh-CN"),
            }
            docx = document.render_contract(
                {**stored, "parcel": parcel, "other_terms": clauses},
                project=self._parties(current),
                version=number,
                template=self._template(),
            )
            store.add_version(
                uow.session,
                project_id=project_id,
                version=number,
                terms=stored,
                document=docx,
                status=domain.DRAFT,
                drafted_by=actor.dump(),
                drafted_at=now,
            )
            first = current["state"] == domain.AGREED
            store.change(uow.session, current, state=after)
            self._audit(uow, actor, "contracts.draft", project_id, "done", _("version {version}", version=number), now)
            uow.emit(
                Envelope(
                    "contracts.drafted",
                    actor,
                    project_id=project_id,
                    payload={
                        "version": number,
                        "state_change": first,
                        "intensity_wan_per_mu": stored["intensity_wan_per_mu"],
                        "parcel": stored["parcel"]
                        and {**stored["parcel"], "ref": current["ref"], "project_name": current["project_name"]},
                        "round": current["decision_round"],
                        **reason(_("contract version {version} drafted", version=number)),
                    },
                )
            )
        return self.get_contract(actor.dump(), project_id)

    @rpc
    def submit(self, actor, project_id, data):
        actor = Actor.load(actor)
        authorize(actor, "contracts.draft", self.policy.authority)
        data = load_or_invalid(schema(SubmitInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            version = store.version(uow.session, project_id, data["version"])
            after = domain.check_can_submit(current["state"], version, store.latest_version(uow.session, project_id))
            store.set_version(uow.session, project_id, data["version"], status=domain.SUBMITTED)
            moves = current["state"] != after
            store.change(uow.session, current, state=after)
            uow.emit(
                Envelope(
                    "contracts.submitted",
                    actor,
                    project_id=project_id,
                    payload={
                        "version": data["version"],
                        "state_change": moves,
                        "round": current["decision_round"],
                        **reason(_("version {version} submitted to the legal affairs office", version=data["version"])),
                    },
                )
            )
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
            status = domain.check_can_review(
                version, store.latest_version(uow.session, project_id), data["decision"], data["comments"]
            )
            after = domain.next_state("legal_approve" if approved else "legal_return", current["state"])
            values = {
                "status": status,
                "legal_comments": data["comments"],
                "reviewed_by": actor.dump(),
                "reviewed_at": now,
            }
            if approved:  # the text LEGAL reviewed, without its DRAFT lines
                try:
                    values["document"] = document.approve(version["document"], template=self._template())
                except ValueError:
                    raise domain.not_the_draft_sent(data["version"]) from None
            store.set_version(uow.session, project_id, data["version"], **values)
            store.change(uow.session, current, state=after)
            kind = "contracts.approved" if approved else "contracts.returned"
            uow.emit(
                Envelope(
                    kind,
                    actor,
                    project_id=project_id,
                    payload={
                        "version": data["version"],
                        "comments": data["comments"],
                        "state_change": not approved,
                        "round": current["decision_round"],
                        **reason(_legal_reason(approved, data["version"], data["comments"])),
                    },
                )
            )
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
            domain.check_signatory(domain.check_has_route(current["route"]), actor.position)
            version = store.version(uow.session, project_id, data["version"])
            after = domain.check_can_sign(current["state"], version, store.latest_version(uow.session, project_id))
            domain.check_signs_the_decision(version, domain.decision_in_force(current))
            obligations = domain.contract_obligations(version["terms"])
            domain.check_obligations_due(obligations, to_shanghai(now).date())
            for item in obligations:
                store.add_obligation(
                    uow.session,
                    project_id=project_id,
                    key=item["id"],
                    text=item["text"],
                    due=_date(item["due"]),
                    party=item["party"],
                )
            store.change(
                uow.session,
                current,
                state=after,
                signed_version=data["version"],
                signed_by=actor.dump(),
                investor_signatory=data["investor_signatory"],
                signed_at=now,
            )
            self._audit(
                uow, actor, "contracts.sign", project_id, "done", _("version {version}", version=data["version"]), now
            )
            uow.emit(
                Envelope(
                    "contracts.signed",
                    actor,
                    project_id=project_id,
                    payload={
                        "version": data["version"],
                        "signed_by": actor.position,
                        "investor_signatory": data["investor_signatory"],
                        "round": current["decision_round"],
                        "terms": {
                            k: version["terms"][k]
                            for k in (
                                "total_investment",
                                "fixed_asset_investment",
                                "land_mu",
                                "intensity_wan_per_mu",
                                "construction_start",
                                "completion",
                                "production",
                            )
                        }
                        | ({"parcel": version["terms"]["parcel"]} if version["terms"].get("parcel") else {}),
                        "commitments": version["terms"].get("commitments") or [],
                        "obligations": self._obligation_view(store.obligations_of(uow.session, project_id)),
                        **reason(
                            _(
                                "version {version} signed by the {position:position} and {investor}",
                                version=data["version"],
                                position=actor.position,
                                investor=data["investor_signatory"]["name"],
                            )
                        ),
                    },
                )
            )
        return self.get_contract(actor.dump(), project_id)

    # -- R13: custody and the copy register -------------------------------------------------------------
    @rpc
    def designate_custodian(self, actor, unit, data):
        """A unit's head designates its contract custodian and cabinet (for its own unit only).  Another custodian
        (or cabinet) for a unit that has one is an explicit replacement: ``replaces`` names the current custodian,
        with a reason; the old one's term ends on record and both acts are on the audit trail."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.designate_custodian", self.policy.authority)
        domain.check_own_custodian(actor.position, actor.unit, unit)
        data = load_or_invalid(schema(CustodianInputSchema), data)
        now = self.clock()
        designated = {
            "user_id": data["user_id"],
            "name": data["name"],
            "cabinet": data["cabinet"],
            "designated_by": actor.dump(),
            "designated_at": now,
        }
        with self.db.unit_of_work() as uow:
            current = store.custodian(uow.session, unit, lock=True)
            kind = domain.custodian_designation(unit, current, designated, data["replaces"], data["reason"])
            if kind == domain.FIRST:
                store.add_custodian(uow.session, unit, **designated)
            elif kind == domain.REPLACEMENT:
                store.replace_custodian(uow.session, current, actor.dump(), now, data["reason"], **designated)
                self._audit(
                    uow,
                    actor,
                    "contracts.end_custodian",
                    unit,
                    "done",
                    data["reason"],
                    now,
                    record_type="unit",
                    details={
                        "user_id": current["user_id"],
                        "cabinet": current["cabinet"],
                        "since": to_shanghai(current["designated_at"]).isoformat(),
                        "until": to_shanghai(now).isoformat(),
                        "replaced_by": data["user_id"],
                    },
                )
            if kind != domain.SAME:
                self._audit(
                    uow,
                    actor,
                    "contracts.designate_custodian",
                    unit,
                    "done",
                    data["cabinet"],
                    now,
                    record_type="unit",
                    details={"user_id": data["user_id"], "replaces": current and current["user_id"]},
                )
        return self._custodian_views([unit])[0]

    @rpc
    def custodians(self, actor):
        """Each unit's custodian and cabinet since when, and the custodians it had before (until when, why)."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.read_custodians", self.policy.authority)
        return self._custodian_views()

    def _custodian_views(self, units=None) -> list[dict]:
        session = self.db.session
        before: dict[str, list] = {}
        for term in store.custodian_terms(session):
            before.setdefault(term["unit"], []).append(
                {
                    "user_id": term["user_id"],
                    "name": term["name"],
                    "cabinet": term["cabinet"],
                    "since": to_shanghai(term["designated_at"]).isoformat(),
                    "until": to_shanghai(term["ended_at"]).isoformat(),
                    "ended_by": term["ended_by"],
                    "end_reason": term["end_reason"],
                }
            )
        return [
            {
                "unit": c["unit"],
                "user_id": c["user_id"],
                "name": c["name"],
                "cabinet": c["cabinet"],
                "since": to_shanghai(c["designated_at"]).isoformat(),
                "before": before.get(c["unit"], []),
            }
            for c in store.custodians(session).values()
            if units is None or c["unit"] in units
        ]

    @rpc
    def register_copies(self, actor, project_id, data):
        """IPB files the signed contract: the whole numbered register at once, or nothing (R13)."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.register_copies", self.policy.authority)
        data = load_or_invalid(schema(CopiesInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            after = domain.next_state("register_copies", current["state"])
            required = domain.required_holders(
                current["responsible_unit"], self.policy.get("thresholds.contracts.copy_holders")
            )
            custodians = store.custodians(uow.session)
            domain.check_copy_register(
                domain.copy_register_problems(
                    data["copies"], required, self.policy.integer("thresholds.contracts.minimum_copies"), custodians
                )
            )
            for copy in data["copies"]:
                custodian = custodians[copy["unit"]]
                store.add_copy(
                    uow.session,
                    project_id=project_id,
                    number=copy["number"],
                    unit=copy["unit"],
                    custodian_user_id=custodian["user_id"],
                    cabinet=custodian["cabinet"],
                    registered_by=actor.dump(),
                    registered_at=now,
                )
            store.change(uow.session, current, state=after)
            self._audit(
                uow,
                actor,
                "contracts.register_copies",
                project_id,
                "done",
                _("{count:count} copies", count=len(data["copies"])),
                now,
            )
            uow.emit(
                Envelope(
                    "contracts.file_completed",
                    actor,
                    project_id=project_id,
                    payload={
                        "copies": [{"number": c["number"], "unit": c["unit"]} for c in data["copies"]],
                        **reason(_("{count:count} official copies filed", count=len(data["copies"]))),
                    },
                )
            )
        return self.get_contract(actor.dump(), project_id)

    @rpc
    def hand_over(self, actor, project_id):
        """IPB hands the filed contract to the park or town that carries it out (R7)."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.register_copies", self.policy.authority)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            after = domain.next_state("hand_over", current["state"])
            store.change(uow.session, current, state=after, handed_over_at=now)
            uow.emit(
                Envelope(
                    "contracts.handed_over",
                    actor,
                    project_id=project_id,
                    payload={
                        "responsible_unit": current["responsible_unit"],
                        **reason(_("handed to {unit:unit} to lead construction", unit=current["responsible_unit"])),
                    },
                )
            )
        return self.get_contract(actor.dump(), project_id)

    @rpc
    @waits_for("coordinator.project_state_changed", lifecycle=models.projects)
    def hand_to_archives(self, actor, project_id, data=None):
        """When the project is closed (or terminated after signing), the contract goes to ARCH and the hand-over is
        recorded (R13)."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.register_copies", self.policy.authority)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id, lock=True)
            # (only closed, archived and terminated of the lifecycle are delivered here: topology)
            after, moves = domain.check_can_archive(current["state"], current["lifecycle_state"], current["archived"])
            archived = {
                "by": actor.dump(),
                "at": to_shanghai(now).isoformat(),
                "to": "ARCH",
                "note": (data or {}).get("note"),
            }
            store.change(uow.session, current, state=after, archived=archived)
            self._audit(
                uow,
                actor,
                "contracts.hand_to_archives",
                project_id,
                "done",
                _("handed to {unit:unit}", unit="ARCH"),
                now,
            )
            uow.emit(
                Envelope(
                    "contracts.archived",
                    actor,
                    project_id=project_id,
                    payload={
                        "state_change": moves,
                        **reason(
                            _("contract handed to {unit:unit}", unit="ARCH")
                            if moves
                            else _("contract handed to {unit:unit} (the project was terminated)", unit="ARCH")
                        ),
                    },
                )
            )
        return self.get_contract(actor.dump(), project_id)

    # -- R13/R15: confidential access ---------------------------------------------------------------------
    @rpc
    def grant_access(self, actor, project_id, data):
        """A leader lets a named user read a contract, for a reason, until a time."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.grant_access", self.policy.authority)
        data = load_or_invalid(schema(GrantInputSchema), data)
        now = self.clock()
        domain.check_grant(data["expires_at"], now)
        with self.db.unit_of_work() as uow:
            store.project(uow.session, project_id)
            grant_id = store.add_grant(
                uow.session,
                project_id=project_id,
                grantee_user_id=data["grantee_user_id"],
                grantor=actor.dump(),
                grantor_position=actor.position,
                reason=data["reason"],
                granted_at=now,
                expires_at=data["expires_at"],
            )
            self._audit(
                uow,
                actor,
                "contracts.grant_access",
                project_id,
                "done",
                data["reason"],
                now,
                details={
                    "grant": grant_id,
                    "grantee": data["grantee_user_id"],
                    "expires_at": to_shanghai(data["expires_at"]).isoformat(),
                },
            )
        return {
            "id": grant_id,
            "project_id": project_id,
            "grantee_user_id": data["grantee_user_id"],
            "grantor_position": actor.position,
            "reason": data["reason"],
            "expires_at": to_shanghai(data["expires_at"]).isoformat(),
        }

    @rpc
    def read_contract(self, actor, project_id, data):
        """The signed contract's text, for a custodian of a holding unit or a grantee; every try is audited (a
        malformed one, or one for no such contract, too)."""
        actor = Actor.load(actor)
        data = self._read_request(actor, "contracts.read_contract", project_id, data)
        current, verdict = self._confidential_read(actor, project_id, "contracts.read_contract", data["reason"])
        signed = store.version(self.db.session, project_id, current["signed_version"], with_document=True)
        return {
            "project_id": project_id,
            "ref": current["ref"],
            "version": signed["version"],
            "basis": verdict.basis,
            "terms": signed["terms"],
            "filename": f"{current['ref']}-v{signed['version']}.docx",
            "document_base64": base64.b64encode(signed["document"]).decode(),
        }

    def _confidential_read(self, actor: Actor, project_id: str, action: str, reason, details: dict | None = None):
        """R13: a holding unit's custodian or a leader's grantee reads; every try is audited (committed), and a
        refusal is then raised."""
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id)
            copies = store.copies_of(uow.session, project_id)
            custodians = store.custodians(uow.session)  # the units' custodians now (a replaced one loses access)
            holders = {c["unit"]: custodians[c["unit"]]["user_id"] for c in copies if c["unit"] in custodians}
            verdict = (
                domain.access_verdict(actor.user_id, holders, store.grants_for(uow.session, project_id), now)
                if copies
                else domain.AccessVerdict(False, _("the contract is not filed yet"))
            )
            self._audit(
                uow,
                actor,
                action,
                project_id,
                "allowed" if verdict.allowed else "refused",
                reason,
                now,
                details={"basis": to_wire(verdict.basis), **(details or {})},
            )
        domain.check_reading(verdict, current["ref"])  # a refusal is recorded (committed above), then reported
        return current, verdict

    @rpc
    def check_confidential_read(self, actor, project_id, document, reason=None):
        """Another service's confidential document of this contract (the signed and sealed scan in the project's
        file): allowed as the contract itself is, audited as ``contracts.read_attachment``."""
        actor = Actor.load(actor)
        _, verdict = self._confidential_read(
            actor, project_id, "contracts.read_attachment", reason, details={"document": document}
        )
        return {"allowed": True, "basis": verdict.basis}

    @rpc
    def read_draft(self, actor, project_id, version, data):
        """A draft's text for the drafting parties (IPB, LEGAL); audited like every read."""
        actor = Actor.load(actor)
        data = self._read_request(actor, "contracts.read_draft", project_id, data)
        now = self.clock()
        allowed = is_allowed(actor, "contracts.read_draft", self.policy.authority)
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id)
            self._audit(
                uow,
                actor,
                "contracts.read_draft",
                project_id,
                "allowed" if allowed else "refused",
                data["reason"],
                now,
                details={"version": version},
            )
        domain.check_draft_reader(allowed, actor.position, actor.unit, current["ref"])
        item = store.version(self.db.session, project_id, int(version), with_document=True)
        return {
            "project_id": project_id,
            "version": item["version"],
            "status": item["status"],
            "terms": item["terms"],
            "filename": f"{current['ref']}-v{item['version']}.docx",
            "document_base64": base64.b64encode(item["document"]).decode(),
        }

    @rpc
    def audit_entries(self, actor, project_id):
        actor = Actor.load(actor)
        authorize(actor, "contracts.read_audit", self.policy.authority)
        return [
            {
                **e,
                "at": to_shanghai(e["at"]).isoformat(),
                "reason": read_text(e["reason"]),
                "details": json.loads(e["details"] or "{}"),
            }
            for e in audit.entries_for(self.db.session, models.audit_trail, "contract", project_id)
        ]

    # -- R7: carrying out the contract ---------------------------------------------------------------------
    @rpc
    def record_progress(self, actor, project_id, key, data):
        """The settling park or town records progress against an obligation (met or not)."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(ProgressInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id)
            authorize(
                actor,
                "contracts.record_progress",
                self.policy.authority,
                responsible_unit=current["responsible_unit"] or "-",
            )
            item = store.obligation(uow.session, project_id, key, lock=True)
            domain.check_progress(item["status"], item["text"])
            entry = {"note": data["note"], "met": data["met"], "by": actor.dump(), "at": to_shanghai(now).isoformat()}
            values = domain.progress_values(item, entry, data["met"], now)
            store.change_obligation(uow.session, item, item["status"], **values)
            item.update(values)
            uow.emit(
                Envelope(
                    "contracts.progress_recorded",
                    actor,
                    project_id=project_id,
                    payload={
                        "obligation": self._obligation_view([item])[0],
                        **reason(
                            _("“{text}”: {note} (met)", text=item["text"], note=data["note"])
                            if data["met"]
                            else _("“{text}”: {note}", text=item["text"], note=data["note"])
                        ),
                    },
                )
            )
        return self.get_contract(actor.dump(), project_id)

    @rpc
    def file_special_report(self, actor, project_id, key, data):
        """The responsible unit files its special report to the LG (a document); the task closes."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(SpecialReportInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.project(uow.session, project_id)
            authorize(
                actor,
                "contracts.file_special_report",
                self.policy.authority,
                responsible_unit=current["responsible_unit"] or "-",
            )
            item = store.obligation(uow.session, project_id, key, lock=True)
            domain.check_report_due(item["status"], item["report"], item["text"])
            ref = self.documents.save_base64(data["document"])
            report = {
                "document": ref.dump(),
                "summary": data["summary"],
                "by": actor.dump(),
                "at": to_shanghai(now).isoformat(),
                "late": item["red_flag_at"] is not None,
            }
            store.change_obligation(uow.session, item, domain.LAPSED, report=report)
            item["report"] = report
            uow.emit(
                Envelope(
                    "contracts.special_report_filed",
                    actor,
                    project_id=project_id,
                    payload={
                        "obligation": self._obligation_view([item])[0],
                        "document": ref.dump(),
                        **reason(
                            _(
                                "the special report on “{text}” is filed: {summary}",
                                text=item["text"],
                                summary=data["summary"],
                            )
                        ),
                    },
                )
            )
        return self.get_contract(actor.dump(), project_id)

    @rpc
    def check_obligations_now(self, actor):
        """The same scan as the timer, on request (IPB's "check now")."""
        authorize(Actor.load(actor), "contracts.register_copies", self.policy.authority)
        return self.check_obligations()

    @rpc
    def obligations_outlook(self, actor, as_of):
        """An administrator's dry run: what the scan on ``as_of`` would lapse and which special reports would fall
        due (or be late) by then.  Nothing is changed and nothing is sent."""
        authorize(Actor.load(actor), "contracts.preview_obligations", self.policy.authority)
        day = _as_of(as_of)
        return domain.obligations_outlook(
            store.obligations_to_watch(self.db.session),
            day,
            self.calendar,
            self.policy.integer("thresholds.contracts.special_report_working_days"),
        )

    @rpc
    def load_holidays(self, actor, year, data):
        """An administrator loads a year's official schedule: kept, added to the calendar, and every provisional
        special-report deadline counted again; each that moved is said (``contracts.report_due_moved``) and
        returned."""
        actor = Actor.load(actor)
        authorize(actor, "contracts.load_holidays", self.policy.authority)
        year, schedule = holidays.schedule_of(year, data)
        days = self.policy.integer("thresholds.contracts.special_report_working_days")
        calendar = self.calendar.with_years({year: schedule})
        moved = []
        with self.db.unit_of_work() as uow:
            holidays.store_year(uow.session, models.holiday_years, year, schedule, actor.dump(), self.clock())
            for item in store.provisional_reports(uow.session):
                new = domain.moved_report_deadline(item, calendar, days)
                if new is None or not store.change_obligation(
                    uow.session, item, domain.LAPSED, report_due=new.date, report_due_provisional=new.provisional
                ):
                    continue
                before = item["report_due"].isoformat()
                item.update(report_due=new.date, report_due_provisional=new.provisional)
                moved.append(
                    {
                        "project_id": item["project_id"],
                        "ref": item["ref"],
                        "what": to_wire(_("the special report on “{text}”", text=item["text"])),
                        "from": before,
                        "to": new.date.isoformat(),
                        "provisional": new.provisional,
                    }
                )
                uow.emit(
                    Envelope(
                        "contracts.report_due_moved",
                        actor,
                        project_id=item["project_id"],
                        payload={
                            "obligation": self._obligation_view([item])[0],
                            "responsible_unit": item["responsible_unit"],
                            "report_due": new.date.isoformat(),
                            "provisional": new.provisional,
                            "previous": before,
                            **reason(
                                _(
                                    "the holiday schedule of {year} is loaded: the special report on “{text}” is due "
                                    "{due:date} (still provisional), not {before:date}",
                                    year=year,
                                    text=item["text"],
                                    due=new.date,
                                    before=before,
                                )
                                if new.provisional
                                else _(
                                    "the holiday schedule of {year} is loaded: the special report on “{text}” is due "
                                    "{due:date}, not {before:date}",
                                    year=year,
                                    text=item["text"],
                                    due=new.date,
                                    before=before,
                                )
                            ),
                        },
                    )
                )
        self.calendar.add_years({year: schedule})
        return {"service": self.name, "year": year, "moved": moved}

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
                if not store.change_obligation(
                    uow.session,
                    item,
                    domain.OPEN,
                    status=domain.LAPSED,
                    lapsed_at=now,
                    report_due=deadline.date,
                    report_due_provisional=deadline.provisional,
                ):
                    continue
                item.update(status=domain.LAPSED, report_due=deadline.date, report_due_provisional=deadline.provisional)
                unit = store.project(uow.session, item["project_id"])["responsible_unit"]
                uow.emit(
                    Envelope(
                        "contracts.obligation_lapsed",
                        SYSTEM,
                        project_id=item["project_id"],
                        payload={
                            "obligation": self._obligation_view([item])[0],
                            "responsible_unit": unit,
                            "notify": [unit],
                            "report_due": deadline.date.isoformat(),
                            "provisional": deadline.provisional,
                            "unknown_years": list(deadline.unknown_years),
                            **reason(
                                _(
                                    "“{text}” unmet at {due:date}: a special report to the Leading Group is due "
                                    "{report_due:date} (provisional)",
                                    text=item["text"],
                                    due=item["due"],
                                    report_due=deadline.date,
                                )
                                if deadline.provisional
                                else _(
                                    "“{text}” unmet at {due:date}: a special report to the Leading Group is due "
                                    "{report_due:date}",
                                    text=item["text"],
                                    due=item["due"],
                                    report_due=deadline.date,
                                )
                            ),
                        },
                    )
                )
                changed += 1
        for item in store.reports_due_before(session, today):
            with self.db.unit_of_work() as uow:
                if not store.change_obligation(uow.session, item, domain.LAPSED, red_flag_at=now):
                    continue
                item["red_flag_at"] = now
                uow.emit(
                    Envelope(
                        "contracts.special_report_late",
                        SYSTEM,
                        project_id=item["project_id"],
                        payload={
                            "obligation": self._obligation_view([item])[0],
                            "notify": ["IPB", "LG"],
                            **reason(
                                _(
                                    "the special report on “{text}” was due {due:date}: the project is flagged red",
                                    text=item["text"],
                                    due=item["report_due"],
                                )
                            ),
                        },
                    )
                )
                changed += 1
        return changed

    # -- reads ------------------------------------------------------------------------------------------------
    @rpc
    def get_contract(self, actor, project_id):
        """The contract's record — versions' status, obligations, the copy register — without its text."""
        actor = Actor.load(actor)
        session = self.db.session
        current = dict(store.project(session, project_id))
        copies = store.copies_of(session, project_id)
        holders = (
            need_to_know.copy_holders(self.policy, current["responsible_unit"]) if current["signed_version"] else []
        )
        need_to_know.check(
            actor,
            "contracts.read_register",
            self.policy.authority,
            need_to_know.project_units(
                current["responsible_unit"],
                "ARCH" if current["archived"] else None,
                more=[*holders, *(c["unit"] for c in copies)],
            ),
        )
        versions = store.versions_of(session, project_id)
        for item in versions:  # the terms are the contract's confidential text: read_draft / read_contract
            item.pop("terms")
            item["drafted_at"] = to_shanghai(item["drafted_at"])
            item["reviewed_at"] = item["reviewed_at"] and to_shanghai(item["reviewed_at"])
        obligations = self._obligation_view(store.obligations_of(session, project_id))
        names = store.custodian_names(session) if copies else {}
        current.update(
            signatory=(current["route"] or {}).get("signs"),
            versions=versions,
            obligations=obligations,
            party_a=self._parties(current)["party_a_name"] if current["route"] else None,
            decided_terms=(
                current["decided_terms"]
                if current["state"] not in (domain.PENDING, domain.NEGOTIATING, domain.REFUSED)
                else None
            ),
            copies=[
                {
                    "number": c["number"],
                    "unit": c["unit"],
                    "custodian_name": names.get((c["unit"], c["custodian_user_id"])),
                    "cabinet": c["cabinet"],
                }
                for c in copies
            ],
            signed_at=current["signed_at"] and to_shanghai(current["signed_at"]),
            red_flag=any(o["red_flag"] for o in obligations),
        )
        return schema(ContractSchema).dump(current)

    # -- helpers ------------------------------------------------------------------------------------------------
    def _parcel(self, actor: Actor, code: str | None, project_id: str) -> dict | None:
        """The parcel a draft names, as the land reserve knows it (ready or in listing, not meant for another
        project): its code, name, location, area, use and delisting price go into the contract's terms."""
        return None if not code else self.landreserve.contract_parcel(actor.dump(), code, project_id)

    def _parties(self, current) -> dict:
        """The contract's parties by their full names: 甲方 the park's management committee or the town's government
        that signs, or the county government (R5); 乙方 the investor as registered."""
        unit = current["responsible_unit"] or ""
        name = vocabulary.unit_full_name(unit, self.policy) if unit else ""
        party_a = domain.party_a(
            (current["route"] or {}).get("signs"),
            name,
            self.policy.get("thresholds.contracts.county_government_signatories"),
            self.policy.get("county.county.government_name_zh"),
        )
        return {
            "ref": current["ref"],
            "project_name": current["project_name"],
            "investor_name": current["investor_name"],
            "responsible_unit_name": name,
            "responsible_unit": unit,
            "party_a_name": party_a,
        }

    def _template(self) -> dict:
        """The copies line from the policy: the county's filed copies (R13) besides each party's originals."""
        return {
            "copies": self.policy.integer("thresholds.contracts.minimum_copies"),
            "party_copies": self.policy.integer("thresholds.contracts.originals_per_party"),
            "unit_names": {
                u["code"]: vocabulary.unit_full_name(u["code"], self.policy) for u in self.policy.get("county.units")
            },
        }

    @staticmethod
    def _obligation_view(items) -> list[dict]:
        return [
            {
                "key": o["key"],
                "text": o["text"],
                "due": o["due"].isoformat(),
                "party": o["party"],
                "status": o["status"],
                "progress": o.get("progress") or [],
                "report_due": o["report_due"].isoformat() if o.get("report_due") else None,
                "report_due_provisional": o.get("report_due_provisional"),
                "report": o.get("report"),
                "red_flag": o.get("red_flag_at") is not None,
            }
            for o in items
        ]

    def _read_request(self, actor: Actor, action: str, project_id, data) -> dict:
        """A read's input, loaded; a malformed read, or one of a contract that does not exist, is refused and
        recorded as such (R15: every attempt to read a confidential record is audited)."""
        try:
            data = load_or_invalid(schema(ReadInputSchema), data)
            store.project(self.db.session, project_id)
            return data
        except (InvalidInput, NotFound) as exc:
            self.db.session.rollback()
            with self.db.unit_of_work() as uow:
                self._audit(
                    uow,
                    actor,
                    action,
                    str(project_id)[:64] or "-",
                    "refused",
                    None,
                    self.clock(),
                    details={"problem": exc.code, "fields": sorted(exc.details)[:10]},
                )
            raise

    @staticmethod
    def _audit(
        uow,
        actor: Actor,
        action: str,
        record_id: str,
        outcome: str,
        why,
        at: datetime,
        details: dict | None = None,
        record_type: str = "contract",
    ) -> None:
        """An entry of the audit trail; a reason that is a Message is kept as one (rendered when read)."""
        audit.append(
            uow.session,
            models.audit_trail,
            actor=actor.dump(),
            action=action,
            record_type=record_type,
            record_id=record_id,
            outcome=outcome,
            reason=stored_text(why),
            details=details,
            at=at,
        )


def _as_of(value) -> date:
    try:
        return _date(value)
    except (TypeError, ValueError):
        raise InvalidInput.for_field("as_of", _("must be a date, YYYY-MM-DD")) from None


def _date(value):
    return value if isinstance(value, date) else date.fromisoformat(value)


def _legal_reason(approved: bool, version: int, comments: list[str]):
    """The legal affairs office's review on the timeline: approved or returned, with its comments."""
    if approved:
        return (
            _(
                "the legal affairs office approves version {version}: {comments:clauses}",
                version=version,
                comments=comments,
            )
            if comments
            else _("the legal affairs office approves version {version}", version=version)
        )
    return (
        _("the legal affairs office returns version {version}: {comments:clauses}", version=version, comments=comments)
        if comments
        else _("the legal affairs office returns version {version}", version=version)
    )
