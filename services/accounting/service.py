"""accounting — investment accounting, excess land and fee recovery (R12).

An accounting opens by itself once the contracted construction period is over
(the completion date of ``contracts.signed`` has passed: a timer checks the
projects in construction, ``open_due_accountings``) or when IPB opens it.  AUDIT enters the audited actual fixed-asset investment and
LAND the land actually used — each only by that unit; the figures are then
computed (``domain.compute``) with their formulas.  A fee creates recovery tasks
for FIN, LAND and LEGAL; the written report goes to the county party committee
and government as a Word document and a PDF; the accounting closes when the
report is issued and every task is settled, or waived by the authorised leader.
"""
from __future__ import annotations

import base64
from decimal import Decimal

from services.accounting import domain, models, report, store
from shared.actor import SYSTEM, Actor, authorize
from shared.bus import on_event
from shared.clock import to_shanghai
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Clock, Documents, PolicyData
from shared.envelope import Envelope
from shared.lifecycle_copy import copy_filed_project, copy_responsible_unit, follow_event
from shared.errors import Conflict, InvalidInput
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.timers import every
from shared.units import UnitError, land_in_mu, quantize_money
from shared.wire.accounting import (
    AccountingSchema, ActualFaiInputSchema, LandUsedInputSchema, OpenInputSchema, RecoveryInputSchema,
    ReportInputSchema, WaiveInputSchema,
)


ACCOUNTING_SCAN_SECONDS = 60  # how often construction periods are checked (operational, not policy)


class AccountingService:
    name = "accounting"

    db = Database(models.metadata)
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
        copy_filed_project(uow.session, models.projects, event,
                           {"ref": "ref", "project_name": "project_name", "investor_name": "investor_name"})

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
                self._open(uow, project["project_id"], SYSTEM, "construction_period_ended",
                           f"the contracted completion date {completion} has passed: the construction period is over",
                           completion=completion)
            opened += 1
        return opened

    # -- opening and the figures ---------------------------------------------------------------------
    @rpc
    def open_accounting(self, actor, project_id, data=None):
        actor = Actor.load(actor)
        authorize(actor, "accounting.open", self.policy.authority)
        data = load_or_invalid(schema(OpenInputSchema), data or {})
        with self.db.unit_of_work() as uow:
            if store.has_accounting(uow.session, project_id):
                raise Conflict("an accounting is already open for this project", {"project_id": [project_id]})
            self._open(uow, project_id, actor, "opened_by_ipb", data["reason"] or "opened by IPB")
        return self.get_accounting(actor.dump(), project_id)

    @rpc
    def record_actual_fai(self, actor, project_id, data):
        """AUDIT's audited actual fixed-asset investment (yuan) — entered by AUDIT only."""
        actor = Actor.load(actor)
        authorize(actor, "accounting.record_actual_fai", self.policy.authority)
        data = load_or_invalid(schema(ActualFaiInputSchema), data)
        amount = domain.positive(data["amount"], "amount",
                                 self.policy.decimal("thresholds.intake.max_total_investment_yuan"), "yuan")
        if amount != quantize_money(amount):
            raise InvalidInput.for_field("amount", "yuan are kept to 2 decimal places (fen)")
        with self.db.unit_of_work() as uow:
            current = self._open_accounting(uow, project_id)
            store.change(uow.session, current, actual_fai=amount, actual_fai_by=actor.dump(), actual_fai_basis=data["basis"])
            self._compute_if_ready(uow, project_id, actor)
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
            domain.positive(price, "delisting_price_per_mu", self.policy.decimal("thresholds.intake.max_total_investment_yuan"), "yuan")
        with self.db.unit_of_work() as uow:
            current = self._open_accounting(uow, project_id)
            project = store.project(uow.session, project_id)
            source = "the land record (entered by LAND)"
            if price is None:
                price, source = domain.delisting_price(self.policy, project["responsible_unit"])
            store.change(uow.session, current, land_used_mu=land, land_used_by=actor.dump(), price_per_mu=price,
                         price_source=source, land_used_input={"value": str(data["land"]["value"]),
                                                               "unit": data["land"]["unit"], "basis": data["basis"]})
            self._compute_if_ready(uow, project_id, actor)
        return self.get_accounting(actor.dump(), project_id)

    # -- the report, recovery, closing ------------------------------------------------------------------
    @rpc
    def issue_report(self, actor, project_id, data=None):
        """The written report (Word + PDF) with the project, the figures, the opinion and the recovery."""
        actor = Actor.load(actor)
        authorize(actor, "accounting.open", self.policy.authority)
        data = load_or_invalid(schema(ReportInputSchema), data or {})
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.accounting(uow.session, project_id, lock=True)
            if current["state"] != "computed":
                raise Conflict(f"the accounting is {current['state']}: the report needs both figures first",
                               {"state": [current["state"]]})
            project = store.project(uow.session, project_id)
            tasks = store.tasks_of(uow.session, project_id)
            text = data["opinion"] or domain.opinion(current["figures"])
            docx = self.documents.save(f"{project['ref']}-accounting.docx", report.render_docx(project, current, tasks, text))
            pdf = self.documents.save(f"{project['ref']}-accounting.pdf", report.render_pdf(project, current, tasks, text))
            issued = {"docx": docx.dump(), "pdf": pdf.dump(), "opinion": text, "by": actor.dump(),
                      "at": to_shanghai(now).isoformat(), "to": "county party committee and county government"}
            store.change(uow.session, current, report=issued)
            uow.emit(Envelope("accounting.report_issued", actor, project_id=project_id, payload={
                "documents": [docx.dump(), pdf.dump()], "opinion": text,
                "reason": "accounting report issued to the county party committee and government"}))
        return self.get_accounting(actor.dump(), project_id)

    @rpc
    def record_recovery(self, actor, project_id, unit, data):
        """FIN, LAND or LEGAL records what it recovered on its task, and whether the task is settled."""
        actor = Actor.load(actor)
        authorize(actor, "accounting.record_recovery", self.policy.authority, task_unit=unit)
        data = load_or_invalid(schema(RecoveryInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            task = store.task(uow.session, project_id, unit)
            if task["status"] != domain.OPEN:
                raise Conflict(f"the {unit} task is {task['status']}", {"status": [task["status"]]})
            if not store.accounting(uow.session, project_id)["report"]:
                raise Conflict("recovery is recorded on the issued figures: issue the report first", {"report": ["none"]})
            recovered = task["amount_recovered"] + quantize_money(data["amount"])
            entry = {"amount": str(quantize_money(data["amount"])), "note": data["note"], "by": actor.dump(),
                     "at": to_shanghai(now).isoformat()}
            store.set_task(uow.session, task["id"], amount_recovered=recovered, entries=task["entries"] + [entry],
                           status=domain.SETTLED if data["settled"] else domain.OPEN)
            uow.emit(Envelope("accounting.recovery_recorded", actor, project_id=project_id, payload={
                "unit": unit, "amount": entry["amount"], "recovered": str(recovered), "settled": data["settled"],
                "reason": f"{unit} recovered {entry['amount']} yuan{' (settled)' if data['settled'] else ''}: {data['note']}"}))
        return self.get_accounting(actor.dump(), project_id)

    @rpc
    def waive_recovery(self, actor, project_id, unit, data):
        """The authorised leader waives a recovery task, with a reason."""
        actor = Actor.load(actor)
        authorize(actor, "accounting.waive_recovery", self.policy.authority)
        data = load_or_invalid(schema(WaiveInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            task = store.task(uow.session, project_id, unit)
            if task["status"] != domain.OPEN:
                raise Conflict(f"the {unit} task is {task['status']}", {"status": [task["status"]]})
            store.set_task(uow.session, task["id"], status=domain.WAIVED,
                           waived={"by": actor.dump(), "reason": data["reason"], "at": to_shanghai(now).isoformat()})
            uow.emit(Envelope("accounting.recovery_waived", actor, project_id=project_id, payload={
                "unit": unit, "reason": f"{unit} task waived by {actor.position}: {data['reason']}"}))
        return self.get_accounting(actor.dump(), project_id)

    @rpc
    def close(self, actor, project_id):
        actor = Actor.load(actor)
        authorize(actor, "accounting.open", self.policy.authority)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.accounting(uow.session, project_id, lock=True)
            tasks = store.tasks_of(uow.session, project_id)
            domain.check_can_close(current["state"], current["report"] is not None, tasks)
            store.change(uow.session, current, state="closed", closed_at=now)
            uow.emit(Envelope("accounting.closed", actor, project_id=project_id, payload={
                "fee": next((f["value"] for f in current["figures"] if f["name"] == "fee_to_recover"), "0.00"),
                "recovered": str(sum((t["amount_recovered"] for t in tasks), Decimal("0.00"))),
                "reason": "accounting report issued; recovery " + ("settled or waived" if tasks else "not needed")}))
        return self.get_accounting(actor.dump(), project_id)

    # -- reads -------------------------------------------------------------------------------------------
    @rpc
    def get_accounting(self, actor, project_id):
        actor = Actor.load(actor)
        authorize(actor, "accounting.read", self.policy.authority)
        session = self.db.session
        current = dict(store.accounting(session, project_id))
        project = store.project(session, project_id)
        current.update(ref=project["ref"], project_name=project["project_name"], opened_at=to_shanghai(current["opened_at"]),
                       closed_at=current["closed_at"] and to_shanghai(current["closed_at"]),
                       tasks=[{k: (str(v) if k.startswith("amount") else v) for k, v in t.items() if k != "id"}
                              for t in store.tasks_of(session, project_id)])
        return schema(AccountingSchema).dump(current)

    @rpc
    def report_document(self, actor, project_id, kind="docx"):
        """The issued report's file (base64), for download."""
        actor = Actor.load(actor)
        authorize(actor, "accounting.read", self.policy.authority)
        current = store.accounting(self.db.session, project_id)
        if not current["report"]:
            raise Conflict("no report has been issued yet", {"report": ["none"]})
        if kind not in ("docx", "pdf"):
            raise InvalidInput.for_field("kind", "docx or pdf")
        ref = current["report"][kind]
        return {**ref, "content_base64": base64.b64encode(self.documents.load(ref["id"])).decode()}

    # -- helpers -----------------------------------------------------------------------------------------
    def _open(self, uow, project_id: str, actor: Actor, cause: str, reason: str, **detail) -> None:
        project = store.project(uow.session, project_id)
        # (the lifecycle copy follows construction and the states after it only: shared.topology.TAKES_ONLY)
        if project["lifecycle_state"] != "construction" or not project["contract_terms"]:
            where = project["lifecycle_state"] or "not yet in construction"
            raise Conflict(f"{project['ref']} is {where}: an accounting opens for a signed project in construction",
                           {"state": [where]})
        participants = domain.participants(project["responsible_unit"])
        store.open_accounting(uow.session, project_id=project_id, opened_by=actor.dump(), opened_at=self.clock(),
                              cause=cause, participants=participants)
        uow.emit(Envelope("accounting.opened", actor, project_id=project_id, payload={
            "cause": cause, "participants": participants, "reason": reason, **detail}))

    def _open_accounting(self, uow, project_id: str):
        current = store.accounting(uow.session, project_id, lock=True)
        if current["state"] == "closed":
            raise Conflict("the accounting is closed", {"state": ["closed"]})
        if current["report"]:
            raise Conflict("the report has been issued on these figures; they are final", {"report": ["issued"]})
        return current

    def _compute_if_ready(self, uow, project_id: str, actor: Actor) -> None:
        current = store.accounting(uow.session, project_id)
        if current["actual_fai"] is None or current["land_used_mu"] is None:
            return
        terms = store.project(uow.session, project_id)["contract_terms"]
        figures = [f.dump() for f in domain.compute(current["actual_fai"], current["land_used_mu"],
                                                    Decimal(terms["intensity_wan_per_mu"]), current["price_per_mu"])]
        for f in figures:
            if f["name"] == "delisting_price":
                f["formula"] = f"the land's delisting price ({current['price_source']})"
        fee = domain.figure(figures, "fee_to_recover")
        store.change(uow.session, current, figures=figures, state="computed")
        for unit in domain.RECOVERY_UNITS:  # recomputation replaces the tasks' amounts, before any recovery
            existing = [t for t in store.tasks_of(uow.session, project_id) if t["unit"] == unit]
            if fee > 0 and not existing:
                store.add_task(uow.session, project_id=project_id, unit=unit, amount_due=fee, amount_recovered=Decimal("0"))
            elif existing and fee > 0:
                store.set_task(uow.session, existing[0]["id"], amount_due=fee)
            elif existing:
                store.delete_task(uow.session, existing[0]["id"])
        uow.emit(Envelope("accounting.figures_computed", actor, project_id=project_id, payload={
            "figures": figures, "fee": str(fee),
            "reason": f"figures computed: excess land {domain.figure(figures, 'excess_land')} mu, fee {fee} yuan"}))
