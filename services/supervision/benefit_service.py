"""supervision's yearly per-mu benefit evaluation (亩均效益综合评价, R17 §4–§6): the RPCs that run it over the
enterprise data store, read it (per grade, per park or town, an enterprise's card), issue it (Excel, and the notice
as a 公文 in Word and PDF) and forecast a project's grade at the door.  A mixin of ``SupervisionService``; the rules
are ``benefit.py``, the tables ``benefit_store.py``, the documents ``benefit_documents.py``.

Each graded enterprise that is the investor of a project supervision follows (the credit code of its filing) is
told to the coordinator by ``supervision.benefit_graded`` on that project, so the grade stands on its ledger row.
"""

from __future__ import annotations

import base64
from decimal import Decimal

from services.supervision import benefit, benefit_documents
from services.supervision import benefit_store as bstore
from services.supervision import figures_store as fstore
from services.supervision import standard_land_store as sls
from shared import gongwen, standard_land, uscc
from shared.actor import Actor, authorize
from shared.clock import to_shanghai
from shared.envelope import Envelope
from shared.errors import InvalidInput, NotFound
from shared.i18n import Message, _, from_wire, to_wire
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.vocabulary import unit_name
from shared.wire.benefit import (
    BenefitCardSchema,
    BenefitEvaluationSchema,
    ForecastInputSchema,
    ForecastSchema,
    OutcomePageSchema,
)

KIND_NOTICE = "benefit_notice"
ANSWERED = 100
"""The results a run answers with (the first in rank order; ``benefit_evaluation`` pages through them all)."""


def _text(value) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f") if Decimal(value) != 0 else "0"


def _cents(value) -> str | None:
    return None if value is None else str(benefit.half_up(Decimal(value)))


class BenefitMixin:
    """The per-mu benefit evaluation's RPCs (see the module)."""

    def _link_enterprise(self, session, event) -> None:
        """A project filed: its enterprise — the investor's credit code its grade will be told for and its figures
        read by, the sector its standard-land floors are set for, the investor's name."""
        p = event.payload
        code = uscc.normalise(p.get("credit_code"))
        bstore.link_project(
            session,
            event.project_id,
            code if code and uscc.is_valid(code) else None,
            p.get("sector"),
            p.get("investor_name"),
        )

    @rpc
    def evaluate_benefit(self, actor, year):
        """IPB runs the year's evaluation over the data store (again: the results replace the last run's)."""
        actor = Actor.load(actor)
        authorize(actor, "supervision.evaluate_benefit", self.policy.authority)
        year = benefit.check_year_over(int(year), to_shanghai(self.clock()).year)
        rules = benefit.rules(self.policy, year)
        now, by = self.clock(), actor.dump()
        with self.db.unit_of_work() as uow:
            results = benefit.evaluate(self._enterprises_of(uow.session, year), rules)
            summary = benefit.summary(results)
            bstore.replace_evaluation(
                uow.session, year, _rules_json(rules), summary, [_row(year, x) for x in results], by, now
            )
            linked = bstore.projects_by_code(uow.session)
            for x in results:
                for project_id in linked.get(x.credit_code, ()):
                    uow.emit(
                        Envelope(
                            "supervision.benefit_graded",
                            actor,
                            {
                                "year": year,
                                "credit_code": x.credit_code,
                                "grade": x.grade,
                                "status": x.status,
                                "total": _cents(x.total),
                                "rank": x.rank,
                                "of": summary["graded"],
                                "reason": to_wire(
                                    _(
                                        "{year} per-mu benefit evaluation: {grade}",
                                        year=str(year),
                                        grade=Message(benefit.GRADE_NAMES[x.grade]),
                                    )
                                    if x.grade
                                    else _("{year} per-mu benefit evaluation: not evaluated", year=str(year))
                                ),
                            },
                            project_id=project_id,
                        )
                    )
        return self.benefit_evaluation(actor.dump(), year, limit=ANSWERED)

    def _enterprises_of(self, session, year: int) -> list[benefit.Enterprise]:
        register = fstore.enterprises_of(session)
        figures = fstore.year_figures(session, year)
        found = [
            benefit.Enterprise(code, e["name"], e["location"], e["sector"], e["production_year"], figures.get(code, {}))
            for code, e in register.items()
        ]
        found += [
            benefit.Enterprise(code, None, None, None, None, f, registered=False)
            for code, f in figures.items()
            if code not in register
        ]
        return found

    @rpc
    def benefit_evaluation(self, actor, year, grade=None, location=None, limit=None, offset=0):
        """The year's results: counts per grade and per park or town, and the enterprises (a grade's, a park's)."""
        authorize(Actor.load(actor), "supervision.read_benefit", self.policy.authority)
        year = int(year)
        session = self.db.session
        head = self._evaluation(session, year)
        total = bstore.count(session, year, grade or None, location or None)
        rows = bstore.results(
            session,
            year,
            grade or None,
            location or None,
            limit=int(limit) if limit not in (None, "") else None,
            offset=int(offset or 0),
        )
        return schema(BenefitEvaluationSchema).dump({**head, "total": total, "items": [_result_view(r) for r in rows]})

    def _evaluation(self, session, year: int) -> dict:
        head = bstore.evaluation(session, year)
        if head is None:
            raise NotFound(
                _("the per-mu benefit evaluation of {year} has not been run", year=str(year)), {"year": str(year)}
            )
        summary = head["summary"]
        return {
            "year": year,
            "rules": head["rules"],
            "evaluated_by": head["evaluated_by"],
            "evaluated_at": head["evaluated_at"],
            "enterprises": head["enterprises"],
            "graded": summary["graded"],
            "not_evaluated": summary["not_evaluated"],
            "per_grade": summary["per_grade"],
            "per_location": [
                {"location": loc, "location_name": unit_name(loc) if loc else None, "grades": g}
                for loc, g in sorted(summary["per_location"].items())
            ],
            "grade_names": {g: Message(n) for g, n in benefit.GRADE_NAMES.items()},
        }

    @rpc
    def benefit_card(self, actor, credit_code, year=None):
        """An enterprise's card: its indicators against the year's baselines, each score, the total, rank and
        grade, and its grades of every year evaluated."""
        authorize(Actor.load(actor), "supervision.read_benefit", self.policy.authority)
        session = self.db.session
        code = uscc.normalise(credit_code)
        year = int(year) if year not in (None, "") else bstore.latest_year(session)
        row = bstore.result(session, year, code) if year else None
        if row is None:
            raise NotFound(
                _(
                    "enterprise {code} has no result in the per-mu benefit evaluation of {year}",
                    code=code,
                    year=str(year or ""),
                ),
                {"credit_code": code},
            )
        head = bstore.evaluation(session, year)
        rules = head["rules"]
        indicators = [
            {
                "key": k,
                "name": Message(benefit.INDICATOR_NAMES[k]),
                "unit": benefit.INDICATOR_UNITS[k],
                "value": _cents(row["values"].get(k)) if row["values"].get(k) is not None else None,
                "baseline": rules["baselines"][k],
                "weight": rules["weights"][k],
                "score": _cents(row["scores"].get(k)) if k in row["scores"] else None,
            }
            for k in rules["weights"]
        ]
        enterprise = fstore.enterprise(session, code) or {}
        figures = {f["kind"]: _text(f["value"]) for f in fstore.figures_of(session, code) if f["year"] == year}
        history = [
            {"year": r["year"], "grade": r["grade"], "total": _cents(r["total"]), "rank": r["rank"]}
            for r in bstore.results_of(session, code)
        ]
        return schema(BenefitCardSchema).dump(
            {
                **_result_view(row),
                "year": year,
                "cap": rules["cap"],
                "indicators": indicators,
                "figures": figures,
                "of": head["summary"]["graded"],
                "production_year": enterprise.get("production_year"),
                "history": history,
            }
        )

    @rpc
    def benefit_document(self, actor, year, kind):
        """The year's results as an Excel workbook, or the notice (通知) as a 公文 in Word or PDF (numbered once)."""
        authorize(Actor.load(actor), "supervision.read_benefit", self.policy.authority)
        year = int(year)
        if kind not in ("xlsx", "docx", "pdf"):
            raise InvalidInput.for_field("kind", _("must be one of: {choices:list}", choices=["xlsx", "docx", "pdf"]))
        with self.db.unit_of_work() as uow:
            head = self._evaluation(uow.session, year)
            rows = bstore.results(uow.session, year)
            if kind == "xlsx":
                content = benefit_documents.render_xlsx(year, head, rows, self.policy)
            else:
                routing = gongwen.routing(self.policy, KIND_NOTICE)
                number = gongwen.allocate(
                    uow.session,
                    bstore.document_numbers,
                    routing.issuer,
                    f"{KIND_NOTICE}:{year}",
                    to_shanghai(head["evaluated_at"]).date(),
                )
                document = benefit_documents.notice(year, head, rows, self.policy, number, routing)
                content = gongwen.render_docx(document) if kind == "docx" else gongwen.render_pdf(document)
        types = {
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pdf": "application/pdf",
        }
        name = (
            f"{year}年度亩均效益综合评价结果.{kind}"
            if kind == "xlsx"
            else f"关于公布{year}年度亩均效益综合评价结果的通知.{kind}"
        )
        return {"filename": name, "content_type": types[kind], "content_base64": base64.b64encode(content).decode()}

    @rpc
    def public_outcomes(self, year=None):
        """§6, where the county's policy discloses them (``benefit.disclosure``): for each signed project whose
        investor was evaluated, the verified outcome of a year (the latest evaluated by default) — only the fields
        policy lists as public.  No actor: the public catalog."""
        spec = benefit.check_disclosed(self.policy.get("benefit.disclosure") or {})
        session = self.db.session
        year = int(year) if year not in (None, "") else bstore.latest_year(session)
        public = set(spec.get("public") or ())
        items = []
        for r in bstore.signed_outcomes(session, year, SIGNED) if year else []:
            if r["status"] == benefit.NOT_EVALUATED:
                continue
            items.append(
                {
                    "ref": r["ref"],
                    "name": r["name"],
                    "year": year,
                    "grade": r["grade"] if "grade" in public else None,
                    "grade_name": Message(benefit.GRADE_NAMES[r["grade"]]) if "grade" in public else None,
                    "total": _cents(r["total"]) if "total" in public else None,
                    "indicators": {k: _cents(v) for k, v in r["values"].items() if k in public and v is not None},
                    "commitments": self._disclosed_commitments(session, r["project_id"], public),
                }
            )
        return schema(OutcomePageSchema).dump({"year": year, "public": sorted(public), "items": items})

    def _disclosed_commitments(self, session, project_id: str, public: set) -> list[dict]:
        """§6: the project's committed standard-land indicators that policy lists as public, each beside its value
        verified by the latest check done (None before any)."""
        catalogue = standard_land.indicators(self.policy)
        verified: dict[str, dict] = {}
        for check in sls.checks_of(session, project_id):  # by due date: the latest done stands
            if check["status"] == "done":
                for result in check["results"] or []:
                    verified[result["indicator"]] = {**result, "year": check["data_year"]}
        out = []
        for c in sls.commitments_of(session, project_id):
            if c["indicator"] not in public or c["indicator"] not in catalogue:
                continue
            seen = verified.get(c["indicator"]) or {}
            out.append(
                {
                    "indicator": c["indicator"],
                    "name": to_wire(standard_land.commitment_name(catalogue[c["indicator"]])),
                    "direction": c["direction"],
                    "committed": c["value"],
                    "verified": seen.get("actual"),
                    "verified_year": seen.get("year"),
                    "result": seen.get("result"),
                }
            )
        return out

    @rpc
    def benefit_forecast(self, actor, data):
        """§5: a project's planned yearly figures at full production against this year's baselines (the latest
        year policy sets), and the grade they would get among the latest evaluation's graded enterprises."""
        authorize(Actor.load(actor), "supervision.forecast_benefit", self.policy.authority)
        data = load_or_invalid(schema(ForecastInputSchema), data)
        session = self.db.session
        years = sorted(int(y) for y in self.policy.get("benefit.evaluation.baselines"))
        this_year = to_shanghai(self.clock()).year
        year = max([y for y in years if y <= this_year] or years)
        rules = benefit.rules(self.policy, year)
        latest = bstore.latest_year(session)
        graded = []
        if latest is not None:
            graded = [
                benefit.Result(
                    r["credit_code"],
                    None,
                    None,
                    None,
                    r["status"],
                    values={k: Decimal(v) for k, v in r["values"].items() if v is not None},
                    total=Decimal(r["total"]),
                )
                for r in bstore.results(session, latest, status=benefit.GRADED)
            ]
        planned = {
            "tax": data["tax"],
            "output": data["output"],
            "energy": data.get("energy") or Decimal(0),
            "land": data["land_mu"],
        }
        found = benefit.forecast(benefit.check_planned(planned), rules, graded)
        return schema(ForecastSchema).dump(
            {
                "baseline_year": year,
                "compared_with": latest,
                "total": _cents(found["total"]),
                "grade": found["grade"],
                "grade_name": Message(benefit.GRADE_NAMES[found["grade"]])
                if found["grade"]
                else _("no evaluation to compare with yet"),
                "rank": found["rank"],
                "of": found["of"],
                "indicators": [
                    {
                        "key": k,
                        "name": Message(benefit.INDICATOR_NAMES[k]),
                        "unit": benefit.INDICATOR_UNITS[k],
                        "value": _cents(found["values"][k]) if found["values"][k] is not None else None,
                        "baseline": str(rules.baselines[k]),
                        "weight": str(rules.weights[k]),
                        "score": _cents(found["scores"][k]),
                    }
                    for k in rules.weights
                ],
            }
        )


SIGNED = ("signed", "filed_copies", "construction", "accounting", "closed", "archived")
"""The states of a signed project (its contract signed, not terminated)."""


def _rules_json(r: benefit.Rules) -> dict:
    return {
        "baselines": {k: str(v) for k, v in r.baselines.items()},
        "weights": {k: str(v) for k, v in r.weights.items()},
        "cap": str(r.cap),
        "minimum_land": str(r.minimum_land),
    }


def _row(year: int, x: benefit.Result) -> dict:
    return {
        "year": year,
        "credit_code": x.credit_code,
        "name": x.name,
        "location": x.location,
        "sector": x.sector,
        "status": x.status,
        "grade": x.grade,
        "rank": x.rank,
        "total": x.total,
        "values": {k: None if v is None else str(v) for k, v in x.values.items()},
        "scores": {k: str(v) for k, v in x.scores.items()},
        "reason": to_wire(x.reason) if x.reason is not None else None,
    }


def _result_view(r: dict) -> dict:
    return {
        "credit_code": r["credit_code"],
        "name": r["name"],
        "location": r["location"],
        "location_name": unit_name(r["location"]) if r["location"] else None,
        "sector": r["sector"],
        "status": r["status"],
        "grade": r["grade"],
        "grade_name": Message(benefit.GRADE_NAMES[r["grade"]]) if r["grade"] else None,
        "rank": r["rank"],
        "total": _cents(r["total"]),
        "reason": from_wire(r["reason"]) if r["reason"] else None,
        "values": {k: _cents(v) for k, v in r["values"].items()},
        "scores": {k: _cents(v) for k, v in r["scores"].items()},
    }
