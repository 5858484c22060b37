"""The Leading Group's target assessment (目标考核, R14): a score, a rank and a red/yellow/green mark for each
responsible unit per quarter and year, by the method of ``policy/assessment.yaml``.  Pure: computed from the ledger
rows (``targets.py`` counts what was signed and what is in place) and the year's targets.

The method, for a unit with targets for the year and a period ending on day E (a quarter: the year so far; the
year: all of it):

* **completion** (projects signed, contracted investment, funds in place): done by E ÷ (the year's target × q ÷ 4),
  at most ``completion_cap``;
* **key projects started**: of the unit's key projects signed by E, the part in construction or later;
* **special reports on time**: of the special reports that fell due from 1 January to E (and by today), the part
  filed and never late;
* **progress on time**: of the unit's projects being carried out (assigned, not ended), the part whose latest
  record is at most the stale period (``thresholds.tracking.stale_days``) older than E — a record after E counts;
* an indicator with nothing to measure (no target, no case) is measured ``not_applicable`` (1: its whole weight);
* score = Σ weight × measure (0–100, two places); rank by score (equal scores share a rank); mark green at or above
  ``marks.green``, yellow at or above ``marks.yellow``, red below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping

from services.coordinator.targets import Period, achieved, check_year
from shared.clock import to_shanghai
from shared.errors import InvalidInput
from shared.i18n import N_, _
from shared.policy import Policy

TWO = Decimal("0.01")
FOUR = Decimal("0.0001")
INDICATORS = (
    "projects_signed",
    "contracted_investment",
    "funds_in_place",
    "key_projects_started",
    "special_reports_on_time",
    "progress_on_time",
)
INDICATOR_NAMES = {
    "projects_signed": N_("projects signed"),
    "contracted_investment": N_("contracted investment"),
    "funds_in_place": N_("funds in place"),
    "key_projects_started": N_("key projects started"),
    "special_reports_on_time": N_("special reports on time"),
    "progress_on_time": N_("progress recorded on time"),
}
INDICATOR_ZH = {
    "projects_signed": "签约项目",
    "contracted_investment": "合同投资",
    "funds_in_place": "到位资金",
    "key_projects_started": "重点项目开工",
    "special_reports_on_time": "专题报告按时报送",
    "progress_on_time": "项目进展及时记录",
}
MARKS = ("green", "yellow", "red")
MARK_ZH = {"green": "绿", "yellow": "黄", "red": "红"}
STARTED = frozenset({"construction", "accounting", "closed", "archived"})
ENDED = frozenset({"rejected", "refused", "terminated", "archived", "closed"})


@dataclass(frozen=True)
class AssessmentPeriod:
    key: str
    year: int
    quarter: int  # 4 for the year
    end: date
    share: Decimal  # of the year's target

    @property
    def whole_year(self) -> bool:
        return "Q" not in self.key

    def label(self) -> str:
        return f"{self.year}年" if self.whole_year else f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"


def assessment_period(key: str) -> AssessmentPeriod:
    """``2026`` (the year) or ``2026-Q3`` (the year to the end of the third quarter)."""
    match = re.fullmatch(r"(\d{4})(?:-Q([1-4]))?", key or "")
    if not match:
        raise InvalidInput.for_field("period", _("a year (2026) or a quarter (2026-Q3)"))
    year = check_year(match.group(1), "period")
    quarter = int(match.group(2) or 4)
    end = date(year, 3 * quarter, 31 if quarter in (1, 4) else 30)
    return AssessmentPeriod(key, year, quarter, end, Decimal(quarter) / 4)


def method(policy: Policy) -> Mapping:
    return policy.get("assessment")


def _ratio(done: Decimal, of: Decimal) -> Decimal:
    return (done / of).quantize(FOUR, rounding=ROUND_HALF_UP)


def _share(done: int, of: int, policy: Policy) -> Decimal | None:
    """done ÷ of; None when there is nothing to measure (``of`` is 0)."""
    return None if of == 0 else _ratio(Decimal(done), Decimal(of))


def _day(value) -> date | None:
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


def unit_figures(unit: str, rows: list[Mapping], period: AssessmentPeriod, today: date, policy: Policy) -> dict:
    """What the shares count for one unit: key projects signed and started, special reports due and on time,
    projects carried out and recorded on time."""
    start = date(period.year, 1, 1)
    as_of = min(period.end, today)
    stale = policy.integer("thresholds.tracking.stale_days")
    key_signed = key_started = due = on_time = carried = recorded = 0
    for row in rows:
        if row.get("responsible_unit") != unit:
            continue
        signed = _day(row.get("signed_on"))
        if row.get("is_key") and signed and signed <= period.end and row.get("state") != "terminated":
            key_signed += 1
            key_started += row.get("state") in STARTED
        for key, ob in (row.get("obligations") or {}).items():
            report_due = _day(ob.get("report_due"))
            if report_due and start <= report_due <= as_of:
                due += 1
                on_time += bool(ob.get("report_filed")) and key not in (row.get("late_reports") or ())
        if row.get("assigned_unit") and row.get("state") not in ENDED:
            carried += 1
            last = (row.get("last_progress") or {}).get("at")
            last_day = to_shanghai(datetime.fromisoformat(last)).date() if last else None
            recorded += last_day is not None and (last_day - as_of).days > -stale
    return {
        "key_projects_signed": key_signed,
        "key_projects_started": key_started,
        "special_reports_due": due,
        "special_reports_on_time": on_time,
        "projects_carried_out": carried,
        "progress_on_time": recorded,
    }


def assess(
    key: str,
    rows: Iterable[Mapping],
    targets: list[Mapping],
    today: date,
    policy: Policy,
    order: list[str] | None = None,
) -> dict:
    """Every unit with a target for the period's year: its figures, each indicator's measure and score, the total,
    the rank and the mark."""
    period = assessment_period(key)
    rules = method(policy)
    cap = Decimal(str(rules["completion_cap"]))
    unmeasured = Decimal(str(rules["not_applicable"]))
    weights = {name: Decimal(str(spec["weight"])) for name, spec in rules["indicators"].items()}
    rows = list(rows)
    done = achieved(rows, Period(period.key, date(period.year, 1, 1), period.end, period.label()))
    units = []
    for target in sorted(
        targets, key=lambda t: (order.index(t["unit"]) if order and t["unit"] in order else 999, t["unit"])
    ):
        unit = target["unit"]
        have = done.get(unit) or {
            "projects_signed": 0,
            "contracted_investment": Decimal(0),
            "funds_in_place": Decimal(0),
            "projects": [],
        }
        figures = unit_figures(unit, rows, period, today, policy)
        measures, scores = {}, {}
        for name in ("projects_signed", "contracted_investment", "funds_in_place"):
            goal = Decimal(str(target[name])) * period.share
            measures[name] = None if goal <= 0 else min(_ratio(Decimal(have[name]), goal), cap)
        measures["key_projects_started"] = _share(
            figures["key_projects_started"], figures["key_projects_signed"], policy
        )
        measures["special_reports_on_time"] = _share(
            figures["special_reports_on_time"], figures["special_reports_due"], policy
        )
        measures["progress_on_time"] = _share(figures["progress_on_time"], figures["projects_carried_out"], policy)
        missing = [name for name in INDICATORS if measures[name] is None]
        for name in missing:
            measures[name] = unmeasured
        for name in INDICATORS:
            scores[name] = (weights[name] * measures[name]).quantize(TWO, rounding=ROUND_HALF_UP)
        total = sum(scores.values(), Decimal(0)).quantize(TWO, rounding=ROUND_HALF_UP)
        units.append(
            {
                "unit": unit,
                "target": {
                    k: str(Decimal(str(target[k])) * period.share)
                    for k in ("projects_signed", "contracted_investment", "funds_in_place")
                },
                "done": {
                    "projects_signed": have["projects_signed"],
                    "contracted_investment": str(have["contracted_investment"]),
                    "funds_in_place": str(have["funds_in_place"]),
                    "projects": have["projects"],
                },
                "figures": figures,
                "measures": {k: str(v) for k, v in measures.items()},
                "not_applicable": missing,
                "scores": {k: str(v) for k, v in scores.items()},
                "total": str(total),
                "mark": mark(total, policy),
            }
        )
    ranked = sorted(units, key=lambda u: -Decimal(u["total"]))
    for u in units:
        u["rank"] = 1 + sum(1 for other in ranked if Decimal(other["total"]) > Decimal(u["total"]))
    return {
        "period": period.key,
        "label": period.label(),
        "year": period.year,
        "end": period.end.isoformat(),
        "share": str(period.share),
        "weights": {k: str(v) for k, v in weights.items()},
        "units": sorted(
            units,
            key=lambda u: (
                u["rank"],
                (order or []).index(u["unit"]) if order and u["unit"] in order else 999,
                u["unit"],
            ),
        ),
    }


def mark(total: Decimal, policy: Policy) -> str:
    marks = method(policy)["marks"]
    if total >= Decimal(str(marks["green"])):
        return "green"
    if total >= Decimal(str(marks["yellow"])):
        return "yellow"
    return "red"
