"""Joint review rules (R2), pure: who must review, and what the opinions add up to."""

from __future__ import annotations

from datetime import date
from typing import Mapping

from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.i18n import _
from shared.workdays import Deadline, WorkingDayCalendar

REVIEWING_BUREAUS = ("DRB", "IND", "FIN", "EPB", "LAND", "PLAN")
OPINIONS = ("pass", "conditional", "fail")


def required_units(location_kind: str, location_id: str | None) -> tuple[str, ...]:
    """DRB, IND, FIN, EPB, LAND, PLAN and, for a project bound for a park, that park."""
    if location_kind == "park" and location_id:
        return REVIEWING_BUREAUS + (f"PARK:{location_id}",)
    return REVIEWING_BUREAUS


def check_opinion(opinion: str, conditions: list[str], reasons: list[str]) -> None:
    if opinion not in OPINIONS:
        raise InvalidInput.for_field(
            "opinion",
            _("must be one of: {choices:list}", choices=[_("{opinion:opinion}", opinion=o) for o in OPINIONS]),
        )
    if opinion == "conditional" and not conditions:
        raise InvalidInput.for_field("conditions", _("a conditional pass lists its conditions"))
    if opinion == "fail" and not reasons:
        raise InvalidInput.for_field("reasons", _("a fail gives its reasons"))


def outcome(required: tuple[str, ...], opinions: Mapping[str, str]) -> str:
    """``rejected`` if any unit failed; ``approved`` once every required unit passed
    (with or without conditions); ``pending`` otherwise."""
    if any(opinions.get(unit) == "fail" for unit in required):
        return "rejected"
    if all(opinions.get(unit) in ("pass", "conditional") for unit in required):
        return "approved"
    return "pending"


OPEN, RETURNED, CONCLUDED = "open", "returned", "concluded"


def binding_failures(findings: list[dict]) -> list[dict]:
    """Check findings that fail the review by themselves (R2: an eliminated sector,
    intensity below the minimum, a sector barred at the location)."""
    return [f for f in findings if f["verdict"] == "fail"]


def conditions_of(opinions: list[dict]) -> list[dict]:
    """Every condition carried forward, with the unit that set it."""
    return [
        {"unit": o["unit"], "condition": c} for o in opinions if o["opinion"] == "conditional" for c in o["conditions"]
    ]


def check_not_convened(convened: bool, ref: str, project_id: str) -> None:
    """A project's joint review is convened once."""
    if convened:
        raise Conflict(_("the joint review of {ref} has already been convened", ref=ref), {"project_id": [project_id]})


def check_can_resubmit(state: str) -> None:
    """Only a review returned for more information is resubmitted (a new round)."""
    if state != RETURNED:
        raise Conflict(
            _(
                "only a review returned for more information can be resubmitted; this one is {state:review_state}",
                state=state,
            ),
            {"state": [_("is {state:review_state}", state=state)]},
        )


def check_own_unit(position: str, own: str, unit: str | None) -> None:
    """A reviewer records the opinion of its own unit only (``unit``: the unit the opinion is given for, if named)."""
    if unit and unit != own:
        raise NotAllowed(
            _(
                "{position:position} of {own:unit} records only the opinion of {own:unit}, not that of {other:unit}",
                position=position,
                own=own,
                other=unit,
            ),
            {"unit": [_("must be {own:unit}", own=own)]},
        )


def check_can_record(state: str, unit: str, required: list[str], already: set[str]) -> None:
    """A unit records its own opinion once per round, on an open review it is part of."""
    if unit not in required:
        raise NotAllowed(
            _(
                "{unit:unit} is not a reviewing unit of this project (the reviewing units: {required:units})",
                unit=unit,
                required=list(required),
            ),
            {"unit": [_("must be one of {required:units}", required=list(required))]},
        )
    if state != OPEN:
        raise Conflict(
            _("the review is {state:review_state}: opinions are recorded only while it is open", state=state),
            {"state": [_("is {state:review_state}", state=state)]},
        )
    if unit in already:
        raise Conflict(
            _(
                "{unit:unit} has already given its opinion in this round; an opinion is never replaced "
                "(IPB may return the project and resubmit it for a new round)",
                unit=unit,
            ),
            {"unit": [_("{unit:unit} has already given its opinion", unit=unit)]},
        )


def first_counting_round(review: Mapping) -> int:
    """The first round whose opinions still count (a review stored before rounds could be partial: its round)."""
    return review.get("base_round") or review["round"]


def check_can_reopen(state: str, outcome: str | None, unit: str, required: list[str]) -> None:
    """R2/R3: a park IPB proposes as the responsible unit, not among the reviewing units, is asked for its opinion
    in a new round of an approved review."""
    if state != CONCLUDED or outcome != "approved":
        raise Conflict(
            _("the review is {state:review_state}: a unit is added to an approved review only", state=state)
            if outcome is None
            else _(
                "the review is {state:review_state} ({outcome:outcome}): a unit is added to an approved review only",
                state=state,
                outcome=outcome,
            ),
            {"state": [state]},
        )
    if unit in required:
        raise Conflict(_("{unit:unit} already reviews this project", unit=unit), {"unit": [unit]})


def is_overdue(state: str, deadline, escalated: bool, today) -> bool:
    """R2: a review still open after its last working day is escalated, once."""
    return state == OPEN and not escalated and today > deadline


def review_deadline(period_start: date, calendar: WorkingDayCalendar, period_working_days: int) -> Deadline:
    """R2: a round's review period ends ``period_working_days`` working days after the day it started (R16: on
    the official calendar; provisional where a year's schedule is not known)."""
    return calendar.add_working_days(period_start, period_working_days)


def moved_deadline(review: Mapping, calendar: WorkingDayCalendar, period_working_days: int) -> Deadline | None:
    """A review's provisional deadline counted again on ``calendar`` (a year's schedule loaded since): the new
    deadline if it differs — a later or earlier day, or no longer provisional — else None.  A concluded review
    keeps its deadline."""
    if review["state"] == CONCLUDED or not review["deadline_provisional"]:
        return None
    new = review_deadline(review["period_start"], calendar, period_working_days)
    return None if (new.date, new.provisional) == (review["deadline"], True) else new
