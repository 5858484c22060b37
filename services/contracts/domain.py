"""Contract rules (R6, R7, R13), pure: versions and approval, the signatory, the copy
register, confidential access, obligations and their special-report deadlines."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Mapping

from shared.clock import to_shanghai
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


# -- R13: a unit's custodian ---------------------------------------------------------------------------
FIRST, SAME, REPLACEMENT = "first", "same", "replacement"


def custodian_designation(unit: str, current: Mapping | None, designated: Mapping, replaces: str | None,
                          reason: str | None) -> str:
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
        raise Conflict(_("{unit:unit} already has a custodian, {name} ({user}): another custodian or cabinet replaces "
                         "them — name them in replaces, with a reason", unit=unit, name=current["name"],
                         user=current["user_id"]), {"replaces": [current["user_id"]]})
    if replaces != current["user_id"]:
        raise Conflict(_("{unit:unit}'s custodian is {user}, not {named}", unit=unit, user=current["user_id"],
                         named=replaces), {"replaces": [current["user_id"]]})
    if not (reason or "").strip():
        raise InvalidInput.for_field("reason", _("why {user} stops keeping the copies of {unit:unit} is required",
                                                 user=current["user_id"], unit=unit))
    return REPLACEMENT


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
        until = to_shanghai(grant["expires_at"]).isoformat()
        return AccessVerdict(True, f"grant {grant['id']} by {grant['grantor_position']} until {until}")
    expired = [g for g in grants if g["grantee_user_id"] == user_id and g["expires_at"] <= now]
    if expired:
        return AccessVerdict(False, "the leader's grant has expired")
    return AccessVerdict(False, "not a custodian of a holding unit and no leader's grant")


# -- R7: obligations and special reports --------------------------------------------------------------

OPEN, MET, LAPSED = "open", "met", "lapsed"


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


def obligations_outlook(obligations: Iterable[Mapping], as_of: date, calendar: WorkingDayCalendar,
                        working_days: int) -> dict:
    """What the obligation scan run on ``as_of`` would do — computed, nothing changed (an administrator's dry run):
    each open obligation past its due date lapses, its special report due ``working_days`` working days after;
    each unfiled report due on or before ``as_of`` falls due, and one due before it is late (the project flagged
    red).  ``obligations`` are the open and the lapsed-without-report ones, with their project's ``ref``."""
    would_lapse, reports = [], []
    for o in obligations:
        item = {"project_id": o["project_id"], "ref": o.get("ref"), "key": o["key"], "text": o["text"],
                "due": o["due"].isoformat()}
        if has_lapsed(o["status"], o["due"], as_of):
            deadline = report_deadline(o["due"], calendar, working_days)
            report_due, provisional = deadline.date, deadline.provisional
            would_lapse.append({**item, "report_due": report_due.isoformat(), "provisional": provisional})
        elif o["status"] == LAPSED and o.get("report") is None and o.get("red_flag_at") is None and o.get("report_due"):
            report_due, provisional = o["report_due"], bool(o.get("report_due_provisional"))
        else:
            continue
        if report_due <= as_of:
            reports.append({**item, "report_due": report_due.isoformat(), "provisional": provisional,
                            "late": report_is_late(report_due, False, False, as_of)})
    order = lambda x: (x["report_due"] if "report_due" in x else x["due"], x["project_id"], x["key"])  # noqa: E731
    return {"as_of": as_of.isoformat(), "would_lapse": sorted(would_lapse, key=order),
            "reports_due": sorted(reports, key=order)}
