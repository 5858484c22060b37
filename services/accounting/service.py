"""accounting — investment accounting, excess land and fee recovery (R12).

An accounting opens by itself once the contracted construction period is over
(the completion date of ``contracts.signed`` has passed: a timer checks the
projects in construction, ``open_due_accountings``) or when IPB opens it.  AUDIT enters the audited actual fixed-asset investment and
LAND the land actually used — each only by that unit; the figures are then
computed (``domain.compute``) with their formulas.  The written report goes to
the county party committee and government as a Word document and a PDF; its fee
is one receivable owed by the investor, recovered by FIN (collects), LAND (the
land) and LEGAL (legal action) whose payments add up to it; the accounting
closes when nothing is owed: no fee, the fee settled, or the remainder written
off by the principals.  The rules and the table of states are ``domain``'s.
"""

from __future__ import annotations

import base64
from datetime import datetime
from decimal import Decimal

from services.accounting import domain, models, report, store
from shared import gongwen, need_to_know
from shared.actor import SYSTEM, Actor, authorize
from shared.bus import on_event
from shared.clock import to_shanghai
from shared.catch_up import CatchUp, Emits, waits_for
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Clock, Documents, PolicyData
from shared.envelope import Envelope
from shared.lifecycle_copy import copy_filed_project, copy_responsible_unit, follow_event
from shared.errors import InvalidInput
from shared.i18n import _, from_wire, reason, to_wire
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.timers import every
from shared.units import UnitError, land_in_mu, quantize_money
from shared.wire.accounting import (
    AccountingSchema,
    ActualFaiInputSchema,
    LandUsedInputSchema,
    OpenInputSchema,
    RecoveryInputSchema,
    ReportInputSchema,
    WriteOffInputSchema,
)


ACCOUNTING_SCAN_SECONDS = 60  # how often construction periods are checked (operational, not policy)


class AccountingService(Emits):
    name = "accounting"

    db = Database(models.metadata)
    catch_up = CatchUp()
    relay = OutboxRelay()
    policy = PolicyData()
    clock = Clock()
    documents = Documents()

    @rpc
    def health(self):
        return {"service": self.name, "status": "ok", "policy": self.policy.version}

    # -- what accounting learns from the others ------------------------------------------------
    @on_event("intake.project_filed")
    @handled_once
    def on_project_filed(self, event, uow):
        copy_filed_project(
            uow.session,
            models.projects,
            event,
            {"ref": "ref", "project_name": "project_name", "investor_name": "investor_name"},
        )

    @on_event("negotiation.unit_assigned")
    @handled_once
    def on_unit_assigned(self, event, uow):
        copy_responsible_unit(uow.session, models.projects, event)

    @on_event("contracts.signed")
    @handled_once
    def on_contract_signed(self, event, uow):
        store.project(uow.session, event.project_id)
        store.set_project(uow.session, event.project_id, contract_terms=event.payload["terms"])

    @on_event("coordinator.project_state_changed")
    def on_project_state_changed(self, body):
        follow_event(self.db, models.projects, Envelope.load(body))

    @every("ZS_ACCOUNTING_SCAN_SECONDS", ACCOUNTING_SCAN_SECONDS)
    def open_due_accountings(self) -> int:
        """R12: a project in construction whose contracted construction period is over gets its accounting, opened
        by the platform itself (once: an accounting is one row per project); returns how many were opened."""
        today = to_shanghai(self.clock()).date()
        session = self.db.session
        due = domain.accountings_due(store.in_construction_without_accounting(session), today)
        session.commit()
        opened = 0
        for project in due:
            completion = project["contract_terms"]["completion"]
            with self.db.unit_of_work() as uow:
                if store.has_accounting(uow.session, project["project_id"]):
                    continue  # another instance opened it meanwhile
                self._open(
                    uow,
                    project["project_id"],
                    SYSTEM,
                    "construction_period_ended",
                    _(
                        "the contracted completion date {completion:date} has passed: the construction period is over",
                        completion=completion,
                    ),
                    completion=completion,
                )
            opened += 1
        return opened

    # -- opening and the figures ---------------------------------------------------------------------
    @rpc
    @waits_for(
        "intake.project_filed", "contracts.signed", "coordinator.project_state_changed", lifecycle=models.projects
    )
    def open_accounting(self, actor, project_id, data=None):
        actor = Actor.load(actor)
        authorize(actor, "accounting.open", self.policy.authority)
        data = load_or_invalid(schema(OpenInputSchema), data or {})
        with self.db.unit_of_work() as uow:
            domain.check_not_open(store.has_accounting(uow.session, project_id), project_id)
            self._open(
                uow, project_id, actor, "opened_by_ipb", data["reason"] or _("opened by {unit:unit}", unit="IPB")
            )
        return self.get_accounting(actor.dump(), project_id)

    @rpc
    def record_actual_fai(self, actor, project_id, data):
        """AUDIT's audited actual fixed-asset investment (yuan) — entered by AUDIT only."""
        actor = Actor.load(actor)
        authorize(actor, "accounting.record_actual_fai", self.policy.authority)
        data = load_or_invalid(schema(ActualFaiInputSchema), data)
        amount = domain.positive(
            data["amount"], "amount", self.policy.decimal("thresholds.intake.max_total_investment_yuan"), "yuan"
        )
        domain.check_fen(amount, "amount")
        with self.db.unit_of_work() as uow:
            self._record_figures(
                uow, project_id, actor, actual_fai=amount, actual_fai_by=actor.dump(), actual_fai_basis=data["basis"]
            )
        return self.get_accounting(actor.dump(), project_id)

    @rpc
    def record_land_used(self, actor, project_id, data):
        """LAND's measure of the land actually used (mu, m² or ha) — entered by LAND only."""
        actor = Actor.load(actor)
        authorize(actor, "accounting.record_land_used", self.policy.authority)
        data = load_or_invalid(schema(LandUsedInputSchema), data)
        try:
            land = land_in_mu(data["land"]["value"], data["land"]["unit"])
        except UnitError as exc:
            raise InvalidInput.for_field(f"land.{exc.field}", exc.rule) from None
        domain.positive(land, "land.value", self.policy.decimal("thresholds.intake.max_land_mu"), "mu")
        price = data["delisting_price_per_mu"]
        if price is not None:
            domain.positive(
                price,
                "delisting_price_per_mu",
                self.policy.decimal("thresholds.intake.max_total_investment_yuan"),
                "yuan",
            )
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            source = domain.LAND_RECORD
            if price is None:
                price, source = domain.delisting_price(
                    self.policy, project["responsible_unit"], project["contract_terms"]
                )
            self._record_figures(
                uow,
                project_id,
                actor,
                land_used_mu=land,
                land_used_by=actor.dump(),
                price_per_mu=price,
                price_source=source,
                land_used_input={
                    "value": str(data["land"]["value"]),
                    "unit": data["land"]["unit"],
                    "basis": data["basis"],
                },
            )
        return self.get_accounting(actor.dump(), project_id)

    # -- the report, the one receivable, closing ----------------------------------------------------------------
    @rpc
    def issue_report(self, actor, project_id, data=None):
        """The written report (Word + PDF) with the project, the figures, the opinion and the fee owed, once, with
        who does what to recover it.  The fee becomes the one receivable; with no fee the accounting closes."""
        actor = Actor.load(actor)
        authorize(actor, "accounting.open", self.policy.authority)
        data = load_or_invalid(schema(ReportInputSchema), data or {})
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.accounting(uow.session, project_id, lock=True)
            domain.check_act(current["state"], "issue_report")
            project = store.project(uow.session, project_id)
            receivable = domain.new_receivable(domain.figure(current["figures"], "fee_to_recover"))
            text = data["opinion"] or domain.opinion(current["figures"])
            document, number, routing = self._report_document(uow.session, project, current, receivable, text, now)
            docx = self.documents.save(f"{project['ref']}-accounting.docx", report.render_docx(document))
            issued = {
                "docx": docx.dump(),
                "pdf": None,
                "opinion": to_wire(text),
                "by": actor.dump(),
                "at": to_shanghai(now).isoformat(),
                "to": list(routing.to),
                "number": number.text,
            }
            state = domain.state_after(receivable)
            store.change(
                uow.session, current, report=issued, state=state, closed_at=now if state == domain.CLOSED else None
            )
            if receivable is not None:
                store.open_receivable(
                    uow.session,
                    project_id=project_id,
                    amount=receivable.amount,
                    paid=receivable.paid,
                    written_off=receivable.written_off,
                    status=receivable.status,
                    opened_at=now,
                )
            uow.emit(
                Envelope(
                    "accounting.report_issued",
                    actor,
                    project_id=project_id,
                    payload={
                        "documents": [docx.dump()],
                        "opinion": to_wire(text),
                        "number": number.text,
                        "fee": str(receivable.amount if receivable else "0.00"),
                        "recovery_units": list(domain.RECOVERY_ROLES) if receivable else [],
                        **reason(
                            _(
                                "accounting report {number} issued to the county party committee and government; the "
                                "investor owes {fee:yuan}",
                                number=number.text,
                                fee=receivable.amount,
                            )
                            if receivable
                            else _(
                                "accounting report {number} issued to the county party committee and government",
                                number=number.text,
                            )
                        ),
                    },
                )
            )
            self._close_if_done(uow, actor, project_id, current, receivable, state)
        return self.get_accounting(actor.dump(), project_id)

    @rpc
    def record_recovery(self, actor, project_id, data):
        """FIN, LAND or LEGAL records, in its role, a payment by the investor against the one fee (partial payments
        add up; more than is outstanding is refused) or an act without money.  The payment that settles the fee
        closes the accounting.  A payment whose voucher is already recorded is not counted again."""
        actor = Actor.load(actor)
        authorize(actor, "accounting.record_recovery", self.policy.authority)
        domain.check_recovery_unit(actor.unit)
        data = load_or_invalid(schema(RecoveryInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.accounting(uow.session, project_id, lock=True)
            seen = data["voucher"] and store.entry_with_voucher(uow.session, project_id, data["voucher"])
            if domain.is_repeated_voucher(seen or None, data["voucher"], actor.unit, data["amount"]):
                return self.get_accounting(actor.dump(), project_id)  # the same payment again: counted once
            domain.check_act(current["state"], "record_recovery")
            row = store.receivable(uow.session, project_id)
            receivable = _receivable(row)
            amount = data["amount"]
            if amount is None:
                domain.check_recovery_action(receivable)
                after, kind = receivable, domain.ACTION
            else:
                after, kind = domain.record_payment(receivable, amount), domain.PAYMENT
                amount = quantize_money(amount)  # (the rule above refused anything finer than a fen)
            store.add_entry(
                uow.session,
                project_id=project_id,
                unit=actor.unit,
                kind=kind,
                amount=amount,
                voucher=data["voucher"],
                note=data["note"],
                by=actor.dump(),
                at=now,
            )
            store.set_receivable(
                uow.session,
                project_id,
                paid=after.paid,
                status=after.status,
                ended_at=now if after.status != domain.OUTSTANDING else None,
            )
            state = domain.state_after(after)
            store.change(uow.session, current, state=state, closed_at=now if state == domain.CLOSED else None)
            uow.emit(
                Envelope(
                    "accounting.recovery_recorded",
                    actor,
                    project_id=project_id,
                    payload={
                        "unit": actor.unit,
                        "kind": kind,
                        "amount": amount and str(amount),
                        "voucher": data["voucher"],
                        "paid": str(after.paid),
                        "outstanding": str(after.outstanding),
                        "status": after.status,
                        **reason(_recovery_reason(actor.unit, kind, amount, data["note"], after)),
                    },
                )
            )
            self._close_if_done(uow, actor, project_id, current, after, state)
        return self.get_accounting(actor.dump(), project_id)

    @rpc
    def write_off(self, actor, project_id, data):
        """A principal's decision, with a reason, on writing off what is outstanding: written off when every
        principal agrees (the accounting then closes), refused by any refusal (the fee stays owed)."""
        actor = Actor.load(actor)
        authorize(actor, "accounting.write_off", self.policy.authority)
        data = load_or_invalid(schema(WriteOffInputSchema), data)
        principals = tuple(self.policy.get("authority.decision_authority.principals"))
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.accounting(uow.session, project_id, lock=True)
            domain.check_act(current["state"], "write_off")
            row = store.receivable(uow.session, project_id)
            receivable = _receivable(row)
            pending = domain.still_pending(_round(row), receivable)
            round_, outcome = domain.decide_write_off(receivable, pending, principals, actor.position, data["decision"])
            decision = {
                "position": actor.position,
                "decision": data["decision"],
                "reason": data["reason"],
                "amount": str(round_.amount),
                "outcome": outcome,
                "by": actor.dump(),
                "at": to_shanghai(now).isoformat(),
            }
            after = domain.after_write_off(receivable, round_) if outcome == domain.WRITTEN_OFF else receivable
            store.set_receivable(
                uow.session,
                project_id,
                decisions=row["decisions"] + [decision],
                write_off_round=None
                if outcome
                else {"amount": str(round_.amount), "decisions": dict(round_.decisions)},
                written_off=after.written_off,
                status=after.status,
                ended_at=now if after.status != domain.OUTSTANDING else None,
            )
            state = domain.state_after(after)
            store.change(uow.session, current, state=state, closed_at=now if state == domain.CLOSED else None)
            waiting = [p for p in principals if p not in round_.decisions]
            uow.emit(
                Envelope(
                    "accounting.write_off_decided",
                    actor,
                    project_id=project_id,
                    payload={
                        "position": actor.position,
                        "decision": data["decision"],
                        "amount": str(round_.amount),
                        "outcome": outcome,
                        "awaiting": [] if outcome else waiting,
                        **reason(
                            _write_off_reason(
                                actor.position, data["decision"], round_.amount, data["reason"], outcome, waiting
                            )
                        ),
                    },
                )
            )
            self._close_if_done(uow, actor, project_id, current, after, state)
        return self.get_accounting(actor.dump(), project_id)

    # -- reads -------------------------------------------------------------------------------------------
    @rpc
    def get_accounting(self, actor, project_id):
        actor = Actor.load(actor)
        session = self.db.session
        current = dict(store.accounting(session, project_id))
        project = store.project(session, project_id)
        self._may_read(actor, current, project)
        row = store.receivable(session, project_id)
        current.update(
            ref=project["ref"],
            project_name=project["project_name"],
            opened_at=to_shanghai(current["opened_at"]),
            closed_at=current["closed_at"] and to_shanghai(current["closed_at"]),
            receivable=row and _receivable_view(_receivable(row), row, store.entries_of(session, project_id)),
        )
        return schema(AccountingSchema).dump(current)

    @rpc
    def report_document(self, actor, project_id, kind="docx"):
        """The issued report's file (base64), for download."""
        actor = Actor.load(actor)
        current = store.accounting(self.db.session, project_id)
        self._may_read(actor, current, store.project(self.db.session, project_id))
        domain.check_report_issued(current["report"])
        if kind not in ("docx", "pdf"):
            raise InvalidInput.for_field("kind", _("must be one of: {choices:list}", choices=["docx", "pdf"]))
        ref = current["report"][kind] or self._render_pdf(project_id)
        return {**ref, "content_base64": base64.b64encode(self.documents.load(ref["id"])).decode()}

    def _report_document(self, session, project, current, receivable, text, now):
        """The report as issued (its 文号 the one it was given: asking again returns it), for Word and PDF alike."""
        routing = gongwen.routing(self.policy, "accounting_report")
        number = gongwen.allocate(
            session,
            models.document_numbers,
            routing.issuer,
            f"accounting_report:{project['project_id']}",
            to_shanghai(now).date(),
        )
        document = report.document(
            project,
            current,
            _receivable_view(receivable, None, []),
            text,
            number,
            routing,
            list(self.policy.get("authority.decision_authority.principals")),
        )
        return document, number, routing

    def _render_pdf(self, project_id: str) -> dict:
        """The issued report's PDF, laid out when it is first read (the Word document is the one written at issue;
        the PDF is the same document, from the same figures, opinion, number and date) and kept in the store."""
        with self.db.unit_of_work() as uow:
            current = store.accounting(uow.session, project_id, lock=True)
            if current["report"]["pdf"]:  # laid out meanwhile by another reader
                return current["report"]["pdf"]
            project = store.project(uow.session, project_id)
            receivable = domain.new_receivable(domain.figure(current["figures"], "fee_to_recover"))
            document, _number, _routing = self._report_document(
                uow.session,
                project,
                current,
                receivable,
                from_wire(current["report"]["opinion"]),
                datetime.fromisoformat(current["report"]["at"]),
            )
            pdf = self.documents.save(f"{project['ref']}-accounting.pdf", report.render_pdf(document)).dump()
            store.change(uow.session, current, report={**current["report"], "pdf": pdf})
        return pdf

    # -- helpers -----------------------------------------------------------------------------------------
    def _may_read(self, actor, current, project) -> None:
        """Need-to-know: the accounting's participants, the responsible unit and, once a fee is owed, the units that
        recover it (``accounting.record_recovery``)."""
        owed = store.receivable(self.db.session, project["project_id"]) is not None
        recovering = self.policy.authority["accounting.record_recovery"].get("units") or () if owed else ()
        need_to_know.check(
            actor,
            "accounting.read",
            self.policy.authority,
            need_to_know.project_units(project["responsible_unit"], more=[*current["participants"], *recovering]),
        )

    def _open(self, uow, project_id: str, actor: Actor, cause: str, why, **detail) -> None:
        project = store.project(uow.session, project_id)
        domain.check_can_open(project)
        participants = domain.participants(project["responsible_unit"])
        store.open_accounting(
            uow.session,
            project_id=project_id,
            opened_by=actor.dump(),
            opened_at=self.clock(),
            cause=cause,
            participants=participants,
        )
        uow.emit(
            Envelope(
                "accounting.opened",
                actor,
                project_id=project_id,
                payload={"cause": cause, "participants": participants, **reason(why), **detail},
            )
        )

    def _record_figures(self, uow, project_id: str, actor: Actor, **values) -> None:
        """A figure entered (state table: until the report); with both in, the figures are computed."""
        current = store.accounting(uow.session, project_id, lock=True)
        domain.check_act(current["state"], "record_figure")
        merged = {**current, **values}
        state = domain.state_after_figures(merged["actual_fai"], merged["land_used_mu"])
        figures = None
        if state == domain.COMPUTED:
            terms = store.project(uow.session, project_id)["contract_terms"]
            figures = domain.figures_for(
                merged["actual_fai"], merged["land_used_mu"], terms, merged["price_per_mu"], merged["price_source"]
            )
        store.change(uow.session, current, state=state, figures=figures, **values)
        if figures is not None:
            fee = domain.figure(figures, "fee_to_recover")
            uow.emit(
                Envelope(
                    "accounting.figures_computed",
                    actor,
                    project_id=project_id,
                    payload={
                        "figures": figures,
                        "fee": str(fee),
                        # who entered each measured figure (AUDIT, LAND): the event's actor entered only the last
                        "entered_by": {
                            "actual_fixed_asset_investment": merged["actual_fai_by"],
                            "land_used": merged["land_used_by"],
                        },
                        **reason(
                            _(
                                "figures computed: excess land {excess:mu}, fee {fee:yuan}",
                                excess=domain.figure(figures, "excess_land"),
                                fee=fee,
                            )
                        ),
                    },
                )
            )

    @staticmethod
    def _close_if_done(uow, actor: Actor, project_id: str, current, receivable, state: str) -> None:
        if state != domain.CLOSED:
            return
        uow.emit(
            Envelope(
                "accounting.closed",
                actor,
                project_id=project_id,
                payload={
                    "fee": str(domain.figure(current["figures"], "fee_to_recover")),
                    "recovered": str(receivable.paid if receivable else "0.00"),
                    "written_off": str(receivable.written_off if receivable else "0.00"),
                    **reason(domain.closing_reason(receivable)),
                },
            )
        )


def _receivable(row) -> domain.Receivable | None:
    return row and domain.Receivable(row["amount"], row["paid"], row["written_off"], row["status"])


def _round(row) -> domain.WriteOff | None:
    pending = row and row["write_off_round"]
    return pending and domain.WriteOff(Decimal(pending["amount"]), pending["decisions"])


def _receivable_view(receivable: domain.Receivable | None, row, entries: list) -> dict | None:
    """The one receivable as read: the amount once, what is paid, written off and outstanding, each unit's role,
    what each recorded, the principals' decisions."""
    if receivable is None:
        return None
    pending = domain.still_pending(_round(row), receivable)
    return {
        "amount": str(receivable.amount),
        "paid": str(receivable.paid),
        "written_off": str(receivable.written_off),
        "outstanding": str(receivable.outstanding),
        "status": receivable.status,
        "roles": [{"unit": unit, "role": to_wire(_(role))} for unit, role in domain.RECOVERY_ROLES.items()],
        "entries": [
            {
                "unit": e["unit"],
                "kind": e["kind"],
                "amount": e["amount"] and str(e["amount"]),
                "voucher": e["voucher"],
                "note": e["note"],
                "by": e["by"],
                "at": to_shanghai(e["at"]).isoformat(),
            }
            for e in entries
        ],
        "write_off": {
            "pending": pending and {"amount": str(pending.amount), "decisions": dict(pending.decisions)},
            "decisions": (row or {}).get("decisions") or [],
        },
        "opened_at": row and to_shanghai(row["opened_at"]).isoformat(),
        "ended_at": row and row["ended_at"] and to_shanghai(row["ended_at"]).isoformat(),
    }


def _recovery_reason(unit: str, kind: str, amount, note: str, after: domain.Receivable):
    """A recovery on the timeline: who, in which role, what was paid (or done), what is still owed."""
    said = dict(
        unit=unit, role=_(domain.RECOVERY_ROLES[unit]), note=note, outstanding=after.outstanding, fee=after.amount
    )
    if kind == domain.PAYMENT and after.status == domain.SETTLED:
        return _(
            "{unit:unit} ({role}): {amount:yuan} paid — {note}; the fee of {fee:yuan} is settled", amount=amount, **said
        )
    if kind == domain.PAYMENT:
        return _(
            "{unit:unit} ({role}): {amount:yuan} paid — {note}; {outstanding:yuan} of {fee:yuan} outstanding",
            amount=amount,
            **said,
        )
    return _("{unit:unit} ({role}): recorded — {note}; {outstanding:yuan} of {fee:yuan} outstanding", **said)


def _write_off_reason(position: str, decision: str, amount, why: str, outcome: str | None, waiting: list[str]):
    """A principal's decision on writing off the remainder, and where the round stands after it."""
    said = dict(position=position, decision=decision, amount=amount, reason=why)
    if outcome == domain.WRITTEN_OFF:
        return _(
            "{position:position} {decision:outcome} to write off the outstanding {amount:yuan}: {reason} — written "
            "off by the principals",
            **said,
        )
    if outcome == "refused":
        return _(
            "{position:position} {decision:outcome} to write off the outstanding {amount:yuan}: {reason} — the "
            "write-off is refused; the fee stays owed",
            **said,
        )
    return _(
        "{position:position} {decision:outcome} to write off the outstanding {amount:yuan}: {reason} — awaiting "
        "{waiting:positions}",
        waiting=waiting,
        **said,
    )
