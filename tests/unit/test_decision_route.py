"""R3/R4/R5 rules, pure: the whole truth table of the 60-mu rule, the ranking, session participants."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from services.negotiation import domain
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.location_checks import ProjectFacts
from shared.policy import load_policy
from shared.units import to_mu

policy = load_policy()
WITHIN_LAND = [("60", "mu"), ("40000", "m2"), ("4", "ha"), ("59.99", "mu"), ("10", "mu")]
OVER_LAND = [("60.01", "mu"), ("40007", "m2"), ("4.001", "ha"), ("75", "mu")]
UNITS = {"park": "PARK:hengdong", "town": "TOWN:xintang"}


def said(route) -> str:
    """The route's reasons as a reader of Chinese sees them."""
    return "；".join(r.render() for r in route.reasons)


def expected_route(in_park: bool, within: bool, small: bool) -> dict:
    """SPEC R5's table, written out independently of the code."""
    if within and small:
        return {
            "escalated": False,
            "decides": ["park_head:hengdong"] if in_park else ["county_leader_in_charge"],
            "recommends": None,
            "signs": "park_head:hengdong" if in_park else "deputy_magistrate_investment",
        }
    return {
        "escalated": True,
        "decides": ["party_secretary", "county_magistrate"],
        "recommends": "park_head:hengdong" if in_park else "county_leader_in_charge",
        "signs": "county_magistrate",
    }


CASES = [
    (where, within, land)
    for where, within in itertools.product(("park", "town"), (True, False))
    for land in WITHIN_LAND + OVER_LAND
]


@pytest.mark.parametrize("where, within, land", CASES)
def test_the_whole_truth_table_of_r5(where, within, land):
    route = domain.decision_route(UNITS[where], [] if within else ["税收返还超出现行政策"], False, to_mu(*land), policy)
    small = land in WITHIN_LAND
    assert {k: route.dump()[k] for k in ("escalated", "decides", "recommends", "signs")} == expected_route(
        where == "park", within, small
    )
    assert route.within_policy is within and route.in_park is (where == "park")
    assert any("亩" in r.render() for r in route.reasons)  # the 60-mu line, in the county's words


def test_exactly_60_mu_is_within_and_says_so():
    route = domain.decision_route("PARK:hengdong", [], False, Decimal("60"), policy)
    assert not route.escalated and "约定用地60.00 亩，不超过60.00 亩（恰为60.00 亩的属于权限以内）" in said(route)


def test_a_restricted_finding_forces_escalation_even_at_10_mu():
    route = domain.decision_route("PARK:hengdong", [], True, Decimal("10"), policy)
    assert route.escalated and not route.within_policy
    assert "联审认定该行业属限制类：须一事一议" in said(route)


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
        "County Legal Affairs Office (takes part in the final stage)"
    ]
    assert domain.missing_participants("PARK:hengdong", "early", participants(ipb, legal), policy) == [
        "the session lead (director of the Hengdong Industrial Park management committee)"
    ]
    assert domain.missing_participants(
        "TOWN:xintang", "early", participants(("LG", "county_leader_in_charge")), policy
    ) == ["County Investment Promotion Bureau (takes part in every session)"]
    with pytest.raises(InvalidInput) as e:
        domain.check_session("TOWN:xintang", "final", participants(ipb), policy)
    assert e.value.msg.render() == "本次洽谈缺少：洽谈牵头人（分管县领导）；县法制办（后期洽谈须参加）"


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


# -- R4/R5: policy terms, the decided terms, refusals, LEGAL, and what a change sends back ------------------
IPB_ACTOR = {"user_id": "u", "position": "ipb_clerk", "unit": "IPB"}
LEAD = "park_head:hengdong"


def recorded(*terms):
    """Terms as the store gives them back."""
    return [{"status": "open", "recorded_in": 1, "recorded_on": dt.date(2026, 11, 20), **t} for t in terms]


def test_a_catalogue_term_exceeds_policy_only_above_its_limit():
    at = domain.policy_term({"clause": "land_price_rebate", "value": "30"}, "policy_terms.0", policy)
    above = domain.policy_term({"clause": "land_price_rebate", "value": "30.01"}, "policy_terms.0", policy)
    assert (at["exceeds"], above["exceeds"]) == (False, True)
    assert above["text"] == "土地出让金返还（用于项目基础设施配套）：30.01%" and above["limit"] == "30"
    changed = load_policy()  # the limit is the catalogue's, not the code's
    changed.documents["incentives"]["clauses"][0]["limit"] = "40"
    assert domain.policy_term({"clause": "land_price_rebate", "value": "35"}, "x", changed)["exceeds"] is False
    with pytest.raises(InvalidInput) as refused:
        domain.policy_term({"clause": "nothing_like_it", "value": "1"}, "policy_terms.2", policy)
    assert "policy_terms.2.clause" in refused.value.details
    free = domain.policy_term({"text": "代建厂房", "exceeds_policy": True}, "policy_terms.0", policy)
    assert free["exceeds"] is True and free["clause"] is None
    with pytest.raises(InvalidInput) as refused:
        domain.policy_term({"text": "代建厂房"}, "policy_terms.1", policy)
    assert "policy_terms.1.exceeds_policy" in refused.value.details


def test_a_term_stays_open_until_withdrawn_by_ipb_or_the_lead_with_a_reason():
    day = dt.date(2026, 11, 25)
    t1 = domain.policy_term({"text": "地价优惠", "exceeds_policy": True}, "x", policy)
    added, withdrawn = domain.record_terms([], [t1], [], IPB_ACTOR, LEAD, 1, day)
    assert [(t["term_id"], t["seq"]) for t in added] == [("T1", 1)] and withdrawn == []
    terms = recorded({**added[0]})
    # left out of a later session: nothing happens to it; recorded again: the same term
    assert domain.record_terms(terms, [], [], IPB_ACTOR, LEAD, 2, day) == ([], [])
    assert domain.record_terms(terms, [t1], [], IPB_ACTOR, LEAD, 2, day) == ([], [])
    assert domain.open_exceeding(terms) == ["T1 地价优惠 — recorded in session 1 of 2026-11-20"]
    with pytest.raises(NotAllowed):  # a park clerk does not withdraw it
        domain.record_terms(
            terms,
            [],
            [{"term": "T1", "reason": "r"}],
            {"user_id": "c", "position": "park_clerk", "unit": "PARK:hengdong"},
            LEAD,
            2,
            day,
        )
    with pytest.raises(InvalidInput):
        domain.record_terms(terms, [], [{"term": "T2", "reason": "r"}], IPB_ACTOR, LEAD, 2, day)
    lead = {"user_id": "h", "position": LEAD, "unit": "PARK:hengdong"}
    _, withdrawn = domain.record_terms(terms, [], [{"term": "T1", "reason": " 投资方放弃 "}], lead, LEAD, 2, day)
    assert withdrawn == [{"term_id": "T1", "reason": "投资方放弃", "seq": 2, "held_on": day}]
    assert domain.open_exceeding([{**terms[0], "status": "withdrawn"}]) == []


PLANNED = {
    "planned_land_mu": "45",
    "planned_total_investment": "150000000",
    "planned_fixed_asset_investment": "100000000",
}


def test_the_decided_terms_are_the_latest_stated_and_every_matter_agreed():
    sessions = [
        {"agreed": ["a", "b"], "land_mu": None, "total_investment": None, "fixed_asset_investment": None},
        {
            "agreed": ["b", "c"],
            "land_mu": Decimal("60"),
            "total_investment": None,
            "fixed_asset_investment": Decimal("90000000"),
        },
    ]
    terms = domain.decided_terms(
        PLANNED,
        sessions,
        recorded({"text": "x", "exceeds": False}, {"text": "y", "exceeds": True, "status": "withdrawn"}),
    )
    assert terms == {
        "land_mu": "60",
        "total_investment": "150000000",
        "fixed_asset_investment": "90000000",
        "intensity_wan_per_mu": "150.00",
        "agreed": ["a", "b", "c"],
        "policy_terms": ["x"],
    }
    assert domain.decided_terms(PLANNED, [], [])["land_mu"] == "45"  # the planned land until a session agrees one


def test_a_change_of_any_decided_term_after_the_decision_reopens_the_negotiation():
    decided = domain.decided_terms(PLANNED, [], [])
    same = {**decided, "land_mu": "45.00"}  # 45 and 45.00 mu are the same land
    assert domain.reopens("agreed", decided, same) == []
    assert domain.reopens("agreed", decided, {**decided, "land_mu": "80", "intensity_wan_per_mu": "125.00"}) == [
        "land_mu",
        "intensity_wan_per_mu",
    ]
    assert domain.reopens("escalated", decided, {**decided, "policy_terms": ["new"]}) == ["policy_terms"]
    assert domain.reopens("agreed", decided, {**decided, "agreed": ["a new matter"]}) == ["agreed"]
    assert domain.reopens("negotiating", decided, {**decided, "land_mu": "80"}) == []  # no decision yet


def test_within_authority_the_one_decider_may_refuse():
    small = domain.decision_route("PARK:hengdong", [], False, Decimal("45"), policy)
    assert domain.outcome_of(small, {LEAD: "agree"}) == "agreed"
    assert domain.outcome_of(small, {LEAD: "refuse"}) == "refused"
    domain.check_decider(small, LEAD, "negotiating", {})  # a refusal is a decision too


def test_legal_must_have_attended_a_final_stage_session():
    legal, ipb = {"unit": "LEGAL", "position": "legal_director"}, {"unit": "IPB", "position": "ipb_clerk"}
    with pytest.raises(Conflict):
        domain.check_legal_attended(
            [{"stage": "early", "participants": [legal, ipb]}, {"stage": "final", "participants": [ipb]}]
        )
    domain.check_legal_attended(
        [{"stage": "early", "participants": [ipb]}, {"stage": "final", "participants": [legal]}]
    )


def test_the_location_checks_follow_the_project_to_the_unit_assigned():
    facts = ProjectFacts("C3985", Decimal("100000000"), Decimal("45"), "park", "hengdong")
    domain.check_location(facts, "PARK:hengdong", policy)  # 222.22 ≥ 200
    with pytest.raises(InvalidInput) as refused:
        domain.check_location(facts, "PARK:hexi", policy)  # Hexi's own minimum is 250
    assert [m.render() for m in refused.value.details["unit"]] == [
        "投资强度：计划投资强度222.22 万元/亩，低于河西新区最低标准250.00 万元/亩"
    ]  # the check and its finding by name
    domain.check_location(facts, "TOWN:xintang", policy)
    assert domain.needs_park_review("PARK:hexi", ["DRB", "PARK:hengdong"])
    assert not domain.needs_park_review("PARK:hengdong", ["DRB", "PARK:hengdong"])
    assert not domain.needs_park_review("TOWN:xintang", ["DRB"])  # towns do not review (R2)
    assert domain.review_units(None, "park", "hengdong") == ["PARK:hengdong"]
    assert domain.review_units(None, "open", None) == []
