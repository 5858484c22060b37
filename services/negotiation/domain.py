"""Responsible unit (R3), negotiation sessions (R4) and the decision route of the 60-mu rule (R5).

Pure Python: the service hands in plain data and the policy, these functions
return values or raise the typed errors naming what is wrong.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Iterable, Mapping

from shared import decided_terms as wire_terms
from shared import standard_land
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.i18n import N_, Message, _, from_wire, to_wire
from shared.location_checks import ProjectFacts, location_failures, location_unit
from shared.policy import Policy

# -- R3: ranking the responsible unit ---------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    unit: str
    name: Message  # the unit's name, in the reader's language
    rank: int
    why: Message


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
            why = (
                _(
                    "its positioning ({prefix:sector}) covers {sector:sector}; the investor's preferred location",
                    prefix=prefix,
                    sector=sector,
                )
                if park.id == preferred
                else _("its positioning ({prefix:sector}) covers {sector:sector}", prefix=prefix, sector=sector)
            )
            out.append(Candidate(park.unit, _("{unit:unit}", unit=park.unit), rank, why))
        return out
    preferred = location_id if location_kind == "town" else None
    towns = sorted(policy.towns.values(), key=lambda t: (t.id != preferred, t.id))
    return [
        Candidate(
            t.unit,
            _("{unit:unit}", unit=t.unit),
            rank,
            _(
                "no park's positioning covers {sector:sector}: a project outside parks goes to a town; the investor's "
                "preferred location",
                sector=sector,
            )
            if t.id == preferred
            else _(
                "no park's positioning covers {sector:sector}: a project outside parks goes to a town", sector=sector
            ),
        )
        for rank, t in enumerate(towns, 1)
    ]


def check_assignment(unit: str, ranking: list[Candidate], reason: str | None, policy: Policy) -> None:
    """IPB confirms the top-ranked unit, or picks another park/town with a reason."""
    known = {p.unit for p in policy.parks.values()} | {t.unit for t in policy.towns.values()}
    if unit not in known:
        raise InvalidInput.for_field(
            "unit", _("must be a park or town of the county ({known:units})", known=sorted(known))
        )
    if ranking and unit != ranking[0].unit and not (reason or "").strip():
        raise InvalidInput.for_field(
            "reason",
            _(
                "required when choosing {unit:unit} over the proposed {proposed:unit}",
                unit=unit,
                proposed=ranking[0].unit,
            ),
        )


def check_location(project: ProjectFacts, unit: str, policy: Policy) -> None:
    """R2/R3: the review's location-dependent checks, run again for the unit IPB assigns; a failure refuses the
    assignment, naming the check and its figure."""
    if project.fixed_asset_investment is None:
        raise Conflict(
            _(
                "the planned fixed-asset investment is not known here, so the location checks cannot run "
                "(a project filed before they were): nothing was changed"
            ),
            {"unit": [_("location checks")]},
        )
    failures = location_failures(project, unit, policy)
    if failures:
        said = [_("{check:check}: {reason}", check=f.check, reason=f.reason) for f in failures]
        raise InvalidInput(
            _(
                "{unit:unit} cannot take the project, its location checks fail: {checks:clauses}",
                unit=unit,
                checks=said,
            ),
            {"unit": said},
        )


def review_units(reported: Iterable[str] | None, location_kind: str, location_id: str | None) -> list[str]:
    """The units the review asked (``review.concluded`` names them); for a conclusion that does not, the park
    the project was bound for — the only park R2 asks."""
    if reported:
        return list(reported)
    park = location_unit(location_kind, location_id) if location_kind == "park" else None
    return [park] if park else []


def needs_park_review(unit: str, reviewed_by: Iterable[str]) -> bool:
    """R2/R3: a park that did not review the project gives its opinion (a new review round) before it takes it."""
    return unit.startswith("PARK:") and unit not in set(reviewed_by)


# -- R4: sessions ---------------------------------------------------------------------------

STAGES = ("early", "final")


def session_lead(responsible_unit: str, policy: Policy) -> str:
    """The park head for a park project, a county leader in charge otherwise."""
    authority = policy.get("authority.decision_authority")
    if responsible_unit.startswith("PARK:"):
        return authority["park_head"].format(park=responsible_unit[5:])
    return authority["county_leaders_in_charge"]


def missing_participants(
    responsible_unit: str, stage: str, participants: Iterable[Mapping], policy: Policy
) -> list[Message]:
    """Who a session lacks: its lead, IPB always, LEGAL in the final stage."""
    positions = {p["position"] for p in participants}
    units = {p["unit"] for p in participants}
    missing = []
    lead = session_lead(responsible_unit, policy)
    if lead not in positions:
        missing.append(_("the session lead ({lead:position})", lead=lead))
    if "IPB" not in units:
        missing.append(_("{unit:unit} (takes part in every session)", unit="IPB"))
    if stage == "final" and "LEGAL" not in units:
        missing.append(_("{unit:unit} (takes part in the final stage)", unit="LEGAL"))
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
        raise InvalidInput.for_field("land.value", _("must be more than 0 and at most {ceiling:mu}", ceiling=ceiling))
    return land


def check_session(responsible_unit: str, stage: str, participants: list[Mapping], policy: Policy) -> None:
    missing = missing_participants(responsible_unit, stage, participants, policy)
    if missing:
        raise InvalidInput(
            _("the session is missing {missing:clauses}", missing=missing),
            {"participants": [_("missing {who}", who=m) for m in missing]},
        )


def agreed_amount(value, field_name: str, policy: Policy) -> Decimal | None:
    """An investment figure as agreed in a session (yuan), or None when the session states none."""
    if value is None:
        return None
    ceiling = policy.decimal("thresholds.intake.max_total_investment_yuan")
    if not Decimal(0) < value <= ceiling:
        raise InvalidInput.for_field(field_name, _("must be more than 0 and at most {ceiling:yuan}", ceiling=ceiling))
    return value


def check_agreed_investment(terms: Mapping) -> None:
    """The fixed-asset investment agreed (or planned) is part of the total investment."""
    total, fixed = terms["total_investment"], terms["fixed_asset_investment"]
    if total is not None and fixed is not None and Decimal(fixed) > Decimal(total):
        raise InvalidInput.for_field(
            "fixed_asset_investment", _("cannot exceed the total investment ({total:yuan})", total=total)
        )


def legal_attended_final(sessions: Iterable[Mapping]) -> bool:
    """R4: LEGAL took part in at least one final-stage session."""
    return any(s["stage"] == "final" and any(p["unit"] == "LEGAL" for p in s["participants"]) for s in sessions)


# -- R4/R5: policy terms, against the county's catalogue of preferential-policy clauses ------------------


@dataclass(frozen=True)
class Clause:
    id: str
    name_zh: str
    name_en: str
    unit: str
    limit: Decimal


def catalogue(policy: Policy) -> dict[str, Clause]:
    """``policy/incentives.yaml``: each clause the county offers, with its current-policy limit."""

    def build(p: Policy) -> dict[str, Clause]:
        clauses = (p.documents.get("incentives") or {}).get("clauses") or []
        return {
            c["id"]: Clause(c["id"], c["name_zh"], c.get("name_en", c["id"]), c["unit"], Decimal(str(c["limit"])))
            for c in clauses
        }

    return policy.derived("incentives.catalogue", build)


def unit_text(unit: str, policy: Policy) -> str:
    return (((policy.documents.get("incentives") or {}).get("units") or {}).get(unit) or {}).get("zh", "")


def policy_term(item: Mapping, where: str, policy: Policy, facts: tuple[str | None, str | None] = (None, None)) -> dict:
    """A policy term as a session records it: a catalogue clause with its agreed value (it exceeds current
    policy when the value is above the clause's limit), a standard-land commitment (it exceeds current policy when
    weaker than the floor for the project's ``facts``: responsible unit and sector), or free text flagged
    explicitly."""
    if item.get("commitment"):
        return commitment_term(item, where, policy, *facts)
    if item.get("clause"):
        clause = catalogue(policy).get(item["clause"])
        if clause is None:
            raise InvalidInput.for_field(
                f"{where}.clause",
                _(
                    "{clause} is not a clause of the county's catalogue of preferential policies ({known:incentives})",
                    clause=item["clause"],
                    known=list(catalogue(policy)),
                ),
            )
        try:
            value = Decimal(str(item["value"]))
        except (InvalidOperation, KeyError, TypeError):
            raise InvalidInput.for_field(f"{where}.value", _("the agreed value of the clause, a number")) from None
        if not value.is_finite() or value < 0:
            raise InvalidInput.for_field(f"{where}.value", _("must be a number not below 0"))
        shown = f"{value.normalize():f}{unit_text(clause.unit, policy)}"
        return {
            "key": f"{clause.id}={value.normalize():f}",
            "text": f"{clause.name_zh}：{shown}",
            "clause": clause.id,
            "value": f"{value.normalize():f}",
            "limit": f"{clause.limit.normalize():f}",
            "unit": clause.unit,
            "exceeds": value > clause.limit,
        }
    text = (item.get("text") or "").strip()
    if not text:
        raise InvalidInput.for_field(f"{where}.text", _("a clause of the catalogue, or the term as free text"))
    if item.get("exceeds_policy") is None:
        raise InvalidInput.for_field(
            f"{where}.exceeds_policy", _("a free-text term says whether it exceeds current policy (true or false)")
        )
    return {
        "key": text,
        "text": text,
        "clause": None,
        "value": None,
        "limit": None,
        "unit": None,
        "exceeds": bool(item["exceeds_policy"]),
    }


def commitment_term(
    item: Mapping, where: str, policy: Policy, responsible_unit: str | None, sector: str | None
) -> dict:
    """A standard-land commitment agreed in a session (R5, R17), in the words a contract's draft states it."""
    floors = standard_land.floors(policy, responsible_unit, sector)
    key = item["commitment"]
    if key not in floors:
        raise InvalidInput.for_field(
            f"{where}.commitment",
            _(
                "{indicator} is not a standard-land indicator for this project ({known:list})",
                indicator=str(key),
                known=[standard_land.commitment_name(standard_land.indicators(policy)[k]) for k in floors],
            ),
        )
    indicator = standard_land.indicators(policy)[key]
    try:
        value = Decimal(str(item["value"]))
    except (InvalidOperation, KeyError, TypeError):
        raise InvalidInput.for_field(f"{where}.value", _("must be a number")) from None
    if not value.is_finite() or value <= 0:
        raise InvalidInput.for_field(f"{where}.value", _("must be a number more than 0"))
    text = standard_land.commitment_text(indicator, value)
    return {
        "key": f"commitment:{key}={standard_land.number(value)}",
        "text": text,
        "clause": None,
        "value": standard_land.number(value),
        "limit": None,
        "unit": None,
        "exceeds": standard_land.weaker(indicator.direction, value, floors[key]),
    }


def session_terms(data: Mapping, policy: Policy, facts: tuple[str | None, str | None] = (None, None)) -> list[dict]:
    """The policy terms a session records: picked from the catalogue, standard-land commitments, or written out,
    and the free-text ``exceeding_terms`` (each flagged as exceeding current policy)."""
    terms = [
        policy_term(item, f"policy_terms.{i}", policy, facts) for i, item in enumerate(data.get("policy_terms") or [])
    ]
    terms += [
        policy_term({"text": text, "exceeds_policy": True}, f"exceeding_terms.{i}", policy)
        for i, text in enumerate(data.get("exceeding_terms") or [])
    ]
    return terms


def record_terms(
    recorded: list[Mapping],
    new: list[dict],
    withdrawals: list[Mapping],
    by: Mapping,
    lead: str,
    seq: int,
    held_on: date,
) -> tuple[list[dict], list[dict]]:
    """R4: what a session does to the project's policy terms.  A term stays open until a later session records
    it withdrawn — by IPB or the session lead, with a reason; a term left out of a session stays open, and one
    recorded again is the same term.  Returns (terms to add, numbered T<n>; withdrawals)."""
    open_terms = {t["term_id"]: t for t in recorded if t["status"] == "open"}
    out: list[dict] = []
    if withdrawals and by["unit"] != "IPB" and by["position"] != lead:
        raise NotAllowed(
            _(
                "a policy term is withdrawn by IPB or the session lead ({lead:position}), not by {by:position}",
                lead=lead,
                by=by["position"],
            ),
            {"withdrawn": [_("by IPB or {lead:position}", lead=lead)]},
        )
    for i, item in enumerate(withdrawals):
        if item["term"] not in open_terms:
            raise InvalidInput.for_field(
                f"withdrawn.{i}.term",
                _("no open policy term {term} (open: {open:list})", term=item["term"], open=list(open_terms)),
            )
        out.append({"term_id": item["term"], "reason": item["reason"].strip(), "seq": seq, "held_on": held_on})
    withdrawn = {w["term_id"] for w in out}
    known = {t["key"] for t in open_terms.values() if t["term_id"] not in withdrawn}
    number = max([int(t["term_id"][1:]) for t in recorded] or [0])
    added = []
    for term in new:
        if term["key"] in known:
            continue
        known.add(term["key"])
        number += 1
        added.append({**term, "term_id": f"T{number}", "seq": seq, "held_on": held_on})
    return added, out


def open_exceeding(terms: Iterable[Mapping]) -> list[Message]:
    """Every open term exceeding current policy, with where it was recorded (the route lists them)."""
    out = []
    for t in terms:
        if t["status"] == "open" and t["exceeds"]:
            where = dict(term=t["term_id"], text=t["text"], session=t["recorded_in"], on=_iso(t["recorded_on"]))
            if t.get("limit") is not None:
                out.append(
                    _(
                        "{term} {text} (current policy: at most {limit}{unit:incentive_unit}) — recorded in "
                        "session {session} of {on:date}",
                        limit=t["limit"],
                        unit=t.get("unit") or "",
                        **where,
                    )
                )
            else:
                out.append(_("{term} {text} — recorded in session {session} of {on:date}", **where))
    return out


def _iso(day) -> str:
    return day.isoformat() if hasattr(day, "isoformat") else str(day)


# -- R5: the decided terms ------------------------------------------------------------------------------


def latest(sessions: Iterable[Mapping], key: str, planned):
    """The latest session's value of ``key`` that states one, else the planned figure (filed with the lead)."""
    stated = [s[key] for s in sessions if s.get(key) is not None]
    value = stated[-1] if stated else planned
    return None if value is None else Decimal(str(value))


def check_terms_known(terms: Mapping) -> None:
    """Every decided figure is known before a decision (a project filed before negotiation kept the planned
    investment has it stated in a session first)."""
    unknown = wire_terms.missing(terms)
    if unknown:
        raise Conflict(
            _(
                "the decided terms lack {terms:list}: a session states them first",
                terms=[_("{f:field}", f=name) for name in unknown],
            ),
            {name: [_("not known: state it in a session")] for name in unknown},
        )


def decided_terms(planned: Mapping, sessions: list[Mapping], terms: Iterable[Mapping]) -> dict:
    """The terms a decision now would be taken on: the land, investment and fixed-asset investment the latest
    session that states them agreed (else the planned figures), the intensity they give, every matter agreed
    in the sessions (once, in order) and every open policy term."""
    agreed: list[str] = []
    for item in sessions:
        agreed += [a for a in item["agreed"] if a not in agreed]
    land = latest(sessions, "land_mu", planned["planned_land_mu"])
    total = latest(sessions, "total_investment", planned["planned_total_investment"])
    fixed = latest(sessions, "fixed_asset_investment", planned["planned_fixed_asset_investment"])
    open_terms = [t for t in terms if t["status"] == "open"]
    return wire_terms.compose(land, total, fixed, agreed, open_terms)


def changed_terms(decided: Mapping | None, now: Mapping) -> list[str]:
    """R5: the decided terms a change after the decision touched (empty: nothing decided changed)."""
    return wire_terms.differing(decided, now) if decided else []


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
    reasons: tuple[Message, ...] = field(default_factory=tuple)
    exceeding: tuple[Message, ...] = field(default_factory=tuple)  # every open term beyond policy, where recorded

    def dump(self) -> dict:
        """The route as plain JSON (its reasons as wire messages, rendered where they are read)."""
        data = asdict(self)
        data["decides"] = list(self.decides)
        data["reasons"], data["exceeding"] = to_wire(list(self.reasons)), to_wire(list(self.exceeding))
        return data

    @classmethod
    def load(cls, stored: Mapping) -> "DecisionRoute":
        """A route as stored with a decision (one stored before a field existed takes its default)."""
        names = {f.name for f in fields(cls)}
        data = {k: v for k, v in stored.items() if k in names}
        return cls(
            **{
                **data,
                "decides": tuple(data.get("decides") or ()),
                **{k: tuple(from_wire(data.get(k) or [])) for k in ("reasons", "exceeding")},
            }
        )


def decision_route(
    responsible_unit: str, exceeding_terms: list, restricted_finding_open: bool, land_mu: Decimal, policy: Policy
) -> DecisionRoute:
    """SPEC R5's table, from the data: location, within policy, contracted land (≤ 60 mu is within)."""
    authority = policy.get("authority.decision_authority")
    threshold = policy.decimal("thresholds.decision.land_threshold_mu")
    in_park = responsible_unit.startswith("PARK:")
    within_policy = not exceeding_terms and not restricted_finding_open
    small = land_mu <= threshold
    reasons = [
        _("responsible unit {unit:unit}: in a park", unit=responsible_unit)
        if in_park
        else _("responsible unit {unit:unit}: outside parks", unit=responsible_unit)
    ]
    reasons += [_("exceeds current policy: {term}", term=term) for term in exceeding_terms]
    if restricted_finding_open:
        reasons.append(_("the review found the sector in the restricted class: a case-by-case decision"))
    if within_policy:
        reasons.append(_("every term within current policy"))
    reasons.append(land_reason(land_mu, threshold))
    escalated = not (within_policy and small)
    park_head = authority["park_head"].format(park=responsible_unit[5:]) if in_park else None
    leaders = authority["county_leaders_in_charge"]
    if not escalated:
        decides = (park_head,) if in_park else (leaders,)
        signs = park_head if in_park else authority["deputy_magistrate_investment"]
        recommends = None
        reasons.append(
            _("within authority: {decides:position} decides, {signs:position} signs", decides=decides[0], signs=signs)
        )
    else:
        decides = tuple(authority["principals"])
        signs = authority["county_magistrate"]
        recommends = park_head if in_park else leaders
        reasons.append(
            _(
                "escalated: {recommends:position} recommends, the principals ({principals:positions}) "
                "decide, {signs:position} signs",
                recommends=recommends,
                principals=list(decides),
                signs=signs,
            )
        )
    return DecisionRoute(
        in_park,
        within_policy,
        f"{land_mu.normalize():f}",
        str(threshold),
        escalated,
        decides,
        recommends,
        signs,
        tuple(reasons),
        tuple(exceeding_terms),
    )


def land_reason(land_mu: Decimal, threshold: Decimal) -> Message:
    """The 60-mu rule's line of the route: the contracted land against the threshold (exactly it is within)."""
    exact = land_mu == land_mu.quantize(Decimal("0.0001"))  # as a person reads it (up to 4 places of mu)
    if land_mu == threshold:
        return _(
            "contracted land {land:mu} ≤ {threshold:mu}: exactly the threshold is within it",
            land=land_mu,
            threshold=threshold,
        )
    if land_mu < threshold:
        return (
            _("contracted land {land:mu} ≤ {threshold:mu}", land=land_mu, threshold=threshold)
            if exact
            else _(
                "contracted land {exact} mu (about {land:mu}) ≤ {threshold:mu}",
                exact=f"{land_mu.normalize():f}",
                land=land_mu,
                threshold=threshold,
            )
        )
    return (
        _("contracted land {land:mu} > {threshold:mu}", land=land_mu, threshold=threshold)
        if exact
        else _(
            "contracted land {exact} mu (about {land:mu}) > {threshold:mu}",
            exact=f"{land_mu.normalize():f}",
            land=land_mu,
            threshold=threshold,
        )
    )


def route_of(
    responsible_unit: str | None, terms: Iterable[Mapping], restricted_finding_open: bool, land_mu, policy: Policy
) -> DecisionRoute:
    """The route now: on the decided land (``decided_terms``) and every open term beyond policy."""
    if not responsible_unit:
        raise Conflict(
            _("no responsible unit yet: the route depends on it, so the unit is chosen first"),
            {"responsible_unit": [_("not chosen yet")]},
        )
    return decision_route(
        responsible_unit, open_exceeding(terms), restricted_finding_open, Decimal(str(land_mu)), policy
    )


# -- R5: deciding on the route ------------------------------------------------------------------

NEGOTIATING, ESCALATED, AGREED, REFUSED = "negotiating", "escalated", "agreed", "refused"
PARK_REVIEW, SIGNED = "park_review", "signed"
DECIDED_STAGES = (ESCALATED, AGREED)
"""Stages in which terms have been put to a decision: a change of them sends the project back (R5)."""
SESSION_STAGES = ("assigned", NEGOTIATING) + DECIDED_STAGES


STAGE_HINTS = {
    REFUSED: N_("the decision refused it: IPB renegotiates first (or terminates it)"),
    SIGNED: N_("the contract is signed"),
    PARK_REVIEW: N_("the assigned park gives its opinion first"),
}


def check_stage(ref: str, stage: str, stages: Iterable[str], act: Message) -> None:
    stages = tuple(stages)
    if stage not in stages:
        said = dict(ref=ref, stage=stage, act=act, needs=[_("{s:stage}", s=s) for s in stages])
        if stage in STAGE_HINTS:
            raise Conflict(
                _(
                    "{ref} is at the stage “{stage:stage}”: cannot {act} (possible at: {needs:list}) — {hint}",
                    hint=_(STAGE_HINTS[stage]),
                    **said,
                ),
                {"stage": [stage]},
            )
        raise Conflict(
            _("{ref} is at the stage “{stage:stage}”: cannot {act} (possible at: {needs:list})", **said),
            {"stage": [stage]},
        )


def check_intermediary_recorded(intermediary) -> None:
    if intermediary is None:
        raise Conflict(
            _("record the investor's intermediary (or that there is none) first"), {"intermediary": [_("not recorded")]}
        )


def reopens(stage: str, decided: Mapping | None, now: Mapping) -> list[str]:
    """R5: a session after the terms went to a decision that changes any of them returns the project to
    negotiation; the changed terms (empty: the decision stands)."""
    return changed_terms(decided, now) if stage in DECIDED_STAGES else []


def check_legal_attended(sessions: Iterable[Mapping]) -> None:
    """R4: no decision (and no recommendation to the principals) before LEGAL attended a final-stage session."""
    if not legal_attended_final(sessions):
        raise Conflict(
            _(
                "{legal:unit} has not taken part in a final-stage session: no decision can be recorded "
                "before it has (R4)",
                legal="LEGAL",
            ),
            {"sessions": [_("no final-stage session with LEGAL")]},
        )


def check_recommender(route: DecisionRoute, position: str, stage: str) -> None:
    if not route.escalated:
        raise Conflict(
            _("the route is within authority: no recommendation to the principals is needed"),
            {"route": list(route.reasons)},
        )
    if stage != NEGOTIATING:
        raise Conflict(
            _(
                "the negotiation is at the stage “{stage:stage}”: a recommendation goes up only while negotiating",
                stage=stage,
            ),
            {"stage": [stage]},
        )
    if position != route.recommends:
        raise NotAllowed(
            _(
                "the route names {named:position} to recommend, not {position:position}",
                named=route.recommends,
                position=position,
            ),
            {"position": [_("must be {named:position}", named=route.recommends)]},
        )


def check_decider(route: DecisionRoute, position: str, stage: str, already: Mapping[str, str]) -> None:
    """Only a position the route names decides — agree or refuse, with reasons (R5) — once, at its turn."""
    if position not in route.decides:
        raise NotAllowed(
            _(
                "the route names {named:positions} to decide, not {position:position}",
                named=list(route.decides),
                position=position,
            ),
            {"position": [_("must be one of {named:positions}", named=list(route.decides))]},
        )
    expected = ESCALATED if route.escalated else NEGOTIATING
    if stage != expected:
        if route.escalated and stage == NEGOTIATING:
            raise Conflict(
                _(
                    "the negotiation is at the stage “{stage:stage}”: this decision needs it at the stage "
                    "“{expected:stage}” (the recommendation must come first)",
                    stage=stage,
                    expected=expected,
                ),
                {"stage": [stage]},
            )
        raise Conflict(
            _(
                "the negotiation is at the stage “{stage:stage}”: this decision needs it at the stage "
                "“{expected:stage}”",
                stage=stage,
                expected=expected,
            ),
            {"stage": [stage]},
        )
    if position in already:
        raise Conflict(
            _(
                "{position:position} has already decided ({decision:outcome})",
                position=position,
                decision=already[position],
            ),
            {"position": [_("{position:position} decided", position=position)]},
        )


def outcome_of(route: DecisionRoute, decisions: Mapping[str, str]) -> str | None:
    """Within authority the one decider's decision is the outcome; escalated, the principals' (below)."""
    if not route.escalated:
        return AGREED if decisions.get(route.decides[0]) == "agree" else REFUSED
    return principals_outcome(route, decisions)


def principals_outcome(route: DecisionRoute, decisions: Mapping[str, str]) -> str | None:
    """Escalated: any refusal refuses; both principals agreeing agrees; else still waiting."""
    if any(d == "refuse" for d in decisions.values()):
        return REFUSED
    if all(decisions.get(p) == "agree" for p in route.decides):
        return AGREED
    return None
