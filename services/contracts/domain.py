"""Contract rules (R6, R7, R13), pure: versions and approval, the signatory, the copy
register, confidential access, obligations and their special-report deadlines."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Mapping

from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.i18n import _
from shared.units import quantize_intensity, wan_per_mu
from shared.workdays import Deadline, WorkingDayCalendar

# -- R6: versions and LEGAL's approval ---------------------------------------------------------

DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"


def check_terms(terms: Mapping) -> None:
    """The agreed terms hang together: dates in order, obligations due, intensity = FAI ÷ land."""
    problems: dict[str, list[str]] = {}
    start, done, production = terms["construction_start"], terms["completion"], terms["production"]
    if not start <= done:
        problems.setdefault("completion", []).append("must not be before the construction start")
    if not done <= production:
        problems.setdefault("production", []).append("must not be before completion")
    if terms["fixed_asset_investment"] > terms["total_investment"]:
        problems.setdefault("fixed_asset_investment", []).append("cannot exceed the total investment")
    ids = [o["id"] for o in terms["obligations"]]
    if len(ids) != len(set(ids)):
        problems.setdefault("obligations", []).append("each obligation needs its own id")
    if problems:
        raise InvalidInput("the terms are inconsistent — " + "; ".join(f"{k}: {', '.join(v)}" for k, v in problems.items()),
                           problems)


def contracted_intensity(fixed_asset_investment: Decimal, land_mu: Decimal) -> Decimal:
    """万元/亩, 2 places (R12 compares the actual intensity with this)."""
    return quantize_intensity(wan_per_mu(fixed_asset_investment, land_mu))


def check_can_draft(state: str) -> None:
    if state not in ("agreed", "drafting", "legal_review"):
        raise Conflict(f"the contract is {state}: drafts are made from agreement until signing", {"state": [state]})


def check_can_submit(state: str, version: Mapping, latest: int) -> None:
    if version["version"] != latest:
        raise Conflict(f"v{version['version']} is not the latest draft (v{latest})", {"version": [str(version["version"])]})
    if version["status"] != DRAFT:
        raise Conflict(f"v{version['version']} is {version['status']}: only a draft goes to LEGAL", {"status": [version["status"]]})
    if state not in ("drafting", "legal_review"):
        raise Conflict(f"the contract is {state}", {"state": [state]})


def check_can_review(version: Mapping, latest: int) -> None:
    if version["status"] != SUBMITTED:
        raise Conflict(f"v{version['version']} is {version['status']}: LEGAL reviews a submitted version",
                       {"status": [version["status"]]})
    if version["version"] != latest:
        raise Conflict(f"v{version['version']} has been superseded by v{latest}", {"version": [str(version["version"])]})


def check_signatory(route: Mapping, position: str) -> None:
    """R5: only the position the decision route names signs."""
    if position != route["signs"]:
        raise NotAllowed(f"the decision route names {route['signs']} to sign, not {position}",
                         {"position": [f"must be {route['signs']}"]})


def check_can_sign(state: str, version: Mapping, latest: int) -> None:
    if state != "legal_review":
        raise Conflict(f"the contract is {state}: it is signed after LEGAL's approval", {"state": [state]})
    if version["status"] != APPROVED:
        raise Conflict(f"v{version['version']} is {version['status']}: only a LEGAL-approved version can be signed",
                       {"version": [f"v{version['version']} not approved"]})
    if version["version"] != latest:
        raise Conflict(f"v{latest} was drafted after v{version['version']} was approved: it needs LEGAL's approval first",
                       {"version": [f"v{latest} pending"]})


# -- R13: the copy register --------------------------------------------------------------------

HOLDERS = ("GOV", "IPB", "FIN", "LAND", "LEGAL", "IND")


def required_holders(responsible_unit: str, holders: Iterable[str]) -> list[str]:
    return [responsible_unit if h == "RESPONSIBLE_UNIT" else h for h in holders]


def copy_register_problems(copies: list[Mapping], required: list[str], minimum: int,
                           custodians: Mapping[str, Mapping]) -> list[str]:
    """Everything the register lacks, listed (empty when it may be filed)."""
    problems = []
    numbers = [c["number"] for c in copies]
    if len(copies) < minimum:
        problems.append(f"{len(copies)} copies registered; at least {minimum} are required")
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        problems.append(f"copies must be numbered 1 to {len(numbers)} once each (got {sorted(numbers)})")
    holding = {c["unit"] for c in copies}
    for unit in required:
        if unit not in holding:
            problems.append(f"{unit} holds no copy")
    for unit in sorted(holding):
        custodian = custodians.get(unit)
        if not custodian:
            problems.append(f"{unit} has no designated custodian and cabinet")
        elif not (custodian.get("cabinet") or "").strip():
            problems.append(f"{unit} has a custodian but no cabinet")
    return problems


# -- R13/R15: confidential access -----------------------------------------------------------------


@dataclass(frozen=True)
class AccessVerdict:
    allowed: bool
    basis: str  # "custodian of <unit>" | "grant <id> until …" | why refused


def access_verdict(user_id: str, holding_custodians: Mapping[str, str], grants: Iterable[Mapping], now: datetime) -> AccessVerdict:
    """Custodians of holding units read their copy; anyone else needs a live leader's grant."""
    for unit, custodian_user in holding_custodians.items():
        if custodian_user == user_id:
            return AccessVerdict(True, f"custodian of {unit}")
    live = [g for g in grants if g["grantee_user_id"] == user_id and g["granted_at"] <= now < g["expires_at"]]
    if live:
        grant = max(live, key=lambda g: g["expires_at"])
        return AccessVerdict(True, f"grant {grant['id']} by {grant['grantor_position']} until {grant['expires_at'].isoformat()}")
    expired = [g for g in grants if g["grantee_user_id"] == user_id and g["expires_at"] <= now]
    if expired:
        return AccessVerdict(False, "the leader's grant has expired")
    return AccessVerdict(False, "not a custodian of a holding unit and no leader's grant")


# -- R7: obligations and special reports --------------------------------------------------------------

OPEN, MET, LAPSED, ENDED = "open", "met", "lapsed", "ended"
"""An obligation ``ended``: its project was terminated before it was met — it lapses no more, and a special
report it still awaited is no longer due (no red flag)."""


def report_deadline(due: date, calendar: WorkingDayCalendar, working_days: int) -> Deadline:
    """R7: a special report is due within N working days after an unmet obligation's due date."""
    return calendar.add_working_days(due, working_days)


def has_lapsed(status: str, due: date, today: date) -> bool:
    return status == OPEN and today > due


def report_is_late(report_due: date | None, filed: bool, flagged: bool, today: date) -> bool:
    return report_due is not None and not filed and not flagged and today > report_due


def ends_with_the_project(status: str, report) -> bool:
    """R7/R11: what a terminated project's obligation stops — an open one, or a lapsed one whose report is awaited."""
    return status == OPEN or (status == LAPSED and report is None)


# -- R13: the contract file to the Archives Bureau -----------------------------------------------------------

SIGNED_STATES = ("signed", "filed_copies", "construction")


def check_can_archive(state: str, lifecycle_state: str | None) -> bool:
    """R13: a contract goes to ARCH once its project is closed, or terminated after it was signed.  Returns
    whether the hand-over moves the project on (closed -> archived); a terminated project stays terminated."""
    if lifecycle_state == "closed":
        return True
    if lifecycle_state == "terminated" and state in SIGNED_STATES:
        return False
    if lifecycle_state == "terminated":
        raise Conflict(_("the project was terminated before its contract was signed: there is no contract file "
                         "to hand to the Archives Bureau"), {"state": [state]})
    raise Conflict(_("the project is not closed yet: a contract goes to the Archives Bureau once its project is "
                     "closed, or terminated after signing"), {"state": [lifecycle_state or "not closed"]})
