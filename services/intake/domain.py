"""Intake rules (R1): a lead is validated field by field, and a lead is filed by IPB.

Pure Python: no nameko, no database session.  The service hands these
functions plain data and the policy; they return values or raise
``InvalidInput`` naming every field and the rule it broke.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping

from shared import uscc
from shared.errors import Conflict, InvalidInput, problems_of
from shared.i18n import _
from shared.industry import SECTOR_SHAPE, sector_problem  # noqa: F401 (re-exported)
from shared.policy import Policy
from shared.units import UnitError, exact_mu, parse_decimal, quantize_money

# GB 32100-2015: 统一社会信用代码 (shared/uscc.py; the names intake and its tests have used)
USCC_CHARSET, USCC_WEIGHTS, USCC_SHAPE = uscc.CHARSET, uscc.WEIGHTS, uscc.SHAPE
uscc_check_character = uscc.check_character
uscc_problem = uscc.problem


def _money_or_none(value) -> Decimal | None:
    return None if value is None else quantize_money(value)


def normalise_name(text: str) -> str:
    """Key for duplicate detection: width-folded, case-folded, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if ch.isalnum())


@dataclass(frozen=True)
class LeadFacts:
    """A validated lead, ready to store."""

    investor_name: str
    investor_kind: str
    credit_code: str | None
    registration_id: str | None
    investor_country: str | None
    contact_name: str
    contact_phone: str
    contact_email: str | None
    project_name: str
    sector: str
    total_investment: Decimal
    fixed_asset_investment: Decimal
    land_mu: Decimal
    land_input_value: str
    land_input_unit: str
    location_kind: str
    location_id: str | None
    source_channel: str
    notes: str | None
    annual_output: Decimal | None = None  # yuan a year at full production (R17's forecast grade)
    annual_tax: Decimal | None = None  # yuan a year
    annual_energy: Decimal | None = None  # 吨标准煤 a year

    @property
    def investor_key(self) -> str:
        """Who the investor is, for duplicate detection."""
        if self.credit_code:
            return f"uscc:{self.credit_code}"
        if self.registration_id:
            return f"reg:{(self.investor_country or '').upper()}:{normalise_name(self.registration_id)}"
        return f"name:{normalise_name(self.investor_name)}"

    @property
    def project_key(self) -> str:
        return normalise_name(self.project_name)


class Problems:
    """Collects every broken rule before raising one ``InvalidInput``."""

    def __init__(self):
        self.fields: dict[str, list] = {}

    def add(self, field: str, rule) -> None:
        self.fields.setdefault(field, []).append(rule)

    def raise_if_any(self) -> None:
        if self.fields:
            raise InvalidInput(
                _("the lead is invalid — {problems:clauses}", problems=problems_of(self.fields)), self.fields
            )


def _positive_money(problems: Problems, field: str, raw, ceiling: Decimal) -> Decimal | None:
    try:
        value = parse_decimal(raw, field)
    except UnitError as exc:
        problems.add(field, exc.rule)
        return None
    if value <= 0:
        problems.add(field, _("must be a positive amount in yuan"))
        return None
    if value > ceiling:
        problems.add(field, _("exceeds the plausible ceiling of {ceiling:yuan} (a typing error?)", ceiling=ceiling))
        return None
    if value != quantize_money(value):
        problems.add(field, _("yuan are kept to 2 decimal places (fen)"))
        return None
    return value


def validate_lead(data: Mapping, policy: Policy) -> LeadFacts:
    """Apply every R1 rule to schema-shaped ``data``; raise InvalidInput listing all problems."""
    problems = Problems()
    investor, contact = data["investor"], data["contact"]

    kind = investor["kind"]
    credit_code = (investor.get("credit_code") or "").strip().upper() or None
    registration_id = (investor.get("registration_id") or "").strip() or None
    country = (investor.get("country") or "").strip().upper() or None
    if kind == "domestic":
        if not credit_code:
            problems.add("investor.credit_code", _("required for a Chinese entity (unified social credit code)"))
        elif problem := uscc_problem(credit_code):
            problems.add("investor.credit_code", problem)
        if registration_id:
            problems.add(
                "investor.registration_id", _("only for foreign investors; a Chinese entity gives its credit code")
            )
    else:
        if not registration_id:
            problems.add("investor.registration_id", _("required for a foreign investor (its home registration id)"))
        if not country:
            problems.add("investor.country", _("required for a foreign investor (ISO 3166 code)"))
        if credit_code:
            problems.add("investor.credit_code", _("a foreign investor gives its registration id instead"))

    sector = (data["sector"] or "").strip().upper()
    if problem := sector_problem(sector, policy.industry_sections):
        problems.add("sector", problem)

    ceiling = policy.decimal("thresholds.intake.max_total_investment_yuan")
    total = _positive_money(problems, "planned_total_investment", data["planned_total_investment"], ceiling)
    fixed = _positive_money(problems, "planned_fixed_asset_investment", data["planned_fixed_asset_investment"], ceiling)
    if total is not None and fixed is not None and fixed > total:
        problems.add("planned_fixed_asset_investment", _("cannot exceed the planned total investment"))

    land = data["land_demand"]
    land_mu = None
    try:
        land_mu = exact_mu(land["value"], land["unit"])  # kept exactly as given: 40,003 m² is 60.0045 mu
        land_ceiling = policy.decimal("thresholds.intake.max_land_mu")
        if land_mu <= 0:
            problems.add("land_demand.value", _("must be more than 0"))
        elif land_mu > land_ceiling:
            problems.add(
                "land_demand.value",
                _("exceeds the plausible ceiling of {ceiling:mu} (a typing error?)", ceiling=land_ceiling),
            )
    except UnitError as exc:
        problems.add(f"land_demand.{exc.field}", exc.rule)

    location = data["preferred_location"]
    loc_kind, loc_id = location["kind"], (location.get("id") or None)
    if loc_kind == "open" and loc_id:
        problems.add("preferred_location.id", _("must be empty when the location is open"))
    elif loc_kind != "open" and not policy.location_exists(loc_kind, loc_id):
        if loc_kind == "park":
            problems.add(
                "preferred_location.id",
                _(
                    "no such park; the county's parks: {known:units}",
                    known=sorted(p.unit for p in policy.parks.values()),
                ),
            )
        else:
            problems.add(
                "preferred_location.id",
                _(
                    "no such town; the county's towns: {known:units}",
                    known=sorted(t.unit for t in policy.towns.values()),
                ),
            )

    channel = data["source_channel"]
    if channel not in policy.source_channels:
        problems.add(
            "source_channel", _("unknown channel; one of: {channels:channels}", channels=policy.source_channels)
        )

    problems.raise_if_any()
    return LeadFacts(
        investor_name=investor["name"].strip(),
        investor_kind=kind,
        credit_code=credit_code,
        registration_id=registration_id,
        investor_country=country,
        contact_name=contact["name"].strip(),
        contact_phone=contact["phone"].strip(),
        contact_email=(contact.get("email") or None),
        project_name=data["project_name"].strip(),
        sector=sector,
        total_investment=total,
        fixed_asset_investment=fixed,
        land_mu=land_mu,
        land_input_value=str(land["value"]),
        land_input_unit=land["unit"],
        location_kind=loc_kind,
        location_id=loc_id,
        source_channel=channel,
        notes=data.get("notes"),
        annual_output=_money_or_none(data.get("planned_annual_output")),
        annual_tax=_money_or_none(data.get("planned_annual_tax")),
        annual_energy=data.get("planned_annual_energy"),
    )


@dataclass(frozen=True)
class OpenLead:
    """What duplicate detection needs to know of an existing open lead."""

    lead_id: str
    ref: str
    investor_key: str
    project_key: str


def find_duplicate(facts: LeadFacts, open_leads: Iterable[OpenLead]) -> OpenLead | None:
    """The open lead of the same investor whose project name matches, if any."""
    for lead in open_leads:
        if lead.investor_key == facts.investor_key and lead.project_key == facts.project_key:
            return lead
    return None


def refuse_duplicate(duplicate: OpenLead) -> Conflict:
    return Conflict(
        _(
            "duplicate: the same investor already has the open project {ref}; IPB may confirm it is a new project",
            ref=duplicate.ref,
        ),
        {
            "confirmed_new": [_("required to register a project matching an open one")],
            "duplicate_of": duplicate.lead_id,
            "duplicate_ref": duplicate.ref,
        },
    )


LEAD = "lead"
FILED = "filed"
CLOSED = "closed"
CLOSING_STATES = frozenset({"rejected", "terminated", "archived"})


def check_can_file(status: str, ref: str) -> None:
    if status != LEAD:
        raise Conflict(
            _("{ref} is {status:state}: only a lead can be filed", ref=ref, status=status),
            {"status": [_("is {status:state}, must be a lead", status=status)]},
        )
