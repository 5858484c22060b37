"""Department check plugins of the joint review (R2), discovered through entry points.

A plugin is any object registered in the entry-point group
``zhaoshang.review_checks`` that has a ``name``, the ``unit`` whose concern it
is, and ``run(project, policy) -> Finding``.  It reads policy data only.  The
four shipped with the platform are below; a county adds its own by installing
a package that declares the same entry-point group — the review service needs
no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from shared.location_checks import (  # a plugin's contract (Finding, ProjectFacts) and the location checks
    ERROR,
    FAIL,
    FLAG,
    OK,
    Finding,
    ProjectFacts,
    environment_finding,
    intensity_finding,
    longest_prefix,
)
from shared.i18n import Message, _
from shared.policy import Policy


class NationalIndustrialPolicy:
    """The sector's class in the Catalogue for Guiding Industry Restructuring."""

    name = "national_industrial_policy"
    unit = "DRB"

    def run(self, project: ProjectFacts, policy: Policy) -> Finding:
        catalogue = policy.get("industry.catalogue")
        best = {
            cls: longest_prefix(project.sector, catalogue.get(cls) or ())
            for cls in ("encouraged", "restricted", "eliminated")
        }
        found = [(len(p), cls, p) for cls, p in best.items() if p]
        if not found:
            return Finding(
                self.name,
                self.unit,
                OK,
                _("{sector:sector} is in the permitted class (not listed in the catalogue)", sector=project.sector),
                {"class": "permitted"},
            )
        _length, cls, prefix = max(found)
        values = {"class": cls, "catalogue_entry": prefix}
        if cls == "eliminated":
            return Finding(
                self.name,
                self.unit,
                FAIL,
                _(
                    "{sector:sector} is in the eliminated class (catalogue entry {entry}): the review fails",
                    sector=project.sector,
                    entry=prefix,
                ),
                values,
            )
        if cls == "restricted":
            return Finding(
                self.name,
                self.unit,
                FLAG,
                _(
                    "{sector:sector} is in the restricted class (catalogue entry {entry}): outside current "
                    "policy, it needs a case-by-case decision",
                    sector=project.sector,
                    entry=prefix,
                ),
                values,
                outside_policy=True,
            )
        return Finding(
            self.name,
            self.unit,
            OK,
            _(
                "{sector:sector} is in the encouraged class (catalogue entry {entry})",
                sector=project.sector,
                entry=prefix,
            ),
            values,
        )


class CountyIndustrialPlan:
    """The sector is a county priority or in some park's positioning."""

    name = "county_industrial_plan"
    unit = "IND"

    def run(self, project: ProjectFacts, policy: Policy) -> Finding:
        priority = longest_prefix(project.sector, policy.get("industry.county_priorities") or ())
        if priority:
            return Finding(
                self.name,
                self.unit,
                OK,
                _("{sector:sector} is a priority sector of the county", sector=project.sector)
                if priority == project.sector  # the entry is the sector itself: named once
                else _(
                    "{sector:sector} is a priority sector of the county ({entry})",
                    sector=project.sector,
                    entry=priority,
                ),
                {"priority": priority},
            )
        parks = sorted(p.id for p in policy.parks.values() if p.covers(project.sector))
        if parks:
            return Finding(
                self.name,
                self.unit,
                OK,
                _(
                    "{sector:sector} is in the industrial positioning of {parks:units}",
                    sector=project.sector,
                    parks=[policy.parks[p].unit for p in parks],
                ),
                {"parks": ", ".join(parks)},
            )
        return Finding(
            self.name,
            self.unit,
            FLAG,
            _(
                "{sector:sector} is neither a priority sector of the county nor in any park's positioning",
                sector=project.sector,
            ),
            {},
        )


class EnvironmentalProtection:
    """Impact category of the sector, and bars on the sector at the chosen location (``shared.location_checks``)."""

    name = "environmental_protection"
    unit = "EPB"

    def run(self, project: ProjectFacts, policy: Policy) -> Finding:
        return environment_finding(project, policy, self.unit)


class InvestmentIntensity:
    """Planned fixed-asset investment ÷ land (万元/亩) against the location's minimum; exactly at it passes."""

    name = "investment_intensity"
    unit = "LAND"

    def run(self, project: ProjectFacts, policy: Policy) -> Finding:
        return intensity_finding(project, policy, self.unit)


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
    return Finding(
        str(result.check),
        str(result.unit),
        result.verdict,
        reason,
        {str(k): str(v) for k, v in dict(result.policy_values).items()},
        bool(result.outside_policy),
    )


def run_checks(checks: Iterable, project: ProjectFacts, policy: Policy) -> list[Finding]:
    """Run every check; a check that raises or answers out of contract yields an ``error``
    finding, and the others still run."""
    findings = []
    for check in checks:
        try:
            findings.append(_checked(check, check.run(project, policy)))
        except Exception as exc:
            findings.append(
                Finding(
                    str(getattr(check, "name", repr(check))),
                    str(getattr(check, "unit", "IPB")),
                    ERROR,
                    _(
                        "the check could not be run ({error}); IPB's administrator is asked to look at it",
                        error=f"{type(exc).__name__}: {exc}",
                    ),
                )
            )
    return findings
