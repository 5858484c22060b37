"""Standard land in the supervision service (R6, R17): the commitments a signed contract made become obligations
followed here, checked at completion, at full production and yearly; a shortfall opens a rectification (a notice
to the responsible unit and IPB), still short at the check after it the contract's damages clause applies and the
damages are one receivable FIN, LAND and LEGAL recover, which only the principals reduce, with a reason.

A mixin of ``SupervisionService``: its handlers, RPCs and the firing of its ``standard_land_check`` deadlines.
The rules are ``commitments`` (pure) and ``shared.standard_land``; the tables ``standard_land_store``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from services.supervision import benefit_store as bstore
from services.supervision import commitment_report as report
from services.supervision import commitments as rules
from services.supervision import domain, store
from services.supervision import figures_store as fstore
from services.supervision import standard_land_store as sls
from shared import gongwen, need_to_know, standard_land
from shared.actor import SYSTEM, Actor, authorize
from shared.bus import on_event
from shared.clock import to_shanghai
from shared.db import handled_once
from shared.envelope import Envelope
from shared.i18n import DEFAULT_LOCALE, Message, _, named, reason, text, to_wire
from shared.rpc import rpc
from shared.schema import load_or_invalid, row_id, schema
from shared.wire.supervision import (
    DamagesActInputSchema,
    DamagesReductionInputSchema,
    CheckFigureInputSchema,
    RecheckInputSchema,
    StandardLandSchema,
)

CHECK = "standard_land_check"  # a deadline kind: a check of a project's commitments falls due
DATA_STORE = {"tax": Decimal(10000), "output": Decimal(10000), "energy": Decimal(1)}
"""The data store's kinds a check reads, and the factor to this module's units (万元 → yuan; tce as kept)."""


class StandardLandMixin:
    """Supervision's standard-land work; the service provides ``db``, ``policy``, ``clock`` and ``_emit``."""

    # -- what it hears (a filed project's enterprise: ``benefit_store.project_enterprises``) ---------------------
    @on_event("contracts.signed")
    @handled_once
    def on_contract_signed(self, event, uow):
        """Signing makes the contract's commitments obligations followed here, with their checks scheduled."""
        p, s = event.payload, uow.session
        items = p.get("commitments") or []
        if not items:
            return
        store.ensure_project(s, event.project_id)
        for c in items:
            sls.add_commitment(
                s,
                project_id=event.project_id,
                indicator=c["indicator"],
                value=c["value"],
                floor=c["floor"],
                direction=c["direction"],
                stage=c["stage"],
                clause=c["clause"],
                base_amount=c.get("base_amount"),
                land_mu=c["land_mu"],
                text=c["text"],
                exceeds_policy=int(bool(c.get("exceeds_policy"))),
                signed_at=event.occurred_at,
            )
        terms = p["terms"]
        plan = rules.schedule(
            date.fromisoformat(terms["completion"]),
            date.fromisoformat(terms["production"]),
            int(standard_land.setting(self.policy, "yearly_checks_years")),
        )
        for item in plan:
            self._add_check(
                s,
                event.project_id,
                item["stage"],
                item["due"],
                item["data_year"],
                [c["indicator"] for c in rules.indicators_checked(item["stage"], items)],
            )

    @on_event("accounting.figures_computed")
    @handled_once
    def on_accounting_figures(self, event, uow):
        """The accounting's audited fixed-asset investment and the land LAND measured: the completion figures."""
        s = uow.session
        if not sls.commitments_of(s, event.project_id):
            return
        values = {f["name"]: f["value"] for f in event.payload["figures"]}
        entered_by = event.payload.get("entered_by") or {}  # who entered each (an older event: its actor)
        for name, source in (
            ("fixed_asset_investment", "actual_fixed_asset_investment"),
            ("land_used_mu", "land_used"),
        ):
            if values.get(source) is not None:
                sls.add_figure(
                    s,
                    project_id=event.project_id,
                    figure=name,
                    year=None,
                    value=str(values[source]),
                    source="accounting",
                    reason=None,
                    entered_by=entered_by.get(source) or event.actor.dump(),
                    entered_at=event.occurred_at,
                )
        self._recheck_awaiting(uow, event.project_id)

    # -- reading ------------------------------------------------------------------------------------------------
    @rpc
    def standard_land(self, actor, project_id):
        """A project's commitments, checks, figures, rectifications and damages (need-to-know as its tracking)."""
        actor = Actor.load(actor)
        session = self.db.session
        self._check_reader(actor, session, project_id)
        return self._standard_land_view(session, project_id)

    @rpc
    def standard_land_floors(self, actor, project_id):
        """What current policy sets for the project's park or town and sector: shown at drafting (R6)."""
        actor = Actor.load(actor)
        session = self.db.session
        self._check_reader(actor, session, project_id)
        project = store.project(session, project_id)
        facts = bstore.project_facts(session, project_id)
        catalogue = standard_land.indicators(self.policy)
        floors = standard_land.floors(self.policy, project["responsible_unit"], facts.get("sector"))
        return [
            {
                "indicator": k,
                "name": to_wire(standard_land.commitment_name(catalogue[k])),
                "unit": catalogue[k].unit,
                "direction": catalogue[k].direction,
                "stage": catalogue[k].stage,
                "floor": standard_land.number(v),
                "clause": catalogue[k].clause,
            }
            for k, v in floors.items()
        ]

    def _check_reader(self, actor: Actor, session, project_id: str) -> None:
        """Read as the project's tracking, by the units whose data or recovery it is, and by the principals, who
        decide a reduction of its damages (``authority.decision_authority.principals``)."""
        project = store.project(session, project_id)
        if actor.position in self.policy.get("authority.decision_authority.principals"):
            return
        need_to_know.check(
            actor,
            "supervision.read_tracking",
            self.policy.authority,
            need_to_know.project_units(
                project["responsible_unit"], more=["FIN", "LAND", "LEGAL", "AUDIT", "IND", "DRB"]
            ),
        )

    # -- figures entered by hand by the unit that owns them (audited: who, when, why) ----------------------------
    @rpc
    def record_figure(self, actor, project_id, data):
        actor = Actor.load(actor)
        authorize(actor, "supervision.record_figure", self.policy.authority)
        data = load_or_invalid(schema(CheckFigureInputSchema), data)
        value = rules.check_figure(data["figure"], data["value"], data.get("year"), actor.unit)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            store.project(uow.session, project_id)
            rules.check_has_commitments(sls.commitments_of(uow.session, project_id), project_id)
            sls.add_figure(
                uow.session,
                project_id=project_id,
                figure=data["figure"],
                year=data.get("year"),
                value=standard_land.number(value),
                source="hand",
                reason=data["reason"],
                entered_by=actor.dump(),
                entered_at=now,
            )
            self._recheck_awaiting(uow, project_id)
        return self._standard_land_view(self.db.session, project_id)

    # -- checks -------------------------------------------------------------------------------------------------
    @rpc
    def request_recheck(self, actor, project_id, rectification_id, data):
        """The enterprise reports its rectification done: the indicator is checked again at once (IPB or the
        responsible unit asks); still short, the damages clause applies."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(RecheckInputSchema), data)
        now = self.clock()
        today = to_shanghai(now).date()
        with self.db.unit_of_work() as uow:
            project = store.project(uow.session, project_id)
            authorize(
                actor,
                "supervision.request_recheck",
                self.policy.authority,
                responsible_unit=project["responsible_unit"] or "-",
            )
            item = sls.rectification(uow.session, project_id, row_id(rectification_id, "rectification_id"))
            rules.check_can_recheck(item["status"])
            check_id = self._add_check(
                uow.session,
                project_id,
                rules.RECTIFICATION_CHECK,
                today,
                today.year - 1,
                [item["indicator"]],
                note=data["note"],
                at_once=True,
            )
            rules.check_not_rechecked_today(check_id, item["id"])
            self._run_check(uow, project_id, check_id, now)
        return self._standard_land_view(self.db.session, project_id)

    def _add_check(
        self,
        session,
        project_id: str,
        stage: str,
        due: date,
        data_year: int | None,
        indicators: list,
        note: str | None = None,
        at_once: bool = False,
    ) -> int | None:
        if not indicators:
            return None
        check_id = sls.add_check(
            session,
            project_id=project_id,
            stage=stage,
            due=due,
            data_year=data_year,
            indicators=indicators,
            status="pending",
        )
        if check_id is not None and not at_once:
            at = domain.on_day(due, self.policy.get("thresholds.tracking.reminder_time"))
            store.add_deadline(
                session, CHECK, project_id, f"check-{check_id}", at, {"check_id": check_id}, self.clock()
            )
        return check_id

    def _fire_standard_land_check(self, uow, row: dict, now: datetime) -> str:
        check = sls.check(uow.session, row["project_id"], row["payload"]["check_id"])
        if check["status"] == "done":
            return "checked before"
        return self._run_check(uow, row["project_id"], check["id"], now)

    def _figures_arrived(self, uow, codes) -> None:
        """Figures of these enterprises were imported or entered in the data store: their projects' checks that
        are due and not done run now."""
        for project_id in sls.projects_of_codes(uow.session, set(codes)):
            self._recheck_awaiting(uow, project_id)

    def _recheck_awaiting(self, uow, project_id: str) -> None:
        now = self.clock()
        today = to_shanghai(now).date()
        for check in sls.awaiting_checks(uow.session, project_id):
            if check["due"] <= today:
                self._run_check(uow, project_id, check["id"], now)

    def _figures(self, session, project_id: str, year: int | None) -> dict[str, Decimal]:
        """The figures a check reads: the year's tax, output and energy of the project's enterprise in the data store
        (by its credit code; 万元 kept there, yuan here), then what the owning units entered for the check (the
        latest of each kind; the completion's: any year), which has the last word."""
        out: dict[str, Decimal] = {}
        code = bstore.project_facts(session, project_id).get("credit_code")
        if year is not None and code:
            kept = fstore.figures_for(session, {(code, year)}, DATA_STORE)
            for kind, to_yuan in DATA_STORE.items():
                if (code, year, kind) in kept:
                    out[kind] = Decimal(kept[(code, year, kind)]) * to_yuan
        for f in sls.figures_of(session, project_id):
            if (
                year is None
                or f["year"] == year
                or f["year"] is None
                and f["figure"] in ("plot_ratio", "fixed_asset_investment", "land_used_mu")
            ):
                out[f["figure"]] = Decimal(f["value"])
        return out

    def _run_check(self, uow, project_id: str, check_id: int, now: datetime) -> str:
        """Check each indicator against the data; a shortfall opens a rectification, still short after it the
        damages clause applies; a missing figure leaves the check awaiting data (entering it runs it)."""
        s = uow.session
        check = sls.check(s, project_id, check_id)
        today = to_shanghai(now).date()
        by_key = {c["indicator"]: c for c in sls.commitments_of(s, project_id)}
        figures = self._figures(s, project_id, check["data_year"])
        results, awaiting = [], False
        for key in check["indicators"]:
            commitment = by_key[key]
            value, formula = rules.actual(key, figures, Decimal(commitment["land_mu"]))
            result = rules.verdict(commitment, value)
            awaiting |= result == rules.AWAITING
            results.append(
                {
                    "indicator": key,
                    "committed": commitment["value"],
                    "direction": commitment["direction"],
                    "actual": None if value is None else standard_land.number(rules.round_shown(value)),
                    "formula": formula and to_wire(formula),
                    "result": result,
                }
            )
        if awaiting:
            sls.set_check(s, check_id, status="awaiting_data", results=results, checked_at=now)
            return "awaiting data"
        project = store.project(s, project_id)
        for item in results:
            commitment = by_key[item["indicator"]]
            open_item = sls.open_rectification(s, project_id, item["indicator"])
            act = rules.after_result(item["result"], open_item, today, check["stage"])
            if act == rules.OPEN:
                due = rules.add_months(today, int(standard_land.setting(self.policy, "rectification_months")))
                rid = sls.add_rectification(
                    s,
                    project_id=project_id,
                    indicator=item["indicator"],
                    check_id=check_id,
                    opened_on=today,
                    due=due,
                    status=rules.OPEN,
                    shortfall=item,
                )
                self._add_check(s, project_id, rules.RECTIFICATION_CHECK, due, due.year - 1, [item["indicator"]])
                self._emit(
                    uow,
                    "supervision.rectification_opened",
                    project,
                    {
                        "rectification_id": rid,
                        "indicator": item["indicator"],
                        "commitment": commitment["text"],
                        "committed": self._committed(commitment),
                        "actual": item["actual"],
                        "due": due.isoformat(),
                        **reason(
                            _(
                                "{indicator:indicator} short of the commitment ({committed}): actual {actual}; "
                                "rectification by {due:date}",
                                indicator=item["indicator"],
                                committed=self._committed(commitment),
                                actual=item["actual"],
                                due=due,
                            )
                        ),
                    },
                )
            elif act == rules.RECTIFIED:
                sls.set_rectification(
                    s, open_item["id"], status=rules.RECTIFIED, closed_on=today, closed_by_check=check_id
                )
            elif act == rules.DAMAGES:
                self._apply_damages(uow, project, commitment, open_item, check, figures, today)
        sls.set_check(s, check_id, status="done", results=results, checked_at=now)
        return ", ".join(f"{r['indicator']}: {r['result']}" for r in results)

    def _apply_damages(
        self, uow, project: dict, commitment: dict, rectification: dict, check: dict, figures: dict, today: date
    ) -> None:
        s = uow.session
        value, _formula = rules.actual(commitment["indicator"], figures, Decimal(commitment["land_mu"]))
        amount, formula = rules.damages(commitment, value, figures)
        sls.set_rectification(
            s, rectification["id"], status=rules.DAMAGES, closed_on=today, closed_by_check=check["id"]
        )
        self._report_unmet(uow, project, commitment, rectification, value, amount, formula, today)
        if amount <= 0:
            return
        damages_id = sls.add_damages(
            s,
            project_id=project["project_id"],
            indicator=commitment["indicator"],
            rectification_id=rectification["id"],
            clause=commitment["clause"],
            amount=str(amount),
            formula=to_wire(formula),
            paid="0.00",
            reduced="0.00",
            status=rules.OUTSTANDING,
            applied_on=today,
        )
        self._emit(
            uow,
            "supervision.commitment_unmet",
            project,
            {
                "damages_id": damages_id,
                "indicator": commitment["indicator"],
                "commitment": commitment["text"],
                "committed": self._committed(commitment),
                "amount": str(amount),
                "amount_wan": standard_land.number(amount / Decimal(10000)),
                "paid": "0.00",
                "reduced": "0.00",
                "outstanding": str(amount),
                "recovery_units": list(standard_land.setting(self.policy, "recovery_units")),
                **reason(
                    _(
                        "{indicator:indicator} still short of the commitment ({committed}) after the rectification: "
                        "damages of {amount:wan} by the contract's clause",
                        indicator=commitment["indicator"],
                        committed=self._committed(commitment),
                        amount=amount,
                    )
                ),
            },
        )

    def _report_unmet(
        self, uow, project: dict, commitment: dict, rectification: dict, value, amount, formula, today: date
    ) -> None:
        """R7: a commitment still unmet after its rectification is a special report to the Leading Group, filed
        into the register by itself (once per rectification) with its 公文, and announced as every report is."""
        s = uow.session
        if store.report_of_rectification(s, rectification["id"]):
            return
        actual = standard_land.number(rules.round_shown(value))
        routing = gongwen.routing(
            self.policy, report.KIND, report.issuer_unit(self.policy, project["responsible_unit"])
        )
        number = gongwen.allocate(
            s, bstore.document_numbers, routing.issuer, report.subject(rectification["id"]), today
        )
        document = report.document(
            self.policy, project, commitment, rectification, actual, amount, formula, today, number, routing
        )
        saved = self.documents.save(f"{document.title}.docx", gongwen.render_docx(document))
        ref = domain.report_ref(
            project["ref"], project["project_id"], store.next_report_number(s, project["project_id"])
        )
        store.add_report(
            s,
            ref=ref,
            project_id=project["project_id"],
            cause=domain.UNMET_COMMITMENT,
            summary=text(
                report.summary(commitment, self._committed(commitment), actual, rectification["due"], amount),
                DEFAULT_LOCALE,
            ),
            document=saved.dump(),
            rectification_id=rectification["id"],
            filed_by=SYSTEM.dump(),
            filed_at=self.clock(),
        )
        self._announce_report(uow, SYSTEM, ref)

    @staticmethod
    def _committed(commitment: dict) -> str:
        return f"{'≥' if commitment['direction'] == '>=' else '≤'} {commitment['value']}"

    # -- the damages receivable -----------------------------------------------------------------------------------
    @rpc
    def record_damages_payment(self, actor, project_id, damages_id, data):
        """FIN, LAND or LEGAL record a payment against the one amount (a voucher counted once)."""
        actor = Actor.load(actor)
        authorize(actor, "supervision.recover_damages", self.policy.authority)
        data = load_or_invalid(schema(DamagesActInputSchema), data)
        return self._damages_act(actor, project_id, damages_id, data)

    @rpc
    def reduce_damages(self, actor, project_id, damages_id, data):
        """A principal's decision, with a reason, on reducing the damages: reduced when every principal agrees
        (``authority.decision_authority.principals``), refused by any refusal (the damages stay owed)."""
        actor = Actor.load(actor)
        authorize(actor, "supervision.reduce_damages", self.policy.authority)
        data = load_or_invalid(schema(DamagesReductionInputSchema), data)
        principals = tuple(self.policy.get("authority.decision_authority.principals"))
        now = self.clock()
        with self.db.unit_of_work() as uow:
            item = sls.damages_item(uow.session, project_id, row_id(damages_id, "damages_id"), lock=True)
            current = _owed(item)
            pending = rules.reduction_pending(_reduction_round(item), current)
            round_, outcome = rules.decide_reduction(
                current, pending, principals, actor.position, data["decision"], data.get("amount"), data["reason"]
            )
            decisions = (item["reduction_decisions"] or []) + [
                {
                    "position": actor.position,
                    "decision": data["decision"],
                    "reason": data["reason"],
                    "amount": str(round_.amount),
                    "outcome": outcome,
                    "by": actor.dump(),
                    "at": to_shanghai(now).isoformat(),
                }
            ]
            after = rules.after_reduction(current, round_) if outcome == rules.REDUCED else current
            sls.set_damages(
                uow.session,
                item["id"],
                reduction_round=None
                if outcome
                else {
                    "amount": str(round_.amount),
                    "outstanding": str(round_.outstanding),
                    "decisions": dict(round_.decisions),
                },
                reduction_decisions=decisions,
            )
            waiting = [p for p in principals if p not in round_.decisions]
            project = store.project(uow.session, project_id)
            uow.emit(
                Envelope(
                    "supervision.damages_reduction_decided",
                    actor,
                    project_id=project_id,
                    payload={
                        "damages_id": item["id"],
                        "indicator": item["indicator"],
                        "position": actor.position,
                        "decision": data["decision"],
                        "amount": str(round_.amount),
                        "outcome": outcome,
                        "awaiting": [] if outcome else waiting,
                        **self._facts(project),
                        **reason(
                            _reduction_reason(
                                item["indicator"],
                                actor.position,
                                data["decision"],
                                round_.amount,
                                data["reason"],
                                outcome,
                                waiting,
                            )
                        ),
                    },
                )
            )
            if outcome == rules.REDUCED:
                agreed = [d["reason"] for d in decisions[-len(round_.decisions) :]]
                self._damages_changed(uow, actor, item, after, "reduction", round_.amount, None, "；".join(agreed), now)
        return self._standard_land_view(self.db.session, project_id)

    def _damages_act(self, actor: Actor, project_id, damages_id, data: dict):
        now = self.clock()
        with self.db.unit_of_work() as uow:
            item = sls.damages_item(uow.session, project_id, row_id(damages_id, "damages_id"), lock=True)
            rules.check_voucher_unused(
                sls.voucher_used(uow.session, item["id"], data.get("voucher")), data.get("voucher")
            )
            after = rules.pay(_owed(item), data["amount"])
            self._damages_changed(
                uow, actor, item, after, "payment", data["amount"], data.get("voucher"), data.get("reason"), now
            )
        return self._standard_land_view(self.db.session, project_id)

    def _damages_changed(
        self, uow, actor: Actor, item: dict, after, kind: str, amount, voucher, why, now: datetime
    ) -> None:
        """A payment or a reduction entered against the one amount, and told: settled, or what is outstanding."""
        project_id = item["project_id"]
        sls.add_entry(
            uow.session,
            damages_id=item["id"],
            kind=kind,
            amount=str(amount),
            voucher=voucher,
            reason=why,
            by=actor.dump(),
            at=now,
        )
        sls.set_damages(uow.session, item["id"], paid=str(after.paid), reduced=str(after.reduced), status=after.status)
        facts = self._facts(store.project(uow.session, project_id))
        if after.status == rules.SETTLED:
            uow.emit(
                Envelope(
                    "supervision.damages_settled",
                    actor,
                    project_id=project_id,
                    payload={
                        "damages_id": item["id"],
                        "amount": item["amount"],
                        "paid": str(after.paid),
                        "reduced": str(after.reduced),
                        **facts,
                        **reason(
                            _(
                                "standard-land damages of {amount:wan} settled: {paid:wan} paid, {reduced:wan} reduced",
                                amount=item["amount"],
                                paid=after.paid,
                                reduced=after.reduced,
                            )
                        ),
                    },
                )
            )
            return
        uow.emit(
            Envelope(
                "supervision.damages_recorded",
                actor,
                project_id=project_id,
                payload={
                    "damages_id": item["id"],
                    "indicator": item["indicator"],
                    "kind": kind,
                    "amount": item["amount"],
                    "paid": str(after.paid),
                    "reduced": str(after.reduced),
                    "outstanding": str(after.outstanding),
                    **facts,
                    **reason(
                        _(
                            "standard-land damages of {amount:wan}: {paid:wan} paid, {reduced:wan} reduced, "
                            "{outstanding:wan} outstanding",
                            amount=item["amount"],
                            paid=after.paid,
                            reduced=after.reduced,
                            outstanding=after.outstanding,
                        )
                    ),
                },
            )
        )

    # -- the view ------------------------------------------------------------------------------------------------
    def _standard_land_view(self, session, project_id: str) -> dict:
        catalogue = standard_land.indicators(self.policy)

        def name(key):
            return to_wire(standard_land.commitment_name(catalogue[key])) if key in catalogue else key

        items = [
            {
                **c,
                "name": name(c["indicator"]),
                "exceeds_policy": bool(c["exceeds_policy"]),
                "unit_text": catalogue[c["indicator"]].unit if c["indicator"] in catalogue else {},
                "clause_name": to_wire(_pair(standard_land.clauses(self.policy).get(c["clause"], {}), c["clause"])),
                "signed_at": to_shanghai(c["signed_at"]),
            }
            for c in sls.commitments_of(session, project_id)
        ]
        checks = [
            {
                **c,
                "stage_name": to_wire(_(rules.CHECK_NAMES[c["stage"]])),
                "status_name": to_wire(
                    _(rules.RESULT_NAMES.get(c["status"], ""))
                    if c["status"] in rules.RESULT_NAMES
                    else _("done")
                    if c["status"] == "done"
                    else _("not checked yet")
                ),
                "checked_at": c["checked_at"] and to_shanghai(c["checked_at"]),
                "results": [
                    {**r, "name": name(r["indicator"]), "result_name": to_wire(_(rules.RESULT_NAMES[r["result"]]))}
                    for r in c["results"] or []
                ],
            }
            for c in sls.checks_of(session, project_id)
        ]
        rectifications = [
            {
                **r,
                "name": name(r["indicator"]),
                "status_name": to_wire(_(rules.RECTIFICATION_NAMES[r["status"]])),
                "special_report_ref": store.report_of_rectification(session, r["id"]),
            }
            for r in sls.rectifications_of(session, project_id)
        ]
        damages = []
        principals = list(self.policy.get("authority.decision_authority.principals"))
        for d in sls.damages_of(session, project_id):
            owed = _owed(d)
            pending = rules.reduction_pending(_reduction_round(d), owed)
            damages.append(
                {
                    **{k: v for k, v in d.items() if k not in ("reduction_round", "reduction_decisions")},
                    "reduction": {
                        "pending": pending
                        and {
                            "amount": str(pending.amount),
                            "decisions": dict(pending.decisions),
                            "awaiting": [p for p in principals if p not in pending.decisions],
                        },
                        "decisions": d["reduction_decisions"] or [],
                    },
                    "name": name(d["indicator"]),
                    "outstanding": str(owed.outstanding),
                    "status_name": to_wire(_("paid in full") if d["status"] == rules.SETTLED else _("owed")),
                    "formula": d["formula"],
                    "entries": [{**e, "at": to_shanghai(e["at"])} for e in sls.entries_of(session, d["id"])],
                }
            )
        figures = [
            {
                **f,
                "figure_name": to_wire(_(rules.FIGURE_NAMES[f["figure"]])),
                "entered_at": to_shanghai(f["entered_at"]),
            }
            for f in sls.figures_of(session, project_id)
        ]
        return schema(StandardLandSchema).dump(
            _plain(
                {
                    "project_id": project_id,
                    "commitments": items,
                    "checks": checks,
                    "figures": figures,
                    "rectifications": rectifications,
                    "damages": damages,
                }
            )
        )


def _owed(item: dict) -> rules.Damages:
    """A damages row as the receivable the rules read."""
    return rules.Damages(Decimal(item["amount"]), Decimal(item["paid"]), Decimal(item["reduced"]))


def _reduction_round(item: dict) -> rules.Reduction | None:
    pending = item["reduction_round"]
    return pending and rules.Reduction(
        Decimal(pending["amount"]), Decimal(pending["outstanding"]), pending["decisions"]
    )


def _reduction_reason(
    indicator: str, position: str, decision: str, amount, why: str, outcome: str | None, waiting: list[str]
):
    """A principal's decision on reducing damages, and where the round stands after it."""
    said = dict(indicator=indicator, position=position, decision=decision, amount=amount, reason=why)
    if outcome == rules.REDUCED:
        return _(
            "{position:position} {decision:outcome} to reduce the {indicator:indicator} damages by {amount:yuan}: "
            "{reason} — reduced by the principals",
            **said,
        )
    if outcome == rules.REFUSED:
        return _(
            "{position:position} {decision:outcome} to reduce the {indicator:indicator} damages by {amount:yuan}: "
            "{reason} — the reduction is refused; the damages stay owed",
            **said,
        )
    return _(
        "{position:position} {decision:outcome} to reduce the {indicator:indicator} damages by {amount:yuan}: "
        "{reason} — awaiting {waiting:positions}",
        waiting=waiting,
        **said,
    )


def _plain(value):
    """Dates and times as ISO text (the view travels as JSON)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _pair(entry, code: str = ""):
    """A policy entry's name (or a catalogue message) as a Message."""
    if isinstance(entry, Message):
        return entry
    if isinstance(entry, str):
        return _(entry)
    return named(entry, code)
