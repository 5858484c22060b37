"""Supervision rules (R7, R11), pure: tracking a project's progress and problems (the "four promptnesses"), the
county's stalled-project lists, the deadlines supervision keeps, and the register of special reports to the
Leading Group.

Supervision follows a project from its filing until it ends, and reminds the administrators, daily from 1
December, while next year's official holiday schedule is missing (R16); the standard-land work (R17: committed indicators,
data imports, rectification, damages, per-mu grading) joins it as modules of its own beside this one, with
their own tables and deadline kinds.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Callable, Iterable, Mapping

from shared.clock import SHANGHAI, to_shanghai
from shared.errors import Conflict, InvalidInput
from shared.i18n import Message, _

# -- tracking (R11) ----------------------------------------------------------------------------------

UNTRACKED = frozenset({"lead", "rejected", "refused", "closed", "archived", "terminated"})
"""States in which a project is not followed for staleness (not filed yet, or over)."""
ENDED = frozenset({"rejected", "refused", "closed", "archived", "terminated"})
"""States after which nothing about the project falls due any more: its pending deadlines are cancelled."""


def stale_at(last_progress_at: datetime, stale_days: int) -> datetime:
    """R11: a project with no progress for ``stale_days`` days is stale from this instant (inclusive)."""
    return last_progress_at + timedelta(days=stale_days)


def is_stale(last_progress_at: datetime, stale_days: int, now: datetime) -> bool:
    return now >= stale_at(last_progress_at, stale_days)


def escalation_at(raised_at: datetime, escalation_days: int) -> datetime:
    """R11: a problem open for ``escalation_days`` days goes to the liaison leader from this instant."""
    return raised_at + timedelta(days=escalation_days)


def is_due_for_escalation(
    raised_at: datetime, escalation_days: int, resolved: bool, escalated: bool, now: datetime
) -> bool:
    return not resolved and not escalated and now >= escalation_at(raised_at, escalation_days)


def escalation_position(liaison_leader: str | None, default_position: str) -> str:
    """R10/R11: a problem open too long goes to the project's county-level liaison leader; a project without one
    to the position the policy names (``thresholds.tracking.escalation_position``)."""
    return liaison_leader or default_position


STALLED = {  # how the county's offices count stalled projects, by lifecycle state
    "approved_not_assigned": ("approved",),  # 已批未落地: approved at review, no responsible unit yet
    "signed_not_started": ("signed", "filed_copies"),  # 签约未开工: signed, not handed over for construction
    "started_not_completed": ("construction",),  # 开工未竣工: under construction, accounting not opened
}


def stalled_label(category: str) -> Message:
    """A stalled list's name as the county's offices say it (已批未落地, 签约未开工, 开工未竣工)."""
    return _("{category:stalled}", category=category)


def stalled_category(state: str | None) -> str | None:
    for category, states in STALLED.items():
        if state in states:
            return category
    return None


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from ``start`` to ``end`` (time in state)."""
    return max(0, (end - start) // timedelta(days=1))


def stalled_lists(projects: Iterable[Mapping], now: datetime) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {c: [] for c in STALLED}
    for p in projects:
        category = stalled_category(p["state"])
        if category is None:
            continue
        out[category].append({**p, "days_in_state": days_between(p["state_since"], now)})
    for items in out.values():
        items.sort(key=lambda p: (-p["days_in_state"], p["ref"] or ""))
    return out


# -- deadlines ------------------------------------------------------------------------------------------
# Each is a row fired once by the service's timer (claimed in the transaction that carries its effect: the
# event it emits).  A kind added later (a rectification period, a yearly indicator check) is one more name
# here and one more branch where the service fires it.

STALE, ESCALATION, REPORT_DUE, REVIEW_PERIOD, REMINDER, HOLIDAYS_MISSING = (
    "stale_project",
    "problem_escalation",
    "special_report_due",
    "review_period",
    "reminder",
    "holiday_schedule_missing",
)
KINDS = (STALE, ESCALATION, REPORT_DUE, REVIEW_PERIOD, REMINDER, HOLIDAYS_MISSING, "standard_land_check")


def check_can_resolve(problem: Mapping) -> None:
    """An open problem is resolved once; a resolved one is not resolved again."""
    if problem["resolved_at"] is not None:
        raise Conflict(
            _("the problem “{problem}” is already resolved", problem=problem["description"]),
            {"problem_id": [str(problem["id"])]},
        )


def check_reminder_at(at: datetime, now: datetime) -> datetime:
    """A follow-up reminder is set for a moment still to come."""
    if at <= now:
        raise InvalidInput.for_field("at", _("must be in the future"))
    return at


def on_day(day: date, at: str) -> datetime:
    """``at`` ("09:00") on ``day``, Asia/Shanghai."""
    hh, mm = (int(p) for p in at.split(":"))
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI)


def fall_due_by(deadlines: Iterable[Mapping], as_of: date) -> list[Mapping]:
    """The pending deadlines that would fire by the end of ``as_of`` (Asia/Shanghai): an administrator's dry run
    of the deadline timer, which changes nothing."""
    end = datetime.combine(as_of + timedelta(days=1), time(0, 0), tzinfo=SHANGHAI)
    return [d for d in deadlines if d["fired_at"] is None and d["cancelled_at"] is None and d["due_at"] < end]


# -- R16: the official holiday schedule missing ------------------------------------------------------------


def holiday_watch(today: date, is_known: Callable[[int], bool], at: str) -> tuple[int, datetime]:
    """R16: the next check for a missing official holiday schedule — (the year watched, when).  From 1 December
    the administrators are told every day, while next year's schedule (or this year's, still) is missing: the check
    is today at ``at``.  Otherwise it is the next 1 December, for the year after it."""
    for year in (today.year, today.year + 1):
        if not is_known(year) and today >= date(year - 1, 12, 1):
            return year, on_day(today, at)
    start = date(today.year, 12, 1) if today < date(today.year, 12, 1) else date(today.year + 1, 12, 1)
    return start.year + 1, on_day(start, at)


# -- special reports to the Leading Group (R7, R11) ---------------------------------------------------------

CAUSES = ("overdue_obligation", "unfinished_review", "cannot_go_ahead", "unmet_commitment")
"""Why a special report goes to the Leading Group (named by ``{c:report_cause}``)."""
OVERDUE_OBLIGATION = "overdue_obligation"
UNMET_COMMITMENT = "unmet_commitment"
"""A standard-land commitment still short at the check after its rectification (R17): filed by itself."""
FILED_BY_THEMSELVES = (OVERDUE_OBLIGATION, UNMET_COMMITMENT)


def check_report_cause(cause: str) -> None:
    if cause not in CAUSES:
        raise InvalidInput.for_field(
            "cause",
            _(
                "must be one of {causes:list}",
                causes=[_("{cause:report_cause}", cause=c) for c in CAUSES if c not in FILED_BY_THEMSELVES],
            ),
        )
    if cause == OVERDUE_OBLIGATION:
        raise InvalidInput.for_field(
            "cause",
            _(
                "a report on an overdue contract obligation is filed on the "
                "obligation itself, so that its task closes; it joins this register by "
                "itself"
            ),
        )
    if cause == UNMET_COMMITMENT:
        raise InvalidInput.for_field(
            "cause",
            _(
                "a report on a standard-land commitment still unmet after its rectification is filed by the check "
                "that finds it; it joins this register by itself"
            ),
        )


def report_ref(project_ref: str | None, project_id: str, number: int) -> str:
    return f"SR-{project_ref or project_id}-{number}"


def shanghai_iso(moment: datetime | None) -> str | None:
    """A moment as Asia/Shanghai ISO text (shown by ``{t:datetime}``)."""
    return to_shanghai(moment).isoformat() if moment else None
