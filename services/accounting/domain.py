"""Investment accounting (R12), pure: the figures, their formulas, and recovery.

The rounding rule (``shared.units``): ROUND_HALF_UP to 2 places — yuan to the
fen, land to 0.01 mu, intensity to 0.01 万元/亩 — applied when a figure is
produced for the report.  Each figure is computed from the *reported* figures
before it, so every line of the report can be checked by hand:

    actual intensity  = actual FAI (万元) ÷ land used (mu)                 → 0.01 万元/亩
    reasonable land   = actual FAI (万元) ÷ contracted intensity (万元/亩)   → 0.01 mu
    excess land       = land used − reasonable land, when positive        (exact on 0.01 mu figures)
    fee to recover    = excess land × delisting price (yuan/mu)           → 0.01 yuan
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable, Mapping

from shared.errors import Conflict, InvalidInput
from shared.policy import Policy
from shared.units import quantize_intensity, quantize_land, quantize_money, yuan_to_wan

ZERO = Decimal("0")
PARTICIPANTS = ("IPB", "FIN", "DRB", "IND", "LAND", "AUDIT")
RECOVERY_UNITS = ("FIN", "LAND", "LEGAL")


def construction_period_over(completion: date, today: date) -> bool:
    """R12: the contracted construction period is reached once the contracted completion day has passed."""
    return today > completion


def accountings_due(projects: Iterable[Mapping], today: date) -> list[Mapping]:
    """Projects in construction (no accounting open yet) whose contracted construction period is reached."""
    return [p for p in projects if (p.get("contract_terms") or {}).get("completion")
            and construction_period_over(date.fromisoformat(p["contract_terms"]["completion"]), today)]


def participants(responsible_unit: str | None) -> list[str]:
    """IPB leads FIN, DRB, IND, LAND, AUDIT and the park (or the town) where the project settled."""
    return list(PARTICIPANTS) + ([responsible_unit] if responsible_unit else [])


def positive(value: Decimal, field: str, ceiling: Decimal, unit: str) -> Decimal:
    if value <= 0:
        raise InvalidInput.for_field(field, "must be more than 0")
    if value > ceiling:
        raise InvalidInput.for_field(field, f"exceeds the plausible ceiling of {ceiling} {unit} (typing error?)")
    return value


def delisting_price(policy: Policy, responsible_unit: str | None) -> tuple[Decimal, str]:
    """The land's delisting price per mu from policy data: by park, else the town/open default."""
    prices = policy.get("land.delisting_price_yuan_per_mu")
    if responsible_unit and responsible_unit.startswith("PARK:"):
        park = responsible_unit[5:]
        if park in prices["park"]:
            return Decimal(str(prices["park"][park])), f"policy land.yaml: park {park}"
    kind = "town" if responsible_unit and responsible_unit.startswith("TOWN:") else "open"
    return Decimal(str(prices[kind])), f"policy land.yaml: {kind}"


@dataclass(frozen=True)
class Figure:
    name: str
    value: Decimal
    unit: str
    formula: str

    def dump(self) -> dict:
        return {"name": self.name, "value": str(self.value), "unit": self.unit, "formula": self.formula}


def compute(actual_fai_yuan: Decimal, land_used_mu: Decimal, contracted_intensity: Decimal,
            price_per_mu: Decimal) -> list[Figure]:
    """Every figure of R12 with its formula and inputs (see the module docstring for rounding)."""
    if contracted_intensity <= 0:
        raise Conflict("the contract has no positive contracted intensity", {"contracted_intensity": [str(contracted_intensity)]})
    fai_wan = yuan_to_wan(actual_fai_yuan)
    land = quantize_land(land_used_mu)
    intensity = quantize_intensity(fai_wan / land)
    reasonable = quantize_land(fai_wan / contracted_intensity)
    excess = land - reasonable if land > reasonable else ZERO.quantize(Decimal("0.01"))
    fee = quantize_money(excess * price_per_mu)
    return [
        Figure("actual_fixed_asset_investment", quantize_money(actual_fai_yuan), "yuan", "audited by AUDIT"),
        Figure("land_used", land, "mu", "measured by LAND"),
        Figure("actual_intensity", intensity, "万元/亩", f"{fai_wan} 万元 ÷ {land} mu"),
        Figure("contracted_intensity", contracted_intensity, "万元/亩", "from the signed contract"),
        Figure("reasonable_land", reasonable, "mu", f"{fai_wan} 万元 ÷ {contracted_intensity} 万元/亩"),
        Figure("excess_land", excess, "mu",
               f"{land} mu − {reasonable} mu" if land > reasonable else f"{land} mu ≤ {reasonable} mu: none"),
        Figure("delisting_price", quantize_money(price_per_mu), "yuan/mu", "the land's delisting price"),
        Figure("fee_to_recover", fee, "yuan", f"{excess} mu × {quantize_money(price_per_mu)} yuan/mu"),
    ]


def figure(figures: list[Mapping], name: str) -> Decimal:
    return Decimal(next(f["value"] for f in figures if f["name"] == name))


def opinion(figures: list[Mapping]) -> str:
    """The written opinion on land use that the report carries by default."""
    excess, fee = figure(figures, "excess_land"), figure(figures, "fee_to_recover")
    actual, contracted = figure(figures, "actual_intensity"), figure(figures, "contracted_intensity")
    if excess > 0:
        return (f"项目实际投资强度 {actual} 万元/亩，低于合同约定的 {contracted} 万元/亩；实际用地超出合理用地 {excess} 亩，"
                f"应按土地摘牌价追缴相关费用 {fee} 元，由县财政局、县国土资源局、县法制办负责追缴。")
    return f"项目实际投资强度 {actual} 万元/亩，不低于合同约定的 {contracted} 万元/亩；实际用地未超出合理用地，用地合理。"


# -- recovery ---------------------------------------------------------------------------------------------
OPEN, SETTLED, WAIVED = "open", "settled", "waived"


def check_can_close(state: str, report_issued: bool, tasks: list[Mapping]) -> None:
    missing = []
    if state != "computed":
        missing.append("both figures (AUDIT's actual FAI, LAND's land used) and the computation")
    if not report_issued:
        missing.append("the written report to the county party committee and government")
    unsettled = [t["unit"] for t in tasks if t["status"] == OPEN]
    if unsettled:
        missing.append(f"recovery tasks settled or waived ({', '.join(unsettled)} open)")
    if missing:
        raise Conflict("the accounting cannot close yet: " + "; ".join(missing), {"missing": missing})
