"""R3/R4/R5 rules, pure: the whole truth table of the 60-mu rule, the ranking, session participants."""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from services.negotiation import domain
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.policy import load_policy
from shared.units import to_mu

policy = load_policy()
WITHIN_LAND = [("60", "mu"), ("40000", "m2"), ("4", "ha"), ("59.99", "mu"), ("10", "mu")]
OVER_LAND = [("60.01", "mu"), ("40007", "m2"), ("4.001", "ha"), ("75", "mu")]
UNITS = {"park": "PARK:hengdong", "town": "TOWN:xintang"}


def expected_route(in_park: bool, within: bool, small: bool) -> dict:
    """SPEC R5's table, written out independently of the code."""
    if within and small:
        return {"escalated": False, "decides": ["park_head:hengdong"] if in_park else ["county_leader_in_charge"],
                "recommends": None, "signs": "park_head:hengdong" if in_park else "deputy_magistrate_investment"}
    return {"escalated": True, "decides": ["party_secretary", "county_magistrate"],
            "recommends": "park_head:hengdong" if in_park else "county_leader_in_charge", "signs": "county_magistrate"}


CASES = [
    (where, within, land)
    for where, within in itertools.product(("park", "town"), (True, False))
    for land in WITHIN_LAND + OVER_LAND
]


@pytest.mark.parametrize("where, within, land", CASES)
def test_the_whole_truth_table_of_r5(where, within, land):
    route = domain.decision_route(UNITS[where], [] if within else ["税收返还超出现行政策"], False, to_mu(*land), policy)
    small = land in WITHIN_LAND
    assert {k: route.dump()[k] for k in ("escalated", "decides", "recommends", "signs")} == \
        expected_route(where == "park", within, small)
    assert route.within_policy is within and route.in_park is (where == "park")
    assert any("mu" in r for r in route.reasons)


def test_exactly_60_mu_is_within_and_says_so():
    route = domain.decision_route("PARK:hengdong", [], False, Decimal("60"), policy)
    assert not route.escalated and "includes exactly 60" in " ".join(route.reasons)


def test_a_restricted_finding_forces_escalation_even_at_10_mu():
    route = domain.decision_route("PARK:hengdong", [], True, Decimal("10"), policy)
    assert route.escalated and not route.within_policy
    assert "restricted class" in " ".join(route.reasons)


def test_the_threshold_is_policy_data():
    changed = load_policy()
    changed.documents["thresholds"]["decision"]["land_threshold_mu"] = "80"
    assert not domain.decision_route("PARK:hengdong", [], False, Decimal("75"), changed).escalated


def test_ranking_two_parks_one_park_none():
    two = domain.rank_units("C3985", "park", "hengdong", policy)
    assert [c.unit for c in two] == ["PARK:hengdong", "PARK:hexi"] and "preferred" in two[0].why
    assert [c.unit for c in domain.rank_units("C3985", "open", None, policy)] == ["PARK:hexi", "PARK:hengdong"]
    assert [c.unit for c in domain.rank_units("C3252", "town", "shiwan", policy)] == ["PARK:hengdong"]
    towns = domain.rank_units("A0111", "town", "shiwan", policy)
    assert towns[0].unit == "TOWN:shiwan" and {c.unit for c in towns} == {t.unit for t in policy.towns.values()}
    assert "no park" in towns[0].why


def test_assignment_needs_a_reason_to_depart_from_the_ranking():
    ranking = domain.rank_units("C3985", "park", "hengdong", policy)
    domain.check_assignment("PARK:hengdong", ranking, None, policy)
    with pytest.raises(InvalidInput) as e:
        domain.check_assignment("PARK:hexi", ranking, "", policy)
    assert "reason" in e.value.details
    domain.check_assignment("PARK:hexi", ranking, "投资方坚持河西", policy)
    with pytest.raises(InvalidInput):
        domain.check_assignment("PARK:nowhere", ranking, "x", policy)


def participants(*pairs):
    return [{"unit": u, "position": p} for u, p in pairs]


def test_session_participants():
    lead, ipb, legal = ("PARK:hengdong", "park_head:hengdong"), ("IPB", "ipb_clerk"), ("LEGAL", "legal_director")
    assert domain.missing_participants("PARK:hengdong", "early", participants(lead, ipb), policy) == []
    assert domain.missing_participants("PARK:hengdong", "final", participants(lead, ipb), policy) == [
        "LEGAL (takes part in the final stage)"]
    assert domain.missing_participants("PARK:hengdong", "early", participants(ipb, legal), policy) == [
        "the session lead (park_head:hengdong)"]
    assert domain.missing_participants("TOWN:xintang", "early", participants(("LG", "county_leader_in_charge")), policy) == [
        "IPB (takes part in every session)"]
    with pytest.raises(InvalidInput) as e:
        domain.check_session("TOWN:xintang", "final", participants(ipb), policy)
    assert "county_leader_in_charge" in e.value.message and "LEGAL" in e.value.message


def test_deciders_and_recommenders_are_the_route_s_positions():
    small = domain.decision_route("PARK:hengdong", [], False, Decimal("45"), policy)
    domain.check_decider(small, "park_head:hengdong", "negotiating", {})
    for wrong in ("park_head:hexi", "county_magistrate", "party_secretary", "county_leader_in_charge"):
        with pytest.raises(NotAllowed):
            domain.check_decider(small, wrong, "negotiating", {})
    big = domain.decision_route("PARK:hengdong", [], False, Decimal("75"), policy)
    with pytest.raises(Conflict):
        domain.check_decider(big, "party_secretary", "negotiating", {})  # recommendation first
    with pytest.raises(NotAllowed):
        domain.check_recommender(big, "county_leader_in_charge", "negotiating")
    domain.check_recommender(big, "park_head:hengdong", "negotiating")
    domain.check_decider(big, "party_secretary", "escalated", {})
    with pytest.raises(Conflict):
        domain.check_decider(big, "party_secretary", "escalated", {"party_secretary": "agree"})
    assert domain.principals_outcome(big, {"party_secretary": "agree"}) is None
    assert domain.principals_outcome(big, {"party_secretary": "agree", "county_magistrate": "agree"}) == "agreed"
    assert domain.principals_outcome(big, {"party_secretary": "refuse"}) == "refused"
