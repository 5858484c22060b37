"""Contract rules (R5, R6, R7, R13), pure: the contract's states, the decision in force and the terms a
draft is composed from, versions and approval, the signatory and the contracting party, the copy register,
confidential access, obligations and their special-report deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Mapping

from shared import decided_terms
from shared.clock import to_shanghai
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.i18n import N_, Message, _
from shared.units import quantize_intensity, wan_per_mu
from shared.workdays import Deadline, WorkingDayCalendar

# -- the contract's states: a declarative table --------------------------------------------------

PENDING, NEGOTIATING, AGREED, REFUSED = "pending", "negotiating", "agreed", "refused"
DRAFTING, LEGAL_REVIEW, SIGNED, FILED_COPIES, CONSTRUCTION, ARCHIVED = (
    "drafting",
    "legal_review",
    "signed",
    "filed_copies",
    "construction",
    "archived",
)
BEFORE_SIGNING = (PENDING, NEGOTIATING, AGREED, REFUSED, DRAFTING, LEGAL_REVIEW)


@dataclass(frozen=True)
class Move:
    act: str
    moves: Mapping[str, str]  # from state -> to state
    rule: str
    refusal: str  # why the act is refused in any other state (a text of the catalogue; {state} is filled in)


MOVES: dict[str, Move] = {
    m.act: m
    for m in (
        Move(
            "decision_agreed",
            {s: AGREED for s in BEFORE_SIGNING},
            "R5",
            N_("the contract stands at “{state:contract_state}”: a decision after signing changes nothing"),
        ),
        Move(
            "decision_refused",
            {s: REFUSED for s in BEFORE_SIGNING},
            "R5",
            N_("the contract stands at “{state:contract_state}”: a decision after signing changes nothing"),
        ),
        Move(
            "reopened",
            {s: NEGOTIATING for s in (AGREED, REFUSED, DRAFTING, LEGAL_REVIEW)},
            "R5",
            N_("the contract stands at “{state:contract_state}”: there is no decision to reopen"),
        ),
        Move(
            "draft",
            {AGREED: DRAFTING, DRAFTING: DRAFTING, LEGAL_REVIEW: LEGAL_REVIEW},
            "R6",
            N_("the contract stands at “{state:contract_state}”: drafts are made from agreement until signing"),
        ),
        Move(
            "submit",
            {DRAFTING: LEGAL_REVIEW, LEGAL_REVIEW: LEGAL_REVIEW},
            "R6",
            N_("the contract stands at “{state:contract_state}”"),
        ),
        Move(
            "legal_approve",
            {LEGAL_REVIEW: LEGAL_REVIEW},
            "R6",
            N_("the contract stands at “{state:contract_state}”: LEGAL reviews a submitted draft"),
        ),
        Move(
            "legal_return",
            {LEGAL_REVIEW: DRAFTING},
            "R6",
            N_("the contract stands at “{state:contract_state}”: LEGAL reviews a submitted draft"),
        ),
        Move(
            "sign",
            {LEGAL_REVIEW: SIGNED},
            "R6",
            N_("the contract stands at “{state:contract_state}”: it is signed after LEGAL's approval"),
        ),
        Move(
            "register_copies",
            {SIGNED: FILED_COPIES},
            "R13",
            N_("the contract stands at “{state:contract_state}”: copies are filed once it is signed"),
        ),
        Move(
            "hand_over",
            {FILED_COPIES: CONSTRUCTION},
            "R7",
            N_("the contract stands at “{state:contract_state}”: it is handed over once filed"),
        ),
        Move(
            "hand_to_archives",
            {CONSTRUCTION: ARCHIVED},
            "R13",
            N_(
                "the contract stands at “{state:contract_state}”: it goes to the "
                "archives after its construction and accounting"
            ),
        ),
        Move(
            "hand_terminated_to_archives",
            {s: ARCHIVED for s in (SIGNED, FILED_COPIES, CONSTRUCTION)},
            "R13",
            N_(
                "the contract stands at “{state:contract_state}”: the project was terminated before its contract was "
                "signed, there is no contract file to hand to the archives"
            ),
        ),
    )
}
"""act -> the states it is taken from and the state it leaves the contract in (R5, R6, R7, R13)."""


def next_state(act: str, state: str) -> str:
    """The state ``act`` leaves a contract in ``state`` in; Conflict (changing nothing) if not allowed there."""
    move = MOVES[act]
    if state not in move.moves:
        raise Conflict(Message(move.refusal, {"state": state}), {"state": [state]})
    return move.moves[state]


def follows(act: str, state: str) -> str | None:
    """The state an event's act leaves the contract in, or None when the act does not apply there (an event is
    not refused: a decision or a reopening that arrives after the contract moved on changes nothing)."""
    return MOVES[act].moves.get(state)


# -- R5: the decision in force --------------------------------------------------------------------


def decision_values(current: Mapping, outcome: str, round_: int, route: Mapping, terms: Mapping | None) -> dict | None:
    """What a decision (``negotiation.decided`` / ``principals_decided``) changes on the contract: None if an
    older round's (a later reopening or decision is already here) or if the contract is signed."""
    if round_ < (current["negotiation_round"] or 0) or round_ < (current["decision_round"] or 0):
        return None
    to = follows("decision_agreed" if outcome == "agreed" else "decision_refused", current["state"])
    if to is None:
        return None
    return {
        "state": to,
        "route": route,
        "decided_terms": terms if outcome == "agreed" else None,
        "decision_round": round_,
        "negotiation_round": round_,
    }


def reopening_values(current: Mapping, round_: int) -> dict | None:
    """What ``negotiation.reopened`` changes: the decision is no longer in force; None for an older round than the
    decision here, or a contract past signing."""
    if round_ <= (current["decision_round"] or 0) or round_ <= (current["negotiation_round"] or 0):
        return None
    to = follows("reopened", current["state"])
    return {"negotiation_round": round_, **({"state": to} if to else {})}


def legacy_terms(route: Mapping, planned: Mapping) -> dict:
    """The decided terms of a decision sent before decisions carried them: the route's land, the planned
    investment, no matters or policy terms recorded."""
    return decided_terms.compose(
        route["land_mu"], planned["planned_total_investment"], planned["planned_fixed_asset_investment"], [], []
    )


def decision_in_force(current: Mapping) -> dict:
    """The terms of the decision in force (R5); Conflict when there is none (no agreement yet, refused, or the
    project went back to negotiation)."""
    if current["state"] not in (AGREED, DRAFTING, LEGAL_REVIEW) or not current["route"]:
        why = {
            PENDING: _("no agreement yet"),
            NEGOTIATING: _("the project is back in negotiation for a new decision"),
            REFUSED: _("the decision refused the project"),
        }.get(current["state"])
        raise Conflict(
            _(
                "no decision in force: {why}",
                why=why or _("the contract stands at “{state:contract_state}”", state=current["state"]),
            ),
            {"decision": [current["state"]]},
        )
    return current["decided_terms"] or legacy_terms(current["route"], current)


# -- R6: versions and LEGAL's approval ---------------------------------------------------------

DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"
VERSION_MOVES: dict[str, Mapping[str, str]] = {
    "submit": {DRAFT: SUBMITTED},  # IPB sends the latest draft to LEGAL
    "approve": {SUBMITTED: APPROVED},  # LEGAL approves it (its text without the DRAFT lines)
    "return": {SUBMITTED: RETURNED},  # or returns it with comments; IPB drafts the next version
}
"""A version's states: draft -> submitted -> approved | returned; only an approved latest version is signed."""

DECIDED = ("total_investment", "fixed_asset_investment", "land_mu")
"""The figures a drafting client may repeat but not change: they are the decision's (R5)."""


def compose_terms(decided: Mapping, given: Mapping) -> dict:
    """A draft's terms: the decided terms (land, investment, intensity, agreed matters, policy terms) and what the
    draft adds (dates, obligations, other terms).  A decided figure typed differently is refused: a change after
    the decision goes back to negotiation (R5)."""
    problems = {
        name: [
            _(
                "must be the decided {value}: a change after the decision goes back to negotiation for a new decision",
                value=decided[name],
            )
        ]
        for name in DECIDED
        if given.get(name) is not None and Decimal(str(given[name])) != Decimal(decided[name])
    }
    if problems:
        raise InvalidInput(
            _(
                "the draft differs from the decision in force: {problems:clauses}",
                problems=[_("{f:field}: {rule}", f=k, rule=v[0]) for k, v in problems.items()],
            ),
            problems,
        )
    return {
        **given,
        **{name: Decimal(decided[name]) for name in DECIDED},
        **{name: decided[name] for name in ("intensity_wan_per_mu", *decided_terms.LISTS)},
    }


def contract_clauses(terms: Mapping) -> list[str]:
    """The other terms the contract states: every agreed matter and policy term decided, then the draft's own."""
    return [*terms.get("agreed", []), *terms.get("policy_terms", []), *terms.get("other_terms", [])]


def check_terms(terms: Mapping) -> None:
    """The terms hang together: dates in order, the fixed-asset investment within the total, each obligation with
    its own id (not one of the contract's dates, which signing makes obligations)."""
    problems: dict[str, list[Message]] = {}
    start, done, production = terms["construction_start"], terms["completion"], terms["production"]
    if not start <= done:
        problems.setdefault("completion", []).append(_("must not be before the construction start"))
    if not done <= production:
        problems.setdefault("production", []).append(_("must not be before completion"))
    if terms["fixed_asset_investment"] > terms["total_investment"]:
        problems.setdefault("fixed_asset_investment", []).append(_("cannot exceed the total investment"))
    ids = [o["id"] for o in terms["obligations"]]
    if len(ids) != len(set(ids)):
        problems.setdefault("obligations", []).append(_("each obligation needs its own number"))
    for i, key in enumerate(ids):
        if key in DATE_OBLIGATIONS:
            problems.setdefault(f"obligations.{i}.id", []).append(
                _(
                    "{key} is the contract's {date} date, an obligation the platform creates at signing: choose another "
                    "number",
                    key=key,
                    date=_(DATE_OBLIGATIONS[key][0]),
                )
            )
    if problems:
        raise InvalidInput(
            _(
                "the terms are inconsistent: {problems:clauses}",
                problems=[_("{f:field}: {rules:list}", f=k, rules=v) for k, v in problems.items()],
            ),
            problems,
        )


def contracted_intensity(fixed_asset_investment: Decimal, land_mu: Decimal) -> Decimal:
    """万元/亩, 2 places (R12 compares the actual intensity with this)."""
    return quantize_intensity(wan_per_mu(fixed_asset_investment, land_mu))


def check_can_submit(state: str, version: Mapping, latest: int) -> str:
    """IPB submits the latest draft; the contract's state after it."""
    if version["version"] != latest:
        raise Conflict(
            _(
                "version {version} is not the latest draft (version {latest})",
                version=version["version"],
                latest=latest,
            ),
            {"version": [str(version["version"])]},
        )
    if version["status"] not in VERSION_MOVES["submit"]:
        raise Conflict(
            _(
                "version {version} is {status:version_status}: only a draft goes to the legal affairs office",
                version=version["version"],
                status=version["status"],
            ),
            {"status": [version["status"]]},
        )
    return next_state("submit", state)


def check_can_review(version: Mapping, latest: int, decision: str, comments: list[str]) -> str:
    """LEGAL approves or returns (with comments) the latest submitted version; its status after it."""
    if version["status"] not in VERSION_MOVES[decision]:
        raise Conflict(
            _(
                "version {version} is {status:version_status}: the legal affairs office reviews a submitted version",
                version=version["version"],
                status=version["status"],
            ),
            {"status": [version["status"]]},
        )
    if version["version"] != latest:
        raise Conflict(
            _("version {version} has been superseded by version {latest}", version=version["version"], latest=latest),
            {"version": [str(version["version"])]},
        )
    if decision == "return" and not comments:
        raise InvalidInput.for_field("comments", _("the legal affairs office returns a draft with its comments"))
    return VERSION_MOVES[decision][version["status"]]


def check_signatory(route: Mapping, position: str) -> None:
    """R5: only the position the decision route names signs."""
    if position != route["signs"]:
        raise NotAllowed(
            _(
                "the decision route names {signs:position} to sign, not {position:position}",
                signs=route["signs"],
                position=position,
            ),
            {"position": [_("must be {signs:position}", signs=route["signs"])]},
        )


def not_the_draft_sent(version: int) -> Conflict:
    """LEGAL approves the draft it was sent: a version whose document carries no DRAFT line is not that draft."""
    return Conflict(
        _(
            "the document of version {version} carries no draft line, so it is not the draft the legal "
            "affairs office was sent: IPB drafts the contract again",
            version=version,
        ),
        {"version": [str(version)]},
    )


def check_has_route(route: Mapping | None) -> Mapping:
    if not route:
        raise Conflict(
            _("no agreement yet: there is no decision route naming a signatory"), {"route": [_("no agreement yet")]}
        )
    return route


def check_can_sign(state: str, version: Mapping, latest: int) -> str:
    """Only the latest version, approved by LEGAL, is signed; the contract's state after it."""
    after = next_state("sign", state)
    if version["status"] != APPROVED:
        raise Conflict(
            _(
                "version {version} is {status:version_status}: only a version the legal affairs office "
                "approved can be signed",
                version=version["version"],
                status=version["status"],
            ),
            {"version": [_("version {version} is not approved", version=version["version"])]},
        )
    if version["version"] != latest:
        raise Conflict(
            _(
                "version {latest} was drafted after version {version} was approved: it needs the legal affairs "
                "office's approval first",
                latest=latest,
                version=version["version"],
            ),
            {"version": [_("version {latest} awaits approval", latest=latest)]},
        )
    return after


def check_signs_the_decision(version: Mapping, decided: Mapping) -> None:
    """R5: the version signed carries exactly the terms of the decision in force; otherwise refused naming each
    differing term."""
    terms = version["terms"]
    differing = decided_terms.differing(decided, terms)
    if differing:
        said = [decided_terms.describe(name, decided, terms) for name in differing]
        raise Conflict(
            _(
                "v{version} does not carry the decision in force ({terms:clauses}): draft a version from the "
                "decided terms",
                version=version["version"],
                terms=said,
            ),
            {name: [line] for name, line in zip(differing, said)},
        )


# -- R5: the contracting party ----------------------------------------------------


def party_a(signs: str, responsible_unit_name: str, government_signatories: Iterable[str], government_name: str) -> str:
    """甲方 follows the route: the county government where the county magistrate or the deputy magistrate signs
    (R5), else the park or town that signs."""
    return government_name if signs in set(government_signatories) else responsible_unit_name


# -- R13: the copy register --------------------------------------------------------------------

HOLDERS = ("GOV", "IPB", "FIN", "LAND", "LEGAL", "IND")


def check_copy_register(problems: list[Message]) -> None:
    if problems:
        raise InvalidInput(
            _("the contract file is incomplete — {problems:clauses}", problems=problems), {"copies": problems}
        )


def check_can_archive(state: str, lifecycle_state: str | None, archived: Mapping | None) -> tuple[str, bool]:
    """R13: the contract goes to ARCH once, when its project is closed — or terminated after the contract was
    signed.  Returns the contract's state after it, and whether the hand-over moves the project on (closed ->
    archived; a terminated project stays terminated)."""
    if state == ARCHIVED:  # a second call (a retry after a lost reply) must not hand it again
        raise Conflict(
            _("the contract was already handed to {arch:unit} on {at:datetime}", arch="ARCH", at=archived["at"]),
            {"state": [ARCHIVED]},
        )
    if lifecycle_state == "terminated":
        return next_state("hand_terminated_to_archives", state), False
    if lifecycle_state != "closed":
        raise Conflict(
            _(
                "the project is not closed yet: a contract goes to the Archives Bureau once its project is "
                "closed, or terminated after signing"
            ),
            {"state": [lifecycle_state or _("not closed")]},
        )
    return next_state("hand_to_archives", state), True


def required_holders(responsible_unit: str, holders: Iterable[str]) -> list[str]:
    return [responsible_unit if h == "RESPONSIBLE_UNIT" else h for h in holders]


def copy_register_problems(
    copies: list[Mapping], required: list[str], minimum: int, custodians: Mapping[str, Mapping]
) -> list[Message]:
    """Everything the register lacks, listed (empty when it may be filed)."""
    problems = []
    numbers = [c["number"] for c in copies]
    if len(copies) < minimum:
        problems.append(
            _(
                "{count:count} copies registered; at least {minimum:count} are required",
                count=len(copies),
                minimum=minimum,
            )
        )
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        problems.append(
            _(
                "copies must be numbered 1 to {count:count} once each (given: {numbers})",
                count=len(numbers),
                numbers="、".join(map(str, sorted(numbers))),
            )
        )
    holding = {c["unit"] for c in copies}
    for unit in required:
        if unit not in holding:
            problems.append(_("{unit:unit} holds no copy", unit=unit))
    for unit in sorted(holding):
        custodian = custodians.get(unit)
        if not custodian:
            problems.append(_("{unit:unit} has no designated custodian and cabinet", unit=unit))
        elif not (custodian.get("cabinet") or "").strip():
            problems.append(_("{unit:unit} has a custodian but no cabinet", unit=unit))
    return problems


# -- R13: a unit's custodian ---------------------------------------------------------------------------
FIRST, SAME, REPLACEMENT = "first", "same", "replacement"


def check_own_custodian(position: str, own: str, unit: str) -> None:
    """A unit's head designates the contract custodian of its own unit only."""
    if own != unit:
        raise NotAllowed(
            _(
                "the {position:position} of {own:unit} designates the custodian of {own:unit}, not that of {unit:unit}",
                position=position,
                own=own,
                unit=unit,
            ),
            {"unit": [_("must be {own:unit}", own=own)]},
        )


def custodian_designation(
    unit: str, current: Mapping | None, designated: Mapping, replaces: str | None, reason: str | None
) -> str:
    """What designating ``designated`` (user id, name, cabinet) as ``unit``'s custodian is: the unit's ``first``; the
    ``same`` designation again (nothing changes); or a ``replacement`` of the current one, which must be explicit —
    ``replaces`` names the custodian it ends, with a reason — and is never a silent overwrite."""
    if current is None:
        if replaces:
            raise InvalidInput.for_field("replaces", _("{unit:unit} has no custodian to replace", unit=unit))
        return FIRST
    if all(current[k] == designated[k] for k in ("user_id", "name", "cabinet")) and not replaces:
        return SAME
    if not replaces:
        raise Conflict(
            _(
                "{unit:unit} already has a custodian, {name} ({user}): another custodian or cabinet replaces "
                "them — name them in replaces, with a reason",
                unit=unit,
                name=current["name"],
                user=current["user_id"],
            ),
            {"replaces": [current["user_id"]]},
        )
    if replaces != current["user_id"]:
        raise Conflict(
            _("{unit:unit}'s custodian is {user}, not {named}", unit=unit, user=current["user_id"], named=replaces),
            {"replaces": [current["user_id"]]},
        )
    if not (reason or "").strip():
        raise InvalidInput.for_field(
            "reason",
            _("why {user} stops keeping the copies of {unit:unit} is required", user=current["user_id"], unit=unit),
        )
    return REPLACEMENT


# -- R13/R15: confidential access -----------------------------------------------------------------


@dataclass(frozen=True)
class AccessVerdict:
    allowed: bool
    basis: Message  # custodian of <unit> | grant <id> until … | why refused


def check_grant(expires_at: datetime, now: datetime) -> None:
    if expires_at <= now:
        raise InvalidInput.for_field("expires_at", _("must be in the future"))


def check_reading(verdict: "AccessVerdict", ref: str) -> None:
    if not verdict.allowed:
        raise NotAllowed(
            _("reading the contract of {ref} is refused: {basis}", ref=ref, basis=verdict.basis),
            {"basis": verdict.basis},
        )


def check_draft_reader(allowed: bool, position: str, unit: str, ref: str) -> None:
    """The drafting parties (IPB, LEGAL: policy ``contracts.read_draft``) read drafts."""
    if not allowed:
        raise NotAllowed(
            _(
                "{position:position} ({unit:unit}) may not read the drafts of {ref}",
                position=position,
                unit=unit,
                ref=ref,
            ),
            {"operation": "contracts.read_draft"},
        )


def access_verdict(
    user_id: str, holding_custodians: Mapping[str, str], grants: Iterable[Mapping], now: datetime
) -> AccessVerdict:
    """Custodians of holding units read their copy; anyone else needs a live leader's grant."""
    for unit, custodian_user in holding_custodians.items():
        if custodian_user == user_id:
            return AccessVerdict(True, _("custodian of {unit:unit}", unit=unit))
    live = [g for g in grants if g["grantee_user_id"] == user_id and g["granted_at"] <= now < g["expires_at"]]
    if live:
        grant = max(live, key=lambda g: g["expires_at"])
        until = to_shanghai(grant["expires_at"]).isoformat()
        return AccessVerdict(
            True,
            _(
                "grant {grant} by the {position:position} until {until:datetime}",
                grant=grant["id"],
                position=grant["grantor_position"],
                until=until,
            ),
        )
    expired = [g for g in grants if g["grantee_user_id"] == user_id and g["expires_at"] <= now]
    if expired:
        return AccessVerdict(False, _("the leader's grant has expired"))
    return AccessVerdict(False, _("not a custodian of a holding unit and no leader's grant"))


# -- R6/R7: obligations and special reports --------------------------------------------------------------

OPEN, MET, LAPSED, ENDED = "open", "met", "lapsed", "ended"
"""An obligation ``ended``: its project was terminated before it was met — it lapses no more, and a special
report it still awaited is no longer due (no red flag)."""
DATE_OBLIGATIONS = {
    "START": (N_("construction start"), "construction_start", "按期开工建设"),
    "COMPLETION": (N_("completion"), "completion", "按期竣工"),
    "PRODUCTION": (N_("full production"), "production", "全面建成投产"),
}
"""R6: the start, completion and full-production dates are always obligations of the investor, created at signing."""


def contract_obligations(terms: Mapping) -> list[dict]:
    """The obligations signing creates: the three dates of the contract, then those the draft lists."""
    dated = [
        {"id": key, "text": text, "due": terms[field], "party": "investor"}
        for key, (_, field, text) in DATE_OBLIGATIONS.items()
    ]
    return dated + [dict(o) for o in terms["obligations"]]


def check_obligations_due(obligations: Iterable[Mapping], signing_date: date) -> None:
    """An obligation due before the signing date cannot be signed: each one is named."""
    early = [o for o in obligations if _day(o["due"]) < signing_date]
    if early:
        said = [_("“{text}” is due {due:date}", text=o["text"], due=_day(o["due"])) for o in early]
        raise Conflict(
            _(
                "obligations due before the signing date {day:date}: {late:clauses}; draft a version with "
                "dates from the signing date on",
                day=signing_date,
                late=said,
            ),
            {"obligations": said},
        )


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def check_progress(status: str, text: str) -> None:
    if status == MET:
        raise Conflict(_("the obligation “{text}” is already met", text=text), {"obligation": [text]})


def progress_values(item: Mapping, entry: Mapping, met: bool, now: datetime) -> dict:
    """Progress against an obligation; met late, it stays lapsed: the special report on the lapse is still owed."""
    values = {"progress": list(item["progress"]) + [dict(entry)]}
    if met:
        values.update(met_at=now, **({} if item["status"] == LAPSED else {"status": MET}))
    return values


def ends_with_the_project(status: str, report) -> bool:
    """R7/R11: what a terminated project's obligation stops — an open one, or a lapsed one whose report is awaited."""
    return status == OPEN or (status == LAPSED and report is None)


def check_report_due(status: str, report, text: str) -> None:
    if status != LAPSED or report is not None:
        raise Conflict(_("the obligation “{text}” has no special report due", text=text), {"obligation": [text]})


def report_deadline(due: date, calendar: WorkingDayCalendar, working_days: int) -> Deadline:
    """R7: a special report is due within N working days after an unmet obligation's due date."""
    return calendar.add_working_days(due, working_days)


def moved_report_deadline(obligation: Mapping, calendar: WorkingDayCalendar, working_days: int) -> Deadline | None:
    """A lapsed obligation's provisional report deadline counted again on ``calendar`` (a year's schedule loaded
    since): the new deadline if it differs, else None.  A filed report keeps the deadline it was filed against."""
    if obligation["status"] != LAPSED or not obligation.get("report_due_provisional") or obligation.get("report"):
        return None
    new = report_deadline(obligation["due"], calendar, working_days)
    return None if (new.date, new.provisional) == (obligation["report_due"], True) else new


def has_lapsed(status: str, due: date, today: date) -> bool:
    return status == OPEN and today > due


def report_is_late(report_due: date | None, filed: bool, flagged: bool, today: date) -> bool:
    return report_due is not None and not filed and not flagged and today > report_due


def obligations_outlook(
    obligations: Iterable[Mapping], as_of: date, calendar: WorkingDayCalendar, working_days: int
) -> dict:
    """What the obligation scan run on ``as_of`` would do — computed, nothing changed (an administrator's dry run):
    each open obligation past its due date lapses, its special report due ``working_days`` working days after;
    each unfiled report due on or before ``as_of`` falls due, and one due before it is late (the project flagged
    red).  ``obligations`` are the open and the lapsed-without-report ones, with their project's ``ref``."""
    would_lapse, reports = [], []
    for o in obligations:
        item = {
            "project_id": o["project_id"],
            "ref": o.get("ref"),
            "key": o["key"],
            "text": o["text"],
            "due": o["due"].isoformat(),
        }
        if has_lapsed(o["status"], o["due"], as_of):
            deadline = report_deadline(o["due"], calendar, working_days)
            report_due, provisional = deadline.date, deadline.provisional
            would_lapse.append({**item, "report_due": report_due.isoformat(), "provisional": provisional})
        elif o["status"] == LAPSED and o.get("report") is None and o.get("red_flag_at") is None and o.get("report_due"):
            report_due, provisional = o["report_due"], bool(o.get("report_due_provisional"))
        else:
            continue
        if report_due <= as_of:
            reports.append(
                {
                    **item,
                    "report_due": report_due.isoformat(),
                    "provisional": provisional,
                    "late": report_is_late(report_due, False, False, as_of),
                }
            )
    order = lambda x: (x["report_due"] if "report_due" in x else x["due"], x["project_id"], x["key"])  # noqa: E731
    return {
        "as_of": as_of.isoformat(),
        "would_lapse": sorted(would_lapse, key=order),
        "reports_due": sorted(reports, key=order),
    }
