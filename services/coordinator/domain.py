"""The project lifecycle of SPEC §2 as a pure state machine.

Each transition names the trigger that causes it: a department's event
(``review.concluded:approved`` = event type + outcome) or an IPB command
(``command:terminate``).  ``next_state`` is the only way a project's state
changes; an illegal trigger raises ``Conflict`` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.clock import to_shanghai
from shared.errors import Conflict, InvalidInput
from shared.i18n import N_, _

STATES = (
    "lead",
    "filed",
    "under_review",
    "approved",
    "rejected",
    "returned",
    "assigned",
    "negotiating",
    "agreed",
    "escalated",
    "refused",
    "drafting",
    "legal_review",
    "signed",
    "filed_copies",
    "construction",
    "accounting",
    "closed",
    "archived",
    "terminated",
)
TERMINAL = frozenset({"rejected", "archived", "terminated"})
"""States nothing leaves (a refused project goes back to IPB, which renegotiates or terminates it: R5)."""
TERMINABLE = tuple(s for s in STATES[: STATES.index("construction") + 1] if s not in TERMINAL)
"""States a project can be terminated from (R11): any state up to and including construction that is not
already final — a signed project too (signed, filed_copies, construction): its obligations then end and its
contract file goes to the Archives Bureau (R7, R13).  Once its accounting is open it is closed, not terminated."""
TERMINATE = "command:terminate"


@dataclass(frozen=True)
class Transition:
    from_states: tuple[str, ...]
    to_state: str
    trigger: str
    rule: str
    by: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition(("lead",), "filed", "intake.project_filed", "R1", N_("IPB files it")),
    Transition(("filed",), "under_review", "review.convened", "R2", N_("IPB convenes")),
    Transition(("returned",), "under_review", "review.resubmitted", "R2", N_("IPB resubmits")),
    Transition(("under_review",), "approved", "review.concluded:approved", "R2", N_("the review's outcome")),
    Transition(("under_review",), "rejected", "review.concluded:rejected", "R2", N_("the review's outcome")),
    Transition(("under_review",), "returned", "review.returned", "R2", N_("a unit returns it for more information")),
    Transition(("approved",), "assigned", "negotiation.unit_assigned", "R3", N_("IPB confirms the responsible unit")),
    Transition(
        ("approved",),
        "under_review",
        "review.reopened",
        "R2/R3",
        N_("the park IPB chose did not review it: its opinion in a new round"),
    ),
    Transition(("assigned",), "negotiating", "negotiation.session_logged", "R4", N_("first negotiation session")),
    Transition(("negotiating",), "agreed", "negotiation.decided:agreed", "R5", N_("decision within authority")),
    Transition(
        ("negotiating",), "refused", "negotiation.decided:refused", "R5", N_("decision within authority: refuse")
    ),
    Transition(("negotiating",), "escalated", "negotiation.escalated", "R5", N_("route needs the principals")),
    Transition(("escalated",), "agreed", "negotiation.principals_decided:agreed", "R5", N_("the principals' decision")),
    Transition(
        ("escalated",), "refused", "negotiation.principals_decided:refused", "R5", N_("the principals' decision")
    ),
    Transition(
        ("escalated", "agreed", "refused", "drafting", "legal_review"),
        "negotiating",
        "negotiation.reopened",
        "R5",
        N_("a decided term changed, or IPB renegotiates a refused project: a new decision"),
    ),
    Transition(("agreed",), "drafting", "contracts.drafted", "R6", N_("IPB drafts")),
    Transition(("drafting",), "legal_review", "contracts.submitted", "R6", N_("draft submitted to LEGAL")),
    Transition(("legal_review",), "drafting", "contracts.returned", "R6", N_("LEGAL returns it")),
    Transition(
        ("legal_review",), "signed", "contracts.signed", "R6", N_("the routed signatory signs an approved version")
    ),
    Transition(("signed",), "filed_copies", "contracts.file_completed", "R13", N_("the 8-copy register complete")),
    Transition(("filed_copies",), "construction", "contracts.handed_over", "R7", N_("handed to the park or town")),
    Transition(
        ("construction",), "accounting", "accounting.opened", "R12", N_("construction period reached or IPB opens it")
    ),
    Transition(
        ("accounting",),
        "closed",
        "accounting.closed",
        "R12",
        N_("report issued, nothing owed: no fee, the fee paid, or the remainder written off by the principals"),
    ),
    Transition(("closed",), "archived", "contracts.archived", "R13", N_("contract handed to ARCH")),
    Transition(TERMINABLE, "terminated", TERMINATE, "R11", N_("objective reasons, with a special report")),
)

_BY_TRIGGER: dict[str, list[Transition]] = {}
for _t in TRANSITIONS:
    _BY_TRIGGER.setdefault(_t.trigger, []).append(_t)
TRIGGERS = frozenset(_BY_TRIGGER)
EVENT_TRIGGERS = frozenset(t.split(":", 1)[0] for t in TRIGGERS if not t.startswith("command:"))


def trigger_of(event_type: str, payload: dict) -> str:
    """The trigger an event stands for: its type, plus ``:outcome`` when it carries one."""
    outcome = payload.get("outcome")
    keyed = f"{event_type}:{outcome}" if outcome else event_type
    return keyed if keyed in TRIGGERS else event_type


def next_state(current: str | None, trigger: str) -> str:
    """The state a project in ``current`` moves to on ``trigger``; Conflict if not allowed."""
    if current is not None and current not in STATES:
        raise InvalidInput.for_field("state", _("is not a state of the lifecycle: {state}", state=current))
    for transition in _BY_TRIGGER.get(trigger, ()):
        if current in transition.from_states:
            return transition.to_state
    allowed = sorted({t.trigger for t in TRANSITIONS if current in t.from_states})
    if allowed:
        message = _(
            "a project in the state “{state:state}” cannot take the step “{trigger:trigger}”; allowed now: {allowed:triggers}",
            state=current,
            trigger=trigger,
            allowed=allowed,
        )
    else:
        message = _(
            "a project in the state “{state:state}” cannot take the step “{trigger:trigger}”; no step is allowed now",
            state=current,
            trigger=trigger,
        )
    raise Conflict(message, {"state": [_("is {state:state}", state=current)], "trigger": [trigger], "allowed": allowed})


def allowed_triggers(current: str) -> list[str]:
    return sorted({t.trigger for t in TRANSITIONS if current in t.from_states})


STATE_CHANGED = "coordinator.project_state_changed"
"""The event of every transition."""


def moving_events(current: str | None) -> tuple[str, ...]:
    """The event types that can move a project in ``current`` to another state: what a copy of the lifecycle
    waiting for the coordinator's next state change waits on (a command's trigger is no event)."""
    return tuple(sorted({t.split(":", 1)[0] for t in allowed_triggers(current) if not t.startswith("command:")}))


REOPENED = "negotiation.reopened"
APPLY, STALE = "apply", "stale"
ROUNDED_SOURCES = ("negotiation.", "contracts.")
"""Services whose events carry the negotiation round they belong to (a review's ``round`` is its own)."""


def event_round(event_type: str, payload: dict) -> int | None:
    return payload.get("round") if event_type.startswith(ROUNDED_SOURCES) else None


def round_verdict(current_round: int, trigger: str, event_round: int | None) -> str:
    """The lifecycle goes round a loop (negotiating -> agreed ... -> negotiating again, R5), and the events of one
    project arrive on different queues in any order.  An event of the negotiation or the contract says which
    negotiation round it belongs to: it applies in its own round (a reopening opens the next one); one of an
    earlier round is stale (a timeline note, no transition); one of a later round waits (Conflict: retried) until
    the reopening before it has been applied.  An event without a round (sent before rounds) applies."""
    if event_round is None:
        return APPLY
    expected = current_round + 1 if trigger == REOPENED else current_round
    if event_round == expected:
        return APPLY
    if event_round < expected:
        return STALE
    raise Conflict(
        f"{trigger} belongs to negotiation round {event_round}; the project is in round {current_round}: "
        f"it waits for the reopening before it",
        {"round": [str(event_round)]},
    )


SPECIAL_REPORT_CAUSE = "cannot_go_ahead"
REPORT_FACTS = ("ref", "cause", "summary", "filed_at", "document")


def check_termination_report(report: dict | None, project_id: str, ref: str) -> None:
    """R11: terminating needs a special report to the LG, in the register, on this project,
    saying the project cannot go ahead for objective reasons."""
    if report is None:
        raise InvalidInput.for_field(
            "special_report_ref",
            _(
                "no special report {ref} is in the register: file the special report to the Leading Group first",
                ref=ref,
            ),
        )
    if report["project_id"] != project_id:
        raise InvalidInput.for_field("special_report_ref", _("special report {ref} is about another project", ref=ref))
    if report["cause"] != SPECIAL_REPORT_CAUSE:
        raise InvalidInput.for_field(
            "special_report_ref",
            _(
                "special report {ref} does not report that the project "
                "cannot go ahead for objective reasons, as terminating "
                "needs",
                ref=ref,
            ),
        )


def report_fact(report: dict) -> dict:
    """What the project's facts keep of the special report it was terminated on (times in ISO form)."""
    fact = {k: report[k] for k in REPORT_FACTS}
    if isinstance(fact["filed_at"], datetime):
        fact["filed_at"] = to_shanghai(fact["filed_at"]).isoformat()
    return fact
