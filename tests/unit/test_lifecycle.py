"""SPEC §2 lifecycle: the whole transition table, written out here independently.

Every (from, to) pair of the SPEC table must be reachable through
``domain.next_state`` with the trigger the domain names for it, and every
other (state, trigger) combination must be refused with ``Conflict``.
"""

from __future__ import annotations

import pytest

from services.coordinator import domain
from services.coordinator.domain import next_state, trigger_of
from shared import vocabulary
from shared.errors import Conflict, InvalidInput

# Every state of SPEC §2, in lifecycle order.
SPEC_STATES = [
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
]

# The SPEC §2 table, one row per (from, to) pair (the "by" column as a note).
SPEC_PAIRS = [
    ("lead", "filed", "IPB files it (R1)"),
    ("filed", "under_review", "IPB convenes (R2)"),
    ("returned", "under_review", "IPB resubmits (R2)"),
    ("under_review", "approved", "the review's outcome (R2)"),
    ("under_review", "rejected", "the review's outcome (R2)"),
    ("under_review", "returned", "the review's outcome (R2)"),
    ("approved", "assigned", "IPB confirms the responsible unit (R3)"),
    ("approved", "under_review", "the park IPB chose did not review it: its opinion in a new round (R2/R3)"),
    ("assigned", "negotiating", "first negotiation session (R4)"),
    ("negotiating", "agreed", "decision within authority (R5)"),
    ("negotiating", "refused", "decision within authority: refuse (R5)"),
    ("negotiating", "escalated", "route needs the principals (R5)"),
    ("escalated", "agreed", "the principals' decision (R5)"),
    ("escalated", "refused", "the principals' decision (R5)"),
    # R5: any change of a decided term returns the project to negotiation; IPB may renegotiate a refused one
    ("escalated", "negotiating", "a decided term changed (R5)"),
    ("agreed", "negotiating", "a decided term changed (R5)"),
    ("drafting", "negotiating", "a decided term changed (R5)"),
    ("legal_review", "negotiating", "a decided term changed (R5)"),
    ("refused", "negotiating", "IPB renegotiates (R5)"),
    ("agreed", "drafting", "IPB drafts (R6)"),
    ("drafting", "legal_review", "draft submitted to LEGAL (R6)"),
    ("legal_review", "drafting", "LEGAL returns it (R6)"),
    ("legal_review", "signed", "the routed signatory signs (R6)"),
    ("signed", "filed_copies", "the 8-copy register complete (R13)"),
    ("filed_copies", "construction", "handed to the park or town (R7)"),
    ("construction", "accounting", "construction period reached / IPB opens it (R12)"),
    ("accounting", "closed", "accounting report issued (R12)"),
    ("closed", "archived", "contract handed to ARCH (R13)"),
]

# "any state before construction -> terminated (R11)": the live states of the
# lifecycle up to (not including) construction.  rejected is an end of the
# lifecycle (the domain itself lists it in TERMINAL), not a state "before
# construction" of a project that is still going ahead; refused goes back to IPB,
# which renegotiates or terminates it (R5).  A signed project under construction
# can be terminated too (with its special report): its obligations end and its
# contract goes to ARCH (R7, R13) — the README's lifecycle says so.
ENDED = {"rejected", "archived", "terminated"}
LIVE_BEFORE_CONSTRUCTION = [s for s in SPEC_STATES[: SPEC_STATES.index("construction")] if s not in ENDED]
TERMINABLE = LIVE_BEFORE_CONSTRUCTION + ["construction"]
AFTER_CONSTRUCTION = ["accounting", "closed", "archived", "terminated"]

SPEC_ALL_PAIRS = {(f, t) for f, t, _ in SPEC_PAIRS} | {(s, "terminated") for s in TERMINABLE}

# The one reading of the SPEC table the domain makes differently: it lets the
# final outcome rejected be "terminated" too (BEFORE_CONSTRUCTION is a slice of
# STATES).  The exhaustive checks below leave exactly this pair out;
# test_rejected_is_final states the intended rule.
DISPUTED_PAIRS = {("rejected", "terminated")}


def _domain_rows():
    """(from, to, trigger) rows as the domain declares them."""
    return [(f, t.to_state, t.trigger) for t in domain.TRANSITIONS for f in t.from_states]


def _trigger_for(frm: str, to: str) -> str:
    matches = [trig for f, t, trig in _domain_rows() if f == frm and t == to]
    assert len(matches) == 1, f"the domain must name exactly one trigger for {frm} -> {to}, found {matches}"
    return matches[0]


EXPECTED_ROWS = sorted((f, t, _trigger_for(f, t)) for f, t in SPEC_ALL_PAIRS)


def test_states_are_exactly_the_spec_states():
    assert list(domain.STATES) == SPEC_STATES


def test_terminal_states():
    assert domain.TERMINAL == frozenset(ENDED)


def test_live_before_construction_list():
    assert LIVE_BEFORE_CONSTRUCTION == [
        "lead",
        "filed",
        "under_review",
        "approved",
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
    ]


def test_domain_declares_exactly_the_spec_pairs():
    declared = {(f, t) for f, t, _ in _domain_rows()} - DISPUTED_PAIRS
    assert declared - SPEC_ALL_PAIRS == set(), "transitions the SPEC does not allow"
    assert SPEC_ALL_PAIRS - declared == set(), "SPEC transitions missing from the domain"


def test_known_trigger_names():
    # the event-driven triggers are named after the department event that causes them
    assert _trigger_for("lead", "filed") == "intake.project_filed"
    assert _trigger_for("under_review", "approved") == "review.concluded:approved"
    assert _trigger_for("under_review", "rejected") == "review.concluded:rejected"
    assert _trigger_for("escalated", "agreed") == "negotiation.principals_decided:agreed"
    assert _trigger_for("escalated", "refused") == "negotiation.principals_decided:refused"
    for state in TERMINABLE:
        assert _trigger_for(state, "terminated") == domain.TERMINATE == "command:terminate"


@pytest.mark.parametrize("frm, to, trigger", EXPECTED_ROWS)
def test_every_allowed_transition(frm, to, trigger):
    assert next_state(frm, trigger) == to


@pytest.mark.parametrize("state", SPEC_STATES)
def test_every_disallowed_trigger_is_a_conflict(state):
    allowed = {trig: to for f, to, trig in EXPECTED_ROWS if f == state}
    triggers = sorted(domain.TRIGGERS | {"no.such_event", "review.concluded", "command:delete"})
    for trigger in triggers:
        if trigger in allowed:
            assert next_state(state, trigger) == allowed[trigger]
            continue
        if (state, "terminated") in DISPUTED_PAIRS and trigger == domain.TERMINATE:
            continue  # see test_rejected_and_refused_are_final
        with pytest.raises(Conflict) as info:
            next_state(state, trigger)
        assert info.value.details["trigger"] == [trigger]  # the code in the data, its name in the message
        assert vocabulary.state_name(state, "zh-CN") in info.value.msg.render("zh-CN")
        assert info.value.details["trigger"] == [trigger]
        reported = [
            t
            for t in info.value.details["allowed"]
            if not ((state, "terminated") in DISPUTED_PAIRS and t == domain.TERMINATE)
        ]
        assert sorted(reported) == sorted(allowed)


@pytest.mark.parametrize("state", SPEC_STATES)
def test_allowed_triggers_match_spec(state):
    disputed = [domain.TERMINATE] if (state, "terminated") in DISPUTED_PAIRS else []
    assert [t for t in domain.allowed_triggers(state) if t not in disputed] == sorted(
        trig for f, _, trig in EXPECTED_ROWS if f == state
    )


@pytest.mark.parametrize("state", TERMINABLE)
def test_terminated_reachable_before_construction_and_during_it(state):
    assert next_state(state, domain.TERMINATE) == "terminated"


@pytest.mark.parametrize("state", AFTER_CONSTRUCTION)
def test_terminated_not_reachable_once_the_accounting_is_open(state):
    with pytest.raises(Conflict):
        next_state(state, domain.TERMINATE)


@pytest.mark.parametrize("state", ["archived", "terminated"])
def test_end_states_take_no_trigger(state):
    for trigger in sorted(domain.TRIGGERS):
        with pytest.raises(Conflict):
            next_state(state, trigger)
    assert domain.allowed_triggers(state) == []


def test_a_rejected_review_takes_no_lifecycle_event():
    for trigger in sorted(domain.TRIGGERS - {domain.TERMINATE}):
        with pytest.raises(Conflict):
            next_state("rejected", trigger)


def test_rejected_is_final():
    """The SPEC's "any state before construction -> terminated" is about a project that
    cannot go ahead (R11); rejected is already a final outcome, and the domain's own
    TERMINAL set lists it.  Terminating one would overwrite the recorded outcome and
    demand a special report for a project already stopped.
    """
    assert "rejected" in domain.TERMINAL
    with pytest.raises(Conflict):
        next_state("rejected", domain.TERMINATE)
    assert domain.allowed_triggers("rejected") == []


def test_a_refused_project_goes_back_to_ipb_which_renegotiates_or_terminates_it():
    """R5: to decide includes to refuse, within authority too; a refused project is IPB's to renegotiate or
    terminate (with its special report, R11) — not an end."""
    assert "refused" not in domain.TERMINAL
    assert next_state("negotiating", trigger_of("negotiation.decided", {"outcome": "refused"})) == "refused"
    assert domain.allowed_triggers("refused") == sorted([domain.TERMINATE, "negotiation.reopened"])
    assert next_state("refused", "negotiation.reopened") == "negotiating"
    assert next_state("refused", domain.TERMINATE) == "terminated"


@pytest.mark.parametrize("state", ["escalated", "agreed", "drafting", "legal_review"])
def test_a_changed_decided_term_sends_the_project_back_to_negotiation(state):
    """R5: what is signed is what was decided; a change after the decision (or the recommendation) needs a new
    decision on the route the changed terms give — up to the signature, never after it."""
    assert next_state(state, "negotiation.reopened") == "negotiating"
    for later in ("signed", "filed_copies", "construction"):
        with pytest.raises(Conflict):
            next_state(later, "negotiation.reopened")


def test_the_park_chosen_that_did_not_review_gives_its_opinion_before_the_assignment():
    """R2/R3: approved -> under_review (a new round for that park) -> approved -> assigned."""
    state = next_state("approved", "review.reopened")
    assert state == "under_review"
    state = next_state(state, trigger_of("review.concluded", {"outcome": "approved"}))
    assert next_state(state, "negotiation.unit_assigned") == "assigned"


def test_happy_path_walk_from_lead_to_archived():
    path = [
        "lead",
        "filed",
        "under_review",
        "returned",
        "under_review",
        "approved",
        "assigned",
        "negotiating",
        "escalated",
        "agreed",
        "drafting",
        "legal_review",
        "drafting",
        "legal_review",
        "signed",
        "filed_copies",
        "construction",
        "accounting",
        "closed",
        "archived",
    ]
    state = path[0]
    for to in path[1:]:
        state = next_state(state, _trigger_for(state, to))
        assert state == to


def test_no_transition_out_of_nothing():
    # a project comes into being as a lead on registration, not through next_state
    for trigger in sorted(domain.TRIGGERS):
        with pytest.raises(Conflict):
            next_state(None, trigger)


# --- trigger_of -----------------------------------------------------------------------


def test_trigger_of_keys_outcome():
    assert trigger_of("review.concluded", {"outcome": "approved"}) == "review.concluded:approved"
    assert trigger_of("review.concluded", {"outcome": "rejected"}) == "review.concluded:rejected"
    assert trigger_of("negotiation.decided", {"outcome": "agreed"}) == "negotiation.decided:agreed"
    assert (
        trigger_of("negotiation.principals_decided", {"outcome": "refused"}) == "negotiation.principals_decided:refused"
    )


def test_trigger_of_plain_event():
    assert trigger_of("intake.project_filed", {"ref": "ZS-1"}) == "intake.project_filed"
    assert trigger_of("review.convened", {}) == "review.convened"


def test_trigger_of_unknown_outcome_falls_back_and_is_refused():
    trigger = trigger_of("review.concluded", {"outcome": "maybe"})
    assert trigger == "review.concluded"
    with pytest.raises(Conflict):
        next_state("under_review", trigger)


def test_trigger_of_then_next_state():
    assert next_state("under_review", trigger_of("review.concluded", {"outcome": "approved"})) == "approved"
    assert next_state("negotiating", trigger_of("negotiation.decided", {"outcome": "agreed"})) == "agreed"


# --- unknown state ------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["", "LEAD", "cancelled", "under review"])
def test_unknown_state_is_invalid_input(state):
    with pytest.raises(InvalidInput) as info:
        next_state(state, "intake.project_filed")
    assert "state" in info.value.details
