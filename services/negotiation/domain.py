"""Responsible unit (R3), negotiation sessions (R4) and the decision route of the 60-mu rule (R5).

Pure Python: the service hands in plain data and the policy, these functions
return values or raise the typed errors naming what is wrong.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping

from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.policy import Policy
from shared.units import quantize_land

# -- R3: ranking the responsible unit ---------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    unit: str
    name: str
    rank: int
    why: str


def rank_units(sector: str, location_kind: str, location_id: str | None, policy: Policy) -> list[Candidate]:
    """Parks whose positioning covers the sector — the preferred one first, then the
    most specific positioning, then by name; when no park covers it, the towns —
    the preferred town first."""
    covering = []
    for park in policy.parks.values():
        matches = [p for p in park.positioning if sector.startswith(p)]
        if matches:
            covering.append((park, max(matches, key=len)))
    if covering:
        preferred = location_id if location_kind == "park" else None
        covering.sort(key=lambda pm: (pm[0].id != preferred, -len(pm[1]), pm[0].id))
        out = []
        for rank, (park, prefix) in enumerate(covering, 1):
            why = f"its positioning covers {sector} ({prefix})"
            if park.id == preferred:
                why += "; the investor's preferred location"
            out.append(Candidate(park.unit, park.name_zh, rank, why))
        return out
    preferred = location_id if location_kind == "town" else None
    towns = sorted(policy.towns.values(), key=lambda t: (t.id != preferred, t.id))
    note = f"no park's positioning covers {sector}: a project outside parks goes to a town"
    return [Candidate(t.unit, t.name_zh, rank, note + ("; the investor's preferred location" if t.id == preferred else ""))
            for rank, t in enumerate(towns, 1)]


def check_assignment(unit: str, ranking: list[Candidate], reason: str | None, policy: Policy) -> None:
    """IPB confirms the top-ranked unit, or picks another park/town with a reason."""
    known = {p.unit for p in policy.parks.values()} | {t.unit for t in policy.towns.values()}
    if unit not in known:
        raise InvalidInput.for_field("unit", f"must be a park or town of the county ({', '.join(sorted(known))})")
    if ranking and unit != ranking[0].unit and not (reason or "").strip():
        raise InvalidInput.for_field("reason", f"required when choosing {unit} over the proposed {ranking[0].unit}")


# -- R4: sessions ---------------------------------------------------------------------------

STAGES = ("early", "final")


def session_lead(responsible_unit: str, policy: Policy) -> str:
    """The park head for a park project, a county leader in charge otherwise."""
    authority = policy.get("authority.decision_authority")
    if responsible_unit.startswith("PARK:"):
        return authority["park_head"].format(park=responsible_unit[5:])
    return authority["county_leaders_in_charge"]


def missing_participants(responsible_unit: str, stage: str, participants: Iterable[Mapping], policy: Policy) -> list[str]:
    """Who a session lacks: its lead, IPB always, LEGAL in the final stage."""
    positions = {p["position"] for p in participants}
    units = {p["unit"] for p in participants}
    missing = []
    lead = session_lead(responsible_unit, policy)
    if lead not in positions:
        missing.append(f"the session lead ({lead})")
    if "IPB" not in units:
        missing.append("IPB (takes part in every session)")
    if stage == "final" and "LEGAL" not in units:
        missing.append("LEGAL (takes part in the final stage)")
    return missing


def agreed_land_mu(value, unit: str, policy: Policy) -> Decimal:
    """The land as agreed in a session, exact in mu; InvalidInput naming the field otherwise."""
    from shared.units import UnitError, to_mu

    try:
        land = to_mu(value, unit)
    except UnitError as exc:
        raise InvalidInput.for_field(f"land.{exc.field}", exc.rule) from None
    ceiling = policy.decimal("thresholds.intake.max_land_mu")
    if not Decimal(0) < land <= ceiling:
        raise InvalidInput.for_field("land.value", f"must be more than 0 and at most {ceiling} mu")
    return land


def check_session(responsible_unit: str, stage: str, participants: list[Mapping], policy: Policy) -> None:
    missing = missing_participants(responsible_unit, stage, participants, policy)
    if missing:
        raise InvalidInput(f"the session is missing {'; '.join(missing)}", {"participants": [f"missing {m}" for m in missing]})


# -- R5: the decision route -------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRoute:
    in_park: bool
    within_policy: bool
    land_mu: str
    threshold_mu: str
    escalated: bool
    decides: tuple[str, ...]
    recommends: str | None
    signs: str
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def dump(self) -> dict:
        data = asdict(self)
        data["decides"], data["reasons"] = list(self.decides), list(self.reasons)
        return data


def decision_route(responsible_unit: str, exceeding_terms: list[str], restricted_finding_open: bool,
                   land_mu: Decimal, policy: Policy) -> DecisionRoute:
    """SPEC R5's table, from the data: location, within policy, contracted land (≤ 60 mu is within)."""
    authority = policy.get("authority.decision_authority")
    threshold = policy.decimal("thresholds.decision.land_threshold_mu")
    in_park = responsible_unit.startswith("PARK:")
    within_policy = not exceeding_terms and not restricted_finding_open
    small = land_mu <= threshold
    reasons = [f"responsible unit {responsible_unit}: {'in a park' if in_park else 'outside parks'}"]
    if exceeding_terms:
        reasons.append(f"terms exceed current policy: {'; '.join(exceeding_terms)}")
    if restricted_finding_open:
        reasons.append("the review found the sector in the restricted class: a case-by-case decision")
    if within_policy:
        reasons.append("every term within current policy")
    shown = quantize_land(land_mu)
    land_text = f"{shown}" if shown == land_mu else f"{land_mu.normalize():f} (≈{shown})"
    reasons.append(f"contracted land {land_text} mu {'≤' if small else '>'} {threshold} mu"
                   + (" (within 60 mu includes exactly 60)" if land_mu == threshold else ""))
    escalated = not (within_policy and small)
    park_head = authority["park_head"].format(park=responsible_unit[5:]) if in_park else None
    leaders = authority["county_leaders_in_charge"]
    if not escalated:
        decides = (park_head,) if in_park else (leaders,)
        signs = park_head if in_park else authority["deputy_magistrate_investment"]
        recommends = None
        reasons.append(f"within authority: {decides[0]} decides, {signs} signs")
    else:
        decides = tuple(authority["principals"])
        signs = authority["county_magistrate"]
        recommends = park_head if in_park else leaders
        reasons.append(f"escalated: {recommends} recommends, the principals ({', '.join(decides)}) decide, {signs} signs")
    return DecisionRoute(in_park, within_policy, f"{land_mu.normalize():f}", str(threshold), escalated, decides, recommends, signs,
                         tuple(reasons))


# -- R5: deciding on the route ------------------------------------------------------------------

NEGOTIATING, ESCALATED, AGREED, REFUSED = "negotiating", "escalated", "agreed", "refused"


def check_recommender(route: DecisionRoute, position: str, stage: str) -> None:
    if not route.escalated:
        raise Conflict("the route is within authority: no recommendation to the principals is needed",
                       {"route": list(route.reasons)})
    if stage != NEGOTIATING:
        raise Conflict(f"the negotiation is {stage}: a recommendation goes up only while negotiating", {"stage": [stage]})
    if position != route.recommends:
        raise NotAllowed(f"the route names {route.recommends} to recommend, not {position}",
                         {"position": [f"must be {route.recommends}"]})


def check_decider(route: DecisionRoute, position: str, stage: str, decision: str, already: Mapping[str, str]) -> None:
    if position not in route.decides:
        raise NotAllowed(f"the route names {' and '.join(route.decides)} to decide, not {position}",
                         {"position": [f"must be one of {', '.join(route.decides)}"]})
    expected = ESCALATED if route.escalated else NEGOTIATING
    if stage != expected:
        hint = " (the recommendation must come first)" if route.escalated and stage == NEGOTIATING else ""
        raise Conflict(f"the negotiation is {stage}: this decision needs it {expected}{hint}", {"stage": [stage]})
    if not route.escalated and decision != "agree":
        raise InvalidInput.for_field("decision", "a decision within authority agrees; to stop a project, IPB terminates "
                                                 "it with a special report (R11)")
    if position in already:
        raise Conflict(f"{position} has already decided ({already[position]})", {"position": [f"{position} decided"]})


def principals_outcome(route: DecisionRoute, decisions: Mapping[str, str]) -> str | None:
    """Escalated: any refusal refuses; both principals agreeing agrees; else still waiting."""
    if any(d == "refuse" for d in decisions.values()):
        return REFUSED
    if all(decisions.get(p) == "agree" for p in route.decides):
        return AGREED
    return None
