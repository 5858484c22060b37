"""Supervision's rules (R7, R11), pure: stale and escalation at their boundaries, where an escalated problem goes,
reminder times, the county's stalled lists, special-report causes and refs."""

from __future__ import annotations

import datetime as dt

import pytest

from services.supervision import domain
from shared.clock import SHANGHAI
from shared.errors import InvalidInput

NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)


def test_thresholds_at_their_boundaries():
    last = NOW
    assert not domain.is_stale(last, 14, last + dt.timedelta(days=14, seconds=-1))
    assert domain.is_stale(last, 14, last + dt.timedelta(days=14))
    assert not domain.is_due_for_escalation(last, 7, False, False, last + dt.timedelta(days=7, seconds=-1))
    assert domain.is_due_for_escalation(last, 7, False, False, last + dt.timedelta(days=7))
    assert not domain.is_due_for_escalation(last, 7, True, False, last + dt.timedelta(days=8))
    assert not domain.is_due_for_escalation(last, 7, False, True, last + dt.timedelta(days=8))
    assert domain.on_day(dt.date(2026, 9, 4), "09:00") == dt.datetime(2026, 9, 4, 9, 0, tzinfo=SHANGHAI)


def test_a_problem_goes_to_the_liaison_leader_else_to_the_policys_position():
    assert (
        domain.escalation_position("deputy_county_magistrate", "county_leader_in_charge") == "deputy_county_magistrate"
    )
    assert domain.escalation_position(None, "county_leader_in_charge") == "county_leader_in_charge"


def test_stalled_lists_take_the_states_the_county_counts_and_sort_the_longest_first():
    rows = [
        {"state": "signed", "state_since": NOW - dt.timedelta(days=3), "ref": "B"},
        {"state": "filed_copies", "state_since": NOW - dt.timedelta(days=9), "ref": "A"},
        {"state": "terminated", "state_since": NOW - dt.timedelta(days=90), "ref": "T"},
        {"state": "construction", "state_since": NOW - dt.timedelta(hours=5), "ref": "C"},
    ]
    lists = domain.stalled_lists(rows, NOW)
    assert [(p["ref"], p["days_in_state"]) for p in lists["signed_not_started"]] == [("A", 9), ("B", 3)]
    assert [(p["ref"], p["days_in_state"]) for p in lists["started_not_completed"]] == [("C", 0)]
    assert lists["approved_not_assigned"] == []  # and a terminated project is in no list


def test_report_causes_and_refs():
    domain.check_report_cause("cannot_go_ahead")
    for cause in ("overdue_obligation", "unmet_commitment", "bored"):
        with pytest.raises(InvalidInput) as refused:
            domain.check_report_cause(cause)
        assert list(refused.value.details) == ["cause"]
    assert domain.report_ref("ZS2026-0001", "p1", 2) == "SR-ZS2026-0001-2"
    assert domain.report_ref(None, "p1", 1) == "SR-p1-1"


def test_a_problem_is_resolved_once():
    from shared.errors import Conflict

    domain.check_can_resolve({"id": 4, "description": "水电未通", "resolved_at": None})
    with pytest.raises(Conflict) as refused:
        domain.check_can_resolve({"id": 4, "description": "水电未通", "resolved_at": NOW})
    assert refused.value.details == {"problem_id": ["4"]}


def test_a_reminder_is_set_for_a_moment_to_come():
    later = NOW + dt.timedelta(minutes=1)
    assert domain.check_reminder_at(later, NOW) == later
    for at in (NOW, NOW - dt.timedelta(days=1)):
        with pytest.raises(InvalidInput) as refused:
            domain.check_reminder_at(at, NOW)
        assert list(refused.value.details) == ["at"]
