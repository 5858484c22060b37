"""The project reserve (R8) and its public catalog (R9): pure rules.

A reserve project's tier follows its total investment (policy ``thresholds.reserve.tiers``,
``shared.tiers``); each year's plan counts the projects per tier against the yearly
minimum.  The public catalog shows a published project through ``public_entry`` only —
name, sector, location, investment scale, cooperation mode and contact office — built
field by field from the row, so nothing else (investor, contact person, notes of the
negotiation or the contract) can leave by it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Mapping

from shared.errors import Conflict, InvalidInput, problems_of
from shared.i18n import _
from shared.industry import sector_problem
from shared.policy import Policy
from shared.tiers import investment_tier, tier_label, tier_names, yearly_minimum
from shared.units import quantize_money


def validate(data: Mapping, policy: Policy) -> dict:
    """Schema-shaped (possibly partial) ``data`` checked against the rules; InvalidInput names every field."""
    problems: dict[str, list] = {}

    def bad(field: str, rule) -> None:
        problems.setdefault(field, []).append(rule)

    out = dict(data)
    if "sector" in data:
        out["sector"] = (data["sector"] or "").strip().upper()
        if problem := sector_problem(out["sector"], policy.industry_sections):
            bad("sector", problem)
    if "total_investment" in data:
        amount = Decimal(data["total_investment"])
        if amount <= 0:
            bad("total_investment", _("must be a positive amount in yuan"))
        elif amount > policy.decimal("thresholds.intake.max_total_investment_yuan"):  # before rounding: 1e999 cannot
            bad("total_investment", _("exceeds the plausible ceiling (a typing error?)"))
        elif amount != quantize_money(amount):
            bad("total_investment", _("yuan are kept to 2 decimal places (fen)"))
    if "location" in data:
        kind, ident = data["location"]["kind"], data["location"].get("id") or None
        if kind == "open" and ident:
            bad("location.id", _("must be empty when the location is open"))
        elif kind != "open" and not policy.location_exists(kind, ident):
            if kind == "park":
                bad(
                    "location.id",
                    _(
                        "no such park; the county's parks: {known:units}",
                        known=sorted(p.unit for p in policy.parks.values()),
                    ),
                )
            else:
                bad(
                    "location.id",
                    _(
                        "no such town; the county's towns: {known:units}",
                        known=sorted(t.unit for t in policy.towns.values()),
                    ),
                )
    if "cooperation_mode" in data:
        modes = policy.get("county.cooperation_modes")
        if data["cooperation_mode"] not in modes:
            bad("cooperation_mode", _("must be one of: {choices:list}", choices=list(modes)))
    if data.get("document"):
        filename = data["document"]["filename"]
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        types = policy.get("documents.reserve_document_types")
        if ext not in types:
            bad(
                "document.filename",
                _("a proposal or feasibility study is a document of one of the types {types}", types=", ".join(types)),
            )
    if problems:
        raise InvalidInput(
            _("the reserve project is invalid — {problems:clauses}", problems=problems_of(problems)), problems
        )
    return out


def check_year(year) -> int:
    """A plan year: 2000 to 2100 (InvalidInput naming ``year`` otherwise)."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput.for_field("year", _("must be a year, e.g. 2026")) from None
    if not 2000 <= year <= 2100:
        raise InvalidInput.for_field("year", _("must be a year between 2000 and 2100"))
    return year


def check_same_year(current_year: int, data: Mapping) -> None:
    """A reserve project stays in its plan year: a change of year is refused (it is entered anew)."""
    if "year" in data and data["year"] != current_year:
        raise InvalidInput.for_field("year", _("a reserve project stays in its plan year; enter it anew"))


def check_can_publish(row: Mapping) -> None:
    """R9: a reserve project enters the public catalog once."""
    if row["published"]:
        raise Conflict(_("{ref} is already in the public catalog", ref=row["ref"]), {"published": ["true"]})


def check_can_withdraw(row: Mapping) -> None:
    """R9: a project is withdrawn from the public catalog while it is in it."""
    if not row["published"]:
        raise Conflict(_("{ref} is not in the public catalog", ref=row["ref"]), {"published": ["false"]})


def tier_of(total: Decimal, policy: Policy) -> str | None:
    return investment_tier(total, policy)


def location_name(kind: str, ident: str | None, detail: str | None, policy: Policy):
    """Where a reserve project is: its park or town by name (and the place within it), or the county at large."""
    if kind == "park":
        unit = policy.parks[ident].unit
    elif kind == "town":
        unit = policy.towns[ident].unit
    else:
        return (
            _("in the county, location open — {detail}", detail=detail) if detail else _("in the county, location open")
        )
    return _("{unit:unit}, {detail}", unit=unit, detail=detail) if detail else _("{unit:unit}", unit=unit)


def public_entry(row: Mapping, policy: Policy) -> dict:
    """A published reserve project as the public sees it (R9) — these seven fields and nothing else."""
    if not row["published"]:
        raise Conflict(_("the reserve project is not published"), {"published": ["false"]})
    return {
        "ref": row["ref"],
        "name": row["name"],
        "sector": row["sector"],
        "sector_name": _("{sector:sector}", sector=row["sector"]),
        "location": location_name(row["location_kind"], row["location_id"], row["location_detail"], policy),
        "investment_scale": _(
            "{amount:wan} ({tier})", amount=row["total_investment"], tier=tier_label(row["tier"], policy)
        ),
        "cooperation_mode": row["cooperation_mode"],
        "contact_office": row["contact_office"],
    }


def plan(year: int, tiers_of_projects: Iterable[str | None], policy: Policy) -> dict:
    """A year's reserve against the minimum per tier: count and shortfall of each tier (R8)."""
    minimum = yearly_minimum(policy)
    counted = list(tiers_of_projects)
    tiers = []
    for name in tier_names(policy):
        count = sum(1 for t in counted if t == name)
        tiers.append(
            {
                "tier": name,
                "label": tier_label(name, policy),
                "count": count,
                "minimum": minimum,
                "shortfall": max(0, minimum - count),
            }
        )
    return {
        "year": year,
        "minimum_per_tier": minimum,
        "tiers": tiers,
        "below_tiers": sum(1 for t in counted if t is None),
        "shortfall": sum(t["shortfall"] for t in tiers),
    }
