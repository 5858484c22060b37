"""The contract's rules, pure (services/contracts/domain.py): its states, the decision in force and the terms a
draft is composed from (R5), versions and LEGAL's review, the signatory and 甲方, the obligations signing
creates (R6), the copy register (R13), confidential access and the special reports (R7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.contracts import domain
from shared.clock import SHANGHAI
from shared.decided_terms import compose
from shared import vocabulary
from shared.errors import Conflict, InvalidInput, NotAllowed

DECIDED = compose("45", "150000000", "100000000", ["供地方式：挂牌出让"], [{"text": "地方留成税收奖励年限：3年"}])
ROUTE = {"signs": "park_head:hengdong", "land_mu": "45"}


def contract(state="agreed", **over) -> dict:
    return {
        "state": state,
        "route": ROUTE,
        "decided_terms": DECIDED,
        "decision_round": 1,
        "negotiation_round": 1,
        "planned_total_investment": Decimal("150000000"),
        "planned_fixed_asset_investment": Decimal("100000000"),
        **over,
    }


# -- the contract's states -------------------------------------------------------------------------------
WALK = [
    ("decision_agreed", "pending", "agreed"),
    ("draft", "agreed", "drafting"),
    ("submit", "drafting", "legal_review"),
    ("legal_return", "legal_review", "drafting"),
    ("draft", "drafting", "drafting"),
    ("submit", "drafting", "legal_review"),
    ("draft", "legal_review", "legal_review"),
    ("legal_approve", "legal_review", "legal_review"),
    ("sign", "legal_review", "signed"),
    ("register_copies", "signed", "filed_copies"),
    ("hand_over", "filed_copies", "construction"),
    ("hand_to_archives", "construction", "archived"),
]


@pytest.mark.parametrize("act, state, after", WALK)
def test_each_act_moves_the_contract_as_the_table_says(act, state, after):
    assert domain.next_state(act, state) == after


@pytest.mark.parametrize("act", sorted(domain.MOVES))
def test_an_act_outside_its_states_is_refused_naming_the_state(act):
    for state in (
        "pending",
        "negotiating",
        "refused",
        "agreed",
        "drafting",
        "legal_review",
        "signed",
        "filed_copies",
        "construction",
        "archived",
    ):
        if state in domain.MOVES[act].moves:
            continue
        with pytest.raises(Conflict) as refused:
            domain.next_state(act, state)
        named = vocabulary.term_name("contract_state", state, "zh-CN")  # the state by its name, the code in details
        assert f"合同当前为“{named}”" in refused.value.msg.render() and refused.value.details == {"state": [state]}
        assert domain.follows(act, state) is None


def test_no_draft_and_no_signature_without_a_decision_in_force():
    for state in ("pending", "negotiating", "refused"):
        with pytest.raises(Conflict):
            domain.next_state("draft", state)
        with pytest.raises(Conflict) as refused:
            domain.decision_in_force(contract(state))
        assert "no decision in force" in refused.value.message
    assert domain.decision_in_force(contract("legal_review")) == DECIDED
    # a decision that reached contracts before decisions carried their terms: the route's land, the planned figures
    legacy = domain.decision_in_force(contract(decided_terms=None))
    assert (legacy["land_mu"], legacy["total_investment"], legacy["agreed"]) == ("45", "150000000", [])


# -- R5: decisions and reopenings, in whatever order they arrive -------------------------------------------
def test_a_decision_is_in_force_until_the_project_goes_back_to_negotiation():
    fresh = contract("pending", route=None, decided_terms=None, decision_round=None, negotiation_round=None)
    values = domain.decision_values(fresh, "agreed", 1, ROUTE, DECIDED)
    assert values == {
        "state": "agreed",
        "route": ROUTE,
        "decided_terms": DECIDED,
        "decision_round": 1,
        "negotiation_round": 1,
    }
    drafting = contract("legal_review")
    assert domain.reopening_values(drafting, 2) == {"negotiation_round": 2, "state": "negotiating"}
    refused = domain.decision_values(contract("negotiating", negotiation_round=2), "refused", 2, ROUTE, DECIDED)
    assert refused["state"] == "refused" and refused["decided_terms"] is None


def test_an_older_round_changes_nothing_whichever_comes_first():
    # the new decision (round 2) arrived before the reopening that preceded it: the reopening is old news
    decided_again = contract("agreed", decision_round=2, negotiation_round=2)
    assert domain.reopening_values(decided_again, 2) is None
    # a reopening (round 2) arrived before the old decision (round 1): the old decision is not in force
    reopened = contract("negotiating", decision_round=None, decided_terms=None, negotiation_round=2)
    assert domain.decision_values(reopened, "agreed", 1, ROUTE, DECIDED) is None
    # signed: nothing a negotiation does reaches the contract
    assert domain.decision_values(contract("signed"), "agreed", 2, ROUTE, DECIDED) is None
    assert domain.reopening_values(contract("signed"), 2) == {"negotiation_round": 2}


# -- R5/R6: the draft is composed from the decided terms --------------------------------------------------
GIVEN = {
    "construction_start": dt.date(2027, 3, 1),
    "completion": dt.date(2028, 2, 28),
    "production": dt.date(2028, 6, 30),
    "obligations": [],
    "other_terms": ["违约金条款"],
    "dispute_resolution": None,
    "total_investment": None,
    "fixed_asset_investment": None,
    "land_mu": None,
}


def test_a_draft_takes_the_decided_terms_and_refuses_them_typed_differently():
    terms = domain.compose_terms(DECIDED, GIVEN)
    assert (terms["land_mu"], terms["total_investment"], terms["fixed_asset_investment"]) == (
        Decimal("45"),
        Decimal("150000000"),
        Decimal("100000000"),
    )
    assert terms["intensity_wan_per_mu"] == "222.22" and terms["agreed"] == ["供地方式：挂牌出让"]
    assert domain.contract_clauses(terms) == ["供地方式：挂牌出让", "地方留成税收奖励年限：3年", "违约金条款"]
    assert domain.compose_terms(DECIDED, {**GIVEN, "land_mu": Decimal("45.00")})["land_mu"] == Decimal("45")
    with pytest.raises(InvalidInput) as refused:
        domain.compose_terms(DECIDED, {**GIVEN, "land_mu": Decimal("80"), "total_investment": Decimal("1")})
    assert set(refused.value.details) == {"land_mu", "total_investment"}
    assert "decided 45" in refused.value.details["land_mu"][0] and "negotiation" in refused.value.message


def test_the_contract_dates_are_not_an_obligation_id_a_draft_may_take():
    terms = {
        **domain.compose_terms(DECIDED, GIVEN),
        "obligations": [{"id": "START", "text": "开工", "due": dt.date(2027, 3, 1), "party": "investor"}],
    }
    with pytest.raises(InvalidInput) as refused:
        domain.check_terms(terms)
    assert "obligations.0.id" in refused.value.details


def test_signing_checks_the_version_carries_exactly_the_decision_in_force():
    version = {"version": 2, "terms": dict(DECIDED)}
    domain.check_signs_the_decision(version, DECIDED)
    domain.check_signs_the_decision({"version": 2, "terms": {**DECIDED, "land_mu": "45.00"}}, DECIDED)
    now = compose("80", "150000000", "100000000", ["供地方式：挂牌出让"], [])
    with pytest.raises(Conflict) as refused:
        domain.check_signs_the_decision(version, now)
    assert list(refused.value.details) == ["land_mu", "intensity_wan_per_mu", "policy_terms"]
    assert refused.value.details["land_mu"] == ["land (mu): decided 80, here 45"]
    assert refused.value.details["land_mu"][0].render("zh-CN") == "用地（亩）：决策确定为80，本版本为45"
    assert "v2 does not carry the decision in force" in refused.value.message


# -- versions ---------------------------------------------------------------------------------------------
def test_a_version_is_submitted_latest_and_reviewed_once():
    draft, submitted = {"version": 2, "status": "draft"}, {"version": 2, "status": "submitted"}
    assert domain.check_can_submit("drafting", draft, 2) == "legal_review"
    with pytest.raises(Conflict):
        domain.check_can_submit("drafting", draft, 3)
    with pytest.raises(Conflict):
        domain.check_can_submit("negotiating", draft, 2)  # back in negotiation: nothing goes to LEGAL
    assert domain.check_can_review(submitted, 2, "approve", []) == "approved"
    assert domain.check_can_review(submitted, 2, "return", ["第七条"]) == "returned"
    with pytest.raises(InvalidInput):
        domain.check_can_review(submitted, 2, "return", [])
    with pytest.raises(Conflict):
        domain.check_can_review({"version": 2, "status": "approved"}, 2, "approve", [])
    approved = {"version": 2, "status": "approved"}
    assert domain.check_can_sign("legal_review", approved, 2) == "signed"
    with pytest.raises(Conflict):
        domain.check_can_sign("legal_review", approved, 3)
    with pytest.raises(Conflict):
        domain.check_can_sign("signed", approved, 2)


# -- R5: the signatory and 甲方 ------------------------------------------------------------------------------
def test_the_county_government_is_party_a_where_the_county_magistrate_or_the_deputy_signs():
    signatories, government = ["county_magistrate", "deputy_magistrate_investment"], "示例县人民政府"
    assert domain.party_a("county_magistrate", "衡东工业园", signatories, government) == "示例县人民政府"
    assert domain.party_a("deputy_magistrate_investment", "新塘镇", signatories, government) == "示例县人民政府"
    assert domain.party_a("park_head:hengdong", "衡东工业园", signatories, government) == "衡东工业园"
    with pytest.raises(Conflict):
        domain.check_has_route(None)


# -- R6/R7: the obligations signing creates -------------------------------------------------------------------
def test_the_three_dates_are_always_obligations_and_none_may_be_due_before_the_signing_date():
    terms = {**GIVEN, "obligations": [{"id": "O1", "text": "缴清土地出让金", "due": "2027-01-15", "party": "investor"}]}
    obligations = domain.contract_obligations(terms)
    assert [(o["id"], o["due"]) for o in obligations] == [
        ("START", dt.date(2027, 3, 1)),
        ("COMPLETION", dt.date(2028, 2, 28)),
        ("PRODUCTION", dt.date(2028, 6, 30)),
        ("O1", "2027-01-15"),
    ]
    domain.check_obligations_due(obligations, dt.date(2027, 1, 15))  # due on the signing date itself: fine
    with pytest.raises(Conflict) as refused:
        domain.check_obligations_due(obligations, dt.date(2027, 3, 2))
    assert [m.render() for m in refused.value.details["obligations"]] == [
        "“按期开工建设”的到期日为2027年3月1日",
        "“缴清土地出让金”的到期日为2027年1月15日",
    ]


def test_progress_met_late_still_owes_the_report_and_a_report_is_due_only_after_a_lapse():
    now = dt.datetime(2026, 10, 5, 9, tzinfo=SHANGHAI)
    open_item, lapsed = {"status": "open", "progress": []}, {"status": "lapsed", "progress": [{"note": "a"}]}
    assert domain.progress_values(open_item, {"note": "b"}, True, now) == {
        "progress": [{"note": "b"}],
        "met_at": now,
        "status": "met",
    }
    assert "status" not in domain.progress_values(lapsed, {"note": "b"}, True, now)
    with pytest.raises(Conflict):
        domain.check_progress("met", "O1")
    domain.check_report_due("lapsed", None, "O1")
    for status, report in (("open", None), ("lapsed", {"summary": "filed"})):
        with pytest.raises(Conflict):
            domain.check_report_due(status, report, "O1")


# -- R13: the register, the archives, grants ---------------------------------------------------------------
def test_the_register_the_archives_and_a_grant_refuse_what_the_rules_do_not_allow():
    with pytest.raises(InvalidInput) as refused:
        domain.check_copy_register(["FIN holds no copy"])
    assert refused.value.details == {"copies": ["FIN holds no copy"]}
    domain.check_copy_register([])
    assert domain.check_can_archive("construction", "closed", None) == ("archived", True)
    assert domain.check_can_archive("construction", "terminated", None) == ("archived", False)
    with pytest.raises(Conflict):
        domain.check_can_archive("construction", "accounting", None)
    with pytest.raises(Conflict) as refused:
        domain.check_can_archive("archived", "archived", {"at": "2026-12-01T10:00:00+08:00"})
    assert "already" in refused.value.message
    now = dt.datetime(2026, 10, 5, 9, tzinfo=SHANGHAI)
    with pytest.raises(InvalidInput):
        domain.check_grant(now, now)
    domain.check_grant(now + dt.timedelta(minutes=1), now)


def test_reading_a_contract_or_a_draft_is_refused_without_its_basis():
    domain.check_reading(domain.AccessVerdict(True, "custodian of FIN"), "ZS2026-0001")
    with pytest.raises(NotAllowed) as refused:
        domain.check_reading(domain.AccessVerdict(False, "the leader's grant has expired"), "ZS2026-0001")
    assert refused.value.details == {"basis": "the leader's grant has expired"}
    domain.check_draft_reader(True, "ipb_clerk", "IPB", "ZS2026-0001")
    with pytest.raises(NotAllowed):
        domain.check_draft_reader(False, "reviewer", "FIN", "ZS2026-0001")
    assert isinstance(domain.not_the_draft_sent(2), Conflict)


def test_a_unit_s_head_designates_the_custodian_of_its_own_unit_only():
    from shared.errors import NotAllowed

    domain.check_own_custodian("fin_director", "FIN", "FIN")
    with pytest.raises(NotAllowed) as refused:
        domain.check_own_custodian("fin_director", "FIN", "LAND")
    assert list(refused.value.details) == ["unit"]
