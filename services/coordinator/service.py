"""coordinator — IPB's lifecycle of every project (SPEC §2), a persisted state machine.

It listens to the departments' events, advances each project through
``domain.next_state`` and records every move (actor, Asia/Shanghai time,
reason) in the project's timeline, emitting ``coordinator.project_state_changed``.
State lives in its database, so a restarted coordinator resumes where it was.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from time import monotonic
from collections import Counter
from datetime import datetime, time, timedelta

import eventlet
from nameko.rpc import RpcProxy

from services.coordinator import domain, store
from services.coordinator import attachments, ledger, ledger_store, models, summary_report, workbench_store, workbook
from services.coordinator import targets as assessment
from services.coordinator.leading_group import LeadingGroupWork
from services.coordinator.schemas import ProjectSchema, ProjectSummarySchema, TerminateInputSchema
from shared import audit, gongwen, need_to_know, vocabulary
from shared.actor import Actor, authorize, is_allowed
from shared.bus import on_event
from shared.clock import SHANGHAI, now_shanghai, to_shanghai
from shared.catch_up import GIVE_UP, WAIT, CatchUp, bound_of, catch_up, emitted_events, waits_for
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Clock, Documents, PolicyData
from shared.envelope import Envelope
from shared.errors import InvalidInput, NotYet
from shared.i18n import Message, _, named, read_text, reason, reason_of, to_wire
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.tiers import tier_label, tier_names
from shared.topology import SUBSCRIPTIONS
from shared.wire.ledger import (
    FileSchema,
    FundsInputSchema,
    ImportInputSchema,
    ImportReportSchema,
    KeyProjectInputSchema,
    LedgerQuerySchema,
    LedgerRowSchema,
    RequirementsInputSchema,
    ResponsibilityInputSchema,
    TargetsInputSchema,
    TargetsSchema,
)
from shared.wire.workbench import AttachmentInputSchema, SearchQuerySchema

ROW_FIELDS = tuple(LedgerRowSchema().fields)
HEARD = tuple(
    t for t, consumers in SUBSCRIPTIONS.items() if "coordinator" in consumers and not t.startswith("leadership.")
)
"""Every event of a project the coordinator hears: its copy of the project reflects them all."""
"""The fields of a ledger row on the wire, in order."""


def project_units(facts, policy) -> frozenset[str]:
    """Need-to-know: the units taking part in a project as the coordinator knows it — the unit that registered it,
    the park or town it is bound for, its responsible unit, the units that review it, hold a copy of its contract
    once signed or take part in its accounting."""
    holders = need_to_know.copy_holders(policy, facts.get("responsible_unit")) if facts.get("signed_by") else ()
    return need_to_know.project_units(
        facts.get("registered_unit"),
        facts.get("responsible_unit"),
        location=(facts.get("location_kind"), facts.get("location_id")),
        more=[*(facts.get("review_units") or ()), *holders, *(facts.get("accounting_units") or ())],
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUMMARY_TYPES = {"docx": DOCX, "pdf": "application/pdf", "xlsx": XLSX}
"""The work summary: a report in 公文 form (Word, PDF) or its table (Excel)."""


def transition_summary(from_state: str | None, to_state: str) -> Message:
    """A timeline's transition as a person reads it: 联审中 → 审查通过."""
    if from_state is None:
        return _("→ {to:state}", to=to_state)
    return _("{from_state:state} → {to_state:state}", from_state=from_state, to_state=to_state)


class CoordinatorService(LeadingGroupWork):
    name = "coordinator"

    db = Database(models.metadata)
    relay = OutboxRelay()
    policy = PolicyData()
    contracts = RpcProxy("contracts")  # the contract's confidentiality (R13) for its scan in the project's file
    documents = Documents()
    clock = Clock()
    catch_up = CatchUp()

    @rpc
    def health(self):
        return {"service": self.name, "status": "ok", "policy": self.policy.version}

    @rpc
    def audit_head(self):
        """The head of this service's audit trail, for the gateway to anchor (shared/anchors.py)."""
        return audit.head(self.db.session, models.audit_trail)

    # -- reactions to the departments' events --------------------------------
    @on_event("intake.lead_registered")
    @handled_once
    def on_lead_registered(self, event, uow):
        p = event.payload
        store.open_project(
            uow, event.project_id, p["ref"], p["project_name"], p, event.actor.dump(), event.occurred_at, event.event_id
        )
        self._ledger(uow, event)

    @on_event("intake.project_filed")
    def on_project_filed(self, body):
        self._advance(Envelope.load(body), "on_project_filed")

    @on_event("review.convened")
    def on_review_convened(self, body):
        event = Envelope.load(body)
        self._advance(event, "on_review_convened", facts={"review_units": event.payload["required_units"]})

    @on_event("review.returned")
    def on_review_returned(self, body):
        self._advance(Envelope.load(body), "on_review_returned")

    @on_event("review.resubmitted")
    def on_review_resubmitted(self, body):
        self._advance(Envelope.load(body), "on_review_resubmitted")

    @on_event("review.concluded")
    def on_review_concluded(self, body):
        event = Envelope.load(body)
        p = event.payload
        facts = {
            "review_outcome": p["outcome"],
            "review_conditions": p["conditions"],
            "outside_policy": p["outside_policy"],
        }
        self._advance(event, "on_review_concluded", facts=facts)

    @on_event("review.opinion_recorded")
    def on_review_opinion_recorded(self, body):
        event = Envelope.load(body)
        p = event.payload
        detail = p["conditions"] or p["reasons"]
        self._note(
            event,
            "review.opinion",
            _("{unit:unit}: {opinion:opinion} — {detail:clauses}", unit=p["unit"], opinion=p["opinion"], detail=detail)
            if detail
            else _("{unit:unit}: {opinion:opinion}", unit=p["unit"], opinion=p["opinion"]),
        )

    @on_event("review.escalated")
    def on_review_escalated(self, body):
        event = Envelope.load(body)
        self._note(
            event,
            "review.escalated",
            _(
                "the review period ended on {deadline:date}: escalated to the {position:position}",
                deadline=event.payload["deadline"],
                position=event.payload["to_position"],
            ),
        )

    @on_event("review.reopened")
    def on_review_reopened(self, body):
        """The park IPB chose gives its opinion in a new round before it takes the project (R2/R3)."""
        event = Envelope.load(body)
        self._advance(event, "on_review_reopened", facts={"review_units": event.payload["required_units"]})

    @on_event("review.deadline_moved")
    def on_review_deadline_moved(self, body):
        """A year's holiday schedule loaded moved the review's provisional deadline (R16)."""
        event = Envelope.load(body)
        self._note(event, "review.deadline_moved", reason_of(event.payload))

    @on_event("negotiation.intermediary_recorded")
    def on_intermediary_recorded(self, body):
        event = Envelope.load(body)
        self._note(event, "negotiation.intermediary", reason_of(event.payload))

    @on_event("negotiation.unit_assigned")
    def on_unit_assigned(self, body):
        event = Envelope.load(body)
        self._advance(event, "on_unit_assigned", facts={"responsible_unit": event.payload["unit"]})

    @on_event("negotiation.session_logged")
    def on_session_logged(self, body):
        """The first session starts the negotiation (R4); later ones go on the timeline."""
        event = Envelope.load(body)
        if event.payload["first"]:
            self._advance(event, "on_session_logged")
        else:
            self._note(event, "negotiation.session", reason_of(event.payload))

    @on_event("negotiation.escalated")
    def on_negotiation_escalated(self, body):
        self._advance(Envelope.load(body), "on_negotiation_escalated")

    @on_event("negotiation.decided")
    def on_negotiation_decided(self, body):
        event = Envelope.load(body)
        self._advance(event, "on_negotiation_decided", facts=self._decision_facts(event.payload))

    @on_event("negotiation.principal_decided")
    def on_principal_decided(self, body):
        event = Envelope.load(body)
        p = event.payload
        self._note(
            event,
            "negotiation.principal_decision",
            _(
                "{position:position}: {decision:outcome} — {reasons:clauses}",
                position=p["position"],
                decision=p["decision"],
                reasons=p["reasons"],
            )
            if p["reasons"]
            else _("{position:position}: {decision:outcome}", position=p["position"], decision=p["decision"]),
        )

    @on_event("negotiation.principals_decided")
    def on_principals_decided(self, body):
        event = Envelope.load(body)
        self._advance(event, "on_principals_decided", facts=self._decision_facts(event.payload))

    @on_event("negotiation.reopened")
    def on_negotiation_reopened(self, body):
        """A decided term changed, or IPB renegotiates a refused project: back to negotiation (R5)."""
        event = Envelope.load(body)
        self._advance(
            event, "on_negotiation_reopened", facts={"decided_terms": None, "negotiation_round": event.payload["round"]}
        )

    @staticmethod
    def _decision_facts(payload: dict) -> dict:
        """The route of a decision and, agreed, the terms decided (R5: what is signed is what was decided)."""
        return {
            "decision_route": payload["route"],
            "decided_terms": payload.get("terms"),
            "decision_reasons": payload.get("reasons") or [],
        }

    # -- contracts (R6, R7, R13) --------------------------------------------------------------
    @on_event("contracts.drafted")
    def on_contract_drafted(self, body):
        self._advance_or_note(Envelope.load(body), "contracts.draft")

    @on_event("contracts.submitted")
    def on_contract_submitted(self, body):
        self._advance_or_note(Envelope.load(body), "contracts.submission")

    @on_event("contracts.approved")
    def on_contract_approved(self, body):
        event = Envelope.load(body)
        self._note(event, "contracts.legal_approval", reason_of(event.payload))

    @on_event("contracts.returned")
    def on_contract_returned(self, body):
        self._advance(Envelope.load(body), "on_contract_returned")

    @on_event("contracts.signed")
    def on_contract_signed(self, body):
        event = Envelope.load(body)
        self._advance(
            event,
            "on_contract_signed",
            facts={
                "contract_terms": event.payload["terms"],
                "signed_by": event.payload["signed_by"],
                "obligations": {o["key"]: o for o in event.payload["obligations"]},
            },
        )

    @on_event("contracts.file_completed")
    def on_file_completed(self, body):
        event = Envelope.load(body)
        self._advance(event, "on_file_completed", facts={"copies": event.payload["copies"]})

    @on_event("contracts.handed_over")
    def on_handed_over(self, body):
        self._advance(Envelope.load(body), "on_handed_over")

    @on_event("contracts.archived")
    def on_contract_archived(self, body):
        """Closed -> archived; a terminated project's contract goes to ARCH too, and stays terminated (R13)."""
        event = Envelope.load(body)
        if event.payload.get("state_change", True):
            self._advance(event, "on_contract_archived")
        else:
            self._note(event, "contracts.archive", reason_of(event.payload))

    @on_event("contracts.progress_recorded")
    def on_progress_recorded(self, body):
        self._obligation_note(Envelope.load(body), "contracts.progress")

    @on_event("contracts.obligation_lapsed")
    def on_obligation_lapsed(self, body):
        self._obligation_note(Envelope.load(body), "contracts.obligation_lapsed")

    @on_event("contracts.special_report_filed")
    def on_special_report_filed(self, body):
        self._obligation_note(Envelope.load(body), "contracts.special_report_filed")

    @on_event("contracts.special_report_late")
    def on_special_report_late(self, body):
        self._obligation_note(Envelope.load(body), "contracts.special_report_late", red_flag=True)

    @on_event("contracts.report_due_moved")
    def on_report_due_moved(self, body):
        """A year's holiday schedule loaded moved a special report's provisional deadline (R16)."""
        self._obligation_note(Envelope.load(body), "contracts.report_due_moved")

    # -- supervision: the register of special reports to the Leading Group (R11) -------------------
    @on_event("supervision.special_report_filed")
    @handled_once
    def on_special_report_to_lg(self, event, uow):
        """The coordinator's own copy of the register: terminating a project checks it (no call to supervision)."""
        p = event.payload
        store.add_special_report(
            uow.session,
            ref=p["report_ref"],
            project_id=p["project_id"],
            cause=p["cause"],
            summary=p["summary"],
            document=p["document"],
            filed_by=p["filed_by"],
            filed_at=datetime.fromisoformat(p["filed_at"]),
        )

    # -- supervision: the problems raised on a project, its owner's to-do until resolved (R11) ---------------
    @on_event("supervision.problem_raised")
    def on_problem_raised(self, body):
        event = Envelope.load(body)
        self._note(event, "supervision.problem_raised", reason_of(event.payload))

    @on_event("supervision.problem_resolved")
    def on_problem_resolved(self, body):
        event = Envelope.load(body)
        self._note(event, "supervision.problem_resolved", reason_of(event.payload))

    # -- supervision: the yearly per-mu benefit grade of the project's investor (R17) ----------------
    @on_event("supervision.benefit_graded")
    def on_benefit_graded(self, body):
        event = Envelope.load(body)
        self._note(event, "supervision.benefit_graded", reason_of(event.payload))

    # standard land (R17): a rectification, damages, damages settled go on the project's timeline
    @on_event("supervision.rectification_opened")
    def on_rectification_opened(self, body):
        event = Envelope.load(body)
        self._note(event, "supervision.rectification_opened", reason_of(event.payload))

    @on_event("supervision.commitment_unmet")
    def on_commitment_unmet(self, body):
        event = Envelope.load(body)
        self._note(event, "supervision.commitment_unmet", reason_of(event.payload))

    @on_event("supervision.damages_recorded")
    def on_damages_recorded(self, body):
        event = Envelope.load(body)
        self._note(event, "supervision.damages_recorded", reason_of(event.payload))

    @on_event("supervision.damages_reduction_decided")
    def on_damages_reduction_decided(self, body):
        """A principal's decision on reducing standard-land damages (both principals reduce them), on the timeline."""
        event = Envelope.load(body)
        self._note(event, "supervision.damages_reduction_decided", reason_of(event.payload))

    @on_event("supervision.damages_settled")
    def on_damages_settled(self, body):
        event = Envelope.load(body)
        self._note(event, "supervision.damages_settled", reason_of(event.payload))

    # -- accounting (R12) -------------------------------------------------------------------------
    @on_event("accounting.opened")
    def on_accounting_opened(self, body):
        event = Envelope.load(body)
        self._advance(event, "on_accounting_opened", facts={"accounting_units": event.payload["participants"]})

    @on_event("accounting.figures_computed")
    def on_figures_computed(self, body):
        event = Envelope.load(body)
        self._note(event, "accounting.figures", reason_of(event.payload))

    @on_event("accounting.report_issued")
    def on_report_issued(self, body):
        event = Envelope.load(body)
        self._note(event, "accounting.report", reason_of(event.payload))

    @on_event("accounting.recovery_recorded")
    def on_recovery_recorded(self, body):
        event = Envelope.load(body)
        self._note(event, "accounting.recovery", reason_of(event.payload))

    @on_event("accounting.write_off_decided")
    def on_write_off_decided(self, body):
        """A principal's decision on writing off the remainder of the fee (R12), on the timeline."""
        event = Envelope.load(body)
        self._note(event, "accounting.write_off", reason_of(event.payload))

    @on_event("accounting.closed")
    def on_accounting_closed(self, body):
        event = Envelope.load(body)
        self._advance(
            event,
            "on_accounting_closed",
            facts={
                "accounting": {
                    "fee": event.payload["fee"],
                    "recovered": event.payload["recovered"],
                    "written_off": event.payload.get("written_off", "0.00"),
                }
            },
        )

    def _obligation_note(self, event: Envelope, kind: str, red_flag: bool = False) -> None:
        """An obligation's news on the timeline, and its current state in the project's facts (R7)."""
        obligation = event.payload["obligation"]
        with self.db.handle_once(event.event_id, kind) as uow:
            if uow is not None:
                store.note_activity(
                    uow,
                    event.project_id,
                    kind,
                    reason_of(event.payload),
                    event.payload,
                    event.actor.dump(),
                    event.occurred_at,
                    event.event_id,
                )
                store.merge_facts(
                    uow, event.project_id, obligation_key=obligation["key"], obligation=obligation, red_flag=red_flag
                )
                self._ledger(uow, event)

    def _advance_or_note(self, event: Envelope, kind: str) -> None:
        if event.payload.get("state_change"):
            self._advance(event, f"on_{kind}")
        else:
            self._note(event, kind, reason_of(event.payload))

    def _note(self, event: Envelope, kind: str, summary) -> None:
        with self.db.handle_once(event.event_id, kind) as uow:
            if uow is not None:
                store.note_activity(
                    uow,
                    event.project_id,
                    kind,
                    summary,
                    event.payload,
                    event.actor.dump(),
                    event.occurred_at,
                    event.event_id,
                )
                self._ledger(uow, event)

    def _advance(self, event: Envelope, handler: str, facts: dict | None = None) -> None:
        with self.db.handle_once(event.event_id, handler) as uow:
            if uow is not None:
                trigger = domain.trigger_of(event.type, event.payload)
                why = reason_of(event.payload)
                moved = store.advance(
                    uow,
                    event.project_id,
                    trigger,
                    event.actor.dump(),
                    event.occurred_at,
                    why,
                    event.event_id,
                    facts=facts,
                    round_=domain.event_round(event.type, event.payload),
                )
                if moved is None:  # of an earlier negotiation round: on the timeline only
                    store.note_activity(
                        uow,
                        event.project_id,
                        event.type,
                        _("(earlier round) {reason}", reason=why or ""),
                        event.payload,
                        event.actor.dump(),
                        event.occurred_at,
                        event.event_id,
                    )
                self._ledger(uow, event)

    # -- commands and reads ------------------------------------------------------
    @rpc
    def emitted(self, project_id, event_types):
        """What the coordinator committed for the project (``shared.catch_up``), once it has handled every event of
        the project its sources committed (bounded): a copy of the lifecycle waiting for a change the coordinator is
        about to make (the hand-over moves the project to construction) waits for that change too.  Asked only for
        its state changes, it catches up step by step on the events that can move the project from the state it
        holds (``domain.moving_events``: the hand-over's owner alone when the contract is filed), from each state it
        reaches, until none is on its way."""
        if set(event_types) <= {domain.STATE_CHANGED}:
            outcome = self._catch_up_moves(project_id)
        else:
            outcome = catch_up(self, project_id, HEARD)
        if outcome == GIVE_UP:  # what it is about to emit is unknown: the asker waits
            raise NotYet(
                _("the coordinator has not yet heard every step of {project}", project=project_id),
                {"project_id": [project_id]},
            )
        return emitted_events(self.db.session, self.db.outbox, project_id, event_types)

    def _catch_up_moves(self, project_id: str) -> str:
        deadline = monotonic() + bound_of(self.policy)[0]
        while True:
            row = store.find_project_row(self.db.session, project_id)
            self.db.session.rollback()  # the next look reads afresh
            heard = HEARD if row is None else domain.moving_events(row["state"])
            outcome = catch_up(self, project_id, heard, deadline=deadline)
            if outcome != WAIT or row is None:  # nothing on its way from this state, or the bound reached
                return outcome

    @rpc
    @waits_for(*HEARD)
    def terminate_project(self, actor, project_id, data):
        """Terminate for objective reasons (R11): only with a special report to the LG."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.terminate_project", self.policy.authority)
        data = load_or_invalid(schema(TerminateInputSchema), data)
        store.get_project_row(self.db.session, project_id)  # NotFound before the report is looked for
        report = self._special_report(data["special_report_ref"])
        domain.check_termination_report(report, project_id, data["special_report_ref"])
        with self.db.unit_of_work() as uow:
            store.advance(
                uow,
                project_id,
                domain.TERMINATE,
                actor.dump(),
                now_shanghai(),
                data["reason"],
                None,
                facts={"special_report_ref": data["special_report_ref"], "special_report": domain.report_fact(report)},
            )
            self._ledger(uow)
        return self.get_project(actor.dump(), project_id)

    def _special_report(self, ref: str) -> dict | None:
        """The report in the coordinator's copy of the register (R11), or None.  A report filed a moment before may
        still be on its way (``supervision.special_report_filed``): it is waited for, briefly."""
        bound, step = bound_of(self.policy)  # the policy's bound of waiting for an event (thresholds.catch_up)
        waited = 0.0
        while (report := store.special_report(self.db.session, ref)) is None and waited < bound:
            self.db.session.rollback()  # a fresh read next time
            eventlet.sleep(step)
            waited += step
        return report

    @rpc
    def get_project(self, actor, project_id):
        actor = Actor.load(actor)
        session = self.db.session
        row = dict(store.get_project_row(session, project_id))
        need_to_know.check(
            actor, "coordinator.read_project", self.policy.authority, project_units(row["facts"], self.policy)
        )
        steps = store.timeline(session, project_id)
        now = now_shanghai()
        for step, following in zip(steps, steps[1:] + [None]):
            end = following["at"] if following else now
            step["time_in_state_seconds"] = int((end - step["at"]).total_seconds())
        entries = [
            {
                **s,
                "kind": "transition",
                "summary": transition_summary(s["from_state"], s["to_state"]),
                "reason": read_text(s["reason"]),
            }
            for s in steps
        ]
        entries += [
            {
                "kind": a["kind"],
                "summary": read_text(a["summary"]),
                "actor": a["actor"],
                "at": a["at"],
                "event_id": a["event_id"],
                "details": a["details"],
            }
            for a in store.activities(session, project_id)
        ]
        entries.sort(key=lambda e: (e["at"], e["kind"] != "transition"))
        for entry in entries:
            entry["at"] = to_shanghai(entry["at"])
            entry["who"] = vocabulary.actor_label(entry["actor"])
        row.update(
            timeline=entries,
            allowed_next=domain.allowed_triggers(row["state"]),
            state_since=to_shanghai(row["state_since"]),
            created_at=to_shanghai(row["created_at"]),
            basic=self._basic(session, project_id),
        )
        return schema(ProjectSchema).dump(row)

    BASIC = (
        "investor_name",
        "credit_code",
        "sector",
        "planned_total_investment",
        "fixed_asset_investment",
        "contracted_investment",
        "land_mu",
        "location",
        "responsible_unit",
        "responsible_person",
        "responsible_leader",
        "liaison_leader",
        "is_key",
        "key_basis",
        "tier",
        "registered_unit",
        "registered_on",
    )

    def _basic(self, session, project_id: str) -> dict | None:
        """The project file's basic information, from its ledger row (for every reader of the project)."""
        row = ledger_store.row_data(session, project_id, missing_ok=True)
        if row is None:
            return None
        basic = {k: row.get(k) for k in self.BASIC}
        if basic.get("sector"):  # by its GB/T 4754 name (the code beside it)
            basic["sector_name"] = to_wire(_("{sector:sector}", sector=basic["sector"]))
        place = basic.get("location")  # kept as the county writes it: a park or town by its name in each language
        if place == "待定":
            basic["location_name"] = to_wire(_("{x:location}", x="open"))
        elif place and (unit := vocabulary.unit_of_name(place)) and unit.startswith(("PARK:", "TOWN:")):
            basic["location_name"] = to_wire(_("{u:unit}", u=unit))
        if basic.get("tier"):  # the tier's band in words (A类（1亿元以上）)
            basic["tier_name"] = to_wire(tier_label(basic["tier"], self.policy))
        return basic

    @rpc
    def list_projects(self, actor, state=None, limit=50, offset=0):
        actor = Actor.load(actor)
        limit, offset, state = min(int(limit), 500), int(offset), self._state(state)
        if need_to_know.check_lists(actor, "coordinator.read_project", self.policy.authority):
            rows, total = store.list_projects(self.db.session, state, limit, offset)
            return {
                "total": total,
                "items": schema(ProjectSummarySchema, many=True).dump(rows),
                "by_state": store.counts_by_state(self.db.session),
            }
        mine = [
            r
            for r in store.list_projects(self.db.session, None, None, 0)[0]
            if need_to_know.readable(
                actor, "coordinator.read_project", self.policy.authority, project_units(r["facts"], self.policy)
            )
        ]
        chosen = [r for r in mine if not state or r["state"] == state]
        return {
            "total": len(chosen),
            "items": schema(ProjectSummarySchema, many=True).dump(chosen[offset : offset + limit]),
            "by_state": dict(Counter(r["state"] for r in mine)),
        }

    @rpc
    def lifecycle(self):
        """The transition table, for the API and the docs."""
        return [
            {"from": list(t.from_states), "to": t.to_state, "trigger": t.trigger, "rule": t.rule, "by": Message(t.by)}
            for t in domain.TRANSITIONS
        ]

    # -- the ledger (R10), key projects, funds in place, the LG's targets (R14) ----------------------------------
    def _ledger(self, uow, *events: Envelope) -> None:
        """Fold the event handled, and the state change it caused, into the ledger — same transaction."""
        ledger_store.record(uow, [*events, *uow.emitted], self.policy)

    def _act(self, uow, event_type: str, actor: Actor, project_id: str, payload: dict) -> None:
        """The coordinator's own act on the ledger: journaled and folded like any event. It is not
        published (no service subscribes to it yet; an event no queue takes would stay in the outbox)."""
        ledger_store.record(
            uow,
            [Envelope(event_type, actor, payload=payload, project_id=project_id, occurred_at=self.clock())],
            self.policy,
        )

    def _ledger_scope(self, actor: Actor, unit: str | None) -> str | None:
        """IPB and the LG read every row; a park or town reads the rows it is responsible for."""
        return ledger.ledger_scope(actor.unit, unit)

    def _query(self, actor: Actor, query) -> dict:
        q = load_or_invalid(schema(LedgerQuerySchema), query or {})
        if q["tier"] and q["tier"] != "none" and q["tier"] not in tier_names(self.policy):
            raise InvalidInput.for_field(
                "tier", _("must be one of: {choices:list}", choices=[*tier_names(self.policy), "none"])
            )
        return {
            "book": q["book"],
            "unit": self._ledger_scope(actor, self._unit(q["unit"])),
            "state": self._state(q["state"]),
            "sector": (q["sector"] or "").upper() or None,
            "tier": q["tier"],
            "key": q["key"],
            "overdue": q["overdue"],
            "today": to_shanghai(self.clock()).date(),
            "sort": q["sort"],
            "descending": q["order"] == "desc",
            "limit": q["limit"],
            "offset": q["offset"],
        }

    def _row(self, actor: Actor, project_id: str, lock: bool = False, session=None) -> dict:
        row = ledger_store.row_data(session or self.db.session, project_id, lock=lock)
        return ledger.check_reads_row(actor.unit, row, project_id)

    def _page(self, rows, total) -> dict:
        """A page as ``LedgerPageSchema`` dumps it.  A row's view holds only what JSON holds (strings, numbers,
        booleans, lists and dicts from the row's JSON), so the dump only keeps the schema's fields: done here
        without marshmallow's per-field work, ~40 % of a 50-row page's time in the coordinator's profile
        (``test_a_page_is_what_the_wire_schema_dumps`` holds the two equal)."""
        now, roster = self.clock(), self._roster()
        return {
            "total": total,
            "items": [
                {k: v[k] for k in ROW_FIELDS if k in v}
                for v in (ledger.view(r, now, self.policy, roster) for r in rows)
            ],
        }

    @rpc
    def ledger(self, actor, query=None):
        """A book of the ledger (or all three): filters by unit, state, sector, tier, key project, overdue;
        sorting; paging."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.read_ledger", self.policy.authority)
        return self._page(*ledger_store.list_rows(self.db.session, **self._query(actor, query)))

    @rpc
    def ledger_row(self, actor, project_id):
        actor = Actor.load(actor)
        authorize(actor, "coordinator.read_ledger", self.policy.authority)
        return schema(LedgerRowSchema).dump(
            ledger.view(self._row(actor, project_id), self.clock(), self.policy, self._roster())
        )

    @rpc
    def ledger_workbook(self, actor, query=None):
        """The three books as one Excel workbook in the county offices' layout (filters as ``ledger``), written
        as the rows are read, a batch at a time."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.read_ledger", self.policy.authority)
        q = {k: v for k, v in self._query(actor, query).items() if k not in ("limit", "offset")}
        now, roster = self.clock(), self._roster()

        def book_rows(book):
            for row in ledger_store.iter_rows(self.db.session, pause=self._between_batches, **{**q, "book": book}):
                yield ledger.view(row, now, self.policy, roster)

        today = to_shanghai(now).date()
        data = workbook.export({book: book_rows(book) for book in ledger.BOOKS}, self.policy, today, self._county())
        return schema(FileSchema).dump(
            {
                "filename": f"ledger-{today.isoformat()}.xlsx",
                "content_type": XLSX,
                "content_base64": base64.b64encode(data).decode(),
            }
        )

    def _between_batches(self) -> None:
        """A long read gives way: its transaction ends (SQLite's one pooled connection goes back to the pool for
        the events waiting on it) and the other green threads run."""
        self.db.session.commit()
        eventlet.sleep(0)

    @rpc
    def import_ledger(self, actor, data):
        """A county's existing ledger workbook: every row validated; any invalid row imports nothing
        (InvalidInput naming each sheet, row and column) — or, ``mode: partial``, the valid rows only."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.import_ledger", self.policy.authority)
        data = load_or_invalid(schema(ImportInputSchema), data)
        if not data["filename"].lower().endswith(".xlsx"):
            raise InvalidInput.for_field("filename", _("an Excel workbook (.xlsx) is imported"))
        try:
            content = base64.b64decode(data["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput.for_field("content_base64", _("is not valid base64")) from None
        limit = int(self.policy.get("documents.max_size_bytes"))
        if not content or len(content) > limit:
            raise InvalidInput.for_field(
                "content_base64", _("is {size} bytes; 1 to {limit} bytes are accepted", size=len(content), limit=limit)
            )
        now = self.clock()
        today = to_shanghai(now).date()
        with self.db.unit_of_work() as uow:
            rows, problems = workbook.read(
                content, self.policy, today, lambda ref: ledger_store.ref_taken(uow.session, ref)
            )
            ledger.check_importable(problems, data["mode"])
            refs = []
            for row in rows:
                row["ref"] = row["ref"] or self._free_ref(uow.session, today, refs)
                refs.append(row["ref"])
                self._act(
                    uow,
                    "coordinator.ledger_row_imported",
                    actor,
                    f"imp-{uuid.uuid4().hex}",
                    {**row, **reason(_("imported from {filename}", filename=data["filename"]))},
                )
        return schema(ImportReportSchema).dump(
            {"mode": data["mode"], "imported": len(refs), "refs": refs, "errors": [p.dump() for p in problems]}
        )

    @staticmethod
    def _free_ref(session, today, taken: list[str]) -> str:
        n = 1
        while (ref := f"TZ{today.year}-{n:04d}") in taken or ledger_store.ref_taken(session, ref):
            n += 1
        return ref

    @rpc
    def rebuild_ledger(self, actor):
        """Fold the whole journal again (after a change of the policy's thresholds, or to check the live rows)."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.rebuild_ledger", self.policy.authority)
        with self.db.unit_of_work() as uow:
            rows = ledger_store.rebuild(uow, self.policy)
        return {"rows": rows}

    @rpc
    @waits_for(*HEARD)
    def set_key_project(self, actor, project_id, data):
        """The LG designates a key project (or confirms one over the threshold), with its one county-level
        liaison leader and its named full-time service team (R10)."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.set_key_project", self.policy.authority)
        data = load_or_invalid(schema(KeyProjectInputSchema), data)
        with self.db.unit_of_work() as uow:
            row = self._row(actor, project_id, lock=True, session=uow.session)
            ledger.check_key_project(row, data, self.policy)
            why = data["reason"] or (
                _("designated by the Leading Group")
                if data["designated"]
                else _("total investment at or above the key-project threshold")
            )
            self._act(uow, "coordinator.key_project_set", actor, project_id, {**data, **reason(why)})
        return self.ledger_row(actor.dump(), project_id)

    @rpc
    def key_projects_of(self, actor):
        """The acting liaison leader's own list of key projects."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.read_key_projects", self.policy.authority)
        return self._page(
            *ledger_store.list_rows(self.db.session, key=True, liaison_user=actor.user_id, limit=None, sort="ref")
        )

    @rpc
    @waits_for(*HEARD)
    def assign_responsibility(self, actor, project_id, data):
        """IPB names a project's responsible leader and/or responsible person (R10)."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.assign_responsibility", self.policy.authority)
        data = load_or_invalid(schema(ResponsibilityInputSchema), data)
        with self.db.unit_of_work() as uow:
            self._row(actor, project_id, lock=True, session=uow.session)
            self._act(
                uow,
                "coordinator.responsibility_assigned",
                actor,
                project_id,
                {
                    **data,
                    **reason(
                        _(
                            "responsibility assigned: {who:list}",
                            who=[_("{field:field}: {name}", field=k, name=v["name"]) for k, v in data.items()],
                        )
                    ),
                },
            )
        return self.ledger_row(actor.dump(), project_id)

    @rpc
    @waits_for(*HEARD)
    def set_requirements(self, actor, project_id, data):
        """The advancement requirements (next steps with due dates) of a project, by IPB or its unit."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(RequirementsInputSchema), data)
        with self.db.unit_of_work() as uow:
            row = ledger_store.row_data(uow.session, project_id, lock=True)
            authorize(
                actor,
                "coordinator.set_requirements",
                self.policy.authority,
                responsible_unit=row["responsible_unit"] or "-",
            )
            items = [
                {"step": r["step"], "due": r["due"].isoformat() if r["due"] else None, "done": r["done"]}
                for r in data["requirements"]
            ]
            self._act(
                uow,
                "coordinator.requirements_set",
                actor,
                project_id,
                {"requirements": items, **reason(_("advancement requirements set ({count:count})", count=len(items)))},
            )
        return self.ledger_row(actor.dump(), project_id)

    @rpc
    @waits_for(*HEARD)
    def record_funds_in_place(self, actor, project_id, data):
        """Funds actually in place (到位资金) for a contracted project, by IPB or the responsible unit (R14)."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(FundsInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            row = ledger_store.row_data(uow.session, project_id, lock=True)
            authorize(
                actor,
                "coordinator.record_funds_in_place",
                self.policy.authority,
                responsible_unit=row["responsible_unit"] or "-",
            )
            amount = ledger.check_funds(row, data, self.policy, to_shanghai(now).date())
            self._act(
                uow,
                "coordinator.funds_recorded",
                actor,
                project_id,
                {
                    "on": data["on"].isoformat(),
                    "amount": str(amount),
                    "note": data["note"],
                    **reason(_("funds in place on {on:date}: {amount:wan}", on=data["on"], amount=amount)),
                },
            )
        return self.ledger_row(actor.dump(), project_id)

    @rpc
    def set_targets(self, actor, year, data):
        """The LG's yearly targets per responsible unit: projects signed, contracted investment, funds in place."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.set_targets", self.policy.authority)
        data = load_or_invalid(schema(TargetsInputSchema), data)
        year = assessment.check_year(year)
        items = assessment.check_targets(year, data["targets"], self.policy)
        with self.db.unit_of_work() as uow:
            ledger_store.set_targets(uow.session, year, items, actor.dump(), self.clock())
        return self.targets(actor.dump(), year)

    @rpc
    def targets(self, actor, year):
        """Each unit's targets for the year and their completion, computed from the ledger (i.e. the events)."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.read_targets", self.policy.authority)
        year = assessment.check_year(year)
        session = self.db.session
        units = assessment.completion(
            year,
            ledger_store.targets_of(session, year),
            ledger_store.all_rows(session).values(),
            order=self._units_order(),
        )
        return schema(TargetsSchema).dump(
            {"year": year, "units": [{**u, "unit_name": _("{unit:unit}", unit=u["unit"])} for u in units]}
        )

    @rpc
    def work_summary(self, actor, period, kind="docx"):
        """The monthly (``2026-11``) or quarterly (``2026-Q4``) summary of all units' work, Word or Excel."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.read_summary", self.policy.authority)
        if kind not in SUMMARY_TYPES:
            raise InvalidInput.for_field("kind", _("must be one of: {choices:list}", choices=list(SUMMARY_TYPES)))
        p = assessment.period(period)
        session = self.db.session
        rows = list(ledger_store.all_rows(session).values())
        now = self.clock()
        end = min(now, datetime.combine(p.end, time(23, 59, 59), SHANGHAI))
        data = assessment.summary(
            period,
            rows,
            ledger_store.targets_of(session, p.year),
            self._units_order(),
            lambda row: ledger.view(row, end, self.policy)["red_flags"],
        )
        today = to_shanghai(now).date()
        if kind == "xlsx":
            content = summary_report.render_xlsx(data, self.policy, self._county(), today)
        else:  # a report in 公文 form: its number (and date) issued once, the same on every later request
            session.rollback()  # no read transaction held into the write (SQLite: a stale read cannot write)
            with self.db.unit_of_work() as uow:
                number = gongwen.allocate(
                    uow.session,
                    models.document_numbers,
                    gongwen.routing(self.policy, "work_summary").issuer,
                    f"work_summary:{period}",
                    today,
                )
            render = summary_report.render_docx if kind == "docx" else summary_report.render_pdf
            content = render(data, self.policy, self._county(), number.text, number.issued_on)
        return schema(FileSchema).dump(
            {
                "filename": f"summary-{period}.{kind}",
                "content_type": SUMMARY_TYPES[kind],
                "content_base64": base64.b64encode(content).decode(),
            }
        )

    @staticmethod
    def _state(text: str | None) -> str | None:
        """A state filter: a state's code or its name in either language (联审中, under joint review)."""
        if not text:
            return None
        state = vocabulary.state_of_name(text)
        if state is None:
            raise InvalidInput.for_field(
                "state", _("is not a state; one of: {states:states}", states=list(domain.STATES))
            )
        return state

    @staticmethod
    def _unit(text: str | None) -> str | None:
        """A unit filter: a unit's code or its name (衡东工业园, 县发改局)."""
        if not text:
            return None
        unit = vocabulary.unit_of_name(text)
        if unit is None:
            raise InvalidInput.for_field("unit", _("is not a unit of the county: {unit}", unit=text))
        return unit

    def _county(self) -> str:
        return self.policy.get("county.county.name_zh")

    def _units_order(self) -> list[str]:
        return (
            [p.unit for p in self.policy.parks.values()]
            + [t.unit for t in self.policy.towns.values()]
            + ["IPB", "DRB", "IND"]
        )

    # -- the workbench, search and the project's file -------------------------------------------------------------
    @rpc
    def workbench(self, actor):
        """The actor's to-dos (what their unit and position must do now, nearest deadline first, with the count
        of each kind), what they did lately, and their deadlines within ``thresholds.workbench.soon_days``."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.read_workbench", self.policy.authority)
        session = self.db.session
        items, counts = workbench_store.to_dos(session, actor, self.policy.authority)
        today = to_shanghai(self.clock()).date()
        soon = today + timedelta(days=self.policy.integer("thresholds.workbench.soon_days"))
        for item in items:
            item["overdue"] = bool(item["due"] and item["due"] < today.isoformat())
        return {
            "today": today.isoformat(),
            "counts": counts,
            "total": sum(counts.values()),
            "items": items,
            "due_soon": [i for i in items if i["due"] and i["due"] <= soon.isoformat()],
            "done": workbench_store.done(session, actor.user_id),
        }

    @rpc
    def search(self, actor, query=None):
        """Leads, projects and investors by a fragment of a name (two Chinese characters are enough), an
        investor's name or credit code, a reference; filters: state, unit, year."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.search", self.policy.authority)
        q = load_or_invalid(schema(SearchQuerySchema), query or {})
        if q["state"] and q["state"] not in domain.STATES:
            raise InvalidInput.for_field("state", _("one of: {states:states}", states=list(domain.STATES)))
        every = need_to_know.reads_all(actor, "coordinator.read_project", self.policy.authority)
        items = workbench_store.find(
            self.db.session,
            actor,
            q["q"],
            all_units=actor.unit in ("IPB", "LG"),
            state=q["state"],
            unit=q["unit"],
            year=q["year"],
            limit=q["limit"] if every else q["limit"] * 4,
        )
        if not every:  # need-to-know (R15): only the projects the actor's unit takes part in
            items = [i for i in items if i["kind"] == "lead" or self._may_read(actor, i["project_id"])][: q["limit"]]
        return {"q": q["q"], "items": items}

    def _may_read(self, actor: Actor, project_id: str) -> bool:
        row = store.find_project_row(self.db.session, project_id)
        return row is not None and need_to_know.readable(
            actor, "coordinator.read_project", self.policy.authority, project_units(row["facts"], self.policy)
        )

    def _attachment_row(self, session, actor: Actor, project_id: str) -> dict:
        row = dict(store.get_project_row(session, project_id))
        need_to_know.check(
            actor, "coordinator.read_attachments", self.policy.authority, project_units(row["facts"], self.policy)
        )
        return row

    @rpc
    @waits_for(*HEARD)
    def attach(self, actor, project_id, data, replaces=None):
        """A document of the project's file (a kind of ``documents.attachments``), its type read from its content;
        with ``replaces``, a new version of an attachment of the same kind (while its stage is open)."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(AttachmentInputSchema), data)
        try:
            content = base64.b64decode(data["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput.for_field("content_base64", _("is not valid base64")) from None
        project = store.get_project_row(self.db.session, project_id)
        ledger_row = ledger_store.row_data(self.db.session, project_id, missing_ok=True) or {}
        spec = attachments.check_open(data["kind"], project["state"], self.policy)
        authorize(
            actor,
            attachments.operation(data["kind"]),
            self.policy.authority,
            responsible_unit=ledger_row.get("responsible_unit") or "IPB",
            owner_unit=ledger_row.get("registered_unit") or "IPB",
        )
        old = workbench_store.attachment(self.db.session, project_id, replaces) if replaces is not None else None
        attachments.check_replaces(old, data["kind"], replaces)
        self.db.session.rollback()
        document = self.documents.save_by_content(
            data["filename"], content, spec["types"], attachments.max_size(self.policy), field="file"
        )
        with self.db.unit_of_work() as uow:
            new_id = workbench_store.add_attachment(
                uow.session,
                project_id,
                data["kind"],
                document.dump(),
                data["note"],
                project["state"],
                actor.dump(),
                self.clock(),
                replaces=old and old["id"],
            )
        return self._attachment_view(workbench_store.attachment(self.db.session, project_id, new_id))

    def _attachment_view(self, row) -> dict:
        spec = attachments.kinds(self.policy).get(row["kind"], {})
        return {
            "id": row["id"],
            "kind": row["kind"],
            "kind_name": named(spec, row["kind"]),
            "filename": row["filename"],
            "content_type": row["content_type"],
            "size": row["size"],
            "sha256": row["document_id"],
            "note": row["note"],
            "by": row["by"],
            "at": to_shanghai(row["at"]).isoformat(),
            "replaces": row["replaces"],
            "replaced_by": row["replaced_by"],
            "confidential": bool(spec.get("confidential")),
        }

    @rpc
    def attachments(self, actor, project_id):
        """The project's file: every attachment (current versions first), and the kinds the actor may attach now."""
        actor = Actor.load(actor)
        session = self.db.session
        project = self._attachment_row(session, actor, project_id)
        ledger_row = ledger_store.row_data(session, project_id, missing_ok=True) or {}
        context = {
            "responsible_unit": ledger_row.get("responsible_unit") or "IPB",
            "owner_unit": ledger_row.get("registered_unit") or "IPB",
        }
        open_kinds = [
            {"kind": k, "name": named(v, k), "types": list(v["types"])}
            for k, v in attachments.kinds(self.policy).items()
            if project["state"] in v["open_in"]
            and is_allowed(actor, attachments.operation(k), self.policy.authority, **context)
        ]
        items = [self._attachment_view(r) for r in workbench_store.attachments_of(session, project_id)]
        return {
            "project_id": project_id,
            "items": items,
            "may_attach": open_kinds,
            "max_size_bytes": attachments.max_size(self.policy),
        }

    @rpc
    def attachment_document(self, actor, project_id, attachment_id):
        """An attachment's content (base64) with its SHA-256; a confidential one only as the contract is read
        (R13: the contracts service decides and audits)."""
        actor = Actor.load(actor)
        session = self.db.session
        self._attachment_row(session, actor, project_id)
        row = workbench_store.attachment(session, project_id, attachment_id)
        view = self._attachment_view(row)
        session.rollback()
        if view["confidential"]:
            self.contracts.check_confidential_read(
                actor.dump(),
                project_id,
                {"attachment": row["id"], "sha256": row["document_id"]},
                f"read {row['kind']} #{row['id']}",
            )
        return {**view, "content_base64": base64.b64encode(self.documents.load(row["document_id"])).decode()}
