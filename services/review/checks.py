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

from shared.i18n import Message, _, to_wire
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
    reason: Message | str  # a Message of the catalogue (a county's own plugin may give plain text)
    policy_values: Mapping[str, str] = field(default_factory=dict)
    outside_policy: bool = False  # R5: a restricted-class finding needs a case-by-case decision

    def dump(self) -> dict:
        return {"check": self.check, "unit": self.unit, "verdict": self.verdict, "reason": to_wire(self.reason),
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
            return Finding(self.name, self.unit, OK, _("{sector:sector} is in the permitted class (not listed in the "
                                                       "catalogue)", sector=project.sector), {"class": "permitted"})
        _length, cls, prefix = max(found)
        values = {"class": cls, "catalogue_entry": prefix}
        if cls == "eliminated":
            return Finding(self.name, self.unit, FAIL, _("{sector:sector} is in the eliminated class (catalogue entry "
                                                         "{entry}): the review fails", sector=project.sector,
                                                         entry=prefix), values)
        if cls == "restricted":
            return Finding(self.name, self.unit, FLAG,
                           _("{sector:sector} is in the restricted class (catalogue entry {entry}): outside current "
                             "policy, it needs a case-by-case decision", sector=project.sector, entry=prefix),
                           values, outside_policy=True)
        return Finding(self.name, self.unit, OK, _("{sector:sector} is in the encouraged class (catalogue entry {entry})",
                                                   sector=project.sector, entry=prefix), values)


class CountyIndustrialPlan:
    """The sector is a county priority or in some park's positioning."""

    name = "county_industrial_plan"
    unit = "IND"

    def run(self, project: ProjectFacts, policy: Policy) -> Finding:
        priority = longest_prefix(project.sector, policy.get("industry.county_priorities") or ())
        if priority:
            return Finding(self.name, self.unit, OK, _("{sector:sector} is a priority sector of the county ({entry})",
                                                       sector=project.sector, entry=priority), {"priority": priority})
        parks = sorted(p.id for p in policy.parks.values() if p.covers(project.sector))
        if parks:
            return Finding(self.name, self.unit, OK, _("{sector:sector} is in the industrial positioning of {parks:units}",
                                                       sector=project.sector,
                                                       parks=[policy.parks[p].unit for p in parks]),
                           {"parks": ", ".join(parks)})
        return Finding(self.name, self.unit, FLAG, _("{sector:sector} is neither a priority sector of the county nor "
                                                     "in any park's positioning", sector=project.sector), {})


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
                if where.get("id"):
                    unit = policy.parks[where["id"]].unit if where["kind"] == "park" else policy.towns[where["id"]].unit
                    reason = _("{sector:sector} (bar {entry}) may not be located in {unit:unit}",
                               sector=project.sector, entry=prefix, unit=unit)
                else:
                    reason = _("{sector:sector} (bar {entry}) may not be located in {kind:location}",
                               sector=project.sector, entry=prefix, kind=where["kind"])
                return Finding(self.name, self.unit, FAIL, reason, {**values, "bar": f"{prefix}@{place}"})
        return Finding(self.name, self.unit, OK, _("impact category: {category:impact}; no bar at the chosen location",
                                                   category=category), values)


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
                           _("the planned intensity {planned:intensity} is below the minimum {minimum:intensity}",
                             planned=quantize_intensity(actual), minimum=minimum), values)
        return Finding(self.name, self.unit, OK,
                       _("the planned intensity {planned:intensity} meets the minimum {minimum:intensity}",
                         planned=quantize_intensity(actual), minimum=minimum), values)


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
    reason = result.reason if isinstance(result.reason, Message) else str(result.reason)
    return Finding(str(result.check), str(result.unit), result.verdict, reason,
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
                                    _("the check could not be run ({error}); IPB's administrator is asked to look "
                                      "at it", error=f"{type(exc).__name__}: {exc}")))
    return findings
