"""Standard-land commitments (R6, R17), pure: the issue's two worked examples of damages, the floors policy sets
per park and sector, a weaker commitment as a term exceeding current policy (R5), the check schedule, and what a
result does to a rectification."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.supervision import commitments as c
from shared import standard_land as sl
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.policy import load_policy

POLICY = load_policy()
FAI = Decimal("120000000")


def test_tax_difference_worked_example():
    """committed 30 万元/亩, land 40 mu, tax paid 960 万元 → 24 万元/亩 → (30 − 24) × 40 = 240 万元."""
    assert c.tax_difference_damages("30", Decimal("9600000"), "40") == Decimal("2400000.00")
    value, _ = c.actual("tax_per_mu", {"tax": Decimal("9600000")}, Decimal("40"))
    assert value == Decimal("24")
    commitment = {"value": "30", "clause": "tax_difference", "land_mu": "40", "direction": ">=", "base_amount": None}
    assert c.damages(commitment, value, {"tax": Decimal("9600000")})[0] == Decimal("2400000.00")
    assert c.tax_difference_damages("30", Decimal("12000000"), "40") == Decimal("0.00")


def test_proportional_worked_example():
    """committed intensity 300 万元/亩, actual 270 → 10.00 % × base 500 万元 = 50 万元."""
    ratio = c.shortfall_ratio(">=", "300", "270")
    assert ratio == Decimal("0.1000")
    assert c.proportional_damages(ratio, Decimal("5000000")) == Decimal("500000.00")
    commitment = {
        "value": "300",
        "clause": "proportional",
        "land_mu": "40",
        "direction": ">=",
        "base_amount": "5000000",
    }
    assert c.damages(commitment, Decimal("270"), {})[0] == Decimal("500000.00")


def test_shortfall_ratio_is_half_up_to_4_places_capped_at_the_base_and_zero_when_met():
    assert c.shortfall_ratio(">=", "3", "2") == Decimal("0.3333")
    assert c.shortfall_ratio(">=", "300", "299.985") == Decimal("0.0001")  # 0.00005 → half up
    assert c.shortfall_ratio(">=", "300", "300") == Decimal("0.0000")
    assert c.shortfall_ratio("<=", "0.20", "0.25") == Decimal("0.2500")  # energy: more is worse
    assert c.proportional_damages(Decimal("1.5"), Decimal("1000000")) == Decimal("1000000.00")
    assert c.proportional_damages(Decimal("0.3333"), Decimal("1000.01")) == Decimal("333.30")


def test_floors_by_location_then_longest_sector_prefix():
    hengdong_metal = sl.floors(POLICY, "PARK:hengdong", "C3252")
    assert hengdong_metal["output_per_mu"] == Decimal("500") and hengdong_metal["tax_per_mu"] == Decimal("30")
    assert sl.floors(POLICY, "PARK:hengdong", "C2710")["output_per_mu"] == Decimal("400")
    assert sl.floors(POLICY, "TOWN:xintang", "C2710")["intensity"] == Decimal("120")
    assert sl.floors(POLICY, "TOWN:xintang", "I6510") == {}  # not standard land: no commitments


def test_a_commitment_weaker_than_the_floor_is_a_term_exceeding_policy_signed_only_when_decided():
    base = {"indicator": "intensity", "base_amount": "5000000"}
    given = [
        base,
        {"indicator": "plot_ratio", "base_amount": "5000000"},
        {"indicator": "output_per_mu", "base_amount": "5000000"},
        {"indicator": "energy_per_output", "base_amount": "5000000"},
    ]
    drafted = sl.compose(POLICY, "PARK:hengdong", "C2710", given, [], Decimal("40"), FAI)
    tax = next(x for x in drafted if x["indicator"] == "tax_per_mu")
    assert (tax["value"], tax["clause"], tax["exceeds_policy"]) == ("30", "tax_difference", False)
    weaker = [*given[:3], {**given[3], "value": "0.5"}]
    with pytest.raises(InvalidInput) as refused:
        sl.compose(POLICY, "PARK:hengdong", "C2710", weaker, [], Decimal("40"), FAI)
    assert "commitments.3.value" in refused.value.fields  # energy per output: at most 0.20 here
    text = sl.commitment_text(sl.indicators(POLICY)["energy_per_output"], Decimal("0.5"))
    assert text == "标准地承诺：单位产值能耗 ≤ 0.5 吨标准煤/万元"
    drafted = sl.compose(POLICY, "PARK:hengdong", "C2710", weaker, [text], Decimal("40"), FAI)
    assert next(x for x in drafted if x["indicator"] == "energy_per_output")["exceeds_policy"] is True
    # the intensity committed is the contract's own, decided (the review checked it against its minimum, R2):
    # below the floor it is marked as exceeding policy, not refused again
    contracted = sl.compose(POLICY, "PARK:hengdong", "C2710", [], [], Decimal("45"), FAI, Decimal("222.22"))
    assert next(x for x in contracted if x["indicator"] == "intensity")["value"] == "222.22"
    low = sl.compose(POLICY, "PARK:hengdong", "C2710", [], [], Decimal("45"), FAI, Decimal("150"))
    assert next(x for x in low if x["indicator"] == "intensity")["exceeds_policy"] is True
    with pytest.raises(InvalidInput):
        sl.compose(
            POLICY,
            "PARK:hengdong",
            "C2710",
            [{"indicator": "intensity", "value": "300"}],
            [],
            Decimal("45"),
            FAI,
            Decimal("222.22"),
        )
    stronger = sl.compose(
        POLICY, "PARK:hengdong", "C2710", [*given[:3], {**given[3], "value": "0.1"}], [], Decimal("40"), FAI
    )
    assert next(x for x in stronger if x["indicator"] == "energy_per_output")["exceeds_policy"] is False
    by_default = sl.compose(POLICY, "PARK:hengdong", "C2710", [], [], Decimal("40"), Decimal("123456789"))
    assert {x["indicator"]: x["base_amount"] for x in by_default}["intensity"] == "6172839.45"  # 5 %, half up


def test_checks_at_completion_full_production_then_yearly_on_the_last_full_years_data():
    plan = c.schedule(dt.date(2027, 6, 30), dt.date(2028, 2, 29), 5)
    assert [(p["stage"], p["due"], p["data_year"]) for p in plan[:3]] == [
        ("completion", dt.date(2027, 6, 30), None),
        ("production", dt.date(2028, 2, 29), 2027),
        ("yearly", dt.date(2029, 2, 28), 2028),
    ]
    assert len(plan) == 7 and plan[-1]["due"] == dt.date(2033, 2, 28)
    assert c.add_months(dt.date(2028, 6, 15), 12) == dt.date(2029, 6, 15)


def test_short_opens_a_rectification_still_short_after_it_means_damages_met_closes_it():
    due = dt.date(2029, 6, 30)
    assert c.after_result(c.SHORT, None, dt.date(2028, 6, 30)) == c.OPEN
    assert c.after_result(c.MET, None, dt.date(2028, 6, 30)) is None
    assert c.after_result(c.AWAITING, None, dt.date(2028, 6, 30)) is None
    rectifying = {"status": c.OPEN, "due": due}
    assert c.after_result(c.SHORT, rectifying, dt.date(2029, 6, 29)) is None
    assert c.after_result(c.SHORT, rectifying, due) == c.DAMAGES
    assert c.after_result(c.MET, rectifying, dt.date(2029, 1, 1)) == c.RECTIFIED
    assert c.after_result(c.SHORT, rectifying, dt.date(2028, 9, 1), c.RECTIFICATION_CHECK) == c.DAMAGES
    assert c.verdict({"direction": "<=", "value": "0.20"}, Decimal("0.2")) == c.MET
    assert c.verdict({"direction": "<=", "value": "0.20"}, Decimal("0.2001")) == c.SHORT


PRINCIPALS = ("party_secretary", "county_magistrate")


def test_the_damages_are_one_receivable_paid_in_parts_reduced_only_by_both_principals():
    d = c.Damages(Decimal("500000.00"), Decimal("0"), Decimal("0"))
    d = c.pay(d, Decimal("200000.00"))
    with pytest.raises(InvalidInput):
        c.pay(d, Decimal("300000.01"))
    with pytest.raises(InvalidInput):
        c.decide_reduction(d, None, PRINCIPALS, "county_magistrate", c.AGREE, Decimal("1000.00"), " ")
    round_, outcome = c.decide_reduction(
        d, None, PRINCIPALS, "county_magistrate", c.AGREE, Decimal("100000.00"), "the plant was flooded"
    )
    assert outcome is None and round_.decisions == {"county_magistrate": c.AGREE}
    round_, outcome = c.decide_reduction(d, round_, PRINCIPALS, "party_secretary", c.AGREE, None, "agreed")
    assert outcome == c.REDUCED
    d = c.after_reduction(d, round_)
    assert (d.reduced, d.outstanding) == (Decimal("100000.00"), Decimal("200000.00"))
    d = c.pay(d, Decimal("200000.00"))
    assert (d.outstanding, d.status) == (Decimal("0.00"), c.SETTLED)
    with pytest.raises(Conflict):
        c.pay(d, Decimal("1.00"))


def test_one_principals_agreement_reduces_nothing_and_the_round_waits_for_the_other():
    d = c.Damages(Decimal("2700000.00"), Decimal("2000000.00"), Decimal("0"))
    round_, outcome = c.decide_reduction(d, None, PRINCIPALS, "party_secretary", c.AGREE, Decimal("100000.00"), "受灾")
    assert (outcome, round_.amount, round_.outstanding) == (None, Decimal("100000.00"), Decimal("700000.00"))
    assert c.reduction_pending(round_, d) == round_
    with pytest.raises(Conflict):  # one decision per principal in a round
        c.decide_reduction(d, round_, PRINCIPALS, "party_secretary", c.AGREE, None, "again")
    with pytest.raises(Conflict):  # the other principal decides on the amount proposed, not another
        c.decide_reduction(d, round_, PRINCIPALS, "county_magistrate", c.AGREE, Decimal("200000.00"), "more")


def test_a_principals_refusal_ends_the_round_and_reduces_nothing():
    d = c.Damages(Decimal("2700000.00"), Decimal("0"), Decimal("0"))
    round_, _ = c.decide_reduction(d, None, PRINCIPALS, "county_magistrate", c.AGREE, Decimal("100000.00"), "受灾")
    round_, outcome = c.decide_reduction(d, round_, PRINCIPALS, "party_secretary", c.REFUSE, None, "证据不足")
    assert outcome == c.REFUSED and round_.decisions == {"county_magistrate": c.AGREE, "party_secretary": c.REFUSE}
    with pytest.raises(Conflict):  # with no round awaiting, there is nothing to refuse
        c.decide_reduction(d, None, PRINCIPALS, "party_secretary", c.REFUSE, None, "no")


def test_only_the_principals_reduce_and_within_what_is_outstanding():
    d = c.Damages(Decimal("500000.00"), Decimal("0"), Decimal("0"))
    with pytest.raises(NotAllowed):
        c.decide_reduction(d, None, PRINCIPALS, "deputy_magistrate_investment", c.AGREE, Decimal("1.00"), "x")
    with pytest.raises(InvalidInput):
        c.decide_reduction(d, None, PRINCIPALS, "county_magistrate", c.AGREE, Decimal("500000.01"), "x")
    with pytest.raises(InvalidInput):
        c.decide_reduction(d, None, PRINCIPALS, "county_magistrate", c.AGREE, None, "no amount proposed")
    with pytest.raises(InvalidInput):
        c.decide_reduction(d, None, PRINCIPALS, "county_magistrate", "maybe", Decimal("1.00"), "x")
    settled = c.Damages(Decimal("500000.00"), Decimal("500000.00"), Decimal("0"))
    with pytest.raises(Conflict):
        c.decide_reduction(settled, None, PRINCIPALS, "county_magistrate", c.AGREE, Decimal("1.00"), "x")


def test_a_payment_meanwhile_starts_the_principals_round_again():
    d = c.Damages(Decimal("500000.00"), Decimal("0"), Decimal("0"))
    round_, _ = c.decide_reduction(d, None, PRINCIPALS, "county_magistrate", c.AGREE, Decimal("100000.00"), "受灾")
    paid = c.pay(d, Decimal("50000.00"))
    assert c.reduction_pending(round_, paid) is None
    again, outcome = c.decide_reduction(
        paid, c.reduction_pending(round_, paid), PRINCIPALS, "party_secretary", c.AGREE, Decimal("80000.00"), "新一轮"
    )
    assert (outcome, again.decisions, again.outstanding) == (None, {"party_secretary": c.AGREE}, Decimal("450000.00"))


def test_the_special_report_on_an_unmet_commitment_is_issued_by_the_park_or_town_else_by_policys_unit():
    from services.supervision import commitment_report as report

    assert report.issuer_unit(POLICY, "PARK:hengdong") == "PARK:hengdong"
    assert report.issuer_unit(POLICY, "IND") == report.issuer_unit(POLICY, None) == "LG"
    assert report.subject(7) == "unmet_commitment:7"


def test_a_figure_is_entered_by_the_unit_that_owns_it_in_its_plausible_range():
    assert c.check_figure("tax", "9600000", 2027, "FIN") == Decimal("9600000")
    with pytest.raises(NotAllowed):
        c.check_figure("tax", "9600000", 2027, "IND")
    with pytest.raises(InvalidInput):
        c.check_figure("plot_ratio", "35", None, "LAND")
    with pytest.raises(InvalidInput):
        c.check_figure("output", "1", None, "IND")


def test_a_commitment_negotiated_below_the_floor_is_recorded_as_exceeding_policy_in_the_contracts_words():
    from services.negotiation import domain as negotiation

    hengdong = ("PARK:hengdong", "C2710")
    weaker, stronger = negotiation.session_terms(
        {
            "policy_terms": [
                {"commitment": "tax_per_mu", "value": "25"},
                {"commitment": "energy_per_output", "value": "0.1"},
            ]
        },
        POLICY,
        hengdong,
    )
    assert (weaker["text"], weaker["exceeds"]) == ("标准地承诺：亩均税收 ≥ 25 万元/亩", True)
    assert stronger["exceeds"] is False
    drafted = sl.compose(
        POLICY, *hengdong, [{"indicator": "tax_per_mu", "value": "25"}], [weaker["text"]], Decimal("40"), FAI
    )
    assert next(x for x in drafted if x["indicator"] == "tax_per_mu")["exceeds_policy"] is True
    with pytest.raises(InvalidInput) as refused:
        negotiation.session_terms(
            {"policy_terms": [{"commitment": "tax_per_mu", "value": "25"}]}, POLICY, ("TOWN:xintang", "I6510")
        )
    assert "policy_terms.0.commitment" in refused.value.fields


def test_figures_are_recorded_only_for_a_project_with_commitments():
    assert c.check_has_commitments([{"indicator": "tax_per_mu"}], "p1") == [{"indicator": "tax_per_mu"}]
    with pytest.raises(Conflict) as refused:
        c.check_has_commitments([], "p1")
    assert refused.value.details == {"project_id": ["p1"]}


def test_a_check_again_is_asked_while_the_rectification_is_open_and_once_a_day():
    c.check_can_recheck(c.OPEN)
    for status in (c.RECTIFIED, c.DAMAGES):
        with pytest.raises(Conflict) as refused:
            c.check_can_recheck(status)
        assert refused.value.details == {"status": [status]}
    assert c.check_not_rechecked_today(12, 3) == 12
    with pytest.raises(Conflict) as twice:
        c.check_not_rechecked_today(None, 3)
    assert twice.value.details == {"rectification_id": ["3"]}


def test_a_damages_voucher_is_recorded_once():
    c.check_voucher_unused(False, "V-1")
    with pytest.raises(Conflict) as refused:
        c.check_voucher_unused(True, "V-1")
    assert refused.value.details == {"voucher": ["V-1"]}
