"""The Leading Group's yearly targets per responsible unit and their completion (R14); the
monthly and quarterly summary of all units' work.  Pure: computed from ledger rows, which are
themselves folded from the events.

Counting rules (one place):
* a project counts as *signed* in the year (Asia/Shanghai) its contract was signed, once, for
  one unit — its responsible unit; a project terminated afterwards no longer counts;
* its *contracted investment* is the signed contract's total investment;
* *funds in place* (到位资金) count in the year of the date they were recorded as in place,
  for the project's responsible unit.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable, Mapping

from shared.errors import InvalidInput, problems_of
from shared.i18n import _
from shared.units import quantize_money

MEASURES = ("projects_signed", "contracted_investment", "funds_in_place")
MEASURE_NAMES = {
    "projects_signed": "签约项目（个）",
    "contracted_investment": "合同投资（万元）",
    "funds_in_place": "到位资金（万元）",
}
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date  # inclusive
    label: str

    @property
    def year(self) -> int:
        return self.start.year

    def holds(self, day: str | date | None) -> bool:
        if not day:
            return False
        day = date.fromisoformat(day) if isinstance(day, str) else day
        return self.start <= day <= self.end


def period(key: str) -> Period:
    """``2026-11`` (a month) or ``2026-Q4`` (a quarter); InvalidInput naming ``period`` otherwise."""
    match = re.fullmatch(r"(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))", key or "")
    if not match:
        raise InvalidInput.for_field("period", _("must be a month YYYY-MM (2026-11) or a quarter YYYY-Qn (2026-Q4)"))
    year = int(match.group(1))
    check_year(year, "period")
    if match.group(2):
        month = int(match.group(2))
        return Period(
            key, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), f"{year}年{month}月"
        )
    quarter = int(match.group(3))
    first, last = 3 * quarter - 2, 3 * quarter
    return Period(
        key,
        date(year, first, 1),
        date(year, last, calendar.monthrange(year, last)[1]),
        f"{year}年{QUARTER_NAMES[quarter]}",
    )


def check_year(year, field: str = "year") -> int:
    """A plan year: 2000 to 2100 (InvalidInput naming ``field`` otherwise)."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput.for_field(field, _("must be a year, e.g. 2026")) from None
    if not 2000 <= year <= 2100:
        raise InvalidInput.for_field(field, _("must be a year between 2000 and 2100"))
    return year


def year_period(year: int) -> Period:
    return Period(str(year), date(year, 1, 1), date(year, 12, 31), f"{year}年")


def counts_as_signed(row: Mapping, within: Period) -> bool:
    return (
        bool(row.get("signed_on"))
        and within.holds(row["signed_on"])
        and row.get("state") != "terminated"
        and bool(row.get("responsible_unit"))
    )


def achieved(rows: Iterable[Mapping], within: Period) -> dict[str, dict]:
    """Per responsible unit: the projects signed (refs), contracted investment and funds in place within ``within``."""
    out: dict[str, dict] = {}

    def unit_entry(unit: str) -> dict:
        return out.setdefault(unit, {"projects": [], "contracted_investment": Decimal(0), "funds_in_place": Decimal(0)})

    for row in rows:
        unit = row.get("responsible_unit")
        if not unit:
            continue
        if counts_as_signed(row, within):
            entry = unit_entry(unit)
            entry["projects"].append(row["ref"])
            entry["contracted_investment"] += Decimal(row["contracted_investment"] or 0)
        funds = [Decimal(f["amount"]) for f in (row.get("funds") or {}).values() if within.holds(f["on"])]
        if funds:
            unit_entry(unit)["funds_in_place"] += sum(funds, Decimal(0))
    for entry in out.values():
        entry["projects"].sort()
        entry["projects_signed"] = len(entry["projects"])
    return out


def _rate(done, target) -> str | None:
    target = Decimal(target)
    if target <= 0:
        return None
    return str((Decimal(done) * 100 / target).quantize(Decimal("0.01")))


def completion(
    year: int,
    targets: list[Mapping],
    rows: Iterable[Mapping],
    until: date | None = None,
    order: list[str] | None = None,
) -> list[dict]:
    """Each unit with a target or an achievement in ``year`` (up to ``until``): target, done, rate (%)."""
    within = year_period(year)
    if until is not None:
        within = Period(within.key, within.start, min(until, within.end), within.label)
    done = achieved(rows, within)
    by_unit = {t["unit"]: t for t in targets}
    units = sorted(set(by_unit) | set(done), key=lambda u: (order.index(u) if order and u in order else 999, u))
    result = []
    for unit in units:
        target = by_unit.get(unit)
        have = done.get(unit) or {
            "projects": [],
            "projects_signed": 0,
            "contracted_investment": Decimal(0),
            "funds_in_place": Decimal(0),
        }
        entry = {
            "unit": unit,
            "projects": have["projects"],
            "target": None,
            "done": {
                "projects_signed": have["projects_signed"],
                "contracted_investment": str(quantize_money(have["contracted_investment"])),
                "funds_in_place": str(quantize_money(have["funds_in_place"])),
            },
            "rate": {m: None for m in MEASURES},
        }
        if target:
            entry["target"] = {
                "projects_signed": int(target["projects_signed"]),
                "contracted_investment": str(quantize_money(target["contracted_investment"])),
                "funds_in_place": str(quantize_money(target["funds_in_place"])),
            }
            entry["rate"] = {m: _rate(entry["done"][m], entry["target"][m]) for m in MEASURES}
        result.append(entry)
    return result


def summary(key: str, rows: list[Mapping], targets: list[Mapping], units_order: list[str], red_flags_of) -> dict:
    """The work of every unit in a month or quarter, with the year's completion up to the period's end.

    ``red_flags_of(row)`` gives a row's red flags as shown at the period's end.
    """
    p = period(key)
    in_period = achieved(rows, p)
    units: dict[str, dict] = {}

    def unit(u: str) -> dict:
        return units.setdefault(
            u,
            {
                "unit": u,
                "new_leads": 0,
                "signed": 0,
                "signed_investment": Decimal(0),
                "funds_in_place": Decimal(0),
                "negotiating": 0,
                "red_flagged": 0,
                "key_projects": 0,
            },
        )

    for row in rows:
        if p.holds(row.get("registered_on")) and row.get("source") == "events":
            unit(row.get("registered_unit") or "IPB")["new_leads"] += 1
        owner = row.get("responsible_unit") or row.get("registered_unit") or "IPB"
        if row.get("book") == "negotiation" and row.get("state") not in ("refused", "terminated"):
            unit(owner)["negotiating"] += 1
        if red_flags_of(row):
            unit(owner)["red_flagged"] += 1
        if row.get("is_key") and row.get("state") not in ("rejected", "refused", "terminated", "archived"):
            unit(owner)["key_projects"] += 1
    for u, have in in_period.items():
        unit(u).update(
            signed=have["projects_signed"],
            signed_investment=have["contracted_investment"],
            funds_in_place=have["funds_in_place"],
        )
    ytd = completion(p.year, targets, rows, until=p.end, order=units_order)
    for entry in ytd:
        unit(entry["unit"])
    order = sorted(units, key=lambda u: (units_order.index(u) if u in units_order else 999, u))
    lines = []
    for u in order:
        line = units[u]
        line["signed_investment"] = str(quantize_money(line["signed_investment"]))
        line["funds_in_place"] = str(quantize_money(line["funds_in_place"]))
        line["year"] = next((e for e in ytd if e["unit"] == u), None)
        lines.append(line)
    totals = {
        k: sum(Decimal(str(line[k])) for line in lines)
        for k in (
            "new_leads",
            "signed",
            "signed_investment",
            "funds_in_place",
            "negotiating",
            "red_flagged",
            "key_projects",
        )
    }
    key_projects = [
        {
            "ref": r["ref"],
            "name": r["name"],
            "unit": r.get("responsible_unit"),
            "liaison_leader": (r.get("liaison_leader") or {}).get("name"),
            "state": r.get("state"),
            "red_flags": red_flags_of(r),
        }
        for r in sorted(rows, key=lambda r: r["ref"])
        if r.get("is_key") and r.get("state") not in ("rejected", "refused", "terminated", "archived")
    ]
    return {
        "period": p.key,
        "label": p.label,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "year": p.year,
        "units": lines,
        "totals": {
            k: str(quantize_money(v)) if "investment" in k or "funds" in k else int(v) for k, v in totals.items()
        },
        "key_projects": key_projects,
    }


def check_targets(year: int, items: list[Mapping], policy) -> list[dict]:
    """The LG's targets for ``year``: one line per responsible unit (a park or a town of the policy)."""
    problems: dict[str, list] = {}
    if not 2000 <= int(year) <= 2100:
        problems["year"] = [_("must be a year between 2000 and 2100")]
    units = {p.unit for p in policy.parks.values()} | {t.unit for t in policy.towns.values()}
    seen = set()
    out = []
    for i, item in enumerate(items):
        if item["unit"] not in units:
            problems.setdefault(f"targets[{i}].unit", []).append(
                _("must be a responsible unit (a park or a town): one of {units:units}", units=sorted(units))
            )
        elif item["unit"] in seen:
            problems.setdefault(f"targets[{i}].unit", []).append(_("this unit is given twice"))
        seen.add(item["unit"])
        for measure in ("contracted_investment", "funds_in_place"):
            if item[measure] > policy.decimal("thresholds.intake.max_total_investment_yuan"):
                problems.setdefault(f"targets[{i}].{measure}", []).append(
                    _("exceeds the plausible ceiling (a typing error?)")
                )
            elif item[measure] != quantize_money(item[measure]):
                problems.setdefault(f"targets[{i}].{measure}", []).append(_("yuan are kept to 2 decimal places (fen)"))
        out.append(item)
    if problems:
        raise InvalidInput(_("the targets are invalid — {problems:clauses}", problems=problems_of(problems)), problems)
    return [
        {
            **item,
            "contracted_investment": quantize_money(item["contracted_investment"]),
            "funds_in_place": quantize_money(item["funds_in_place"]),
        }
        for item in out
    ]
