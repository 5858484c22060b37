"""The location-dependent checks of the joint review (R2), pure: what review's plugins run at convening and
negotiation runs again for the unit IPB assigns (R3).

Two services need them and must not import each other, so they live here: the finding a check gives
(``Finding``), the facts it looks at (``ProjectFacts``), the investment intensity against the minimum of
a location and the environmental bars at a location.  Every figure comes from the policy
(``industry.intensity_minimum_wan_per_mu``, ``industry.environment``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Iterable, Mapping

from shared.i18n import Message, _, to_wire
from shared.policy import Policy
from shared.units import quantize_intensity, wan_per_mu

OK, FLAG, FAIL, ERROR = "ok", "flag", "fail", "error"
INTENSITY, ENVIRONMENT = "investment_intensity", "environmental_protection"


@dataclass(frozen=True)
class ProjectFacts:
    """What a check may look at: the project's planned figures and its location."""

    sector: str
    fixed_asset_investment: Decimal  # yuan
    land_mu: Decimal
    location_kind: str  # park | town | open
    location_id: str | None = None

    def at_unit(self, unit: str) -> "ProjectFacts":
        """The same project at a responsible unit (``PARK:<id>`` or ``TOWN:<id>``)."""
        kind, ident = location_of_unit(unit)
        return replace(self, location_kind=kind, location_id=ident)


@dataclass(frozen=True)
class Finding:
    check: str
    unit: str
    verdict: str  # ok | flag | fail | error
    reason: Message | str  # a Message of the catalogue (a county's own plugin may give plain text)
    policy_values: Mapping[str, str] = field(default_factory=dict)
    outside_policy: bool = False  # R5: a restricted-class finding needs a case-by-case decision

    def dump(self) -> dict:
        return {
            "check": self.check,
            "unit": self.unit,
            "verdict": self.verdict,
            "reason": to_wire(self.reason),
            "policy_values": dict(self.policy_values),
            "outside_policy": self.outside_policy,
        }


def longest_prefix(code: str, prefixes: Iterable[str]) -> str | None:
    matches = [p for p in prefixes if code.startswith(p)]
    return max(matches, key=len) if matches else None


def location_of_unit(unit: str) -> tuple[str, str | None]:
    """``PARK:hexi`` -> (park, hexi); ``TOWN:xintang`` -> (town, xintang); anything else is open."""
    prefix, _, ident = unit.partition(":")
    kind = {"PARK": "park", "TOWN": "town"}.get(prefix)
    return (kind, ident) if kind and ident else ("open", None)


def location_unit(kind: str, ident: str | None) -> str | None:
    """The unit code of a location (``park``, ``hexi`` -> ``PARK:hexi``); None for an open location."""
    return f"{kind.upper()}:{ident}" if kind in ("park", "town") and ident else None


def intensity_minimum(sector: str, kind: str, ident: str | None, policy: Policy) -> tuple[Decimal, str]:
    """The minimum planned intensity (万元/亩) at a location and where it comes from: the kind's minimum or its
    sector override (longest prefix), raised to the location's own minimum where the county sets a higher one."""
    minimums = policy.get("industry.intensity_minimum_wan_per_mu")
    overrides = (minimums.get("sector_overrides") or {}).get(kind) or {}
    prefix = longest_prefix(sector, overrides)
    minimum = Decimal(str(overrides[prefix] if prefix else minimums[kind]))
    source = f"{kind}:{prefix}" if prefix else kind
    unit = location_unit(kind, ident)
    own = (minimums.get("locations") or {}).get(unit) if unit else None
    if own is not None and Decimal(str(own)) > minimum:
        minimum, source = Decimal(str(own)), unit
    return minimum, source


def intensity_finding(project: ProjectFacts, policy: Policy, unit: str = "LAND") -> Finding:
    """Planned fixed-asset investment ÷ land (万元/亩) against the location's minimum; exactly at it passes."""
    minimum, source = intensity_minimum(project.sector, project.location_kind, project.location_id, policy)
    actual = wan_per_mu(project.fixed_asset_investment, project.land_mu)
    shown = quantize_intensity(actual)
    values = {"minimum_wan_per_mu": str(minimum), "planned_wan_per_mu": str(shown), "minimum_source": source}
    own = source.startswith(("PARK:", "TOWN:"))  # the location's own minimum, higher than its kind's
    if actual < minimum:
        said = (
            _(
                "the planned intensity {planned:intensity} is below the minimum {minimum:intensity} of {unit:unit}",
                planned=shown,
                minimum=minimum,
                unit=source,
            )
            if own
            else _(
                "the planned intensity {planned:intensity} is below the minimum {minimum:intensity}",
                planned=shown,
                minimum=minimum,
            )
        )
        return Finding(INTENSITY, unit, FAIL, said, values)
    said = (
        _(
            "the planned intensity {planned:intensity} meets the minimum {minimum:intensity} of {unit:unit}",
            planned=shown,
            minimum=minimum,
            unit=source,
        )
        if own
        else _(
            "the planned intensity {planned:intensity} meets the minimum {minimum:intensity}",
            planned=shown,
            minimum=minimum,
        )
    )
    return Finding(INTENSITY, unit, OK, said, values)


def environment_finding(project: ProjectFacts, policy: Policy, unit: str = "EPB") -> Finding:
    """The sector's impact category, and a bar on the sector at the project's location (a fail)."""
    env = policy.get("industry.environment")
    category, best = env["default_category"], None
    for cat, prefixes in (env.get("categories") or {}).items():
        prefix = longest_prefix(project.sector, prefixes or ())
        if prefix and (best is None or len(prefix) > len(best)):
            category, best = cat, prefix
    values = {"category": category}
    for bar in env.get("bars") or ():
        prefix = longest_prefix(project.sector, bar["sectors"])
        where = bar["location"]
        at_kind = where["kind"] == project.location_kind
        at_place = where.get("id") in (None, project.location_id)
        if prefix and at_kind and at_place:
            place = f"{where['kind']} {where.get('id') or '(any)'}"
            barred_at = location_unit(where["kind"], where.get("id"))
            said = (
                _(
                    "{sector:sector} (bar {entry}) may not be located in {unit:unit}",
                    sector=project.sector,
                    entry=prefix,
                    unit=barred_at,
                )
                if barred_at
                else _(
                    "{sector:sector} (bar {entry}) may not be located in {kind:location}",
                    sector=project.sector,
                    entry=prefix,
                    kind=where["kind"],
                )
            )
            return Finding(ENVIRONMENT, unit, FAIL, said, {**values, "bar": f"{prefix}@{place}"})
    return Finding(
        ENVIRONMENT,
        unit,
        OK,
        _("impact category: {category:impact}; no bar at the chosen location", category=category),
        values,
    )


LOCATION_CHECKS = (intensity_finding, environment_finding)
"""The checks whose answer depends on where the project goes (R2: run again for the unit assigned under R3)."""


def location_failures(project: ProjectFacts, unit: str, policy: Policy) -> list[Finding]:
    """The location checks the project fails at the responsible unit ``unit`` (empty: it may go there)."""
    there = project.at_unit(unit)
    return [f for f in (check(there, policy) for check in LOCATION_CHECKS) if f.verdict == FAIL]
