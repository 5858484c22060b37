"""Department check plugins of the joint review (R2), discovered through entry points.

A plugin is any object registered in the entry-point group
``zhaoshang.review_checks`` that has a ``name``, the ``unit`` whose concern it
is, and ``run(project, policy) -> Finding``.  It reads policy data only.  The
four shipped with the platform are below; a county adds its own by installing
a package that declares the same entry-point group — the review service needs
no change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping

from shared.policy import Policy
from shared.units import quantize_intensity, wan_per_mu

OK, FLAG, FAIL, ERROR = "ok", "flag", "fail", "error"


@dataclass(frozen=True)
class ProjectFacts:
    """What a check may look at: the filed project's planned figures and location."""

    sector: str
    fixed_asset_investment: Decimal  # yuan
    land_mu: Decimal
    location_kind: str  # park | town | open
    location_id: str | None = None


@dataclass(frozen=True)
class Finding:
    check: str
    unit: str
    verdict: str  # ok | flag | fail | error
    reason: str
    policy_values: Mapping[str, str] = field(default_factory=dict)
    outside_policy: bool = False  # R5: a restricted-class finding needs a case-by-case decision

    def dump(self) -> dict:
        return {"check": self.check, "unit": self.unit, "verdict": self.verdict, "reason": self.reason,
                "policy_values": dict(self.policy_values), "outside_policy": self.outside_policy}


def longest_prefix(code: str, prefixes: Iterable[str]) -> str | None:
    matches = [p for p in prefixes if code.startswith(p)]
    return max(matches, key=len) if matches else None


class NationalIndustrialPolicy:
    """The sector's class in the Catalogue for Guiding Industry Restructuring."""

    name = "national_industrial_policy"
    unit = "DRB"

    def run(self, project: ProjectFacts, policy: Policy) -> Finding:
        catalogue = policy.get("industry.catalogue")
        best = {cls: longest_prefix(project.sector, catalogue.get(cls) or ()) for cls in ("encouraged", "restricted", "eliminated")}
        found = [(len(p), cls, p) for cls, p in best.items() if p]
        if not found:
            return Finding(self.name, self.unit, OK, f"{project.sector} is permitted (not listed in the catalogue)",
                           {"class": "permitted"})
        _, cls, prefix = max(found)
        values = {"class": cls, "catalogue_entry": prefix}
        if cls == "eliminated":
            return Finding(self.name, self.unit, FAIL, f"{project.sector} is in the eliminated class ({prefix}): automatic fail", values)
        if cls == "restricted":
            return Finding(self.name, self.unit, FLAG,
                           f"{project.sector} is in the restricted class ({prefix}): outside current policy, needs a case-by-case decision",
                           values, outside_policy=True)
        return Finding(self.name, self.unit, OK, f"{project.sector} is encouraged ({prefix})", values)


class CountyIndustrialPlan:
    """The sector is a county priority or in some park's positioning."""

    name = "county_industrial_plan"
    unit = "IND"

    def run(self, project: ProjectFacts, policy: Policy) -> Finding:
        priority = longest_prefix(project.sector, policy.get("industry.county_priorities") or ())
        if priority:
            return Finding(self.name, self.unit, OK, f"{project.sector} is a county priority ({priority})", {"priority": priority})
        parks = sorted(p.id for p in policy.parks.values() if p.covers(project.sector))
        if parks:
            return Finding(self.name, self.unit, OK, f"{project.sector} is in the positioning of {', '.join(parks)}",
                           {"parks": ", ".join(parks)})
        return Finding(self.name, self.unit, FLAG, f"{project.sector} is neither a county priority nor in any park's positioning", {})


class EnvironmentalProtection:
    """Impact category of the sector, and bars on the sector at the chosen location."""

    name = "environmental_protection"
    unit = "EPB"

    def run(self, project: ProjectFacts, policy: Policy) -> Finding:
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
                return Finding(self.name, self.unit, FAIL, f"{project.sector} ({prefix}) is barred at {place}",
                               {**values, "bar": f"{prefix}@{place}"})
        return Finding(self.name, self.unit, OK, f"impact category {category}; no bar at the chosen location", values)


class InvestmentIntensity:
    """Planned fixed-asset investment ÷ land (万元/亩) against the minimum; exactly at it passes."""

    name = "investment_intensity"
    unit = "LAND"

    def run(self, project: ProjectFacts, policy: Policy) -> Finding:
        minimums = policy.get("industry.intensity_minimum_wan_per_mu")
        overrides = (minimums.get("sector_overrides") or {}).get(project.location_kind) or {}
        prefix = longest_prefix(project.sector, overrides)
        minimum = Decimal(str(overrides[prefix] if prefix else minimums[project.location_kind]))
        actual = wan_per_mu(project.fixed_asset_investment, project.land_mu)
        values = {"minimum_wan_per_mu": str(minimum), "planned_wan_per_mu": str(quantize_intensity(actual)),
                  "minimum_source": f"{project.location_kind}:{prefix}" if prefix else project.location_kind}
        if actual < minimum:
            return Finding(self.name, self.unit, FAIL,
                           f"planned intensity {quantize_intensity(actual)} 万元/亩 is below the minimum {minimum}", values)
        return Finding(self.name, self.unit, OK,
                       f"planned intensity {quantize_intensity(actual)} 万元/亩 meets the minimum {minimum}", values)


ENTRY_POINT_GROUP = "zhaoshang.review_checks"


VERDICTS = (OK, FLAG, FAIL, ERROR)


def discover_checks() -> list:
    """Every installed check plugin, once per name; one that cannot be loaded (or that
    repeats a name already taken) stands in as a check that always errors."""
    from importlib.metadata import entry_points

    checks, names = [], set()
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        if ep.name in names:
            checks.append(_Unloadable(f"{ep.name}#duplicate", f"{ep.value} repeats the check name {ep.name!r}"))
            continue
        names.add(ep.name)
        try:
            loaded = ep.load()
            checks.append(loaded() if isinstance(loaded, type) else loaded)
        except Exception as exc:  # a broken plugin must not stop the review
            checks.append(_Unloadable(ep.name, f"{type(exc).__name__}: {exc}"))
    return checks


@dataclass(frozen=True)
class _Unloadable:
    name: str
    error: str
    unit: str = "IPB"

    def run(self, project, policy):
        raise RuntimeError(f"plugin could not be loaded: {self.error}")


def _checked(check, result) -> Finding:
    """A plugin's answer, held to the Finding contract (JSON-safe values, a known verdict)."""
    if not isinstance(result, Finding):
        raise TypeError(f"returned {type(result).__name__}, not a Finding")
    if result.verdict not in VERDICTS:
        raise ValueError(f"verdict {result.verdict!r} is not one of {', '.join(VERDICTS)}")
    return Finding(str(result.check), str(result.unit), result.verdict, str(result.reason),
                   {str(k): str(v) for k, v in dict(result.policy_values).items()}, bool(result.outside_policy))


def run_checks(checks: Iterable, project: ProjectFacts, policy: Policy) -> list[Finding]:
    """Run every check; a check that raises or answers out of contract yields an ``error``
    finding, and the others still run."""
    findings = []
    for check in checks:
        try:
            findings.append(_checked(check, check.run(project, policy)))
        except Exception as exc:
            findings.append(Finding(str(getattr(check, "name", repr(check))), str(getattr(check, "unit", "IPB")), ERROR,
                                    f"the check failed: {type(exc).__name__}: {exc}"))
    return findings
